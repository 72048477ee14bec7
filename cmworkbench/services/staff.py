"""Staff: who may log in, and the staff list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from cmworkbench.db.models import Branch, Staff, Team
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.scope import staff_filter


@dataclass(frozen=True)
class StaffOut:
    """A staff member as screens and the CLI show them."""

    login: str
    name: str
    role: str
    team: str | None
    grade: str | None
    active: bool


def actor_for_login(*, session: Session, login: str) -> Actor:
    """The :class:`Actor` for ``login``; refused if unknown or deactivated."""
    staff = session.exec(select(Staff).where(Staff.login == login)).one_or_none()
    if staff is None:
        raise NotFound(t("cli.unknown_login", login=login))
    if not staff.active:
        raise OutOfScope(t("cli.inactive_login", login=login))
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


DEMO_BRANCH_CODE = "DEMO"
"""Branch code of the branch ``cmw demo`` builds; only there does the TUI fall back to a demo
manager when the OS login is not a member of staff."""


def demo_login_if_demo(*, session: Session) -> str | None:
    """The first active customer manager, if this is a demo database; else ``None``."""
    demo = session.exec(select(Branch.id).where(Branch.code == DEMO_BRANCH_CODE)).first()
    if demo is None:
        return None
    return session.exec(
        select(Staff.login)
        .where(Staff.role == Role.MANAGER, col(Staff.active).is_(True))
        .order_by(col(Staff.id))
        .limit(1)
    ).first()


def list_staff(*, session: Session, actor: Actor | None, role: str | None = None) -> list[StaffOut]:
    """Staff the actor may see (everyone for a local administrator, ``actor=None``)."""
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidInput(t("cli.bad_role", role=role, roles=", ".join(r.value for r in Role)))
    query = select(Staff, Team.name).join(Team, col(Staff.team_id) == Team.id, isouter=True)
    if actor is not None:
        query = query.where(staff_filter(actor))
    if role is not None:
        query = query.where(Staff.role == role)
    rows = session.exec(query.order_by(col(Staff.role), col(Staff.login))).all()
    return [StaffOut(s.login, s.name, s.role, team, s.grade, s.active) for s, team in rows]
