"""Engine and sessions.

SQLite is the embedded default: one file, WAL so readers never wait for the writer,
``foreign_keys=ON`` (SQLite leaves them off unless asked), and a busy timeout so a writer
waits for another instead of failing with "database is locked". Any other SQLAlchemy URL
(PostgreSQL through psycopg) is used as it is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite files get their directory (0700) and pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        _watch_writes(engine)
        return engine
    database = parsed.database
    if database and database != ":memory:":
        folder = Path(database).expanduser().resolve().parent
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    _watch_writes(engine)
    return engine


WROTE = "cmw.wrote"
"""Set in a connection's ``info`` by any statement that may write (anything but a ``SELECT``,
or a ``WITH`` query naming no INSERT, UPDATE, DELETE or MERGE) since it was taken from the
pool; :func:`unit_of_work` drains the search queue only then."""


def _watch_writes(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", _note_writes)
    event.listen(engine.pool, "checkout", _forget_writes)


_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _note_writes(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    start = statement.lstrip()[:6].upper()
    if start == "SELECT" or (start.startswith("WITH") and not _DML.search(statement)):
        return  # a read (a query with a CTE that changes nothing included)
    conn.info[WROTE] = True


def _forget_writes(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    record.info.pop(WROTE, None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine, if it is a file."""
    if not is_sqlite(engine) or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database).expanduser()


def database_path(url: str) -> Path | None:
    """The SQLite file a database URL names (``None`` for PostgreSQL or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).expanduser()


def database_file(bind: Any) -> Path | None:
    """The SQLite file behind an engine, a connection or a session (``None`` elsewhere): what
    an output file must never be (:mod:`cmworkbench.services.core.output`)."""
    if hasattr(bind, "get_bind"):  # a session
        bind = bind.get_bind()
    engine = getattr(bind, "engine", bind)
    return sqlite_file(engine)


def restrict_file_mode(engine: Engine) -> None:
    """Keep customer data readable by the service account only (file 0600)."""
    path = sqlite_file(engine)
    if path is not None and path.exists():
        os.chmod(path, 0o600)


def refuse_control_characters(session: Any, _context: Any, _instances: Any) -> None:
    """The last guard before text is stored: a new or changed text value with a control
    character (but line breaks and tabs) raises
    :class:`~cmworkbench.domain.text.UnsafeText`, whichever service let it through (each
    checks its fields first, with a message for the form; see :mod:`cmworkbench.domain.text`).
    """
    from sqlalchemy import inspect

    from cmworkbench.domain.text import UnsafeText, describe, first_control
    from cmworkbench.i18n import t

    dirty = list(session.dirty)  # once: asking the session walks its identity map
    changed_rows = {id(row) for row in dirty}  # rows compare by value: identity is the key
    for row in (*session.new, *dirty):
        state = inspect(row)
        changed = id(row) in changed_rows
        for attr in state.mapper.column_attrs:
            values = state.attrs[attr.key].history.added if changed else None
            for value in values if values is not None else [getattr(row, attr.key, None)]:
                if not isinstance(value, str):
                    continue
                found = first_control(value, multiline=True)
                if found is not None:
                    field = f"{state.mapper.local_table.name}.{attr.key}"
                    raise UnsafeText(
                        t("input.control_char_field", field=field, code=describe(value[found]))
                    )


TASKS_WRITTEN = "cmw.tasks_written"
"""Set in a session's ``info``: the ids of the tasks it inserted or changed, scored before it
commits (:func:`cmworkbench.db.scoring.rescore_tasks`)."""


def _note_tasks(session: Any, _context: Any) -> None:
    from cmworkbench.db.models import Task

    ids = [row.id for row in (*session.new, *session.dirty) if isinstance(row, Task)]
    if ids:
        session.info.setdefault(TASKS_WRITTEN, set()).update(ids)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One session per unit of work: commit on success, roll back on any error."""
    from sqlmodel import Session  # imported here: cmw tui paints before loading the ORM

    from cmworkbench.db.scoring import rescore_tasks
    from cmworkbench.db.search import drain

    with Session(engine, expire_on_commit=False) as session:
        event.listen(session, "before_flush", refuse_control_characters)
        event.listen(session, "after_flush", _note_tasks)
        try:
            yield session
            # Index what this unit of work changed, in the same transaction (see db.search),
            # and score its new or changed tasks and the tasks of its changed customers (see
            # db.scoring); a unit of work that only read has nothing queued and spares the
            # round trips.
            session.flush()
            conn = session.connection()
            if conn.info.pop(WROTE, False):
                drain(conn)
                if tasks := session.info.pop(TASKS_WRITTEN, None):
                    rescore_tasks(conn, sorted(tasks))
            session.commit()
        except BaseException:
            session.rollback()
            raise
