"""What a customer file must hold and how right it must be (data quality, telecom handbook:
complete 100%; accurate above 95% for A and B classes, above 85% for C; compliant above 90%).
Pure rules, no I/O: the lists and targets come from config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ACCURACY_STRICT_CLASSES = frozenset(("A1", "A2", "B1", "B2"))
"""Classes held to the stricter accuracy target (A and B); C and files without a class are held
to the C target."""


def required_fields(required: Mapping[str, Sequence[str]], kind: str, cls: str | None) -> list[str]:
    """The fields a file of ``kind`` and ``cls`` must hold (``[data_quality.required]``: a
    ``kind.CLASS`` list replaces the kind's own)."""
    listed = required.get(f"{kind}.{cls}") if cls else None
    return list(listed if listed is not None else required.get(kind, []))


def accuracy_target(cls: str | None, strict: float, lenient: float) -> float:
    """The accuracy target of a class: ``strict`` for A and B, ``lenient`` for the rest."""
    return strict if cls in ACCURACY_STRICT_CLASSES else lenient


def empty(value: object) -> bool:
    """A field holding nothing: no value, or empty text."""
    return value is None or value == ""


def verification_row(
    checked: Sequence[str], corrections: Sequence[tuple[str, str, str]]
) -> tuple[int, int, str, str | None]:
    """What a ``verification`` row stores of the fields ``checked``, given the corrections
    among them as (field, old, new) shown (masked): how many were checked, how many were
    right, the fields (a corrected one marked ``!``) and the corrections' text, or None."""
    wrong = {name for name, _old, _new in corrections}
    fields = ",".join(name + ("!" if name in wrong else "") for name in checked)
    detail = "; ".join(f"{name}: {old} → {new}" for name, old, new in corrections) or None
    return len(checked), len(checked) - len(wrong), fields, detail
