"""What the promise services return (screens and the CLI import these, never the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STATES = ("open", "kept", "broken", "cancelled")
"""``open`` (owed, the deadline ahead), ``kept`` (done by the deadline), ``broken`` (the
deadline passed first: still owed until done) and ``cancelled`` (with a reason)."""

KEPT_BY_CONTACT = (
    "callback_same_day",
    "negotiation_feedback",
    "delay_notice",
    "complaint_feedback",
)
"""Kinds a logged contact with the customer keeps (the reply, the feedback, the notice): no
key to press. The others (urgent business, a file, a branch's own kinds) are kept by hand."""

URGENT_KINDS = ("government_urgent_card", "government_urgent_goods")
"""Urgent business of a government-important customer: card business 2 h, goods 6 h."""

INCOMING_CHANNELS = ("call", "message")
"""How the customer reached us when logging an incoming contact."""


@dataclass(frozen=True)
class PromiseOut:
    """One promise as lists and the 360 view show it."""

    id: int
    customer_no: str
    customer_name: str
    owner_id: int
    owner_login: str
    owner_name: str
    kind: str
    what: str
    made_at: datetime
    promise_due: datetime
    """The deadline (JSON: ``promise_due``, ISO with offset, like a ticket's ``*_due``)."""
    state: str
    done_at: datetime | None
    cancel_reason: str | None
    ticket_no: str | None
    version: int

    @property
    def owed(self) -> bool:
        """Still to be done: open, or broken and not done yet."""
        return self.state in ("open", "broken") and self.done_at is None


@dataclass(frozen=True)
class PromiseSweepOut:
    """What one sweep of the promises did."""

    checked: int
    notified: int
    broken: int
    opened: int
    """Complaint-feedback promises opened for open tickets that had none (a ticket older than
    the promises, or one loaded in bulk)."""
