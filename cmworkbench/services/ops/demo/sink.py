"""Where the demo's rows go: one transaction, SQLite's DB-API directly or SQLAlchemy Core.

The demo builds rows as tuples in SQLite's stored form (text instants ``YYYY-MM-DD
HH:MM:SS.ffffff`` in UTC, text dates, 0/1 booleans). :class:`SqliteSink` hands them to
``sqlite3`` ``executemany`` as they are — the only way to write millions of rows in
seconds — and indexes the customers for search as they come, so the build commits with its
search index (:attr:`Sink.indexed`). :class:`PostgresSink` streams them with ``COPY`` in a
transaction whose time zone is UTC, so the server reads the text instants, dates and 0/1
flags into proper ``timestamptz``, ``date`` and ``boolean`` values
(:mod:`cmworkbench.db.bulk`). :class:`CoreSink`, the general fallback, converts them back to
Python values for SQLAlchemy Core ``insert()``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Table,
    TypeDecorator,
    bindparam,
    insert,
    text,
    update,
)
from sqlmodel import SQLModel

import cmworkbench.db.models  # noqa: F401  (registers the tables in SQLModel.metadata)
from cmworkbench.db import search
from cmworkbench.db.bulk import copy_rows, put_back, set_aside
from cmworkbench.db.engine import is_sqlite

BUILD_CACHE_KIB = 65_536
"""SQLite page cache during the build (64 MiB, the default is 2 MiB): the indexes written in
random order (holding maturity, interactions per staff member) stay in memory. More buys no
speed at a million customers, only memory."""
TERM_WORKERS = 1
"""Processes computing the customers' search terms while this one writes (the rows are drawn
in another: :mod:`cmworkbench.services.ops.demo.apart`)."""
CHECKED_ROWS = 500_000
"""Up to this many rows (a small demo, every test's), the foreign keys the load did not check
are checked at the end, all at once: a row drawn wrong fails the build there."""
SORT_THREADS = 2
"""Helper threads of SQLite's sorter during the build (the search index is sorted once, at the
end, and indexed): the branch server has two cores."""


class Sink(Protocol):
    """A write transaction the demo fills."""

    indexed: bool
    """True once :meth:`finish` has committed the search index of every customer with the
    rows; else the caller rebuilds it (:func:`cmworkbench.db.search.rebuild`)."""

    def scalar(self, sql: str) -> int: ...
    def column(self, sql: str) -> list[Any]: ...
    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None: ...
    def update(self, table: str, column: str, pairs: Sequence[tuple[object, int]]) -> None: ...
    def finish(self, tables: Sequence[str]) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


def open_sink(engine: Engine) -> Sink:
    """A sink on ``engine`` with its transaction begun."""
    if is_sqlite(engine):
        return SqliteSink(engine)
    if engine.dialect.name == "postgresql":
        return PostgresSink(engine)
    return CoreSink(engine)


class SqliteSink:
    """The raw ``sqlite3`` connection; ``BEGIN IMMEDIATE`` takes the write lock up front, so the
    emptiness check and the inserts see the same database.

    For the load the connection leaves WAL for a rollback journal (a page of a new table is
    then written once, not to the log and again to the file: the journal keeps only the few
    pages the database had, which is what a rollback needs), checks no foreign keys (the rows
    are made consistent; each check is a look-up per row), and indexes the customers for
    search as they are inserted (the terms are staged, then sorted into the index once, at
    the end: :class:`~cmworkbench.db.search.BulkIndex`). A failed or killed build leaves the
    database as it was: a rollback journal rolls back like the log. :meth:`close` puts the
    connection's settings back.
    """

    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        db: Any = self._raw.driver_connection
        self._db = db
        cur = db.cursor()
        self._cur = cur
        self._settings = {
            name: int(cur.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("cache_size", "temp_store", "foreign_keys", "threads")
        }
        self._wal = self._indexing = self._missed = self.indexed = False
        self._customers: list[tuple[Any, ...]] = []
        """The customers of the last chunk, waiting for their key persons to be indexed."""
        self._contacts: dict[int, list[tuple[str, str | None]]] = {}
        self._written: dict[str, int] = {}
        """Rows inserted per table."""
        self._triggers: list[tuple[str, str]] = []
        self._index = search.BulkIndex(
            execute=cur.execute, insert=self._insert_terms, sqlite=True, workers=TERM_WORKERS
        )
        try:
            self._begin()
        except BaseException:
            self.rollback()
            self.close()
            raise

    def _begin(self) -> None:
        cur = self._cur
        cur.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
        cur.execute("PRAGMA temp_store=FILE")  # the staged search terms: on disk, not in memory
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute(f"PRAGMA threads={SORT_THREADS}")
        self._wal = _leave_wal(cur)
        cur.execute("BEGIN IMMEDIATE")
        # The search index triggers queue each inserted customer and contact one row at a
        # time; for the bulk load they are set aside inside the transaction (DDL is
        # transactional in SQLite: a failed build rolls the triggers back too).
        self._triggers = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
        ).fetchall()
        for name, _ in self._triggers:
            cur.execute(f'DROP TRIGGER "{name}"')
        self._index.__enter__()
        self._indexing = True

    def scalar(self, sql: str) -> int:
        """The first column of the first row."""
        return int(self._cur.execute(sql).fetchone()[0])

    def column(self, sql: str) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in self._cur.execute(sql).fetchall()]

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """Insert ``rows`` (tuples in ``columns`` order). Customers are indexed for search
        with the key persons inserted right after them (the demo writes a chunk's customers,
        then their key persons)."""
        if not rows:
            return
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self._cur.executemany(sql, rows)
        self._written[table] = self._written.get(table, 0) + len(rows)
        if table == "customer":
            self._index_waiting()
            fields = itemgetter(*(list(columns).index(name) for name in search.CUSTOMER_FIELDS))
            self._customers = list(map(fields, rows))
        elif table == "contact":
            self._add_contacts(columns, rows)

    def _add_contacts(self, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
        at = [list(columns).index(name) for name in search.CONTACT_FIELDS]
        waiting = {row[0] for row in self._customers}
        contacts = self._contacts
        for row in rows:
            cid, name, phone = (row[i] for i in at)
            if cid not in waiting:
                self._missed = True
            contacts.setdefault(cid, []).append((name, phone))  # type: ignore[arg-type]

    def _index_waiting(self) -> None:
        if self._customers:
            self._index.add((self._customers, self._contacts))
        self._customers, self._contacts = [], {}

    def _insert_terms(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(search.INDEX_COLUMNS))
        columns = ", ".join(search.INDEX_COLUMNS)
        self._cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def update(self, table: str, column: str, pairs: Sequence[tuple[object, int]]) -> None:
        """Set ``column`` to each pair's value on the row with each pair's id."""
        self._cur.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?", pairs)
        if table in ("customer", "contact"):
            self._missed = True

    def finish(self, tables: Sequence[str]) -> None:
        """Build the search index, put the triggers back, commit."""
        self._index_waiting()
        self._indexing = False
        self._index.__exit__(None, None, None)
        if self._missed:  # (the demo does not: a safety net) queue everyone for a rebuild
            # (a customer or key person written outside the chunks was not indexed)
            self._cur.execute(
                "INSERT OR IGNORE INTO search_dirty (customer_id) SELECT id FROM customer"
            )
        for _, sql in self._triggers:
            self._cur.execute(sql)
        if sum(self._written.values()) <= CHECKED_ROWS:
            self._check_foreign_keys()
        self._cur.execute("COMMIT")
        self.indexed = not self._missed

    def _check_foreign_keys(self) -> None:
        for table in sorted(self._written):
            broken = self._cur.execute(f'PRAGMA foreign_key_check("{table}")').fetchall()
            if broken:
                raise RuntimeError(f"demo rows without their parent: {broken[:5]}")

    def rollback(self) -> None:
        """Undo the whole build."""
        if self._db.in_transaction:
            self._cur.execute("ROLLBACK")

    def close(self) -> None:
        """Restore the connection's settings and give it back to the pool."""
        try:
            if self._indexing:  # failed: stop the term workers (the rollback drops the rest)
                self._indexing = False
                self._index.__exit__(RuntimeError, None, None)
            if self._wal:
                _back_to_wal(self._cur)
            for name, value in self._settings.items():
                self._cur.execute(f"PRAGMA {name}={value}")
            self._cur.close()
        finally:
            self._raw.close()


def _leave_wal(cur: Any) -> bool:
    """Switch a connection in WAL mode to a rollback journal; True if it was switched. Not
    when another connection has the database open (the switch would wait for it, and fail):
    the build then runs in WAL, as fast but for the extra copy."""
    if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        return False
    busy = int(cur.execute("PRAGMA busy_timeout").fetchone()[0])
    cur.execute("PRAGMA busy_timeout=0")
    try:
        mode = str(cur.execute("PRAGMA journal_mode=DELETE").fetchone()[0])
    except sqlite3.OperationalError:  # database is locked: someone else has it open
        mode = "wal"
    finally:
        cur.execute(f"PRAGMA busy_timeout={busy}")
    return mode.lower() != "wal"


def _back_to_wal(cur: Any) -> None:
    """Back to WAL after the build (the engine opens every connection in WAL)."""
    with contextlib.suppress(sqlite3.OperationalError):  # a reader in the way: it stays
        cur.execute("PRAGMA journal_mode=WAL")


class CoreSink:
    """SQLAlchemy Core on any other database (PostgreSQL), in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self._conn = engine.connect()
        self._tx = self._conn.begin()
        self.indexed = False

    def scalar(self, sql: str) -> int:
        """The first column of the first row."""
        return int(self._conn.execute(text(sql)).scalar_one())

    def column(self, sql: str) -> list[Any]:
        """The first column of every row."""
        return list(self._conn.execute(text(sql)).scalars())

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """Insert ``rows``, converted from SQLite's stored form to Python values."""
        if not rows:
            return
        target = SQLModel.metadata.tables[table]
        convert = [_converter(target, c) for c in columns]
        values = [{c: f(x) for c, f, x in zip(columns, convert, row, strict=True)} for row in rows]
        self._conn.execute(insert(target), values)

    def update(self, table: str, column: str, pairs: Sequence[tuple[object, int]]) -> None:
        """Set ``column`` to each pair's value on the row with each pair's id."""
        target = SQLModel.metadata.tables[table]
        statement = (
            update(target)
            .where(target.c.id == bindparam("row_id"))
            .values({column: bindparam("new_value")})
        )
        self._conn.execute(statement, [{"new_value": v, "row_id": i} for v, i in pairs])

    def finish(self, tables: Sequence[str]) -> None:
        """Move PostgreSQL's id sequences past the ids the demo chose, then commit."""
        if self._conn.dialect.name == "postgresql":
            for table in tables:
                self._conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) "
                        f"FROM {table} HAVING MAX(id) IS NOT NULL"
                    )
                )
        self._tx.commit()

    def rollback(self) -> None:
        """Undo the whole build."""
        if self._tx.is_active:
            self._tx.rollback()

    def close(self) -> None:
        """Give the connection back to the pool."""
        self._conn.close()


class PostgresSink(CoreSink):
    """PostgreSQL: ``COPY`` in one transaction, with the search-queue triggers disabled.

    As on SQLite, the triggers that queue each inserted customer and contact for the search
    index are switched off for the load (``ALTER TABLE … DISABLE TRIGGER`` is transactional:
    a failed build leaves them on) and every customer is queued with one statement at the end.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
        self._triggers = [
            (str(table), str(name))
            for table, name in self._conn.exec_driver_sql(
                "SELECT c.relname, t.tgname FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND left(t.tgname, 7) = 'search_'"
                " AND c.relnamespace = to_regnamespace(current_schema())"
            )
        ]
        for table, name in self._triggers:
            self._conn.exec_driver_sql(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        self._loaded: set[str] = set()
        self._restore: list[str] = []

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """Stream ``rows`` (SQLite's stored form) into ``table``; its foreign keys and plain
        indexes are set aside at its first rows and put back at the end."""
        if not rows:
            return
        if table not in self._loaded:
            self._loaded.add(table)
            self._restore += set_aside(self._conn, [table])
        copy_rows(self._conn, table, columns, rows)

    def finish(self, tables: Sequence[str]) -> None:
        """Queue every customer for the search index, switch the triggers back on, commit."""
        if self._triggers:
            self._conn.exec_driver_sql(
                "INSERT INTO search_dirty (customer_id) SELECT id FROM customer"
                " ON CONFLICT DO NOTHING"
            )
        put_back(self._conn, self._restore)
        for table in sorted(self._loaded):  # statistics for the planner from the first query
            self._conn.exec_driver_sql(f"ANALYZE {table}")
        for table, name in self._triggers:
            self._conn.exec_driver_sql(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        super().finish(tables)


def _converter(table: Table, column: str) -> Callable[[Any], Any]:
    """Stored SQLite text/0-1 → the Python value the column type binds."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):  # SQLModel's UTCDateTime and AutoString
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return _instant
    if isinstance(kind, Date):
        return _day
    if isinstance(kind, Boolean):
        return _flag
    return _same


def _same(value: Any) -> Any:
    return value


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)
