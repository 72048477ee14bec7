"""The branch pool (DESIGN.md, "A day a manager can work" and "Growing the book"): customers
without an owner, never invisible and never without someone minding their work.

A customer is in the pool when it has no owner: imported without one, opened without one, or
left by a manager (``cmw handover --to pool``). Supervisors, the branch head and the
administrator see the pool in search, export and reports (:mod:`cmworkbench.services.core.scope`)
and allocate it:

* by hand: :func:`assign` (``cmw pool assign CUSTOMER_NO… --to LOGIN``);
* by claim: :func:`claim` (``cmw pool claim KEY``): a manager who served a pooled customer
  names it exactly (customer number, ID number or phone) and it is theirs, first come;
* by rule: :func:`allocate` (``cmw pool allocate --by area|industry|class [--dry-run]``): each
  pooled customer, the most valuable first, goes to an eligible colleague (an active manager
  or phone manager in the allocator's scope whose book holds the customer's class or tier by
  ``[workload]``, and whose grade may own the class by ``[grades]``): ``area`` and
  ``industry`` to the eligible colleague whose book already holds the most customers of that
  area or industry (a customer of an area nobody serves stays in the pool, said so), ``class``
  to the eligible colleague whose book is the smallest share of its rule; ties go to the
  smaller book. ``dry_run`` prints the same plan and changes nothing.

Every move goes through :func:`~cmworkbench.services.customers.ownership.move_customers`, as a
handover and an import do: the B角 becomes the new owner's partner, the open tasks follow, one
audit row per customer, and the search index and the tasks' scores follow in the same unit of
work.

Meanwhile the pool has a keeper (``[pool]``): the branch head, or the supervisor of the team
named for the customer's area. The daily generation gives the pooled customers' tasks to the
keeper (:func:`pool_keepers`), so their due work is on the keeper's Today and nothing
generated for them is lost; an allocation hands those tasks to the new owner.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, func, or_, true
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Staff, Task, Team
from cmworkbench.domain.enums import CLASS_RANK, Role, TaskStatus
from cmworkbench.domain.grades import classes_outside_grade
from cmworkbench.domain.masking import mask_typed
from cmworkbench.domain.phone import normalise
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    own_book_only,
    require_role,
    require_staff,
    staff_filter,
)
from cmworkbench.services.customers.ownership import check_grade, move_customers
from cmworkbench.services.customers.schemas import PoolCandidate, PoolCustomer, PoolMove

POOL_ROLES = (Role.SUPERVISOR.value, Role.BRANCH_HEAD.value, Role.ADMIN.value)
"""Who sees and allocates the pool (the service account on the CLI may too)."""
BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)
ALLOCATE_BY = ("area", "industry", "class")
EVERY_AREA = "*"
POOL = "pool"
"""``cmw handover --to pool``: the receiver that is the branch pool (no staff login)."""


def pool_keepers(conn: Connection, settings: Settings) -> dict[str, int]:
    """Area → the staff id keeping that area's pooled customers; :data:`EVERY_AREA`: every
    other area (the branch's first active branch head). Empty when there is no keeper."""
    head = conn.execute(
        core_select(col(Staff.id))
        .where(col(Staff.role) == Role.BRANCH_HEAD, col(Staff.active))
        .order_by(col(Staff.id))
        .limit(1)
    ).scalar()
    keepers = {} if head is None else {EVERY_AREA: int(head)}
    if settings.pool.keeper == "area_supervisor" and settings.pool.area_teams:
        rows = conn.execute(
            core_select(col(Team.name), func.min(col(Staff.id)))
            .join(Staff, col(Staff.team_id) == col(Team.id))
            .where(
                col(Team.name).in_(set(settings.pool.area_teams.values())),
                col(Staff.role) == Role.SUPERVISOR,
                col(Staff.active),
            )
            .group_by(col(Team.name))
        ).all()
        supervisor = {name: int(staff) for name, staff in rows if staff is not None}
        for area, team in settings.pool.area_teams.items():
            if team in supervisor:
                keepers[area] = supervisor[team]
    return keepers


def waiting() -> list[ColumnElement[bool]]:
    """SQL: the customer waits in the pool (no owner, and not lost)."""
    return [col(Customer.owner_id).is_(None), col(Customer.status) != "lost"]


def kept_by(keepers: dict[str, int], staff_id: int) -> ColumnElement[bool] | None:
    """SQL: a pooled customer is kept by ``staff_id`` (its area's keeper in ``keepers``, of
    :func:`pool_keepers`, else the keeper of :data:`EVERY_AREA`); ``None`` when they keep no
    area. The rule :func:`pool_list` applies row by row."""
    areas = [area for area, keeper in keepers.items() if keeper == staff_id]
    if not areas:
        return None
    area = col(Customer.area)
    kept: ColumnElement[bool] = area.in_([a for a in areas if a != EVERY_AREA])
    if EVERY_AREA in areas:  # and every area nobody else keeps
        others = [a for a, keeper in keepers.items() if keeper != staff_id]
        kept = or_(kept, area.is_(None), area.not_in(others) if others else true())
    return kept


def pool_list(
    *, session: Session, actor: Actor | None, settings: Settings, limit: int | None = None
) -> list[PoolCustomer]:
    """The customers in the pool, the most valuable first, with their keeper and open work."""
    _require_pool(actor)
    keepers = pool_keepers(session.connection(), settings)
    query_logins = select(Staff.id, Staff.login).where(col(Staff.id).in_(keepers.values()))
    logins = {staff_id: login for staff_id, login in session.exec(query_logins).all()}
    open_tasks = (
        select(func.count())
        .where(col(Task.customer_id) == col(Customer.id), col(Task.status) == TaskStatus.OPEN)
        .scalar_subquery()
    )
    query = select(Customer, open_tasks).where(*waiting()).order_by(col(Customer.customer_no))
    rows = sorted(
        session.exec(query).all(),
        key=lambda r: (CLASS_RANK.get(r[0].cls or "", 9), r[0].customer_no),
    )
    found = []
    for customer, tasks in rows[:limit]:
        keeper = keepers.get(customer.area or "", keepers.get(EVERY_AREA))
        found.append(
            PoolCustomer(
                customer_no=customer.customer_no,
                name=customer.name,
                kind=customer.kind,
                cls=customer.cls,
                tier=customer.tier,
                area=customer.area,
                industry=customer.industry,
                since=customer.updated_at,
                keeper=logins.get(keeper) if keeper is not None else None,
                open_tasks=int(tasks),
            )
        )
    return found


def candidates(
    *, session: Session, actor: Actor | None, settings: Settings, customer_no: str
) -> list[PoolCandidate]:
    """Who may be given the pooled customer ``customer_no``: the eligible colleagues in the
    actor's scope (as :func:`allocate` chooses them), the smallest book for its rule first."""
    _require_pool(actor)
    customer = session.exec(
        select(Customer).where(
            col(Customer.customer_no) == customer_no.strip().upper(),
            col(Customer.owner_id).is_(None),
        )
    ).first()
    if customer is None:
        raise InvalidInput(t("pool.not_in_pool", customers=customer_no))
    people = [p for p in _colleagues(session, actor) if _eligible(p, customer, settings)]
    books = _books(session, [p.id for p in people if p.id is not None])
    found = [
        PoolCandidate(p.login, p.name, p.role, books[p.id], _households(p, settings))
        for p in people
    ]
    return sorted(found, key=lambda c: (c.book / c.households, c.book, c.login))


def assign(
    *,
    session: Session,
    actor: Actor | None,
    settings: Settings,
    customer_nos: Sequence[str],
    to_login: str,
) -> list[PoolMove]:
    """Give the pooled customers ``customer_nos`` to ``to_login`` (by hand). Refused, nothing
    moved: a customer not in the pool (or unknown), a receiver who holds no book or is out of
    the actor's scope, a class the receiver's grade may not own."""
    _require_pool(actor)
    wanted = sorted({no.strip().upper() for no in customer_nos if no.strip()})
    if not wanted:
        raise InvalidInput(t("pool.nothing_chosen"))
    receiver = _receiver(session, actor, to_login)
    rows = session.exec(
        select(Customer).where(
            col(Customer.customer_no).in_(wanted), col(Customer.owner_id).is_(None)
        )
    ).all()
    missing = sorted(set(wanted) - {c.customer_no for c in rows})
    if missing:
        raise InvalidInput(t("pool.not_in_pool", customers=", ".join(missing[:10])))
    check_grade(receiver, Counter(c.cls or "-" for c in rows), settings.grades)
    moves = [_move_of(c, receiver) for c in sorted(rows, key=lambda c: c.customer_no)]
    _give(session, actor, receiver, [c.id for c in rows if c.id is not None])
    return moves


def allocate(
    *,
    session: Session,
    actor: Actor | None,
    settings: Settings,
    by: str,
    dry_run: bool = False,
) -> list[PoolMove]:
    """Allocate the whole pool by rule (see the module doc); every pooled customer gets a
    line, ``to_login`` ``None`` with the reason when it stays in the pool."""
    _require_pool(actor)
    if by not in ALLOCATE_BY:
        raise InvalidInput(t("pool.bad_rule", by=by, rules=", ".join(ALLOCATE_BY)))
    people = _colleagues(session, actor)
    if not people:
        raise InvalidInput(t("pool.nobody"))
    ids = [p.id for p in people if p.id is not None]
    books = _books(session, ids)
    field = {"area": Customer.area, "industry": Customer.industry}.get(by)
    served: dict[tuple[int, str], int] = {}
    if field is not None:
        served = {
            (int(owner or 0), str(value)): int(n)
            for owner, value, n in session.exec(
                select(col(Customer.owner_id), col(field), func.count())
                .where(col(Customer.owner_id).in_(ids), col(field).is_not(None))
                .group_by(col(Customer.owner_id), col(field))
            ).all()
        }
    pooled = session.exec(select(Customer).where(*waiting())).all()
    pooled = sorted(pooled, key=lambda c: (CLASS_RANK.get(c.cls or "", 9), c.customer_no))
    moves: list[PoolMove] = []
    given: dict[int, list[int]] = defaultdict(list)
    by_id = {p.id: p for p in people}
    for customer in pooled:
        eligible = [p for p in people if _eligible(p, customer, settings)]
        if not eligible:
            moves.append(_move_of(customer, None, t("pool.reason.nobody_eligible")))
            continue
        value = getattr(customer, by) if field is not None else None
        if field is not None:
            if not value:
                moves.append(_move_of(customer, None, t(f"pool.reason.no_{by}")))
                continue
            eligible = [p for p in eligible if served.get((p.id or 0, value), 0) > 0]
            if not eligible:
                moves.append(_move_of(customer, None, t(f"pool.reason.unserved_{by}", value=value)))
                continue

        def rank(p: Staff, value: str | None = value) -> tuple[float, ...]:
            share = books[p.id] / _households(p, settings)
            if value is None:
                return (share, books[p.id], p.id or 0)
            return (-served.get((p.id or 0, value), 0), share, p.id or 0)

        chosen = min(eligible, key=rank)
        assert chosen.id is not None and customer.id is not None
        books[chosen.id] += 1
        if value is not None:
            served[(chosen.id, value)] = served.get((chosen.id, value), 0) + 1
        given[chosen.id].append(customer.id)
        moves.append(_move_of(customer, chosen))
    if not dry_run:
        for staff_id, customer_ids in given.items():
            _give(session, actor, by_id[staff_id], customer_ids)
    return moves


def claim(*, session: Session, actor: Actor, settings: Settings, key: str) -> PoolMove:
    """A manager claims a pooled customer they served (``[pool] claim``): found by its exact
    customer number, ID number or phone only, never by browsing the pool; the first claim
    wins; audited. A customer that is not in the pool is "not found", whether it exists or
    not (a claim must not tell whose customer a number is)."""
    if not settings.pool.claim:
        raise OutOfScope(t("pool.claim_off"))
    if actor.role not in BOOK_ROLES:
        raise OutOfScope(t("pool.claim_role", role=label("role", actor.role)))
    typed = key.strip()
    if not typed:
        raise InvalidInput(t("pool.claim_empty"))
    phone = normalise(typed)
    query = select(Customer).where(
        col(Customer.owner_id).is_(None),
        col(Customer.status) != "lost",
        or_(
            col(Customer.customer_no) == typed.upper(),
            col(Customer.id_number) == typed.upper(),
            col(Customer.phone) == phone,
            col(Customer.phone2) == phone,
        ),
    )
    found = session.exec(query.limit(2)).all()
    if not found:
        raise NotFound(t("pool.claim_not_found", typed=mask_typed(typed)))
    if len(found) > 1:
        raise InvalidInput(t("pool.claim_several", typed=mask_typed(typed)))
    customer = found[0]
    receiver = session.get(Staff, actor.id)
    assert receiver is not None and customer.id is not None
    check_grade(receiver, Counter([customer.cls or "-"]), settings.grades)
    move_customers(
        session,
        actor=actor,
        giver=None,
        receiver=receiver,
        chosen=[col(Customer.id) == customer.id, col(Customer.owner_id).is_(None)],
        now=clock.now(),
        audit_customers=False,
    )
    audit.record(
        session,
        actor=actor,
        action="claim",
        object_type="customer",
        object_id=customer.id,
        customer_id=customer.id,
        detail=f"- → {receiver.login}",
    )
    return _move_of(customer, receiver)


# -- helpers -------------------------------------------------------------------------------------


def _require_pool(actor: Actor | None) -> None:
    """Supervisors who lead a team, the branch head and the admin work the pool."""
    require_role(actor, POOL_ROLES, "pool.not_allowed")
    if actor is not None and own_book_only(actor):
        raise OutOfScope(t("pool.no_team"))


def _give(session: Session, actor: Actor | None, receiver: Staff, ids: list[int]) -> None:
    """The one ownership change (:func:`move_customers`), from the pool: nobody gives."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        move_customers(
            session,
            actor=actor,
            giver=None,
            receiver=receiver,
            chosen=[col(Customer.id).in_(chunk), col(Customer.owner_id).is_(None)],
            now=clock.now(),
        )


def _books(session: Session, ids: list[int]) -> Counter[int | None]:
    """Staff id → customers in their book (the lost ones not counted)."""
    return Counter(
        dict(
            session.exec(
                select(col(Customer.owner_id), func.count())
                .where(col(Customer.owner_id).in_(ids), col(Customer.status) != "lost")
                .group_by(col(Customer.owner_id))
            ).all()
        )
    )


def _receiver(session: Session, actor: Actor | None, login: str) -> Staff:
    receiver = require_staff(session=session, actor=actor, login=login)
    if not receiver.active or receiver.role not in BOOK_ROLES:
        raise InvalidInput(t("handover.not_a_manager", login=receiver.login))
    return receiver


def _colleagues(session: Session, actor: Actor | None) -> list[Staff]:
    """The active managers and phone managers the actor may allocate to."""
    query = select(Staff).where(col(Staff.active), col(Staff.role).in_(BOOK_ROLES))
    if actor is not None:
        query = query.where(staff_filter(actor))
    return list(session.exec(query.order_by(col(Staff.id))).all())


def _eligible(person: Staff, customer: Customer, settings: Settings) -> bool:
    """Whether ``person``'s book holds the customer's class or tier (``[workload]``) and their
    grade may own its class (``[grades]``)."""
    book = settings.workload.of(person.role)
    if book is None or not book.holds(customer.cls, customer.tier):
        return False
    by_class = {customer.cls: 1} if customer.cls else {}
    return classes_outside_grade(person.grade, by_class, settings.grades) is None


def _households(person: Staff, settings: Settings) -> int:
    book = settings.workload.of(person.role)
    return book.households if book is not None else 1


def _move_of(customer: Customer, to: Staff | None, reason: str = "") -> PoolMove:
    return PoolMove(
        customer_no=customer.customer_no,
        name=customer.name,
        cls=customer.cls,
        tier=customer.tier,
        area=customer.area,
        industry=customer.industry,
        to_login=to.login if to is not None else None,
        to_name=to.name if to is not None else None,
        reason=reason,
    )
