"""Logging a contact with a customer: a call, a visit or an SMS, with its outcome and what it
was for.

A logged contact is what the contact cadence counts (DESIGN.md: days since the last *logged*
call or visit), so it is written at once, at ``clock.now()`` (or the moment given, at most
:data:`MAX_BACKDATE` ago), by the person who made it. A visit that did not take place
(cancelled, rescheduled) is logged too, with status ``cancelled``: it belongs in the
customer's history but keeps no cadence.

A contact has a purpose: the tasks it was *for* (the one it was logged from, and those ticked
in the outcome dialog or named with ``cmw log --for``), kept as ``interaction_purpose`` rows.
A held contact closes those tasks when it can (a post-loan check only by a visit), and the
customer's contact-cadence task whatever it was for; it leaves every other task open (table
in :mod:`cmworkbench.domain.task_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Interaction, InteractionPurpose, Task
from cmworkbench.domain.cadence import applicable_rule
from cmworkbench.domain.enums import RETENTION_RESULTS, InteractionKind, TaskKind, TaskStatus
from cmworkbench.domain.task_rules import (
    CADENCE_KIND,
    FIRST_CONTACT_KIND,
    can_serve,
    closes,
    is_held,
)
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import (
    FieldsInvalid,
    choice_problem,
    range_problem,
    text_problem,
)
from cmworkbench.services.credit import api as credit
from cmworkbench.services.customers import api as customers
from cmworkbench.services.pipeline import api as pipeline
from cmworkbench.services.promises import api as promises
from cmworkbench.services.tasks.closing import close_task
from cmworkbench.services.tasks.retention import STATUS_AFTER
from cmworkbench.services.tasks.schemas import OUTCOMES, ContactLogged, OpenTask

CONTACT_PURPOSES = (promises.NEGOTIATION,)
"""Purposes a contact may have besides the tasks it was for: a negotiation round (洽谈) with a
group customer, which owes the customer feedback within 2 working days."""
NOT_HELD = frozenset({"cancelled", "rescheduled"})
"""Visit outcomes meaning the visit did not take place."""
MAX_MINUTES = 24 * 60
NEXT_STEP_CHARS = 500
NOTE_CHARS = 2000
"""A contact's note: what was said, a few paragraphs at most (``cmw log --note`` takes any
text, so its length and control characters are checked like every other free text)."""
"""Column size of ``interaction.next_step``."""
MAX_BACKDATE = timedelta(days=7)
"""A contact may be logged this long after it happened (``cmw log --at``), no longer: the
cadence counts logged contacts, and the audit log keeps the real time of every entry."""


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
    for_tasks: Sequence[int] = (),
    at: datetime | None = None,
    settings: Settings | None = None,
    retention: str | None = None,
    purpose: str | None = None,
) -> ContactLogged:
    """Log a contact the actor had with a customer in scope.

    ``outcome``: for a call ``reached`` / ``no_answer`` / ``call_back`` / ``wrong_number``,
    for a visit ``done`` / ``cancelled`` / ``rescheduled`` / ``incident``, for an SMS
    ``sent``. ``for_tasks``: open tasks of this customer the contact was for (none: it kept
    the cadence only). ``at``: when it happened (default now; not in the future, at most
    :data:`MAX_BACKDATE` ago). Every problem is reported at once (:class:`FieldsInvalid`),
    nothing written. ``settings`` gives the cadence rules (the documented defaults when not
    given). ``retention``: how the talk ended when it was for a retention task
    (:data:`~cmworkbench.domain.enums.RETENTION_RESULTS`; required then if the contact was
    held).
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    served = served_tasks(session, customer, for_tasks, kind, settings)
    return record_contact(
        session,
        actor=actor,
        settings=settings,
        customer=customer,
        kind=kind,
        outcome=outcome,
        note=note,
        next_step=next_step,
        duration_minutes=duration_minutes,
        served=served,
        at=at,
        retention=retention,
        purpose=purpose,
    )


def open_tasks(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    kind: str,
    exclude: int | None = None,
    settings: Settings | None = None,
) -> list[OpenTask]:
    """The open tasks of a customer in scope that a contact of ``kind`` could also be for
    (the outcome dialog offers them, none ticked), earliest due first; not ``exclude`` (the
    task logged from), nor the cadence task (any held contact keeps the cadence)."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    channels = _channels(settings or Settings(), customer)
    query = (
        select(Task)
        .where(col(Task.customer_id) == customer.id, col(Task.status) == TaskStatus.OPEN)
        .order_by(col(Task.due_at), col(Task.id))
    )
    return [
        OpenTask(task.id, task.kind, task.due_at, task.reason)
        for task in session.exec(query).all()
        if task.id is not None
        and task.id != exclude
        and task.kind != CADENCE_KIND
        and can_serve(task.kind, kind, channels)
    ]


def served_tasks(
    session: Session,
    customer: Customer,
    task_ids: Sequence[int],
    kind: str,
    settings: Settings | None,
) -> list[Task]:
    """The open tasks ``task_ids`` of ``customer`` a contact of ``kind`` can be for, in the
    order given; any other id is refused, naming it (nothing is written)."""
    tasks: list[Task] = []
    channels = _channels(settings or Settings(), customer)
    for task_id in dict.fromkeys(task_ids):
        task = session.get(Task, task_id)
        if task is None or task.customer_id != customer.id or task.status != TaskStatus.OPEN:
            raise FieldsInvalid(
                {"for_tasks": t("contact.not_open_task", task_id=task_id)},
                label_prefix="contact.field.",
            )
        if not can_serve(task.kind, kind, channels):
            problem = t("contact.cannot_serve", task_id=task_id, kind=label("task_kind", task.kind))
            raise FieldsInvalid({"for_tasks": problem}, label_prefix="contact.field.")
        tasks.append(task)
    return tasks


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
    served: Sequence[Task] = (),
    at: datetime | None = None,
    retention: str | None = None,
    purpose: str | None = None,
) -> ContactLogged:
    """Write the interaction on a customer whose scope the caller has checked, with what it
    was for (``served``: open tasks of this customer; ``purpose``: a purpose no task names,
    :data:`CONTACT_PURPOSES`), and close the tasks it satisfies; a held contact for a
    retention task records how it ended (``retention``) and the customer's status follows
    (:mod:`.retention`). A held contact keeps the promises it answers, and a negotiation
    round with a group customer owes feedback within 2 working days (:mod:`..promises`)."""
    assert customer.id is not None, "a customer read from the database has an id"
    _check(kind, outcome, note, next_step, duration_minutes, at, purpose)
    now = clock.now()
    held = not (kind == InteractionKind.VISIT and outcome in NOT_HELD)
    _findings_given(served, kind, outcome, note)
    retention = _retention_result(served, kind, outcome, held, retention)
    row = Interaction(
        customer_id=customer.id,
        staff_id=actor.id,
        kind=kind,
        status="done" if held else "cancelled",
        happened_at=at.astimezone(UTC) if at else now,
        outcome=outcome,
        purpose=purpose or (served[0].kind if served else None),
        note=(note or "").strip() or None,
        next_step=(next_step or "").strip() or None,
        duration_minutes=duration_minutes,
        retention_result=retention,
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
    channels = _channels(settings or Settings(), customer)
    purposes = {task.kind: task.id for task in reversed(served)}  # the first of a kind wins
    note_text = f"closed by logged {kind} #{row_id}"
    closed: list[int] = []
    served_ids = {task.id for task in served}
    for task in [*served, *_cadence_tasks(session, customer.id, served_ids)]:
        if task.status == TaskStatus.OPEN and closes(
            task.kind,
            kind,
            outcome,
            status=row.status,
            served=task.id in served_ids,
            channels=channels,
        ):
            close_task(session, actor, task, note_text, None)
            assert task.id is not None
            closed.append(task.id)
            purposes.setdefault(task.kind, task.id)
            if task.kind == TaskKind.POST_LOAN:  # a credit file's check: done, the next planned
                credit.check_done(
                    session,
                    settings or Settings(),
                    actor=actor,
                    task=task,
                    interaction_id=row_id,
                    findings=note or "",
                )
    for task_kind, task_id in purposes.items():
        session.add(InteractionPurpose(interaction_id=row_id, task_kind=task_kind, task_id=task_id))
    promises.contact_logged(
        session,
        settings or Settings(),
        actor=actor,
        customer=customer,
        interaction_id=row_id,
        at=row.happened_at or now,
        held=is_held(kind, outcome, row.status),
        purpose=purpose,
    )
    if is_held(kind, outcome, row.status):  # the first contact of a referral, if one waits
        pipeline.customer_reached(session, customer.id, row.happened_at or now)
        if purpose == promises.NEGOTIATION:  # the feedback owed is about the open opportunity
            pipeline.negotiated(session, customer.id, actor.id, interaction_id=row_id)
    if retention is not None:
        status = STATUS_AFTER[retention]
        values = {"status": status}
        customers.apply_changes(
            session, actor=actor, customer=customer, version=customer.version, values=values
        )
    return ContactLogged(row_id, tuple(closed), tuple(purposes))


def _findings_given(served: Sequence[Task], kind: str, outcome: str, note: str | None) -> None:
    """A held visit for a post-loan check (贷后检查) must say what it found (the note): a file's
    check is closed with those findings, an imported date's with the visit's note."""
    if kind != InteractionKind.VISIT or outcome in NOT_HELD or (note or "").strip():
        return
    if any(task.kind == TaskKind.POST_LOAN for task in served):
        raise FieldsInvalid({"note": t("credit.findings_required")}, label_prefix="contact.field.")


def _retention_result(
    served: Sequence[Task], kind: str, outcome: str, held: bool, result: str | None
) -> str | None:
    """The retention result to record: required of a held contact for a retention task,
    refused of any other (checked before anything is written)."""
    for_retention = any(task.kind == TaskKind.RETENTION for task in served)
    reached = held and is_held(kind, outcome)
    problem = None
    if result is not None:
        problem = choice_problem(result, RETENTION_RESULTS)
        if problem is None and not for_retention:
            problem = t("contact.retention_without_task")
    elif for_retention and reached:
        problem = t("contact.retention_required")
    if problem:
        raise FieldsInvalid({"retention": problem}, label_prefix="contact.field.")
    return result if reached else None


def _cadence_tasks(session: Session, customer_id: int, served: set[int | None]) -> list[Task]:
    """The customer's open tasks any held contact closes (the contact cadence, a referral's
    first contact) not already among the ``served`` ids."""
    query = select(Task).where(
        col(Task.customer_id) == customer_id,
        col(Task.status) == TaskStatus.OPEN,
        col(Task.kind).in_((CADENCE_KIND, FIRST_CONTACT_KIND)),
    )
    return [task for task in session.exec(query).all() if task.id not in served]


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


def _check(
    kind: str,
    outcome: str,
    note: str | None,
    next_step: str | None,
    minutes: int | None,
    at: datetime | None,
    purpose: str | None = None,
) -> None:
    problems: dict[str, str] = {}
    if purpose is not None and (problem := choice_problem(purpose, CONTACT_PURPOSES)):
        problems["purpose"] = problem
    if problem := choice_problem(kind, tuple(OUTCOMES)):
        problems["kind"] = problem
    elif problem := choice_problem(outcome, OUTCOMES[kind]):
        problems["outcome"] = problem
    if problem := text_problem(note, most=NOTE_CHARS, multiline=True):
        problems["note"] = problem
    if problem := text_problem(next_step, most=NEXT_STEP_CHARS):
        problems["next_step"] = problem
    if minutes is not None and (problem := range_problem(minutes, 0, MAX_MINUTES)):
        problems["duration_minutes"] = problem
    if at is not None and (problem := _at_problem(at)):
        problems["at"] = problem
    if problems:
        raise FieldsInvalid(problems, label_prefix="contact.field.")


def _at_problem(at: datetime) -> str | None:
    if at.tzinfo is None or at.utcoffset() is None:
        return t("input.naive_time")
    now = clock.now()
    if at > now:
        return t("contact.at_future")
    if at < now - MAX_BACKDATE:
        return t("contact.at_too_old", days=MAX_BACKDATE.days)
    return None
