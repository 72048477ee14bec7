"""The complaint ticket's lifecycle: which action moves a ticket from which status to which.

received → in progress → (waiting for the customer | waiting for the back office) → resolved
→ return call done → closed; a resolved ticket whose solution the customer rejects goes back
to in progress (the supervisor is told, DESIGN.md); a ticket whose return call is done, or a
closed one, can be reopened with a reason.

Whoever receives a complaint owns it to the end (首问负责: 谁受理、谁跟进、谁回复): no action
here changes the owner except ``reassign``, which only a supervisor or the branch head may
take. A back-office hand-off keeps the owner and has its own deadline.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmworkbench.domain.enums import ComplaintStatus as S


@dataclass(frozen=True)
class Step:
    """An action a person takes on a ticket: the statuses it starts from and where it leads
    (``None``: the status does not change)."""

    sources: tuple[S, ...]
    to: S | None


_WORKING = (S.RECEIVED, S.IN_PROGRESS)
_BEFORE_RESOLVED = (S.RECEIVED, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.WAITING_BACKOFFICE)
_NOT_CLOSED = (*_BEFORE_RESOLVED, S.RESOLVED, S.RETURN_CALL_DONE)

STEPS: dict[str, Step] = {
    # first contact with the customer; the triage (now / shortly / cannot now) is recorded
    "respond": Step((S.RECEIVED,), S.IN_PROGRESS),
    "wait_customer": Step(_WORKING, S.WAITING_CUSTOMER),  # the SLA clock pauses
    "hand_off": Step(_WORKING, S.WAITING_BACKOFFICE),  # the back office has its own deadline
    "resume": Step((S.WAITING_CUSTOMER, S.WAITING_BACKOFFICE), S.IN_PROGRESS),
    "resolve": Step(_BEFORE_RESOLVED, S.RESOLVED),  # "solvable now": straight from received
    "solution_rejected": Step((S.RESOLVED,), S.IN_PROGRESS),
    "return_call": Step((S.RESOLVED,), S.RETURN_CALL_DONE),
    "close": Step((S.RETURN_CALL_DONE,), S.CLOSED),
    "reopen": Step((S.RETURN_CALL_DONE, S.CLOSED), S.IN_PROGRESS),
    "reassign": Step(_NOT_CLOSED, None),
    "note": Step((*_NOT_CLOSED, S.CLOSED), None),
}
"""Every action a person can take, in the order the screen offers them."""

FIRST_RESPONSE_ACTIONS = frozenset({"respond", "wait_customer", "hand_off", "resolve"})
"""Actions that are a contact with the customer: the first of them meets the first-response
target (a ticket solved on the spot is responded to and resolved at once)."""

FEEDBACK_ACTIONS = frozenset({"respond", "wait_customer", "resolve"})
"""Actions that reach the customer with news of the ticket: each gives the progress feedback
owed (the ``complaint_feedback`` promise); before resolution the next is owed from then."""
REOPENING_ACTIONS = frozenset({"solution_rejected", "reopen"})
"""Actions that put a resolved ticket back in progress: feedback is owed again."""

SYSTEM_ACTIONS = ("receive", "inform_supervisor", "warn", "escalate", "breach", "backoffice_late")
"""Events the workbench writes itself (taking the ticket, the SLA sweep)."""

TRIAGES = ("now", "shortly", "cannot_now")
"""Solvable now / solvable shortly / cannot be solved now (network or technical)."""

KINDS = ("normal", "difficult", "escalated", "over_level")
"""普通, 疑难 (no agreed solution after several contacts), 升级 (tends to escalate), 越级."""

SATISFACTION_SCALE: tuple[tuple[int, str, str], ...] = (
    (5, "完全满意", "very_satisfied"),
    (4, "满意", "satisfied"),
    (3, "一般", "neutral"),
    (2, "不满意", "dissatisfied"),
    (1, "很不满意", "very_dissatisfied"),
)
"""The sources' satisfaction scale (score, the word asked, its English): what a return call
records. Before release 21 满意 was stored as 5 (those answers are marked as on the old
scale)."""
SATISFIED = 4
"""A score at or above this is "satisfied" (the satisfaction rate: the share of 4 and 5)."""
_SATISFACTION_WORDS = {word: score for score, zh, en in SATISFACTION_SCALE for word in (zh, en)}


class TransitionRefused(ValueError):
    """The action does not apply to a ticket in this status."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"{action} is not possible when the ticket is {status}")
        self.action = action
        self.status = status


def next_status(action: str, status: str) -> S:
    """The status after ``action`` on a ticket in ``status`` (unchanged for actions that do
    not move it); :class:`TransitionRefused` when the action does not apply."""
    step = STEPS.get(action)
    if step is None:
        raise KeyError(f"unknown complaint action {action!r}")
    current = S(status)
    if current not in step.sources:
        raise TransitionRefused(action, status)
    return step.to or current


def actions_for(status: str) -> list[str]:
    """The actions that apply to a ticket in ``status``, in the order of :data:`STEPS`."""
    current = S(status)
    return [name for name, step in STEPS.items() if current in step.sources]


def parse_satisfaction(text: str | int) -> int:
    """The customer's satisfaction on the sources' 1–5 scale: ``1``…``5``, or its word
    (:data:`SATISFACTION_SCALE`: 完全满意 5, 满意 4, 一般 3, 不满意 2, 很不满意 1, or their
    English, ``very_satisfied`` … ``very_dissatisfied``, in any case)."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        word = str(text).strip().lower()
        if word in _SATISFACTION_WORDS:
            return _SATISFACTION_WORDS[word]
        if not word.isdecimal():  # isdigit() also takes ¹ and ①, which int() refuses
            raise ValueError(f"{text!r} is not 1–5 or a word of the satisfaction scale")
        value = int(word)
    if not 1 <= value <= 5:
        raise ValueError(f"{text!r} is not 1–5 or a word of the satisfaction scale")
    return value


def satisfaction_word(score: int, english: bool = False) -> str:
    """The scale's word for ``score`` (1–5)."""
    for value, zh, en in SATISFACTION_SCALE:
        if value == score:
            return en if english else zh
    raise ValueError(f"{score!r} is not on the 1–5 scale")
