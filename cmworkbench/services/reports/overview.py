"""Counts for the home screens of each mode (cheap: COUNT on indexed columns).

A task is overdue (逾期) once the branch-local day of its deadline (``deadline_at``, else its
due time) has passed, as on Today, in the reports and on the team board
(:mod:`cmworkbench.domain.standing`): a contact past the cadence's ideal day but within its
maximum is due, not overdue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.db.models import Complaint, Customer, Task, VisitPlan
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, TaskStatus
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter
from cmworkbench.services.reports.schemas import Overview


def _overdue_before(start_of_today: datetime) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Task`: its last day (the deadline's, else the due day) is
    before the day that starts at ``start_of_today``."""
    return func.coalesce(col(Task.deadline_at), col(Task.due_at)) < start_of_today


def overview(*, session: Session, actor: Actor) -> Overview:
    """The counts behind the Today, Customers, Visits and Complaints placeholders."""
    start_of_today, end_of_today = clock.day_bounds(clock.today())

    def count(model: type, *where: ColumnElement[bool]) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    my_open = (col(Task.owner_id) == actor.id, col(Task.status) == TaskStatus.OPEN)
    return Overview(
        customers=count(Customer, customer_filter(actor)),
        tasks_due=count(Task, *my_open, col(Task.due_at) < end_of_today),
        tasks_overdue=count(Task, *my_open, _overdue_before(start_of_today)),
        complaints_open=count(
            Complaint,
            col(Complaint.owner_id) == actor.id,
            col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES),
        ),
        visit_plans=count(VisitPlan, col(VisitPlan.owner_id) == actor.id),
    )
