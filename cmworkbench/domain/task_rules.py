"""Which logged work closes which kind of task (a task closes itself when its work is logged).

Issue 4, "a task closes itself when the work it asks for is logged", with the business source
of each line:

=============  ================================================  ============================
task kind      satisfied by                                      source
=============  ================================================  ============================
contact        a held contact through a channel of the customer  cadence table, DESIGN.md
               's cadence rule (A1: visit or call; an SMS is     (counted from the last
               no contact with an A-class customer)              *logged* call or visit)
care           a held call or visit                              telecom VIP standard
after_sale     a held call or visit                              售后回访, telecom handbook
maturity       a held call or visit                              bank daily routine
retention      a held call or visit                              churn: 挽留, DESIGN.md
follow_up      a held call or visit                              bank routine
post_loan      a held visit only (an on-site check)              贷后检查, bank summaries
verify_info    marking the basic data verified, not a contact    信息更新, telecom handbook
return_call    the complaint's own return call, not a contact    投诉回访, telecom handbook
manual         nothing automatic: closed by hand                 (what the manager wrote)
=============  ================================================  ============================

"Held" means the customer was actually reached: a call answered (``reached``; not
``no_answer``, ``wrong_number``, or ``call_back`` — the customer asked to be called again, so
the conversation is still owed), a visit that took place (status ``done``, i.e. not cancelled
or rescheduled). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection

HELD_OUTCOMES: dict[str, frozenset[str]] = {
    "call": frozenset({"reached"}),
    "visit": frozenset({"done", "incident"}),
    "sms": frozenset({"sent"}),
    "onsite": frozenset({"done"}),
}
"""Outcomes meaning the contact took place, per interaction kind."""

SATISFIED_BY: dict[str, frozenset[str]] = {
    "care": frozenset({"call", "visit"}),
    "after_sale": frozenset({"call", "visit"}),
    "maturity": frozenset({"call", "visit"}),
    "retention": frozenset({"call", "visit"}),
    "follow_up": frozenset({"call", "visit"}),
    "post_loan": frozenset({"visit"}),
}
"""Task kind → interaction kinds whose held contact closes it (``contact`` follows the
customer's cadence channels; kinds not listed are never closed by a contact)."""

DEFAULT_CONTACT_CHANNELS = frozenset({"call", "visit"})
"""Channels that keep the contact cadence when no cadence rule applies to the customer."""


def is_held(kind: str, outcome: str, status: str = "done") -> bool:
    """Whether an interaction of ``kind`` with ``outcome`` means the customer was reached."""
    return status == "done" and outcome in HELD_OUTCOMES.get(kind, frozenset())


def kinds_closed_by(
    kind: str, outcome: str, *, status: str = "done", channels: Collection[str] | None = None
) -> frozenset[str]:
    """The task kinds a logged interaction closes.

    ``channels`` are the contact channels of the customer's cadence rule (``None``: no rule
    applies, calls and visits count).
    """
    if not is_held(kind, outcome, status):
        return frozenset()
    closed = {task_kind for task_kind, kinds in SATISFIED_BY.items() if kind in kinds}
    if kind in (DEFAULT_CONTACT_CHANNELS if channels is None else channels):
        closed.add("contact")
    return frozenset(closed)
