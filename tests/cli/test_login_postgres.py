"""``cmw tui``'s login on PostgreSQL through ``psycopg`` itself (``CMW_TEST_DATABASE=postgresql``;
skipped on SQLite): it accepts and refuses exactly what the login through an engine does, and
a server that does not answer is left to the engine path, which says what is wrong."""

from __future__ import annotations

import pytest
from conftest import POSTGRESQL
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_cli import _login_both_ways

from cmworkbench.cli import main
from cmworkbench.config import load_settings
from cmworkbench.services.workbench import tui_login_direct

pytestmark = pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only (CMW_TEST_DATABASE)")


def test_the_tui_login_through_psycopg_is_the_same_login(database_url: str) -> None:
    now = ["--now", "2026-11-23T08:30"]
    assert main(["--db", database_url, *now, "demo", "--customers", "50"]) == 0
    first, second = _login_both_ways(database_url, "zhangwei")
    assert first == second and getattr(first, "login", None) == "zhangwei"
    assert len(set(map(repr, _login_both_ways(database_url, "nobody")))) == 1
    assert _login_both_ways(database_url, "nobody", explicit=False)[0] == first, "demo fallback"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE staff SET active = false WHERE login = 'lina'"))
    inactive = _login_both_ways(database_url, "lina")
    assert inactive[0] == inactive[1] and inactive[0][0] == "OutOfScope"  # type: ignore[index]
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    old = _login_both_ways(database_url, "zhangwei")
    assert old[0] == old[1] and "cmw init" in old[0][1]  # type: ignore[index]


def test_a_server_that_does_not_answer_is_left_to_the_engine(database_url: str) -> None:
    gone = make_url(database_url).set(port=1).render_as_string(hide_password=False)
    settings = load_settings(env={"CMW_DATABASE_URL": gone})
    assert tui_login_direct(settings, "zhangwei", explicit=True) is None
