"""Proposing a week's visits, and putting the proposals on the plan.

Candidates are the manager's customers with an open task a visit serves (contact, care,
after-sale, post-loan check, retention) due by the end of the week, and the customers whose
contact cadence falls due that week without a task yet. Each is ranked by the call list's
score (:mod:`cmworkbench.domain.priority`) and spread over the week's working days one area a
day (:func:`cmworkbench.domain.visits.propose_week`). Customers already on the plan and the
slots already taken are left out. :func:`propose` only reads; :func:`add_proposals` writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, col, func, select

from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Interaction, Task, VisitPlanItem
from cmworkbench.domain import priority
from cmworkbench.domain import visits as rules
from cmworkbench.domain.cadence import applicable_rule, counted_from, local_day, next_contact
from cmworkbench.domain.enums import TaskStatus
from cmworkbench.services.core import audit
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.visits.plans import (
    calendar_of,
    find_plan,
    key_contact,
    plan_for_write,
    plan_rows,
    touch,
    week_dates,
)
from cmworkbench.services.visits.schemas import ProposedVisit

PURPOSE_OF_TASK = {
    "contact": "courtesy_call",
    "care": "gift",
    "after_sale": "after_sale",
    "post_loan": "door_to_door_service",
    "retention": "needs_discovery",
}
"""The visit purpose proposed for each kind of task a visit serves."""


def _facts(customer: Customer, kind: str, due_on: date) -> priority.TaskFacts:
    return priority.TaskFacts(
        kind=kind,
        due_on=due_on,
        cls=customer.cls,
        tier=customer.tier,
        is_vip=customer.is_vip,
        is_government=customer.is_government,
        is_benchmark=customer.is_benchmark,
        is_dual_span=customer.is_dual_span,
        status=customer.status,
    )


def _from_tasks(
    session: Session, actor: Actor, end: datetime, monday: date, tz: tzinfo
) -> dict[int, tuple[Customer, rules.Candidate]]:
    query = (
        select(Task, Customer)
        .join(Customer, col(Customer.id) == col(Task.customer_id))
        .where(
            col(Task.owner_id) == actor.id,
            col(Task.status) == TaskStatus.OPEN,
            col(Task.kind).in_(tuple(PURPOSE_OF_TASK)),
            col(Task.due_at) < end,
        )
    )
    found: dict[int, tuple[Customer, rules.Candidate]] = {}
    for task, customer in session.exec(query).all():
        assert customer.id is not None
        due_on = local_day(task.due_at, tz)
        score = priority.score(_facts(customer, task.kind, due_on), monday)
        known = found.get(customer.id)
        if known is None or known[1].priority < score:
            found[customer.id] = (customer, _candidate(customer, score, task.kind))
    return found


def _candidate(customer: Customer, score: int, kind: str) -> rules.Candidate:
    assert customer.id is not None
    return rules.Candidate(
        customer.id, customer.area, score, customer.preferred_hours, PURPOSE_OF_TASK[kind]
    )


def _from_cadence(
    session: Session, actor: Actor, settings: Settings, days: list[date], tz: tzinfo
) -> dict[int, tuple[Customer, rules.Candidate]]:
    """Customers whose cadence falls due by the week's end, counted from their last held
    call or visit (one grouped query over the manager's book)."""
    last = (
        select(Interaction.customer_id, func.max(Interaction.happened_at).label("last"))
        .join(Customer, col(Customer.id) == col(Interaction.customer_id))
        .where(
            col(Customer.owner_id) == actor.id,
            col(Interaction.status) == "done",
            col(Interaction.kind).in_(("visit", "call")),
        )
        .group_by(col(Interaction.customer_id))
        .subquery()
    )
    query = (
        select(Customer, last.c.last)
        .join(last, last.c.customer_id == col(Customer.id), isouter=True)
        .where(col(Customer.owner_id) == actor.id, col(Customer.status) != "lost")
    )
    found: dict[int, tuple[Customer, rules.Candidate]] = {}
    for customer, last_at in session.exec(query).all():
        rule = applicable_rule(
            cls=customer.cls,
            tier=customer.tier,
            is_vip=customer.is_vip,
            is_government=customer.is_government,
            rules=settings.cadence,
        )
        if rule is None or "visit" not in rule[1].channels or customer.id is None:
            continue
        if last_at is not None and last_at.tzinfo is None:  # MAX() over a column: no type
            last_at = last_at.replace(tzinfo=UTC)
        due = next_contact(counted_from(last_at, customer.created_at, tz), rule[1], days[-1])
        if due.due:
            score = priority.score(_facts(customer, "contact", due.due_on), days[0])
            found[customer.id] = (customer, _candidate(customer, score, "contact"))
    return found


def propose(
    *, session: Session, actor: Actor, settings: Settings | None = None, week: str
) -> list[ProposedVisit]:
    """Visits proposed for the actor's ``week``, one area a day, most urgent areas first."""
    settings = settings or Settings()
    days = week_dates(week)
    calendar = calendar_of(settings)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), calendar.tz).astimezone(UTC)
    busy: dict[date, list[rules.Span]] = {}
    planned: set[int] = set()
    plan = find_plan(session, actor.id, week)
    if plan is not None and plan.id is not None:
        for item, _customer, _contact in plan_rows(session, plan.id):
            planned.add(item.customer_id)
            if item.status in rules.HELD_OR_PLANNED:
                day = item.starts_at.astimezone(calendar.tz).date()
                busy.setdefault(day, []).append((item.starts_at, item.ends_at))
    found = _from_cadence(session, actor, settings, days, calendar.tz)
    found.update(_from_tasks(session, actor, end, days[0], calendar.tz))
    customers = {cid: c for cid, (c, _) in found.items() if cid not in planned}
    candidates = [cand for cid, (_, cand) in found.items() if cid in customers]
    slot_rules = rules.SlotRules(
        settings.visits.max_per_day,
        settings.visits.slot_minutes,
        settings.visits.preparation_minutes,
    )
    proposals = rules.propose_week(candidates, days, calendar=calendar, rules=slot_rules, busy=busy)
    return [
        ProposedVisit(
            customer_no=customers[p.candidate.customer_id].customer_no,
            customer_name=customers[p.candidate.customer_id].name,
            area=p.candidate.area,
            purpose=p.candidate.purpose,
            starts_at=p.starts_at.astimezone(UTC),
            ends_at=p.ends_at.astimezone(UTC),
            priority=p.candidate.priority,
        )
        for p in proposals
    ]


def add_proposals(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    week: str,
    proposals: Sequence[ProposedVisit],
    version: int | None = None,
) -> int:
    """Put ``proposals`` on the actor's plan of ``week`` in one change; returns how many."""
    from cmworkbench.services.core.scope import require_customer

    settings = settings or Settings()
    plan = plan_for_write(session, actor, week, version)
    assert plan.id is not None
    for p in proposals:
        customer = require_customer(session=session, actor=actor, customer_no=p.customer_no)
        assert customer.id is not None
        item = VisitPlanItem(
            plan_id=plan.id,
            customer_id=customer.id,
            contact_id=key_contact(session, customer.id),
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            purpose=p.purpose,
            checklist="\n".join(settings.visits.checklist) or None,
        )
        session.add(item)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="create",
            object_type="visit",
            object_id=item.id,
            customer_id=customer.id,
            detail=f"{week} {p.starts_at.isoformat()} proposed",
        )
    touch(session, plan)
    return len(proposals)
