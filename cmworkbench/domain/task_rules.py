"""Which logged work closes which task: a contact closes the tasks it was *for*.

DESIGN.md, "A day a manager can work": a logged contact has a purpose. Logging from a task
closes that task; the customer's other open tasks are offered (none ticked) so one call can
honestly serve two purposes; the contact cadence counts any held contact through the rule's
channels. So a maturity call does not close the customer's retention task unless the manager
ticks it. What a held contact of each kind can close, with the business source of each line:

=============  ================================================  ============================
task kind      closed, when served, by                           source
=============  ================================================  ============================
contact        any held contact through a channel of the         cadence table, DESIGN.md
               customer's cadence rule, served or not (A1:       (counted from the last
               visit or call; an SMS is no contact with an       *logged* call or visit)
               A-class customer)
care           a held call or visit                              telecom VIP standard
after_sale     a held call or visit                              售后回访, telecom handbook
maturity       a held call or visit                              bank daily routine
retention      a held call or visit                              churn: 挽留, DESIGN.md
follow_up      a held call or visit                              bank routine
call_back      a held call or visit                              the time the customer asked
first_contact  any held call or visit, served or not (the         a referral's first contact
               manager reached the referred customer)             (转介首次联系)
manual         a held call or visit                              what the manager wrote
post_loan      a held visit only (an on-site check)              贷后检查, bank summaries
verify_info    marking the basic data verified, not a contact    信息更新, telecom handbook
return_call    the complaint's own return call, not a contact    投诉回访, telecom handbook
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
    "call_back": frozenset({"call", "visit"}),
    "manual": frozenset({"call", "visit"}),
    "first_contact": frozenset({"call", "visit"}),
    "post_loan": frozenset({"visit"}),
}
"""Task kind → interaction kinds whose held contact closes it when it was served (``contact``
follows the customer's cadence channels; kinds not listed are never closed by a contact)."""

FIRST_CONTACT_KIND = "first_contact"
"""A referral's first contact: closed by any held call or visit with the customer, whether or
not it was logged from the task (reaching them is the whole of it)."""

CADENCE_KIND = "contact"
"""The task of the contact cadence: closed by any held contact through the rule's channels."""

DEFAULT_CONTACT_CHANNELS = frozenset({"call", "visit"})
"""Channels that keep the contact cadence when no cadence rule applies to the customer."""


def is_held(kind: str, outcome: str, status: str = "done") -> bool:
    """Whether an interaction of ``kind`` with ``outcome`` means the customer was reached."""
    return status == "done" and outcome in HELD_OUTCOMES.get(kind, frozenset())


def keeps_cadence(kind: str, channels: Collection[str] | None) -> bool:
    """Whether a held contact of ``kind`` keeps the cadence whose rule has ``channels``
    (``None``: no rule applies, calls and visits count)."""
    return kind in (DEFAULT_CONTACT_CHANNELS if channels is None else channels)


def can_serve(task_kind: str, kind: str, channels: Collection[str] | None = None) -> bool:
    """Whether a contact of ``kind`` can be *for* a task of ``task_kind``: what the outcome
    dialog offers to tick (a call cannot be a post-loan check)."""
    if task_kind == CADENCE_KIND:
        return keeps_cadence(kind, channels)
    return kind in SATISFIED_BY.get(task_kind, frozenset())


def closes(
    task_kind: str,
    kind: str,
    outcome: str,
    *,
    status: str = "done",
    served: bool,
    channels: Collection[str] | None = None,
) -> bool:
    """Whether a logged contact of ``kind`` with ``outcome`` closes an open task of
    ``task_kind`` (``served``: the contact was logged from it or it was ticked)."""
    if not is_held(kind, outcome, status):
        return False
    if task_kind == CADENCE_KIND:
        return keeps_cadence(kind, channels)
    if task_kind == FIRST_CONTACT_KIND:
        return can_serve(task_kind, kind, channels)
    return served and can_serve(task_kind, kind, channels)
