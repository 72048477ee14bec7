"""Alembic migrations, driven from code (``cmw init``); no alembic.ini to find.

``cmw init`` on an empty database creates every table through the migrations (never
``create_all``); on a database from an older release it upgrades to the newest revision; on an
up-to-date database it does nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy loads when first used: `cmw tui` paints before it (services/login)
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class ForeignDatabase(ValueError):
    """The database holds tables but no cmworkbench schema version: we do not touch it."""


def _config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    """The newest revision this release knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this release knows (to recognise a restored database)."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the database to ``revision``; returns (revision before, revision after)."""
    from alembic import command
    from sqlalchemy import inspect

    before = current_revision(engine)
    if before is None and inspect(engine).get_table_names():
        from cmworkbench.i18n import t

        raise ForeignDatabase(t("cli.foreign_database"))
    cfg = _config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


def expected_columns(revision: str) -> dict[str, frozenset[str]]:
    """Every table a database at ``revision`` has, with its columns: what a restore checks a
    backup against. Found by running the migrations up to ``revision`` on a scratch SQLite
    file (they are the definition of the schema), once per revision and process."""
    return dict(_expected_columns(revision))


@functools.lru_cache(maxsize=8)
def _expected_columns(revision: str) -> tuple[tuple[str, frozenset[str]], ...]:
    import sqlite3
    import tempfile

    from cmworkbench.db.engine import make_engine

    with tempfile.TemporaryDirectory(prefix="cmw-schema-") as folder:
        path = Path(folder) / "scratch.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        conn = sqlite3.connect(path)
        try:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            return tuple(
                (table, frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')))
                for table in tables
            )
        finally:
            conn.close()


SCHEMA_HEAD = "0024"
"""The head revision, known without importing Alembic (start-up stays fast); a test checks it
equals Alembic's head."""


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at :data:`SCHEMA_HEAD` (one cheap query, no Alembic).

    Only a missing ``alembic_version`` table means "not initialised"; any other error (a
    lock held a moment too long while another process creates its tables, a server that is
    down) is retried briefly and then raised as it is, so it is never reported as an empty
    database."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(3):
        try:
            with engine.connect() as conn:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except DBAPIError as exc:
            if no_version_table(exc.orig):
                return False
            if attempt == 2:
                raise
            time.sleep(0.2 * (attempt + 1))
            continue
        return row is not None and row[0] == SCHEMA_HEAD
    raise AssertionError("unreachable")


def no_version_table(error: object) -> bool:
    """True when a driver's ``error`` (``sqlite3`` or ``psycopg``) says the database has no
    ``alembic_version`` table, i.e. it was never initialised."""
    message = str(error).lower()
    return "alembic_version" in message and (
        "no such table" in message or "does not exist" in message
    )
