"""Scope: which customers an actor may see. One mechanism, used by every service.

A manager (or phone manager) sees their own customers and those they back up (AB角); a
supervisor sees the team's; a branch head and an admin see the branch's. Supervisors, the
branch head and the admin also see the customers without an owner (the branch pool: imported
without a manager, a new account, or left by one), whom they allocate, so that nobody's
customer is invisible to everyone. (A database shared by several branches has one
pool until customers carry their branch: every branch head and admin sees it.) A supervisor who
leads no team yet sees their own book only, like a manager (never "every team-less
colleague", which would reach into other branches).

Everything is expressed as "owner is one of these staff ids, or the backup is me":
:func:`visible_owner_ids` gives that pair, :func:`owner_clause` turns it into a WHERE clause
on any table with owner/backup columns (the customer table, the search index), and
:func:`require_customer` loads one customer or refuses with a clear message. Colleagues
follow the same lines (:func:`staff_filter`, :func:`require_staff`), and actions reserved to
some roles are refused by :func:`require_role`.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, false, or_, text
from sqlmodel import Session, col, select

from cmworkbench.db.models import Customer, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.domain.scope import OwnerScope
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor

BOOK_ROLES = (Role.MANAGER, Role.PHONE_MANAGER)
"""Roles that own a book of customers."""


def own_book_only(actor: Actor) -> bool:
    """Whether ``actor`` sees their own book (and what they back up) only: a manager, a
    phone manager, or a supervisor who leads no team yet."""
    return actor.role in BOOK_ROLES or (actor.role == Role.SUPERVISOR and actor.team_id is None)


NO_BOOK_ROLES = (Role.REFERRER, Role.RISK_MANAGER)
"""Roles that see no customer's file through the book: a referrer (a teller, lobby staff) sees
only their own referrals (:mod:`cmworkbench.services.pipeline`), a risk manager only the
credit files submitted to them (:mod:`cmworkbench.services.credit`)."""


def sees_no_book(actor: Actor) -> bool:
    """Whether ``actor`` is of :data:`NO_BOOK_ROLES`."""
    return actor.role in NO_BOOK_ROLES


def visible_owner_ids(*, session: Session, actor: Actor) -> OwnerScope:
    """The scope of ``actor`` as owner ids (one small query for supervisors and the branch)."""
    if sees_no_book(actor):
        return OwnerScope((), None)
    if own_book_only(actor):
        return OwnerScope((actor.id,), actor.id, _backed_up_owners(session, actor.id))
    query = select(Staff.id)
    if actor.role == Role.SUPERVISOR:
        query = query.where(col(Staff.team_id) == actor.team_id)
    else:
        query = query.where(col(Staff.branch_id) == actor.branch_id)
    ids = tuple(i for i in session.exec(query).all() if i is not None)
    return OwnerScope(ids, None, unowned=True)  # the branch pool too


_BACKED_UP_OWNERS = text(
    "WITH RECURSIVE o(owner_id) AS ("
    " SELECT MIN(owner_id) FROM customer WHERE backup_id = :b"
    " UNION ALL SELECT (SELECT MIN(c.owner_id) FROM customer c"
    "  WHERE c.backup_id = :b AND c.owner_id > o.owner_id)"
    " FROM o WHERE o.owner_id IS NOT NULL)"
    " SELECT owner_id FROM o WHERE owner_id IS NOT NULL"
)


def _backed_up_owners(session: Session, backup_id: int) -> tuple[int, ...]:
    """Whose customers ``backup_id`` backs up: one index seek per distinct owner on
    customer(backup_id, owner_id) (a recursive query: one round trip), not a scan of the tens
    of thousands of customers."""
    found = session.connection().execute(_BACKED_UP_OWNERS, {"b": backup_id}).scalars()
    return tuple(int(owner) for owner in found)


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
    if scope.unowned:  # NULL in the customer table, 0 in the search index
        parts.append(or_(owner_col.is_(None), owner_col == 0))
    return or_(*parts) if parts else false()


def customer_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Customer` that keeps what ``actor`` may see (no session
    needed: supervisors and the branch use a sub-query on staff)."""
    owner = col(Customer.owner_id)
    if sees_no_book(actor):
        return false()
    if own_book_only(actor):
        return or_(owner == actor.id, col(Customer.backup_id) == actor.id)
    if actor.role == Role.SUPERVISOR:
        team = select(Staff.id).where(col(Staff.team_id) == actor.team_id)
        return or_(owner.in_(team), owner.is_(None))  # the branch pool too
    return branch_customers(actor)


def branch_customers(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Customer` that keeps the customers of ``actor``'s branch:
    owned by its staff, or in the pool. Not a scope: what a referral may name, whoever refers
    (an exact look-up), never another branch's customer."""
    owner = col(Customer.owner_id)
    branch = select(Staff.id).where(col(Staff.branch_id) == actor.branch_id)
    return or_(owner.in_(branch), owner.is_(None))  # the branch pool too


def require_customer(*, session: Session, actor: Actor, customer_no: str) -> Customer:
    """The customer ``customer_no`` if ``actor`` may see it; else :class:`NotFound`, the same
    for a customer that does not exist and one that is not the actor's."""
    customer = session.exec(
        select(Customer).where(Customer.customer_no == customer_no.strip().upper())
    ).one_or_none()
    if customer is not None:
        mine = select(col(Customer.id)).where(
            col(Customer.id) == customer.id, customer_filter(actor)
        )
        if session.exec(mine).first() is None:
            customer = None
    if customer is None:
        # One refusal for "no such customer" and "not yours": a refusal must not tell
        # whether another team's customer exists.
        raise NotFound(t("scope.customer_not_found", customer_no=customer_no))
    return customer


def staff_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Staff` that keeps the colleagues ``actor`` may see (a
    referrer: themselves)."""
    if sees_no_book(actor):
        return col(Staff.id) == actor.id
    if actor.role in (*BOOK_ROLES, Role.SUPERVISOR):
        if actor.team_id is None:
            return col(Staff.id) == actor.id
        return or_(col(Staff.team_id) == actor.team_id, col(Staff.id) == actor.id)
    return col(Staff.branch_id) == actor.branch_id


def require_staff(*, session: Session, actor: Actor | None, login: str) -> Staff:
    """The colleague ``login`` if ``actor`` may see them (:func:`staff_filter`); else a clear
    refusal. ``None`` is the service account itself, on the server: it sees everyone."""
    staff = session.exec(select(Staff).where(col(Staff.login) == login.strip())).one_or_none()
    if staff is None:
        raise NotFound(t("cli.unknown_login", login=login))
    if actor is None:
        return staff
    visible = session.exec(
        select(Staff.id).where(col(Staff.id) == staff.id, staff_filter(actor))
    ).first()
    if visible is None:
        raise OutOfScope(t("scope.staff_out_of_scope", login=staff.login))
    return staff


def require_role(actor: Actor | None, roles: Collection[str], refusal: str) -> None:
    """Refuse ``actor`` unless their role is one of ``roles``, with the catalog text
    ``refusal`` (its ``{role}`` is the actor's role). ``None``, the service account itself,
    is the branch's IT on the server and passes."""
    if actor is not None and actor.role not in roles:
        raise OutOfScope(t(refusal, role=label("role", actor.role)))
