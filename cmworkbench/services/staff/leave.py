"""Leave: recorded by the administrator, the branch head or the person's supervisor (who plans
the cover). A and B of a customer (AB角) are never away at the same time: a period overlapping
a partner's leave is refused, naming the partner and their dates. Partners are the staff
backup (``Staff.backup_id``, both ways) and every customer-level A/B pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Customer, Staff, StaffLeave
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_staff, staff_filter
from cmworkbench.services.staff.schemas import LeaveOut
from cmworkbench.services.staff.teams import optional_text


def add_leave(
    *,
    session: Session,
    actor: Actor | None,
    login: str,
    starts_on: date,
    ends_on: date,
    reason: str | None = None,
) -> LeaveOut:
    """Record a leave period for ``login``; refused when it overlaps their own leave or an
    A/B partner's (A and B are never away at the same time)."""
    person = require_staff(session=session, actor=actor, login=login)
    _require_leave_rights(actor, person)
    if ends_on < starts_on:
        raise InvalidInput(t("staff_admin.leave_backwards", starts=starts_on, ends=ends_on))
    assert person.id is not None
    own = _overlapping(session, [person.id], starts_on, ends_on)
    if own:
        raise Conflict(
            t("staff_admin.leave_overlaps_own", login=login, starts=own[0][1], ends=own[0][2])
        )
    partners = partner_ids(session, person.id)
    clash = _overlapping(session, sorted(partners), starts_on, ends_on)
    if clash:
        partner, starts, ends = clash[0]
        other = session.get(Staff, partner)
        assert other is not None
        raise Conflict(
            t(
                "staff_admin.leave_partner_away",
                login=login,
                partner=other.login,
                name=other.name,
                starts=starts,
                ends=ends,
            )
        )
    row = StaffLeave(
        staff_id=person.id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=optional_text(reason, 200),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="staff_leave",
        object_id=row.id,
        detail=f"{login} {starts_on} – {ends_on}",
    )
    assert row.id is not None
    return LeaveOut(row.id, login, person.name, starts_on, ends_on, row.reason)


def cancel_leave(*, session: Session, actor: Actor | None, leave_id: int) -> LeaveOut:
    """Remove a recorded leave period."""
    row = session.get(StaffLeave, leave_id)
    if row is None:
        raise NotFound(t("staff_admin.no_such_leave", leave_id=leave_id))
    person = session.get(Staff, row.staff_id)
    assert person is not None
    _require_leave_rights(actor, person)
    out = LeaveOut(leave_id, person.login, person.name, row.starts_on, row.ends_on, row.reason)
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="delete",
        object_type="staff_leave",
        object_id=leave_id,
        detail=f"{person.login} {row.starts_on} – {row.ends_on}",
    )
    return out


def list_leave(
    *,
    session: Session,
    actor: Actor | None,
    login: str | None = None,
    since: date | None = None,
) -> list[LeaveOut]:
    """Leave periods ending on or after ``since`` (today by default), of ``login`` or of
    everyone the actor may see."""
    since = since or clock.today()
    query = (
        select(StaffLeave, Staff)
        .join(Staff, col(Staff.id) == StaffLeave.staff_id)
        .where(col(StaffLeave.ends_on) >= since)
    )
    if login is not None:
        # an unknown login is said so; one outside the actor's scope lists nothing (below)
        named = require_staff(session=session, actor=None, login=login)
        query = query.where(col(Staff.id) == named.id)
    if actor is not None:
        query = query.where(staff_filter(actor))
    rows = session.exec(query.order_by(col(StaffLeave.starts_on), col(Staff.login))).all()
    return [
        LeaveOut(lv.id or 0, s.login, s.name, lv.starts_on, lv.ends_on, lv.reason) for lv, s in rows
    ]


def partner_ids(session: Session, staff_id: int) -> set[int]:
    """Everyone who forms an A/B pair with ``staff_id``: their staff backup and whom they
    back up, and the other half of every customer-level pair (indexed both ways)."""
    conn = session.connection()
    found: set[int] = set()
    person = session.get(Staff, staff_id)
    if person is not None and person.backup_id is not None:
        found.add(person.backup_id)
    found.update(
        i for i in session.exec(select(Staff.id).where(Staff.backup_id == staff_id)).all() if i
    )
    found.update(
        conn.execute(
            select(Customer.backup_id)
            .where(col(Customer.owner_id) == staff_id, col(Customer.backup_id).is_not(None))
            .distinct()
        ).scalars()
    )
    found.update(
        conn.execute(
            select(Customer.owner_id)
            .where(col(Customer.backup_id) == staff_id, col(Customer.owner_id).is_not(None))
            .distinct()
        ).scalars()
    )
    found.discard(staff_id)
    return {i for i in found if i is not None}


def _require_leave_rights(actor: Actor | None, person: Staff) -> None:
    """The administrator and the branch head (of the branch), or the person's supervisor;
    who may see ``person`` at all was checked by :func:`require_staff`."""
    if actor is None:
        return
    branch_wide = actor.role in (Role.ADMIN, Role.BRANCH_HEAD)
    if branch_wide and actor.branch_id == person.branch_id:
        return
    leads = actor.role == Role.SUPERVISOR and actor.team_id is not None
    if leads and actor.team_id == person.team_id:
        return
    raise OutOfScope(t("staff_admin.leave_not_yours", login=person.login))


def _overlapping(
    session: Session, staff_ids: Sequence[int], starts_on: date, ends_on: date
) -> list[tuple[int, date, date]]:
    if not staff_ids:
        return []
    rows = (
        session.connection()
        .execute(
            select(col(StaffLeave.staff_id), col(StaffLeave.starts_on), col(StaffLeave.ends_on))
            .where(
                col(StaffLeave.staff_id).in_(staff_ids),
                col(StaffLeave.starts_on) <= ends_on,
                col(StaffLeave.ends_on) >= starts_on,
            )
            .order_by(col(StaffLeave.starts_on))
        )
        .all()
    )
    return [(int(a), b, c) for a, b, c in rows]
