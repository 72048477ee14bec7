"""Who is logging in: the staff lookup that opens every session.

Plain SQL with ``:name`` parameters, which SQLAlchemy's ``text()`` and the standard library's
``sqlite3`` both take (and ``psycopg`` once they are spelled ``%(name)s``): ``cmw tui`` checks
the login through the driver itself before the first paint
(:func:`cmworkbench.services.workbench.tui_login_direct`), because importing SQLAlchemy would
delay that paint by a sixth of a second; the engine and the full services load in the
screens' workers afterwards. Everything else passes a SQLAlchemy connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cmworkbench.i18n import t
from cmworkbench.services.core.errors import NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection

Rows = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
"""Runs a statement with named parameters and returns its rows."""


def rows_of(conn: Connection | sqlite3.Connection | Any) -> Rows:
    """:data:`Rows` on a SQLAlchemy connection, a ``sqlite3`` one or a ``psycopg`` one."""
    import sqlite3

    if isinstance(conn, sqlite3.Connection):
        return lambda sql, params: conn.execute(sql, params).fetchall()
    if type(conn).__module__.startswith("psycopg"):
        import re

        named = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
        driver: Any = conn
        return lambda sql, params: driver.execute(named.sub(r"%(\1)s", sql), params).fetchall()
    from sqlalchemy import text

    return lambda sql, params: conn.execute(text(sql), params).all()


DEMO_BRANCH_CODE = "DEMO"
"""Branch code of the branch ``cmw demo`` builds; only there does the TUI fall back to a demo
manager when the OS login is not a member of staff."""


def find_actor(conn: Connection | sqlite3.Connection | Any, login: str) -> Actor:
    """The :class:`Actor` for ``login``; refused if unknown or deactivated."""
    found = rows_of(conn)(
        "SELECT id, login, name, role, branch_id, team_id, active FROM staff WHERE login = :login",
        {"login": login},
    )
    if not found:
        raise NotFound(t("cli.unknown_login", login=login))
    staff_id, login, name, role, branch_id, team_id, active = found[0]
    if not active:
        raise OutOfScope(t("cli.inactive_login", login=login))
    return Actor(staff_id, login, name, role, branch_id, team_id)


def demo_login_if_demo(conn: Connection | sqlite3.Connection | Any) -> str | None:
    """The first active customer manager, if this is a demo database; else ``None``."""
    found = rows_of(conn)(
        "SELECT s.login FROM staff s JOIN branch b ON b.id = s.branch_id"
        " WHERE b.code = :code AND s.role = 'manager' AND s.active ORDER BY s.id LIMIT 1",
        {"code": DEMO_BRANCH_CODE},
    )
    return str(found[0][0]) if found else None


def first_admin_login(conn: Connection | sqlite3.Connection | Any) -> str | None:
    """The first active administrator: who the service account acts as on the CLI."""
    found = rows_of(conn)(
        "SELECT login FROM staff WHERE role = 'admin' AND active ORDER BY id LIMIT 1", {}
    )
    return str(found[0][0]) if found else None
