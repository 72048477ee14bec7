"""Today (今日工作): who a person's day covers, and one task as a row of it (its reason).

The list is the actor's own tasks plus leave coverage: a colleague on leave today has their
due work shown on their A/B partner's list (``Staff.backup_id``, AB角: "B takes over when A is
away", bank summaries); when the partner is away too, on their team supervisor's list. Such
rows are marked with the name of the colleague they are covered for ("代 张伟").

Rows carry the one score of :mod:`cmworkbench.domain.priority` for the day shown and the
standing of :mod:`cmworkbench.domain.standing`. The day itself (fixed items, the plan within
capacity, the backlog) is :mod:`cmworkbench.services.tasks.plan`.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Customer, Lead, Staff, Task
from cmworkbench.domain import priority
from cmworkbench.domain.masking import mask_phone
from cmworkbench.domain.pipeline import opportunity_of_task
from cmworkbench.domain.standing import standing
from cmworkbench.i18n import t
from cmworkbench.services.core.cover import coverers
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.tasks.schemas import TodayRow

REASON_JOINER = " · "
"""Between the parts of a row's reason: ``A1 · 逾期 12 天 · VIP``."""


def covered_staff(*, session: Session, actor: Actor, day: date) -> dict[int, str]:
    """Colleagues on leave on ``day`` whose due work falls to ``actor``: id → name.

    The A/B partner covers; if the partner is away as well (or none is set), the
    supervisor of the colleague's team does (:func:`coverers`).
    """
    cover = coverers(session=session, branch_id=actor.branch_id, day=day)
    mine = [away for away, coverer in cover.items() if coverer == actor.id and away != actor.id]
    if not mine:
        return {}
    names = session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(mine))).all()
    return {staff_id: name for staff_id, name in names if staff_id is not None}


def _facts(
    task: Task, customer: Customer | None, due_on: date, deadline_on: date | None = None
) -> priority.TaskFacts:
    if customer is None:
        return priority.TaskFacts(kind=task.kind, due_on=due_on, deadline_on=deadline_on)
    return priority.TaskFacts(
        kind=task.kind,
        due_on=due_on,
        deadline_on=deadline_on,
        cls=customer.cls,
        tier=customer.tier,
        is_vip=customer.is_vip,
        is_government=customer.is_government,
        is_benchmark=customer.is_benchmark,
        is_dual_span=customer.is_dual_span,
        status=customer.status,
    )


def reason_text(facts: priority.TaskFacts, day: date) -> str:
    """The translated reason parts joined: ``A1 · 逾期 12 天 · VIP``."""
    parts = priority.reason_parts(facts, day)
    return REASON_JOINER.join(t(key, **fields) for key, fields in parts)


def row_of(
    task: Task,
    customer: Customer | None,
    day: date,
    covered: dict[int, str],
    prospect: Lead | None = None,
) -> TodayRow:
    """One task as a row of the day ``day`` (its reason, standing and masked phone); a first
    contact owed to a ``prospect`` not yet a customer shows the prospect's name and phone."""
    assert task.id is not None
    tz = clock.branch_tz()
    due_on = task.due_at.astimezone(tz).date()
    deadline_on = task.deadline_at.astimezone(tz).date() if task.deadline_at else None
    facts = _facts(task, customer, due_on, deadline_on)
    return TodayRow(
        task_id=task.id,
        version=task.version,
        kind=task.kind,
        due_at=task.due_at,
        score=priority.score(facts, day),
        reason=reason_text(facts, day),
        task_reason=task.reason,
        customer_no=customer.customer_no if customer else None,
        customer_name=customer.name if customer else (prospect.name if prospect else None),
        customer_value=(customer.cls or customer.tier) if customer else None,
        flags=tuple(priority.flags(facts)),
        phone=mask_phone(customer.phone if customer else (prospect.phone if prospect else None)),
        owner_id=task.owner_id,
        covered_for=covered.get(task.owner_id),
        state=standing(due_on, deadline_on, day).state.value,
        deadline_at=task.deadline_at,
        prospect_id=prospect.id if prospect is not None and customer is None else None,
        opportunity_id=opportunity_of_task(task.rule, task.idem_key),
    )
