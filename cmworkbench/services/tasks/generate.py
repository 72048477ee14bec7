"""The daily task generation: the business rules of DESIGN.md turned into tasks, set-based.

Each rule is one ``INSERT … SELECT … ON CONFLICT (idem_key) DO NOTHING`` over the whole
branch; no Python loop per customer. Every generated task carries its rule and an idempotency
key (rule + object + period), so running the generation twice creates nothing new, and a
task closed after its work was done is not created again for the same period.

Rules (the numbers are in ``config.toml``):

* contact cadence: days since the last *logged* call or visit (the channels of the
  strictest rule that applies: class, VIP, government); the task is due at last contact +
  ``ideal_days`` and has its deadline at last contact + ``max_days``: overdue (逾期) only
  past that, everywhere (:mod:`cmworkbench.domain.standing`);
* info re-verification (信息更新) by class (``freshness``);
* care moments (关怀): birthdays of key persons and individual customers, and festivals
  for A/B-class and VIP customers, ``care_lead_days`` ahead;
* after-sale return visit (售后回访) while its window is open (``after_sale_start_days`` to
  ``after_sale_months`` after activation) and it has not been made: one rule with the report
  and the closing, :mod:`cmworkbench.domain.after_sale`;
* product maturity within ``maturity_lead_days`` (due a week before the maturity day, the
  deadline on it); post-loan checks within ``post_loan_lead_days``;
* complaint return call (投诉回访), within the month of resolution;
* churn (流失): a customer marked at risk, or assets/revenue down by more than
  ``churn_asset_drop`` month on month; the supervisor of an A/B customer's owner is told of
  each new retention task (:mod:`.retention`);
* opportunities quiet for ``[pipeline] stale_days`` or past their next step's due moment
  (:func:`cmworkbench.services.pipeline.api.quiet_tasks`): a follow-up on the owner's Today;
* staff directory (通讯录) of an important group (``[directories]``: classes and flags) not
  refreshed for ``refresh_months`` (never: since it became a customer).

The generation also closes the tasks whose reason has gone (a later contact, a re-verified
record, a return call made, a return visit made outside its task), so what it prints is
created and closed; and it gives the open contact and maturity tasks made before deadlines
existed (schema 0008) the deadline a new one would get, once.

Last, every open task is scored for the day (:func:`cmworkbench.db.scoring.rescore`: the
score of :mod:`cmworkbench.domain.priority` stored in ``task.priority``, which Today's plan
reads by index), so what the morning's plan ranks is where each task stands that day.

The date arithmetic differs between SQLite (date functions on the stored ISO strings) and
PostgreSQL (``timestamptz`` and ``date`` with intervals): :class:`Context` writes each piece in
the connection's dialect, so both run the same rules and make the same idempotency keys; a
month added to the 31st stops at the month's last day on both (:mod:`cmworkbench.db.dialect`).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, text
from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db import after_sale
from cmworkbench.db.dialect import dialect_of
from cmworkbench.db.scoring import rescore
from cmworkbench.domain.cadence import CHANNEL_BITS, rule_table
from cmworkbench.domain.calendar import parse_hours
from cmworkbench.domain.enums import TaskKind
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.customers.api import pool_keepers
from cmworkbench.services.pipeline import api as pipeline
from cmworkbench.services.tasks.retention import alert_leads
from cmworkbench.services.tasks.rules_sql import rule_join, rule_selects
from cmworkbench.services.tasks.schemas import GenerationResult

TASK_COLUMNS = (
    "kind, customer_id, owner_id, due_at, priority, status, rule, idem_key, created_at, version,"
    " deadline_at"
)


def generate(conn: Connection, settings: Settings, day: date | None = None) -> GenerationResult:
    """Generate (and close) the tasks of ``day`` (default: today at the branch)."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        raise InvalidInput(t("generate.sqlite_only"))
    started = time.perf_counter()
    ctx = Context(settings, day or clock.today(), conn.dialect.name == "postgresql")
    _rule_tables(conn, ctx)
    created: dict[str, int] = {}
    for kind, sql in rule_selects(ctx):
        created[kind] = created.get(kind, 0) + _insert(conn, ctx, kind, sql)
    closed = _close_stale(conn, ctx)
    _fill_deadlines(conn, ctx)
    quiet = _quiet_opportunities(conn, settings, ctx.now)
    if quiet:
        created[TaskKind.FOLLOW_UP.value] = created.get(TaskKind.FOLLOW_UP.value, 0) + quiet
    rescore(conn, ctx.day)
    _tell_leads(conn, settings, ctx.now)
    for table in ("gen_rule", "gen_last", "gen_fresh", "gen_keeper"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp(table)}")
    return GenerationResult(ctx.day, created, closed, round(time.perf_counter() - started, 3))


def _quiet_opportunities(conn: Connection, settings: Settings, now: datetime) -> int:
    """Open opportunities with no step for ``[pipeline] stale_days`` (or their next step past
    due) come back to their owners' Today: a follow-up each (a handful a day, so the ORM)."""
    session = Session(bind=conn)
    try:
        made = pipeline.quiet_tasks(session, settings, now)
        session.flush()
    finally:
        session.close()
    return made


def _tell_leads(conn: Connection, settings: Settings, since: datetime) -> None:
    """The supervisors of the A/B customers' owners hear of this run's retention tasks."""
    session = Session(bind=conn)
    try:
        alert_leads(session, settings, since)
        session.flush()
    finally:
        session.close()


def generate_day(settings: Settings, day: date | None = None) -> GenerationResult:
    """``cmw generate``: :func:`generate` in one transaction on the configured database
    (refused unless it is initialised at this release's schema)."""
    from cmworkbench.services.workbench import open_engine  # the top of the services

    engine = open_engine(settings)
    try:
        with engine.begin() as conn:
            return generate(conn, settings, day)
    finally:
        engine.dispose()


class Context:
    """The day's parameters (as the strings SQLite stores, or as values for PostgreSQL) and
    the SQL of the date arithmetic in the connection's dialect."""

    def __init__(self, settings: Settings, day: date, postgresql: bool = False) -> None:
        self.settings = settings
        self.day = day
        self.postgresql = postgresql
        tz = clock.branch_tz()
        opening = parse_hours(settings.calendar.hours)[0][0]
        self.start = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
        self.tomorrow = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
        self.tomorrow = self.tomorrow.astimezone(UTC)
        self.now = clock.now()
        offset = datetime.combine(day, opening, tz).utcoffset() or timedelta()
        opening_minutes = opening.hour * 60 + opening.minute
        # local date D at opening → the UTC instant stored: D + opening − UTC offset
        self.opening_shift = f"{opening_minutes - int(offset.total_seconds() // 60)} minutes"
        self.utc_shift = f"{int(offset.total_seconds() // 60)} minutes"
        self.unshift = f"'{-int(offset.total_seconds() // 60):+d} minutes'"
        """SQL literal: the shift from branch time back to UTC (``'-480 minutes'``)."""
        self.dialect = dialect_of("postgresql" if postgresql else "sqlite")
        """The SQL fragments of the connection's database (:mod:`cmworkbench.db.dialect`)."""
        self.month = day.strftime("%Y-%m")
        months = settings.directories.refresh_months
        self.directory_since = datetime.combine(
            day - relativedelta(months=months) + timedelta(days=1), datetime.min.time(), tz
        ).astimezone(UTC)
        """A directory last refreshed before this is due today (refreshed on 05-23, due on
        11-23 with six months)."""

    def at_opening(self, date_sql: str) -> str:
        """SQL for the stored instant of a local date's opening time."""
        if self.postgresql:
            return (
                f"((CAST({date_sql} AS date) + interval '{self.opening_shift}') AT TIME ZONE 'UTC')"
            )
        return f"(datetime({date_sql}, '+{self.opening_shift}') || '.000000')"

    def local_date(self, instant_sql: str) -> str:
        """SQL for the branch-local date of a stored instant."""
        if self.postgresql:
            return f"CAST(({instant_sql} AT TIME ZONE 'UTC') + interval '{self.utc_shift}' AS date)"
        return f"date({instant_sql}, '+{self.utc_shift}')"

    def plus_days(self, instant_sql: str, days_sql: str) -> str:
        """SQL for an instant ``days_sql`` days (of 24 hours) after a stored instant."""
        if self.postgresql:
            return f"({instant_sql} + ({days_sql}) * interval '24 hours')"
        return f"(datetime({instant_sql}, '+' || {days_sql} || ' days') || '.000000')"

    def seconds_text(self, instant_sql: str) -> str:
        """SQL for a stored instant as text to the second, UTC (part of idempotency keys)."""
        if self.postgresql:
            return f"to_char({instant_sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        return f"substr({instant_sql}, 1, 19)"

    def month_day(self, date_sql: str) -> str:
        """SQL for ``MM-DD`` of a date."""
        if self.postgresql:
            return f"to_char({date_sql}, 'MM-DD')"
        return f"substr({date_sql}, 6, 5)"

    def plus_months(self, date_sql: str, months: int) -> str:
        """SQL for the date ``months`` after a date (the reports' own: 31 August + 3 months is
        30 November on both databases)."""
        return self.dialect.plus_months.format(date_sql, int(months))

    def minus_days(self, date_sql: str, days: int) -> str:
        """SQL for the date ``days`` before a date."""
        if self.postgresql:
            return f"({date_sql} - {int(days)})"
        return f"date({date_sql}, '-{int(days)} days')"

    def month_end(self, date_sql: str) -> str:
        """SQL for the last day of a date's month."""
        if self.postgresql:
            return (
                f"CAST(date_trunc('month', CAST({date_sql} AS timestamp))"
                " + interval '1 month' - interval '1 day' AS date)"
            )
        return f"date({date_sql}, 'start of month', '+1 month', '-1 day')"

    def temp(self, table: str) -> str:
        """A temporary table's qualified name."""
        return f"{'pg_temp' if self.postgresql else 'temp'}.{table}"

    @property
    def text_order(self) -> str:
        """Text compared character by character, as SQLite does."""
        return ' COLLATE "C"' if self.postgresql else ""

    @property
    def params(self) -> dict[str, Any]:
        if self.postgresql:
            times: dict[str, Any] = {"start": self.start, "tomorrow": self.tomorrow}
            times["directory_since"] = self.directory_since
            return {**times, "now": self.now, "day": self.day, "month": self.month}
        return {
            "start": _stamp(self.start),
            "tomorrow": _stamp(self.tomorrow),
            "directory_since": _stamp(self.directory_since),
            "now": _stamp(self.now),
            "day": str(self.day),
            "month": self.month,
        }


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _rule_tables(conn: Connection, ctx: Context) -> None:
    """The cadence rule of every (class, VIP, government) combination, chosen by the domain
    rule (strictest applies), and the freshness rule of every class, as small temp tables."""
    settings = ctx.settings
    mark = "%s" if ctx.postgresql else "?"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_rule')}")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE gen_rule (cls TEXT, vip INT, gov INT, rule TEXT, ideal INT, maxd INT,"
        " mask INT, PRIMARY KEY (cls, vip, gov))"
    )
    rows = [
        (r.cls, r.vip, r.gov, r.key, r.rule.ideal_days, r.rule.max_days, r.channel_mask)
        for r in rule_table(settings.cadence)
    ]
    conn.exec_driver_sql(f"INSERT INTO gen_rule VALUES ({', '.join([mark] * 7)})", rows)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_keeper')}")
    conn.exec_driver_sql("CREATE TEMP TABLE gen_keeper (area TEXT PRIMARY KEY, staff_id INT)")
    keepers = [(area, staff) for area, staff in pool_keepers(conn, settings).items()]
    if keepers:
        conn.exec_driver_sql(f"INSERT INTO gen_keeper VALUES ({mark}, {mark})", keepers)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_fresh')}")
    conn.exec_driver_sql("CREATE TEMP TABLE gen_fresh (cls TEXT PRIMARY KEY, max_days INT)")
    conn.exec_driver_sql(
        f"INSERT INTO gen_fresh VALUES ({mark}, {mark})",
        [(cls, rule.max_days) for cls, rule in settings.freshness.items()],
    )


def _insert(conn: Connection, ctx: Context, kind: str, select: str) -> int:
    if kind == "contact":
        _last_contacts(conn, ctx)
    if not select:
        return 0
    result = conn.execute(
        text(f"INSERT INTO task ({TASK_COLUMNS}) {select} ON CONFLICT (idem_key) DO NOTHING"),
        ctx.params,
    )
    return int(result.rowcount or 0)


def _last_contacts(conn: Connection, ctx: Context) -> None:
    """The last logged contact of every customer, in the channels of its cadence rule."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_last')}")
    kind_bit = " ".join(f"WHEN '{k}' THEN {b}" for k, b in CHANNEL_BITS.items())
    conn.exec_driver_sql(
        "CREATE TEMP TABLE gen_last AS"
        " SELECT i.customer_id AS customer_id, MAX(i.happened_at) AS at"
        f" FROM customer c {rule_join()}"
        " JOIN interaction i ON i.customer_id = c.id AND i.status = 'done'"
        f" AND (r.mask & (CASE i.kind {kind_bit} ELSE 0 END)) <> 0"
        " GROUP BY i.customer_id"
    )
    index = "ix_gen_last" if ctx.postgresql else "temp.ix_gen_last"  # a temp table's index is
    conn.exec_driver_sql(f"CREATE UNIQUE INDEX {index} ON gen_last (customer_id)")  # temp too


def _close_stale(conn: Connection, ctx: Context) -> int:
    """Close generated tasks whose reason has gone."""
    statements = [
        # a return call was made
        "UPDATE task SET status = 'done', closed_at = :now, note = 'return call made'"
        " WHERE kind = 'return_call' AND status = 'open' AND complaint_id IS NULL"
        " AND rule = 'return_call' AND EXISTS (SELECT 1 FROM complaint cp"
        " WHERE 'return_call:' || cp.id = task.idem_key AND cp.return_call_at IS NOT NULL)",
        # a contact was logged after the one the task was counted from
        "UPDATE task SET status = 'done', closed_at = :now, note = 'contact logged'"
        " WHERE kind = 'contact' AND status = 'open' AND rule LIKE 'cadence.%'"
        " AND EXISTS (SELECT 1 FROM gen_last l WHERE l.customer_id = task.customer_id"
        f" AND 'contact:' || l.customer_id || ':' || {ctx.seconds_text('l.at')}"
        f" > task.idem_key{ctx.text_order})",
        # the return visit was made (a held call or visit for it in its window), not from
        # the task (logging from the task closes it at once)
        "UPDATE task SET status = 'done', closed_at = :now, note = 'return visit made'"
        " WHERE kind = 'after_sale' AND status = 'open' AND rule = 'after_sale'"
        # the holding's id from the task's key: its primary key, not a scan per task
        " AND EXISTS (SELECT 1 FROM holding h"
        " WHERE h.id = CAST(substr(task.idem_key, length('after_sale:') + 1) AS integer)"
        f" AND h.activated_on IS NOT NULL AND {_after_sale_made(ctx)})",
        # the record was re-verified since
        "UPDATE task SET status = 'done', closed_at = :now, note = 'info verified'"
        " WHERE kind = 'verify_info' AND status = 'open' AND EXISTS (SELECT 1 FROM customer c"
        " WHERE c.id = task.customer_id AND c.info_verified_at > task.created_at)",
        # the group's staff directory was refreshed since
        "UPDATE task SET status = 'done', closed_at = :now, note = 'directory refreshed'"
        " WHERE kind = 'directory_update' AND status = 'open' AND customer_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM customer c WHERE c.id = task.customer_id"
        " AND c.directory_refreshed_at > task.created_at)",
    ]
    return sum(int(conn.execute(text(s), ctx.params).rowcount or 0) for s in statements)


def _after_sale_made(ctx: Context) -> str:
    rules = ctx.settings.tasks
    return after_sale.made(
        ctx.dialect,
        customer="h.customer_id",
        activated="h.activated_on",
        start_days=str(rules.after_sale_start_days),
        months=str(rules.after_sale_months),
        unshift=ctx.unshift,
    )


def _fill_deadlines(conn: Connection, ctx: Context) -> None:
    """Give the open contact and maturity tasks without a deadline (made before deadlines
    existed) the one :mod:`.rules_sql` gives a new task: a contact's counted from the instant
    in its key under its own rule's ``max_days``, a maturity's on the maturity day in its key.
    Touches only tasks still without one, so a second run changes nothing."""
    counted_from = "substr(task.idem_key, length('contact:' || task.customer_id || ':') + 1)"
    if ctx.postgresql:
        counted_from = f"(CAST({counted_from} AS timestamp) AT TIME ZONE 'UTC')"
    max_days = "(SELECT MAX(r.maxd) FROM gen_rule r WHERE 'cadence.' || r.rule = task.rule)"
    matures_on = "substr(task.idem_key, length(task.idem_key) - 9)"
    statements = [
        f"UPDATE task SET deadline_at = {ctx.plus_days(counted_from, max_days)}"
        " WHERE kind = 'contact' AND status = 'open' AND deadline_at IS NULL"
        f" AND idem_key LIKE 'contact:%' AND {max_days} IS NOT NULL",
        f"UPDATE task SET deadline_at = {ctx.at_opening(matures_on)}"
        " WHERE kind = 'maturity' AND status = 'open' AND deadline_at IS NULL"
        " AND idem_key LIKE 'maturity:%'",
    ]
    for statement in statements:
        conn.execute(text(statement), ctx.params)
