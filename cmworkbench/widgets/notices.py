"""Notifications as screens show them, and how the inbox and the app's toasts talk.

The app polls for new notifications and shows them as toasts (:mod:`cmworkbench.app.notices`);
the inbox screen lists them. They never import each other: the inbox asks the app to mark
notifications read with :class:`MarkRead` (the app does it, so it completes even after the
inbox closed to show the notice's ticket), and the app tells every screen on the stack that
the notifications changed with :class:`NoticesChanged` (the inbox, if open, reads again).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from cmworkbench.i18n import label, t


@dataclass
class MarkRead(Message):
    """Mark these of the actor's notifications read (``None``: all), posted to the app."""

    ids: list[int] | None


class NoticesChanged(Message, bubble=False):
    """Notifications arrived or were marked read, posted to every screen on the stack."""


def kind_label(kind: str) -> str:
    """The kind of a notification for people; a kind the catalog does not know yet (a new
    job's) reads as plain "notification" rather than as its code."""
    text = label("notification_kind", kind)
    return t("tui.notices.other_kind") if text == kind else text
