"""The demo on PostgreSQL (``CMW_TEST_DATABASE=postgresql``; skipped on SQLite): its rows go
in with ``COPY`` as text in SQLite's stored form, with the foreign keys, plain indexes and
search triggers set aside for the load. The same seed and clock must give, row for row and
value for value, what SQLite holds, with every key and trigger back in place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import POSTGRESQL
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from cmworkbench import clock
from cmworkbench.db import search
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import upgrade
from cmworkbench.services.ops.demo import TABLES, build_demo

pytestmark = pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only (CMW_TEST_DATABASE)")

CATALOG = {
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = to_regnamespace(current_schema())",
    "indexes": "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
    " JOIN pg_class c ON c.oid = indrelid"
    " WHERE c.relnamespace = to_regnamespace(current_schema())",
    "triggers": "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal",
}


def _catalog(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {k: {tuple(r) for r in conn.execute(text(sql))} for k, sql in CATALOG.items()}


def _rows(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    target = SQLModel.metadata.tables[table]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(target).order_by(*target.primary_key))]


def test_the_demo_on_postgresql_is_the_demo_on_sqlite(database_url: str, tmp_path: Path) -> None:
    clock.freeze(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
    sqlite, postgres = make_engine(f"sqlite:///{tmp_path}/same.db"), make_engine(database_url)
    upgrade(sqlite)
    with postgres.begin() as conn:  # a server set to the branch's time zone, as many are
        conn.execute(
            text(f"ALTER DATABASE \"{postgres.url.database}\" SET TIME ZONE 'Asia/Shanghai'")
        )
    postgres.dispose()
    before = _catalog(postgres)
    try:
        for engine in (sqlite, postgres):
            build_demo(engine=engine, customers=400, seed=5)
        assert _catalog(postgres) == before
        for table in TABLES:
            assert _rows(postgres, table) == _rows(sqlite, table), table
        index = sorted(_rows(postgres, "search_term"))
        assert index == sorted(_rows(sqlite, "search_term"))
        assert len(index) > 4000
        with postgres.connect() as conn:
            # loaded frozen: every page all-visible, so look-ups are index-only without VACUUM
            pages = conn.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'search_term'")
            ).one()
            assert pages[0] > 10 and pages[1] == pages[0]
            # the triggers queue changes again
            assert conn.execute(text("SELECT COUNT(*) FROM search_dirty")).scalar_one() == 0
            conn.execute(text("UPDATE customer SET name = '改名' WHERE id = 1"))
            assert conn.execute(text("SELECT customer_id FROM search_dirty")).all() == [(1,)]
        assert search.rebuild(postgres) == 400
    finally:
        sqlite.dispose()
        postgres.dispose()
