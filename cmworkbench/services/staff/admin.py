"""Staff administration: people, teams, A/B partners, leave, deactivation.

Who may do what (DESIGN.md "Who uses it"):

- adding, editing and deactivating staff and teams is the administrator's job (the ``admin``
  role, or the service account itself on the CLI, ``actor=None``);
- leave is recorded by the administrator, the branch head, or the supervisor of the person's
  team (who plans the cover).

Rules kept here, each refused with a message that says what and why:

- a login is lower-case ``a-z 0-9 . _ -`` and starts with a letter or digit (it appears in
  SSH forced commands and on command lines, where ``-h`` or ``..`` would mean something else);
- a phone number is a mobile or a landline with its area code, as imports check it;
- a grade must be one of ``[grades]`` in config, and lowering a manager's grade is refused
  while their book holds a class the new grade may not own (the same rule as a handover);
- a staff member cannot leave the book roles (manager, phone manager) while they own
  customers, and cannot be deactivated while they own customers or open complaint tickets:
  hand them over first (``cmw handover``);
- A and B of a customer (AB角) are never on leave at the same time: a leave period that
  overlaps a partner's leave is refused, naming the partner and their dates. Partners are
  the staff backup (``Staff.backup_id``, both ways) and every customer-level A/B pair.

Deactivating someone revokes their SSH keys and clears them as the B角 of customers and
colleagues (the counts are returned so the supervisor can name new ones); the caller rewrites
``authorized_keys`` (:mod:`cmworkbench.services.staff.ssh_keys`). Every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Branch, Complaint, Customer, SshKey, Staff, StaffLeave, Team
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, Role
from cmworkbench.domain.grades import classes_outside_grade
from cmworkbench.domain.normalize import BadValue, parse_phone
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role, require_staff, staff_filter
from cmworkbench.services.staff.schemas import UNSET, Deactivated, LeaveOut, StaffDetail, TeamOut
from cmworkbench.services.staff.ssh_keys import LOGIN_PATTERN

BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)
"""Roles that own a book of customers."""


DEFAULT_BRANCH_CODE = "BRANCH"
"""Code of the branch created with the first staff member of an empty database (a SQLite
database serves one branch; its name is ``general.branch_name``)."""


def require_admin(actor: Actor | None) -> None:
    """Staff and teams are the administrator's (or the service account's) to change."""
    require_role(actor, (Role.ADMIN,), "staff_admin.admin_only")


# ---------------------------------------------------------------------------- staff


def add_staff(
    *,
    session: Session,
    actor: Actor | None,
    grades: Mapping[str, Sequence[str]],
    login: str,
    name: str,
    role: str,
    grade: str | None = None,
    team: str | None = None,
    backup: str | None = None,
    phone: str | None = None,
    branch: str | None = None,
    branch_name: str | None = None,
) -> StaffDetail:
    """Add a member of staff; the login must be new."""
    require_admin(actor)
    login = _login(login)
    if session.exec(select(Staff.id).where(Staff.login == login)).first() is not None:
        raise Conflict(t("staff_admin.login_taken", login=login))
    branch_row = _branch(session, actor, branch, branch_name)
    assert branch_row.id is not None
    person = Staff(
        login=login,
        name=_name(name),
        role=_role(role),
        grade=_grade(grade, grades),
        branch_id=branch_row.id,
        team_id=_team_id(session, branch_row.id, team),
        phone=_phone(phone),
        created_at=clock.now(),
    )
    session.add(person)
    session.flush()
    if backup is not None:
        person.backup_id = _backup_id(session, person, backup)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="staff",
        object_id=person.id,
        detail=f"{login} {person.name} {person.role}",
    )
    return _detail(session, person)


def edit_staff(
    *,
    session: Session,
    actor: Actor | None,
    grades: Mapping[str, Sequence[str]],
    login: str,
    name: object = UNSET,
    role: object = UNSET,
    grade: object = UNSET,
    team: object = UNSET,
    backup: object = UNSET,
    phone: object = UNSET,
) -> StaffDetail:
    """Change the given fields (``None`` clears grade, team, backup or phone)."""
    require_admin(actor)
    person = require_staff(session=session, actor=actor, login=login)
    changes: dict[str, tuple[object, object]] = {}

    def change(field_name: str, value: object) -> None:
        before = getattr(person, field_name)
        if value != before:
            changes[field_name] = (before, value)
            setattr(person, field_name, value)

    if name is not UNSET:
        change("name", _name(str(name)))
    if role is not UNSET:
        new_role = _role(str(role))
        if new_role not in BOOK_ROLES and person.role in BOOK_ROLES:
            owned = _owned(session, person)
            if owned:
                raise InvalidInput(t("staff_admin.role_has_book", login=login, count=owned))
        change("role", new_role)
    if grade is not UNSET:
        new_grade = _grade(grade if grade is None else str(grade), grades)
        _check_grade_fits_book(session, person, new_grade, grades)
        change("grade", new_grade)
    if team is not UNSET:
        change("team_id", _team_id(session, person.branch_id, None if team is None else str(team)))
    if backup is not UNSET:
        change("backup_id", None if backup is None else _backup_id(session, person, str(backup)))
    if phone is not UNSET:
        change("phone", _phone(None if phone is None else str(phone)))
    if changes:
        person.version += 1
        session.add(person)
        for field_name, (before, after) in changes.items():
            audit.record(
                session,
                actor=actor,
                action="update",
                object_type="staff",
                object_id=person.id,
                field_name=field_name,
                detail=f"{before} → {after}",
            )
    return _detail(session, person)


def deactivate_staff(*, session: Session, actor: Actor | None, login: str) -> Deactivated:
    """Deactivate ``login``: they can no longer log in (TUI, CLI ``--as``, SSH keys)."""
    require_admin(actor)
    person = require_staff(session=session, actor=actor, login=login)
    if not person.active:
        raise Conflict(t("cli.inactive_login", login=login))
    owned = _owned(session, person)
    open_tickets = session.exec(
        select(func.count())
        .select_from(Complaint)
        .where(
            col(Complaint.owner_id) == person.id,
            col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES),
        )
    ).one()
    if owned or open_tickets:
        raise InvalidInput(
            t("staff_admin.still_owns", login=login, customers=owned, tickets=open_tickets)
        )
    now = clock.now()
    conn = session.connection()
    keys = conn.execute(
        update(SshKey)
        .where(col(SshKey.staff_id) == person.id, col(SshKey.revoked_at).is_(None))
        .values(revoked_at=now)
    ).rowcount
    customers = conn.execute(
        update(Customer)
        .where(col(Customer.backup_id) == person.id)
        .values(backup_id=None, version=Customer.version + 1, updated_at=now)
    ).rowcount
    colleagues = conn.execute(
        update(Staff)
        .where(col(Staff.backup_id) == person.id)
        .values(backup_id=None, version=Staff.version + 1)
    ).rowcount
    person.active = False
    person.version += 1
    session.add(person)
    audit.record(
        session,
        actor=actor,
        action="deactivate",
        object_type="staff",
        object_id=person.id,
        detail=t(
            "staff_admin.deactivated_detail",
            keys=keys,
            customers=customers,
            colleagues=colleagues,
        ),
    )
    return Deactivated(login, keys, customers, colleagues)


def staff_detail(*, session: Session, actor: Actor | None, login: str) -> StaffDetail:
    """One staff member with their team, partner and book size."""
    require_admin(actor)
    return _detail(session, require_staff(session=session, actor=actor, login=login))


# ---------------------------------------------------------------------------- teams


def add_team(
    *,
    session: Session,
    actor: Actor | None,
    name: str,
    branch: str | None = None,
    branch_name: str | None = None,
) -> TeamOut:
    """Add a team to the branch; team names are unique within a branch."""
    require_admin(actor)
    branch_row = _branch(session, actor, branch, branch_name)
    assert branch_row.id is not None
    name = _name(name)
    clash = session.exec(
        select(Team.id).where(Team.branch_id == branch_row.id, Team.name == name)
    ).first()
    if clash is not None:
        raise Conflict(t("staff_admin.team_taken", team=name))
    team = Team(branch_id=branch_row.id, name=name)
    session.add(team)
    session.flush()
    audit.record(
        session, actor=actor, action="create", object_type="team", object_id=team.id, detail=name
    )
    assert team.id is not None
    return TeamOut(team.id, team.name, None, 0)


def rename_team(*, session: Session, actor: Actor | None, team: str, new_name: str) -> TeamOut:
    """Rename a team (its members stay)."""
    require_admin(actor)
    row = _team(session, actor.branch_id if actor is not None else None, team)
    new_name = _name(new_name)
    if new_name != row.name:
        clash = session.exec(
            select(Team.id).where(Team.branch_id == row.branch_id, Team.name == new_name)
        ).first()
        if clash is not None:
            raise Conflict(t("staff_admin.team_taken", team=new_name))
        audit.record(
            session,
            actor=actor,
            action="update",
            object_type="team",
            object_id=row.id,
            field_name="name",
            detail=f"{row.name} → {new_name}",
        )
        row.name = new_name
        session.add(row)
    return next(x for x in list_teams(session=session, actor=actor) if x.id == row.id)


def list_teams(*, session: Session, actor: Actor | None) -> list[TeamOut]:
    """Every team with its supervisor and number of active members."""
    query = select(Team).order_by(col(Team.name))
    if actor is not None:
        query = query.where(Team.branch_id == actor.branch_id)
    teams = session.exec(query).all()
    members = session.exec(select(Staff).where(col(Staff.active))).all()
    out = []
    for team in teams:
        assert team.id is not None
        inside = [m for m in members if m.team_id == team.id]
        lead = next((m.login for m in inside if m.role == Role.SUPERVISOR), None)
        out.append(TeamOut(team.id, team.name, lead, len(inside)))
    return out


# ---------------------------------------------------------------------------- leave


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
        reason=_optional_text(reason, 200),
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


# ---------------------------------------------------------------------------- helpers


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


def _owned(session: Session, person: Staff) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Customer).where(Customer.owner_id == person.id)
        ).one()
    )


def _check_grade_fits_book(
    session: Session, person: Staff, grade: str | None, grades: Mapping[str, Sequence[str]]
) -> None:
    held = session.exec(
        select(Customer.cls, func.count())
        .where(Customer.owner_id == person.id)
        .group_by(col(Customer.cls))
    ).all()
    listed = classes_outside_grade(grade, {cls or "": n for cls, n in held}, grades)
    if listed:
        raise InvalidInput(
            t("staff_admin.grade_below_book", login=person.login, grade=grade, classes=listed)
        )


def _login(login: str) -> str:
    login = login.strip()
    if not login or len(login) > 64 or not LOGIN_PATTERN.fullmatch(login):
        raise InvalidInput(t("staff_admin.bad_login", login=login))
    return login


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(t("staff_admin.empty_name"))
    if len(name) > 64:
        raise InvalidInput(t("staff_admin.long_name", most=64))
    return name


def _role(role: str) -> str:
    roles = [r.value for r in Role]
    if role not in roles:
        raise InvalidInput(t("cli.bad_role", role=role, roles=", ".join(roles)))
    return role


def _grade(grade: str | None, grades: Mapping[str, Sequence[str]]) -> str | None:
    if grade is None or grade == "":
        return None
    if grade not in grades:
        raise InvalidInput(t("staff_admin.bad_grade", grade=grade, grades=", ".join(grades)))
    return grade


def _phone(phone: str | None) -> str | None:
    """A staff phone is checked and stored as an imported one is (``138 1234 5678`` →
    ``13812345678``); empty clears it."""
    text = _optional_text(phone, 32)
    if text is None:
        return None
    try:
        return parse_phone(text)
    except BadValue:
        raise InvalidInput(t("staff_admin.bad_phone", value=text)) from None


def _optional_text(value: str | None, most: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > most:
        raise InvalidInput(t("staff_admin.long_text", most=most))
    return value or None


def _branch(session: Session, actor: Actor | None, code: str | None, name: str | None) -> Branch:
    if actor is not None:
        row = session.get(Branch, actor.branch_id)
        assert row is not None
        if code is not None and code != row.code:
            raise OutOfScope(t("staff_admin.other_branch", branch=code))
        return row
    branches = session.exec(select(Branch).order_by(col(Branch.id))).all()
    if code is not None:
        for row in branches:
            if row.code == code:
                return row
        raise NotFound(t("staff_admin.no_such_branch", branch=code))
    if len(branches) == 1:
        return branches[0]
    if branches:
        codes = ", ".join(b.code for b in branches)
        raise InvalidInput(t("staff_admin.which_branch", branches=codes))
    row = Branch(code=DEFAULT_BRANCH_CODE, name=name or DEFAULT_BRANCH_CODE)
    session.add(row)
    session.flush()
    return row


def _team(session: Session, branch_id: int | None, name: str) -> Team:
    query = select(Team).where(Team.name == name.strip())
    if branch_id is not None:
        query = query.where(Team.branch_id == branch_id)
    rows = session.exec(query).all()
    if not rows:
        raise NotFound(t("staff_admin.no_such_team", team=name))
    if len(rows) > 1:
        raise InvalidInput(t("staff_admin.team_ambiguous", team=name))
    return rows[0]


def _team_id(session: Session, branch_id: int, name: str | None) -> int | None:
    if name is None or not name.strip():
        return None
    return _team(session, branch_id, name).id


def _backup_id(session: Session, person: Staff, login: str) -> int:
    partner = require_staff(session=session, actor=None, login=login)
    if partner.id == person.id:
        raise InvalidInput(t("staff_admin.backup_self", login=person.login))
    if not partner.active:
        raise InvalidInput(t("cli.inactive_login", login=login))
    if partner.branch_id != person.branch_id:
        raise InvalidInput(t("staff_admin.backup_other_branch", login=login))
    assert partner.id is not None
    return partner.id


def _detail(session: Session, person: Staff) -> StaffDetail:
    team = session.get(Team, person.team_id) if person.team_id is not None else None
    backup = session.get(Staff, person.backup_id) if person.backup_id is not None else None
    return StaffDetail(
        login=person.login,
        name=person.name,
        role=person.role,
        grade=person.grade,
        team=team.name if team else None,
        backup=backup.login if backup else None,
        phone=person.phone,
        active=person.active,
        customers=_owned(session, person),
    )
