"""Who is logging in: the staff lookup that opens every session.

Written with SQLAlchemy Core only (no ORM models): ``cmw tui`` checks the login before the
first paint, and loading the SQLModel tables and pydantic would delay that paint by a tenth of
a second. The full services load in the screens' workers afterwards.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from cmworkbench.i18n import t
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import NotFound, OutOfScope

DEMO_BRANCH_CODE = "DEMO"
"""Branch code of the branch ``cmw demo`` builds; only there does the TUI fall back to a demo
manager when the OS login is not a member of staff."""


def find_actor(conn: Connection, login: str) -> Actor:
    """The :class:`Actor` for ``login``; refused if unknown or deactivated."""
    row = conn.execute(
        text(
            "SELECT id, login, name, role, branch_id, team_id, active FROM staff"
            " WHERE login = :login"
        ),
        {"login": login},
    ).first()
    if row is None:
        raise NotFound(t("cli.unknown_login", login=login))
    if not row.active:
        raise OutOfScope(t("cli.inactive_login", login=login))
    return Actor(row.id, row.login, row.name, row.role, row.branch_id, row.team_id)


def demo_login_if_demo(conn: Connection) -> str | None:
    """The first active customer manager, if this is a demo database; else ``None``."""
    return conn.execute(
        text(
            "SELECT s.login FROM staff s JOIN branch b ON b.id = s.branch_id"
            " WHERE b.code = :code AND s.role = 'manager' AND s.active ORDER BY s.id LIMIT 1"
        ),
        {"code": DEMO_BRANCH_CODE},
    ).scalar_one_or_none()


def first_admin_login(conn: Connection) -> str | None:
    """The first active administrator: who the service account acts as on the CLI."""
    return conn.execute(
        text("SELECT login FROM staff WHERE role = 'admin' AND active ORDER BY id LIMIT 1")
    ).scalar_one_or_none()
