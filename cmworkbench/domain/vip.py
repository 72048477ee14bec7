"""Who is a VIP: one definition for every rule that treats VIPs apart (the complaint SLA, the
contact cadence, the priority score, the reports). No I/O.

A customer is a VIP when flagged (the VIP card, granted by hand) or when its asset tier is one
the branch lists as VIP (``[vip] tiers``: diamond and gold by default, the telecom VIP service
standard). The list is the process's, set once from config at start-up the way the branch's
time zone is (:func:`set_tiers`; ``cmw`` does it for every command); SQL asks
:func:`tiers` when it is built.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_TIERS: tuple[str, ...] = ("diamond", "gold")
"""The tiers cared for as VIP unless the branch says otherwise."""

_tiers: frozenset[str] = frozenset(DEFAULT_TIERS)


def set_tiers(tiers: Iterable[str]) -> None:
    """Use ``tiers`` as the VIP tiers from now on (config ``[vip] tiers``)."""
    global _tiers
    _tiers = frozenset(tiers)


def tiers() -> tuple[str, ...]:
    """The VIP tiers, sorted (what SQL lists)."""
    return tuple(sorted(_tiers))


def is_vip(flagged: bool, tier: str | None) -> bool:
    """Whether a customer with the VIP flag ``flagged`` and asset tier ``tier`` is a VIP."""
    return bool(flagged) or tier in _tiers
