"""Staff: who may log in, and the staff list."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cmworkbench.db.models import Staff, Team
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import staff_filter
from cmworkbench.services.staff.schemas import StaffOut


def actor_for_login(*, session: Session, login: str) -> Actor:
    """The :class:`Actor` for ``login``; refused if unknown or deactivated."""
    return find_actor(session.connection(), login)


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
