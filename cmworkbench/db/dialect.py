"""SQL that differs between SQLite and PostgreSQL, written once per database: branch-local days
and times of stored instants, month arithmetic, aggregates. The report's figures and the task
generation build their statements with a :class:`Dialect`, so both databases give the same
figures (tested against each other and against ``relativedelta``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The fragments of SQL that differ between databases: format strings whose ``{0}``,
    ``{1}`` are SQL operands, or plain SQL."""

    name: str
    local_day: str
    """The branch-local date of the stored instant ``{0}`` (``:shift`` from UTC)."""
    day_text: str
    """The same as text, ``YYYY-MM-DD``."""
    minute_text: str
    """The branch-local time of the instant ``{0}`` as text, ``YYYY-MM-DD HH:MM``."""
    at_midnight: str
    """The stored instant of the branch-local date ``{0}``'s midnight (``{1}``: the shift back
    to UTC, ``'-480 minutes'``)."""
    next_day: str
    """The day after the date ``{0}``."""
    plus_days: str
    """The date ``{0}`` plus ``{1}`` (an integer) days."""
    plus_months: str
    """The date ``{0}`` plus ``{1}`` (an integer) months, the day kept within the month: 31
    August + 3 months is 30 November, as a calendar (and ``dateutil``'s ``relativedelta``)
    says; SQLite's own ``date(…, '+3 months')`` would say 1 December. Generation and the
    reports both use it, so a task and the figure that counts it agree."""
    after_sale_bound: str
    """A week before the date ``{0}`` minus ``:after_sale_back``: a cheap lower bound."""
    hours_between: str
    """Hours from the instant ``{1}`` to the instant ``{0}``, rounded to two decimals."""
    total: str
    """The sum of ``{0}`` over a group, 0 when it has no rows."""
    greatest: str
    """The greater of ``{0}`` and ``{1}``."""
    null: str
    """A NULL of the type ``{0}`` (an empty config table keeps its column types)."""
    false: str
    """SQL false."""
    unary: str
    """Prefixed to a column to read a table in row order rather than through an index."""
    fence: str
    """Ends a sub-select that the planner must not flatten into the outer one."""
    alias: str
    """Names a sub-select (PostgreSQL before 16 insists)."""
    fixed_join: str
    """Joins a small table looked up per row of the one before it."""
    every_join: str
    """Joins every row of a table without a condition."""


SQLITE = Dialect(
    name="sqlite",
    local_day="date({0}, :shift)",
    day_text="date({0}, :shift)",
    minute_text="strftime('%Y-%m-%d %H:%M', {0}, :shift)",
    at_midnight="(datetime({0}, {1}) || '.000000')",
    next_day="date({0}, '+1 day')",
    plus_days="date({0}, '+' || ({1}) || ' days')",
    # the first of the month plus the months plus the day less one, but no later than the
    # last day of that month
    plus_months=(
        "MIN(date({0}, 'start of month', '+' || ({1}) || ' months',"
        " '+' || (CAST(strftime('%d', {0}) AS integer) - 1) || ' days'),"
        " date({0}, 'start of month', '+' || (({1}) + 1) || ' months', '-1 day'))"
    ),
    after_sale_bound="date({0}, :after_sale_back, '-7 days')",
    hours_between="ROUND((julianday({0}) - julianday({1})) * 24, 2)",
    total="TOTAL({0})",
    greatest="MAX({0}, {1})",
    null="NULL",
    false="0",
    unary="+",
    # LIMIT -1 keeps SQLite from flattening the sub-select, which would run a correlated
    # lookup in it once per use of its result.
    fence=" LIMIT -1",
    alias="",
    # CROSS JOIN keeps the table before it outside (one pass over it, the other looked up
    # per row).
    fixed_join="CROSS JOIN",
    every_join="JOIN",
)

_PG_LOCAL = "(({0} AT TIME ZONE 'UTC') + CAST(:shift AS interval))"

POSTGRESQL = Dialect(
    name="postgresql",
    local_day=f"CAST({_PG_LOCAL} AS date)",
    day_text=f"to_char({_PG_LOCAL}, 'YYYY-MM-DD')",
    minute_text=f"to_char({_PG_LOCAL}, 'YYYY-MM-DD HH24:MI')",
    at_midnight="((CAST({0} AS timestamp) + CAST({1} AS interval)) AT TIME ZONE 'UTC')",
    next_day="(CAST({0} AS date) + 1)",
    plus_days="(CAST({0} AS date) + ({1}))",
    plus_months="CAST(CAST({0} AS date) + ({1}) * interval '1 month' AS date)",  # clamps
    after_sale_bound=(
        "CAST(CAST({0} AS date) + CAST(:after_sale_back AS interval) - interval '7 days' AS date)"
    ),
    hours_between="ROUND(CAST(EXTRACT(EPOCH FROM ({0} - {1})) / 3600 AS numeric), 2)",
    total="COALESCE(SUM({0}), 0)",
    greatest="GREATEST({0}, {1})",
    null="CAST(NULL AS {0})",
    false="false",
    unary="",
    # OFFSET 0 keeps PostgreSQL from pulling the sub-select up into the outer one.
    fence=" OFFSET 0",
    alias=" AS q",
    fixed_join="JOIN",
    every_join="CROSS JOIN",
)

DIALECTS = {d.name: d for d in (SQLITE, POSTGRESQL)}
"""The dialects by ``conn.dialect.name``."""


def dialect_of(name: str) -> Dialect:
    """The fragments of the database ``name`` (``conn.dialect.name``)."""
    if name not in DIALECTS:
        raise NotImplementedError(f"database {name!r} is not supported")
    return DIALECTS[name]
