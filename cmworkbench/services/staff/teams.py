"""Teams and branches: adding and renaming a team, the list of teams with their supervisor and
members; a branch is made with the first team or member of an empty database. The
administrator's (the ``admin`` role, or the service account itself on the CLI).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cmworkbench.db.models import Branch, Staff, Team
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.staff.schemas import TeamOut

DEFAULT_BRANCH_CODE = "BRANCH"
"""Code of the branch created with the first staff member of an empty database (a SQLite
database serves one branch; its name is ``general.branch_name``)."""


def require_admin(actor: Actor | None) -> None:
    """Staff and teams are the administrator's (or the service account's) to change."""
    require_role(actor, (Role.ADMIN,), "staff_admin.admin_only")


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
    branch_row = branch_of(session, actor, branch, branch_name)
    assert branch_row.id is not None
    name = plain_name(name)
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
    row = team_named(session, actor.branch_id if actor is not None else None, team)
    new_name = plain_name(new_name)
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


def branch_of(session: Session, actor: Actor | None, code: str | None, name: str | None) -> Branch:
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


def team_named(session: Session, branch_id: int | None, name: str) -> Team:
    query = select(Team).where(Team.name == name.strip())
    if branch_id is not None:
        query = query.where(Team.branch_id == branch_id)
    rows = session.exec(query).all()
    if not rows:
        raise NotFound(t("staff_admin.no_such_team", team=name))
    if len(rows) > 1:
        raise InvalidInput(t("staff_admin.team_ambiguous", team=name))
    return rows[0]


def team_id_of(session: Session, branch_id: int, name: str | None) -> int | None:
    if name is None or not name.strip():
        return None
    return team_named(session, branch_id, name).id


def optional_text(value: str | None, most: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > most:
        raise InvalidInput(t("staff_admin.long_text", most=most))
    return value or None


def plain_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(t("staff_admin.empty_name"))
    if len(name) > 64:
        raise InvalidInput(t("staff_admin.long_name", most=64))
    return name
