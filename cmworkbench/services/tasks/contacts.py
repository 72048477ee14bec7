"""Logging a contact with a customer: a call, a visit or an SMS, with its outcome.

A logged contact is what the contact cadence counts (DESIGN.md: days since the last *logged*
call or visit), so it is written at once, at ``clock.now()``, by the person who made it.
A visit that did not take place (cancelled, rescheduled) is logged too, with status
``cancelled``: it belongs in the customer's history but keeps no cadence.

A logged contact closes the customer's open tasks it satisfies (a reached call closes the
contact task when a call is one of the channels of the customer's cadence rule; a held visit
closes a post-loan check …; table in :mod:`cmworkbench.domain.task_rules`).
"""

from __future__ import annotations

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Interaction
from cmworkbench.domain.cadence import applicable_rule
from cmworkbench.domain.enums import InteractionKind
from cmworkbench.domain.task_rules import kinds_closed_by
from cmworkbench.services.core import audit
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import (
    FieldsInvalid,
    choice_problem,
    range_problem,
    text_problem,
)
from cmworkbench.services.tasks.closing import close_satisfied_tasks
from cmworkbench.services.tasks.schemas import OUTCOMES

NOT_HELD = frozenset({"cancelled", "rescheduled"})
"""Visit outcomes meaning the visit did not take place."""
MAX_MINUTES = 24 * 60
NEXT_STEP_CHARS = 500
"""Column size of ``interaction.next_step``."""


def log_contact(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    kind: str,
    outcome: str,
    note: str | None = None,
    next_step: str | None = None,
    duration_minutes: int | None = None,
    settings: Settings | None = None,
) -> int:
    """Log a contact the actor just had with a customer in scope; returns the interaction id.

    ``outcome``: for a call ``reached`` / ``no_answer`` / ``call_back`` / ``wrong_number``,
    for a visit ``done`` / ``cancelled`` / ``rescheduled`` / ``incident``, for an SMS
    ``sent``. Every problem is reported at once (:class:`FieldsInvalid`), nothing written.
    ``settings`` gives the cadence rules that decide which tasks the contact closes (the
    documented defaults when not given).
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    interaction_id, _closed = record_contact(
        session,
        actor=actor,
        settings=settings,
        customer=customer,
        kind=kind,
        outcome=outcome,
        note=note,
        next_step=next_step,
        duration_minutes=duration_minutes,
    )
    return interaction_id


def record_contact(
    session: Session,
    *,
    actor: Actor,
    settings: Settings | None,
    customer: Customer,
    kind: str,
    outcome: str,
    note: str | None = None,
    next_step: str | None = None,
    duration_minutes: int | None = None,
) -> tuple[int, list[int]]:
    """Write the interaction on a customer whose scope the caller has checked, and close the
    tasks it satisfies; returns the interaction id and the ids of the tasks closed."""
    assert customer.id is not None, "a customer read from the database has an id"
    _check(kind, outcome, next_step, duration_minutes)
    now = clock.now()
    held = not (kind == InteractionKind.VISIT and outcome in NOT_HELD)
    row = Interaction(
        customer_id=customer.id,
        staff_id=actor.id,
        kind=kind,
        status="done" if held else "cancelled",
        happened_at=now,
        outcome=outcome,
        note=(note or "").strip() or None,
        next_step=(next_step or "").strip() or None,
        duration_minutes=duration_minutes,
        created_at=now,
    )
    row_id = audit.created(
        session,
        row,
        actor=actor,
        object_type="interaction",
        customer_id=customer.id,
        detail=f"{kind} {outcome}",
    )
    kinds = kinds_closed_by(
        kind, outcome, status=row.status, channels=_channels(settings or Settings(), customer)
    )
    closed = close_satisfied_tasks(
        session,
        actor=actor,
        customer_id=customer.id,
        kinds=kinds,
        note=f"closed by logged {kind} #{row_id}",
    )
    return row_id, closed


def _channels(settings: Settings, customer: Customer) -> tuple[str, ...] | None:
    """The contact channels of the customer's cadence rule (``None``: no rule applies)."""
    found = applicable_rule(
        cls=customer.cls,
        tier=customer.tier,
        is_vip=customer.is_vip,
        is_government=customer.is_government,
        rules=settings.cadence,
    )
    return tuple(found[1].channels) if found else None


def _check(kind: str, outcome: str, next_step: str | None, minutes: int | None) -> None:
    problems: dict[str, str] = {}
    if problem := choice_problem(kind, tuple(OUTCOMES)):
        problems["kind"] = problem
    elif problem := choice_problem(outcome, OUTCOMES[kind]):
        problems["outcome"] = problem
    if problem := text_problem(next_step, most=NEXT_STEP_CHARS):
        problems["next_step"] = problem
    if minutes is not None and (problem := range_problem(minutes, 0, MAX_MINUTES)):
        problems["duration_minutes"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="contact.field.")
