"""Scope: which customers an actor may see. One mechanism, used by every service.

A manager (or phone manager) sees their own customers and those they back up (AB角); a
supervisor sees the team's; a branch head and an admin see the branch's.

Everything is expressed as "owner is one of these staff ids, or the backup is me":
:func:`visible_owner_ids` gives that pair, :func:`owner_clause` turns it into a WHERE clause
on any table with owner/backup columns (the customer table, the search index), and
:func:`require_customer` loads one customer or refuses with a clear message.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, text
from sqlmodel import Session, col, select

from cmworkbench.db.models import Customer, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.domain.scope import OwnerScope
from cmworkbench.i18n import t
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import NotFound, OutOfScope


def visible_owner_ids(*, session: Session, actor: Actor) -> OwnerScope:
    """The scope of ``actor`` as owner ids (one small query for supervisors and the branch)."""
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER):
        return OwnerScope((actor.id,), actor.id, _backed_up_owners(session, actor.id))
    query = select(Staff.id)
    if actor.role == Role.SUPERVISOR:
        query = query.where(col(Staff.team_id) == actor.team_id)
    else:
        query = query.where(col(Staff.branch_id) == actor.branch_id)
    ids = tuple(i for i in session.exec(query).all() if i is not None)
    return OwnerScope(ids, None)


def _backed_up_owners(session: Session, backup_id: int) -> tuple[int, ...]:
    """Whose customers ``backup_id`` backs up: one index seek per distinct owner on
    customer(backup_id, owner_id), not a scan of the tens of thousands of customers."""
    owners: list[int] = []
    seek = text(
        "SELECT owner_id FROM customer WHERE backup_id = :b AND owner_id > :after"
        " ORDER BY owner_id LIMIT 1"
    )
    while True:
        found = (
            session.connection()
            .execute(seek, {"b": backup_id, "after": owners[-1] if owners else -1})
            .scalar_one_or_none()
        )
        if found is None:
            return tuple(owners)
        owners.append(int(found))


def owner_clause(scope: OwnerScope, owner: object, backup: object) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose ``owner``/``backup`` columns fall in ``scope``."""
    owner_col, backup_col = col(owner), col(backup)  # type: ignore[call-overload]
    parts = []
    if scope.owner_ids:
        parts.append(
            owner_col == scope.owner_ids[0]
            if len(scope.owner_ids) == 1
            else owner_col.in_(scope.owner_ids)
        )
    if scope.backup_id is not None:
        parts.append(backup_col == scope.backup_id)
    return or_(*parts) if parts else false()


def customer_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Customer` that keeps what ``actor`` may see (no session
    needed: supervisors and the branch use a sub-query on staff)."""
    owner = col(Customer.owner_id)
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER):
        return or_(owner == actor.id, col(Customer.backup_id) == actor.id)
    if actor.role == Role.SUPERVISOR:
        return owner.in_(select(Staff.id).where(col(Staff.team_id) == actor.team_id))
    return owner.in_(select(Staff.id).where(col(Staff.branch_id) == actor.branch_id))


def require_customer(*, session: Session, actor: Actor, customer_no: str) -> Customer:
    """The customer ``customer_no`` if ``actor`` may see it; else a clear refusal."""
    customer = session.exec(
        select(Customer).where(Customer.customer_no == customer_no.strip().upper())
    ).one_or_none()
    if customer is None:
        raise NotFound(t("scope.customer_not_found", customer_no=customer_no))
    visible = session.exec(
        select(col(Customer.id)).where(col(Customer.id) == customer.id, customer_filter(actor))
    ).first()
    if visible is None:
        raise OutOfScope(t("scope.customer_out_of_scope", customer_no=customer.customer_no))
    return customer


def staff_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Staff` that keeps the colleagues ``actor`` may see."""
    if actor.role in (Role.MANAGER, Role.PHONE_MANAGER, Role.SUPERVISOR):
        if actor.team_id is None:
            return col(Staff.id) == actor.id
        return or_(col(Staff.team_id) == actor.team_id, col(Staff.id) == actor.id)
    return col(Staff.branch_id) == actor.branch_id
