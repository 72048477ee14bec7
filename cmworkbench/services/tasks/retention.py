"""Churn (客户流失): who is told of a retention task, the signal between two imports, and how a
retention task ends.

DESIGN.md, "Churn": each signal opens a retention task (事前/事中/事后挽留); for A/B customers
the supervisor is informed. The daily generation opens the tasks of its rules (a customer
marked at risk, assets or revenue down month on month: ``rules_sql``); an import that finds a
group's members dropping in bulk opens one at once (:func:`open_for_member_drops`). Either
way, a new retention task of a customer whose class is in ``tasks.retention_inform_classes``
tells the owner's supervisor (:func:`alert_leads`), once: the notification's key is the task.

A retention task is closed by a held call or visit for it, and that contact must say how the
talk ended (:class:`~cmworkbench.domain.enums.RetentionResult`): the customer's status
follows (retained: active again; still at risk: at risk, so next month's generation asks
again; lost: lost, out of the cadence and the books' figures), audited as any change of the
customer; the report counts the results (``retention``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Staff, Task
from cmworkbench.domain.enums import TaskKind, TaskStatus
from cmworkbench.i18n import t
from cmworkbench.services.core.notify import tell_leads
from cmworkbench.services.tasks.made import insert_rule_task

STATUS_AFTER = {"retained": "active", "at_risk": "at_risk", "lost": "lost"}
"""The customer's status once a retention talk ended so."""


@dataclass(frozen=True)
class MemberDrop:
    """A group's members between two imports."""

    customer_id: int
    before: int
    after: int


def member_dropped(before: int | None, after: int | None, share: float) -> bool:
    """Whether a group's members fell by more than ``share`` (of ``before``)."""
    if not before or after is None:
        return False
    return after < before * (1 - share)


def open_alerts(settings: Settings) -> Select[Task, Customer, Staff]:
    """SQL: the open retention tasks whose losses reach the lead at once (customers of
    ``tasks.retention_inform_classes``), with their customer and owner: what the leads are
    told of (:func:`alert_leads`) and what stays on their Today until done."""
    return (
        select(Task, Customer, Staff)
        .join(Customer, col(Customer.id) == col(Task.customer_id))
        .join(Staff, col(Staff.id) == col(Task.owner_id))
        .where(
            col(Task.kind) == TaskKind.RETENTION,
            col(Task.status) == TaskStatus.OPEN,
            col(Customer.cls).in_(settings.tasks.retention_inform_classes),
        )
    )


def alert_leads(session: Session, settings: Settings, since: datetime) -> int:
    """Tell the owner's supervisor of every open retention task made since ``since`` on a
    customer of ``tasks.retention_inform_classes``; returns how many were told (each task
    once per person, whoever runs this again)."""
    classes = settings.tasks.retention_inform_classes
    if not classes:
        return 0
    query = open_alerts(settings).where(col(Task.created_at) >= since)
    rows = session.exec(query.order_by(col(Task.id))).all()
    told = 0
    for task, customer, owner in rows:
        assert task.id is not None
        title = t(
            "retention.alert",
            customer=customer.name,
            number=customer.customer_no,
            cls=customer.cls or "",
            owner=owner.name,
        )
        told += tell_leads(
            session,
            owner,
            kind="retention_alert",
            title=title,
            object_type="task",
            object_id=task.id,
            key=f"retention:{task.id}",
            body=task.reason,
        )
    return told


def open_for_member_drops(
    session: Session, settings: Settings, drops: Sequence[MemberDrop], now: datetime
) -> int:
    """A retention task, due now, for each group whose members fell in bulk (one a day per
    customer); the leads of A/B customers told. Returns how many tasks were opened."""
    day = now.astimezone(clock.branch_tz()).date()
    opened = 0
    for drop in drops:
        customer = session.get(Customer, drop.customer_id)
        if customer is None or customer.owner_id is None or customer.status == "lost":
            continue  # a pooled customer is the keeper's to allocate first; a lost one is gone
        share = round(100 * (drop.before - drop.after) / drop.before)
        opened += insert_rule_task(
            session,
            kind=TaskKind.RETENTION.value,
            customer_id=drop.customer_id,
            owner_id=customer.owner_id,
            due_at=now,
            reason=t("retention.member_drop", before=drop.before, after=drop.after, share=share),
            rule="churn.members",
            key=f"retention:members:{drop.customer_id}:{day}",
        )
    if opened:
        alert_leads(session, settings, now)
    return opened
