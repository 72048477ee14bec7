"""Bulk loading on PostgreSQL: ``COPY … FROM STDIN`` through the driver (psycopg 3).

``COPY`` sends the rows as one stream and the server parses each value with the column's
input function, so text instants, ``YYYY-MM-DD`` dates and ``0``/``1`` flags arrive as proper
``timestamptz``, ``date`` and ``boolean`` values with no conversion in Python (instants are
read in the session's time zone: callers loading UTC text set ``TIME ZONE 'UTC'`` for their
transaction). An ``INSERT`` per row, even batched, is several times slower at a million rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, text


def copy_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    freeze: bool = False,
) -> None:
    """Append ``rows`` (values in ``columns`` order) to ``table`` in the connection's
    transaction.

    ``freeze`` writes them frozen and marks their pages all-visible, as a ``VACUUM`` would,
    so index-only scans work at once; PostgreSQL allows it only into a table created or
    truncated in the same transaction.
    """
    driver: Any = conn.connection.driver_connection
    options = " (FREEZE)" if freeze else ""
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{options}") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def set_aside(conn: Connection, tables: Sequence[str], *, primary_keys: bool = False) -> list[str]:
    """Drop the foreign keys and plain (non-unique) indexes of ``tables``, and their primary
    keys if asked, for a bulk load into them; returns the statements that put them back.

    Building an index once from the loaded rows (sorted, in ``maintenance_work_mem``) and
    checking a foreign key with one join is many times faster than keeping them up to date
    row by row. It takes ``ACCESS EXCLUSIVE`` locks: readers of these tables wait until the
    transaction ends. Everything is transactional: a failed load leaves them as they were.
    """
    wanted = {"tables": list(tables)}
    kinds = "'p', 'f'" if primary_keys else "'f'"
    constraints = conn.execute(
        text(
            "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)"
            " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            f" WHERE k.contype IN ({kinds}) AND c.relname = ANY(:tables)"
            " AND c.relnamespace = to_regnamespace(current_schema())"
            " ORDER BY k.contype DESC, c.relname, k.conname"  # primary keys before foreign
        ),
        wanted,
    ).all()
    indexes = conn.execute(
        text(
            "SELECT x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid"
            " WHERE NOT i.indisunique AND c.relname = ANY(:tables)"
            " AND c.relnamespace = to_regnamespace(current_schema()) ORDER BY x.relname"
        ),
        wanted,
    ).all()
    for table, name, _, _ in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    add = {kind: [] for kind in "pf"}  # type: dict[str, list[str]]
    for table, name, kind, definition in constraints:
        add[kind].append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    # the primary keys first (a foreign key may need one), then the indexes, then the checks
    return [*add["p"], *(definition for _, definition in indexes), *add["f"]]


def put_back(conn: Connection, statements: Sequence[str]) -> None:
    """Run what :func:`set_aside` returned, with memory enough to sort a million-row index."""
    if statements:
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        conn.exec_driver_sql(statement)
