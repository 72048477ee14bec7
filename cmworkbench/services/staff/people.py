"""Members of staff: adding, editing, showing and deactivating them, the administrator's job.

A login is lower-case ``a-z 0-9 . _ -`` and starts with a letter or digit (it appears in SSH
forced commands and on command lines); a phone is checked as imports check it; a grade must
be one of ``[grades]`` and lowering one is refused while the book holds a class the new grade
may not own; a member of staff cannot leave the book roles while they own customers, nor be
deactivated while they own customers or open tickets (hand them over first). Deactivating
someone revokes their SSH keys and clears them as anyone's B角. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Complaint, Customer, SshKey, Staff, Team
from cmworkbench.domain.enums import OPEN_COMPLAINT_STATUSES, Role
from cmworkbench.domain.grades import classes_outside_grade
from cmworkbench.domain.normalize import BadValue, parse_phone
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_staff
from cmworkbench.services.staff.schemas import UNSET, Deactivated, StaffDetail
from cmworkbench.services.staff.ssh_keys import LOGIN_PATTERN
from cmworkbench.services.staff.teams import (
    branch_of,
    optional_text,
    plain_name,
    require_admin,
    team_id_of,
)

BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)
"""Roles that own a book of customers."""


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
    branch_row = branch_of(session, actor, branch, branch_name)
    assert branch_row.id is not None
    person = Staff(
        login=login,
        name=plain_name(name),
        role=_role(role),
        grade=_grade(grade, grades),
        branch_id=branch_row.id,
        team_id=team_id_of(session, branch_row.id, team),
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
        change("name", plain_name(str(name)))
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
        change(
            "team_id", team_id_of(session, person.branch_id, None if team is None else str(team))
        )
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
    text = optional_text(phone, 32)
    if text is None:
        return None
    try:
        return parse_phone(text)
    except BadValue:
        raise InvalidInput(t("staff_admin.bad_phone", value=text)) from None


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
