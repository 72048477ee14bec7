"""Recording a planned visit, and plan vs actual per manager and week.

A recorded visit is a logged contact (:func:`cmworkbench.services.tasks.contacts.record_contact`)
for the customer's open tasks its purpose serves (:func:`visit_serves`: a door-to-door service
visit is the post-loan check, a gift the care task …): a held one (``done``, ``incident``)
keeps the contact cadence and closes those; one that did not take place (``cancelled``,
``rescheduled``) is kept in the customer's history only. A next step with a due date
becomes a ``follow_up`` task for the manager, one per visit however often it is retried.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Interaction, Staff, Task, VisitPlan, VisitPlanItem
from cmworkbench.domain.enums import InteractionKind, Role, TaskKind
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import Conflict
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem
from cmworkbench.services.tasks.api import REASON_CHARS, open_tasks_of, record_contact
from cmworkbench.services.visits.plans import (
    LABEL_PREFIX,
    calendar_of,
    plan_owner,
    require_item,
    t_status,
    touch,
    week_dates,
)
from cmworkbench.services.visits.proposals import PURPOSE_OF_TASK
from cmworkbench.services.visits.schemas import VISIT_OUTCOMES, PlanVsActual, VisitRecorded

NEXT_STEP_KEY = "visit_next_step:{item_id}"
"""``Task.idem_key`` of a visit's next-step task: one per visit."""


def _check(
    outcome: str, next_step: str | None, due: date | None, minutes: int | None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if problem := choice_problem(outcome, VISIT_OUTCOMES):
        problems["outcome"] = problem
    if due is not None and not (next_step or "").strip():
        problems["next_step"] = t("visits.next_step_needed")
    if due is not None and due < clock.today():
        problems["next_step_due"] = t("visits.due_past")
    if minutes is not None and minutes < 0:
        problems["duration_minutes"] = t("input.range", least=0, most=24 * 60, value=minutes)
    return problems


def record_visit(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    item_id: int,
    outcome: str,
    needs: str | None = None,
    next_step: str | None = None,
    next_step_due: date | None = None,
    duration_minutes: int | None = None,
    version: int | None = None,
) -> VisitRecorded:
    """Record how a planned visit of the actor went: the interaction (counted as contact when
    held), the visit's status, and a next step with a due date as a follow-up task."""
    settings = settings or Settings()
    if problems := _check(outcome, next_step, next_step_due, duration_minutes):
        raise FieldsInvalid(problems, label_prefix=LABEL_PREFIX)
    item, plan = require_item(session, actor, item_id, version)
    if item.status != "planned":
        raise Conflict(t("visits.not_planned", item_id=item_id, status=t_status(item.status)))
    customer = session.get(Customer, item.customer_id)
    assert customer is not None and customer.id is not None
    logged = record_contact(
        session,
        actor=actor,
        settings=settings,
        customer=customer,
        kind=InteractionKind.VISIT,
        outcome=outcome,
        note=needs,
        next_step=next_step,
        duration_minutes=duration_minutes,
        served=visit_serves(session, customer.id, item.purpose),
    )
    interaction_id, closed = logged.interaction_id, logged.closed_task_ids
    interaction = session.get(Interaction, interaction_id)
    assert interaction is not None
    interaction.contact_id, interaction.planned_at = item.contact_id, item.starts_at
    interaction.purpose = item.purpose
    item.status, item.interaction_id = outcome, interaction_id
    session.add_all([interaction, item])
    touch(session, plan, reopen=False)
    task_id = None
    if next_step_due is not None and next_step:
        task_id = _next_step_task(
            session, actor, settings, item, customer.id, next_step, next_step_due
        )
    return VisitRecorded(item_id, interaction_id, outcome, tuple(closed), task_id)


def visit_serves(session: Session, customer_id: int, purpose: str) -> list[Task]:
    """The customer's open tasks a visit made for ``purpose`` is for: those whose kind the
    visit plan proposes that purpose for (:data:`.proposals.PURPOSE_OF_TASK`)."""
    kinds = [kind for kind, served in PURPOSE_OF_TASK.items() if served == purpose]
    if not kinds:
        return []
    query = open_tasks_of(customer_id, kinds)
    return list(session.exec(query.order_by(col(Task.due_at))).all())


def _next_step_task(
    session: Session,
    actor: Actor,
    settings: Settings,
    item: VisitPlanItem,
    customer_id: int,
    next_step: str,
    due: date,
) -> int:
    """The visit's follow-up task, due at the opening of ``due`` (created once)."""
    key = NEXT_STEP_KEY.format(item_id=item.id)
    known = session.exec(select(Task.id).where(col(Task.idem_key) == key)).first()
    if known is not None:
        return known
    text = next_step.strip()
    line = text.splitlines()[0]
    task = Task(
        kind=TaskKind.FOLLOW_UP,
        customer_id=customer_id,
        owner_id=actor.id,
        due_at=calendar_of(settings).opening(due).astimezone(UTC),
        reason=line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 1] + "…",
        note=text,
        rule="visit_next_step",
        idem_key=key,
        created_at=clock.now(),
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    return task.id


def plan_vs_actual(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    week: str,
    owner_login: str | None = None,
) -> list[PlanVsActual]:
    """Planned, done, cancelled and unplanned visits of ``week``: the actor's own; for a
    supervisor (or branch head) without ``owner_login``, each manager of the team."""
    days = week_dates(week)
    tz = calendar_of(settings or Settings()).tz
    start = datetime.combine(days[0], time(0), tz).astimezone(UTC)
    end = (datetime.combine(days[-1], time(0), tz) + timedelta(days=1)).astimezone(UTC)
    people = _people(session, actor, owner_login)
    return [_counts(session, person, week, start, end) for person in people]


def _people(session: Session, actor: Actor, owner_login: str | None) -> list[Staff]:
    if owner_login is not None or actor.role not in (Role.SUPERVISOR, Role.BRANCH_HEAD):
        return [plan_owner(session, actor, owner_login)]
    from cmworkbench.services.staff.api import team_members

    return team_members(session, actor)


def _counts(
    session: Session, person: Staff, week: str, start: datetime, end: datetime
) -> PlanVsActual:
    by_status: dict[str, int] = {}
    query = (
        select(VisitPlanItem.status, func.count())
        .join(VisitPlan, col(VisitPlan.id) == col(VisitPlanItem.plan_id))
        .where(col(VisitPlan.owner_id) == person.id, col(VisitPlan.week) == week)
        .group_by(col(VisitPlanItem.status))
    )
    for status, n in session.exec(query).all():
        by_status[status] = int(n)
    planned_ids = select(VisitPlanItem.interaction_id).where(
        col(VisitPlanItem.interaction_id).is_not(None)
    )
    unplanned = session.exec(
        select(func.count()).where(
            col(Interaction.staff_id) == person.id,
            col(Interaction.kind) == InteractionKind.VISIT,
            col(Interaction.status) == "done",
            col(Interaction.happened_at) >= start,
            col(Interaction.happened_at) < end,
            col(Interaction.id).not_in(planned_ids),
        )
    ).one()
    return PlanVsActual(
        login=person.login,
        name=person.name,
        planned=sum(by_status.values()),
        done=by_status.get("done", 0) + by_status.get("incident", 0),
        cancelled=by_status.get("cancelled", 0) + by_status.get("rescheduled", 0),
        open=by_status.get("planned", 0),
        unplanned=int(unplanned),
    )
