"""Scope: which customers an actor may see. One mechanism, used by every service.

A manager (or phone manager) sees their own customers and those they back up (AB角); a
supervisor sees the team's; a branch head and an admin see the branch's.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select

from cmworkbench.db.models import Customer, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.services.actor import Actor


def customer_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Customer` that keeps what ``actor`` may see."""
    owner = col(Customer.owner_id)
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER):
        return or_(owner == actor.id, col(Customer.backup_id) == actor.id)
    if actor.role == Role.SUPERVISOR:
        return owner.in_(select(Staff.id).where(col(Staff.team_id) == actor.team_id))
    return owner.in_(select(Staff.id).where(col(Staff.branch_id) == actor.branch_id))


def staff_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Staff` that keeps the colleagues ``actor`` may see."""
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER, Role.SUPERVISOR):
        if actor.team_id is None:
            return col(Staff.id) == actor.id
        return or_(col(Staff.team_id) == actor.team_id, col(Staff.id) == actor.id)
    return col(Staff.branch_id) == actor.branch_id
