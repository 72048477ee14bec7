"""Which keys a screen makes wait (see :mod:`cmworkbench.app.keys`): the ones typed while it
reads or writes what they act on.

A screen names the worker groups whose work the next key depends on (:attr:`KEY_WORKERS`):
the list a key acts on being read again, an action being written, a form being saved. While
one of them runs the app keeps the keys typed meanwhile, in order, and hands them on when it
is done; a screen with a finer rule (hold only the keys that act on search results) overrides
:meth:`HoldsKeys.holds_key`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from textual import events
from textual.dom import DOMNode


def running(node: DOMNode, groups: Collection[str]) -> bool:
    """Whether a worker of ``node`` in one of ``groups`` has not finished."""
    if not groups:
        return False
    return any(
        worker.node is node and worker.group in groups and not worker.is_finished
        for worker in node.app.workers
    )


def is_typing(key: events.Key | events.Paste) -> bool:
    """Text going into a field (a character, a paste, Backspace), not a key that acts."""
    if isinstance(key, events.Paste):
        return True
    return key.is_printable or key.key in ("backspace", "delete")


class HoldsKeys:
    """Mixed into a screen: the keys wait while a worker of :attr:`KEY_WORKERS` runs."""

    KEYS_AT_ONCE: ClassVar[bool] = False
    """Every key goes to this screen at once (keys waiting for the screens below keep waiting)."""

    KEY_WORKERS: ClassVar[frozenset[str]] = frozenset()
    """Worker groups of this screen that the next key waits for."""

    def holds_key(self, key: events.Key | events.Paste) -> bool:
        """Whether ``key`` must wait (the app asks before handing it on)."""
        assert isinstance(self, DOMNode)
        return running(self, self.KEY_WORKERS)
