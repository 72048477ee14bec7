"""Counts for the home screens of each mode (cheap: COUNT on indexed columns)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.db.models import Complaint, Customer, Task, VisitPlan
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, TaskStatus
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter
from cmworkbench.services.reports.schemas import Overview


def overview(*, session: Session, actor: Actor) -> Overview:
    """The counts behind the Today, Customers, Visits and Complaints placeholders."""
    now = clock.now()
    end_of_today = clock.now_local().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )

    def count(model: type, *where: ColumnElement[bool]) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    my_open = (col(Task.owner_id) == actor.id, col(Task.status) == TaskStatus.OPEN)
    return Overview(
        customers=count(Customer, customer_filter(actor)),
        tasks_due=count(Task, *my_open, col(Task.due_at) < end_of_today),
        tasks_overdue=count(Task, *my_open, col(Task.due_at) < now),
        complaints_open=count(
            Complaint,
            col(Complaint.owner_id) == actor.id,
            col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES),
        ),
        visit_plans=count(VisitPlan, col(VisitPlan.owner_id) == actor.id),
    )
