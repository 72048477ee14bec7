"""The daily task generation: the business rules of DESIGN.md turned into tasks, set-based.

Each rule is one ``INSERT … SELECT … ON CONFLICT (idem_key) DO NOTHING`` over the whole
branch; no Python loop per customer. Every generated task carries its rule and an idempotency
key (rule + object + period), so running the generation twice creates nothing new, and a
task closed after its work was done is not created again for the same period.

Rules (the numbers are in ``config.toml``):

* contact cadence: days since the last *logged* call or visit (the channels of the
  strictest rule that applies: class, VIP, government); due past ``ideal_days``, the task
  is due at last contact + ideal days (overdue in the list past that);
* info re-verification (信息更新) by class (``freshness``);
* care moments (关怀): birthdays of key persons and individual customers, and festivals
  for A/B-class and VIP customers, ``care_lead_days`` ahead;
* after-sale return visit within ``after_sale_months`` of activation, when no call or
  visit has been logged since;
* product maturity within ``maturity_lead_days``; post-loan checks within
  ``post_loan_lead_days``;
* complaint return call (投诉回访), within the month of resolution;
* churn (流失): a customer marked at risk, or assets/revenue down by more than
  ``churn_asset_drop`` month on month.

The generation also closes the tasks whose reason has gone (a later contact, a re-verified
record, a return call made), so what it prints is created and closed.

``task.priority`` holds the day-independent part of :mod:`cmworkbench.domain.priority`
(value, kind, flags, churn); the call list adds how overdue a task is on the day it shows.

The date arithmetic differs between SQLite (date functions on the stored ISO strings) and
PostgreSQL (``timestamptz`` and ``date`` with intervals): :class:`_Context` writes each piece in
the connection's dialect, so both run the same rules and make the same idempotency keys. (One
known edge: a month added to the 31st runs over into the next month on SQLite, and stops at the
month's last day on PostgreSQL.)
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.dialect import dialect_of
from cmworkbench.domain import priority
from cmworkbench.domain.cadence import CHANNEL_BITS, rule_table
from cmworkbench.domain.calendar import parse_hours
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.tasks.schemas import GenerationResult

TASK_COLUMNS = (
    "kind, customer_id, owner_id, due_at, priority, status, rule, idem_key, created_at, version"
)


def generate(conn: Connection, settings: Settings, day: date | None = None) -> GenerationResult:
    """Generate (and close) the tasks of ``day`` (default: today at the branch)."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        raise InvalidInput(t("generate.sqlite_only"))
    started = time.perf_counter()
    ctx = _Context(settings, day or clock.today(), conn.dialect.name == "postgresql")
    _rule_tables(conn, ctx)
    created: dict[str, int] = {}
    for kind, sql in _rules(ctx):
        created[kind] = created.get(kind, 0) + _insert(conn, ctx, kind, sql)
    closed = _close_stale(conn, ctx)
    for table in ("gen_rule", "gen_last", "gen_fresh"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp(table)}")
    return GenerationResult(ctx.day, created, closed, round(time.perf_counter() - started, 3))


class _Context:
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
        self.month = day.strftime("%Y-%m")

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
        dialect = dialect_of("postgresql" if self.postgresql else "sqlite")
        return dialect.plus_months.format(date_sql, int(months))

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
            return {**times, "now": self.now, "day": self.day, "month": self.month}
        return {
            "start": _stamp(self.start),
            "tomorrow": _stamp(self.tomorrow),
            "now": _stamp(self.now),
            "day": str(self.day),
            "month": self.month,
        }


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _rule_tables(conn: Connection, ctx: _Context) -> None:
    """The cadence rule of every (class, VIP, government) combination, chosen by the domain
    rule (strictest applies), and the freshness rule of every class, as small temp tables."""
    settings = ctx.settings
    mark = "%s" if ctx.postgresql else "?"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_rule')}")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE gen_rule (cls TEXT, vip INT, gov INT, rule TEXT, ideal INT, mask INT,"
        " PRIMARY KEY (cls, vip, gov))"
    )
    rows = [
        (r.cls, r.vip, r.gov, r.key, r.rule.ideal_days, r.channel_mask)
        for r in rule_table(settings.cadence)
    ]
    conn.exec_driver_sql(f"INSERT INTO gen_rule VALUES ({', '.join([mark] * 6)})", rows)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_fresh')}")
    conn.exec_driver_sql("CREATE TEMP TABLE gen_fresh (cls TEXT PRIMARY KEY, max_days INT)")
    conn.exec_driver_sql(
        f"INSERT INTO gen_fresh VALUES ({mark}, {mark})",
        [(cls, rule.max_days) for cls, rule in settings.freshness.items()],
    )


_VIP = "(CASE WHEN c.is_vip OR c.tier IN ('diamond', 'gold') THEN 1 ELSE 0 END)"
_RULE_JOIN = (
    f"JOIN gen_rule r ON r.cls = COALESCE(c.cls, '') AND r.vip = {_VIP}"
    " AND r.gov = (CASE WHEN c.is_government THEN 1 ELSE 0 END)"
)


def _priority_sql(kind: str) -> str:
    """The day-independent part of the priority score, from the domain's weights."""
    value = " ".join(f"WHEN '{k}' THEN {w}" for k, w in priority.CLASS_WEIGHT.items())
    tier = " ".join(f"WHEN '{k}' THEN {w}" for k, w in priority.TIER_WEIGHT.items())
    w = priority.FLAG_WEIGHT
    return (
        f"(CASE c.cls {value} ELSE CASE c.tier {tier} ELSE 5 END END"
        f" + {priority.KIND_WEIGHT.get(kind, 10)}"
        f" + CASE WHEN {_VIP} = 1 THEN {w['vip']} ELSE 0 END"
        f" + CASE WHEN c.is_government THEN {w['government']} ELSE 0 END"
        f" + CASE WHEN c.is_benchmark THEN {w['benchmark']} ELSE 0 END"
        f" + CASE WHEN c.is_dual_span THEN {w['dual_span']} ELSE 0 END"
        f" + CASE WHEN c.status = 'at_risk' THEN {priority.AT_RISK_WEIGHT} ELSE 0 END)"
    )


def _select(kind: str, rule: str, due: str, key: str, owner: str = "c.owner_id") -> str:
    """The SELECT list every rule shares, in the order of :data:`TASK_COLUMNS`."""
    return (
        f"SELECT '{kind}', c.id, {owner}, {due}, {_priority_sql(kind)}, 'open', {rule},"
        f" {key}, :now, 1"
    )


_ACTIVE = "c.owner_id IS NOT NULL AND c.status <> 'lost'"


def _rules(ctx: _Context) -> list[tuple[str, str]]:
    """(kind, SELECT) per rule; each SELECT yields rows in :data:`TASK_COLUMNS` order."""
    return [
        ("contact", _contact(ctx)),
        ("verify_info", _verify(ctx)),
        ("care", _birthdays(ctx)),
        ("care", _festivals(ctx)),
        ("after_sale", _after_sale(ctx)),
        ("maturity", _maturity(ctx)),
        ("post_loan", _post_loan(ctx)),
        ("return_call", _return_call(ctx)),
        ("retention", _retention(ctx)),
    ]


def _insert(conn: Connection, ctx: _Context, kind: str, select: str) -> int:
    if kind == "contact":
        _last_contacts(conn, ctx)
    if not select:
        return 0
    result = conn.execute(
        text(f"INSERT INTO task ({TASK_COLUMNS}) {select} ON CONFLICT (idem_key) DO NOTHING"),
        ctx.params,
    )
    return int(result.rowcount or 0)


def _last_contacts(conn: Connection, ctx: _Context) -> None:
    """The last logged contact of every customer, in the channels of its cadence rule."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ctx.temp('gen_last')}")
    kind_bit = " ".join(f"WHEN '{k}' THEN {b}" for k, b in CHANNEL_BITS.items())
    conn.exec_driver_sql(
        "CREATE TEMP TABLE gen_last AS"
        " SELECT i.customer_id AS customer_id, MAX(i.happened_at) AS at"
        f" FROM customer c {_RULE_JOIN}"
        " JOIN interaction i ON i.customer_id = c.id AND i.status = 'done'"
        f" AND (r.mask & (CASE i.kind {kind_bit} ELSE 0 END)) <> 0"
        " GROUP BY i.customer_id"
    )
    index = "ix_gen_last" if ctx.postgresql else "temp.ix_gen_last"  # a temp table's index is
    conn.exec_driver_sql(f"CREATE UNIQUE INDEX {index} ON gen_last (customer_id)")  # temp too


def _contact(ctx: _Context) -> str:
    base = "COALESCE(l.at, c.created_at)"
    due = ctx.plus_days(base, "r.ideal")
    key = f"'contact:' || c.id || ':' || {ctx.seconds_text(base)}"
    return (
        _select("contact", "'cadence.' || r.rule", due, key)
        + f" FROM customer c {_RULE_JOIN} LEFT JOIN gen_last l ON l.customer_id = c.id"
        f" WHERE {_ACTIVE} AND {due} < :tomorrow"
    )


def _verify(ctx: _Context) -> str:
    due = (
        "CASE WHEN c.info_verified_at IS NULL THEN :start"
        f" ELSE {ctx.plus_days('c.info_verified_at', 'f.max_days')} END"
    )
    verified = ctx.seconds_text("c.info_verified_at")
    key = f"'verify:' || c.id || ':' || COALESCE({verified}, 'never')"
    return (
        _select("verify_info", "'freshness.' || c.cls", due, key)
        + " FROM customer c JOIN gen_fresh f ON f.cls = c.cls"
        f" WHERE {_ACTIVE} AND ({due}) < :tomorrow"
    )


def _care_window(ctx: _Context) -> list[date]:
    lead = ctx.settings.tasks.care_lead_days
    return [ctx.day + timedelta(days=i) for i in range(lead + 1)]


def _birthdays(ctx: _Context) -> str:
    """Birthdays of key persons (of the customer's owner) and of individual customers."""
    window = _care_window(ctx)
    month_days = ", ".join(f"'{d:%m-%d}'" for d in window)
    on_day = " ".join(f"WHEN '{d:%m-%d}' THEN '{d}'" for d in window)
    due = ctx.at_opening(f"(CASE {ctx.month_day('b.birthday')} {on_day} END)")
    key = "'care:birthday:' || b.who || ':' || b.year"
    people = (
        f"SELECT k.customer_id AS customer_id, 'contact' || k.id AS who, k.birthday AS birthday,"
        f" '{ctx.day.year}' AS year FROM contact k"
        f" WHERE {ctx.month_day('k.birthday')} IN ({month_days})"
        " UNION ALL SELECT id, 'customer' || id, birthday, "
        f"'{ctx.day.year}' FROM customer WHERE kind = 'individual'"
        f" AND {ctx.month_day('birthday')} IN ({month_days})"
    )
    return (
        _select("care", "'care.birthday'", due, key)
        + f" FROM ({people}) AS b JOIN customer c ON c.id = b.customer_id WHERE {_ACTIVE}"
    )


def _festivals(ctx: _Context) -> str:
    """Festivals within the lead time: A/B-class and VIP customers get a care task."""
    window = set(_care_window(ctx))
    festivals = []
    for entry in ctx.settings.tasks.festivals:
        day, _, _name = entry.partition(" ")
        if date.fromisoformat(day) in window:
            festivals.append(day)
    if not festivals:
        return ""
    days = " UNION ALL ".join(f"SELECT '{d}' AS day" for d in festivals)
    due = ctx.at_opening("fd.day")
    key = "'care:festival:' || fd.day || ':' || c.id"
    return (
        _select("care", "'care.festival'", due, key) + f" FROM customer c CROSS JOIN ({days}) AS fd"
        f" WHERE {_ACTIVE} AND (c.cls IN ('A1', 'A2', 'B1', 'B2') OR {_VIP} = 1)"
    )


def _after_sale(ctx: _Context) -> str:
    rules = ctx.settings.tasks
    start = ctx.day - timedelta(days=rules.after_sale_start_days)
    until = ctx.plus_months("h.activated_on", rules.after_sale_months)
    due = ctx.at_opening(until)
    visited = (
        "SELECT 1 FROM interaction i WHERE i.customer_id = h.customer_id AND i.status = 'done'"
        f" AND i.kind IN ('call', 'visit') AND i.happened_at >= {ctx.at_opening('h.activated_on')}"
    )
    return (
        _select("after_sale", "'after_sale'", due, "'after_sale:' || h.id")
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.activated_on <= '{start}'"
        f" AND {until} >= :day"
        f" AND NOT EXISTS ({visited})"
    )


def _maturity(ctx: _Context) -> str:
    until = ctx.day + timedelta(days=ctx.settings.tasks.maturity_lead_days)
    due = ctx.at_opening(ctx.minus_days("h.matures_on", 7))
    key = "'maturity:' || h.id || ':' || h.matures_on"
    return (
        _select("maturity", "'maturity'", due, key)
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.matures_on >= :day AND h.matures_on <= '{until}'"
    )


def _post_loan(ctx: _Context) -> str:
    until = ctx.day + timedelta(days=ctx.settings.tasks.post_loan_lead_days)
    key = "'post_loan:' || h.id || ':' || h.next_check_on"
    return (
        _select("post_loan", "'post_loan'", ctx.at_opening("h.next_check_on"), key)
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.product_kind = 'loan' AND h.next_check_on <= '{until}'"
    )


def _return_call(ctx: _Context) -> str:
    """One-to-one return call within the month of resolution (telecom handbook)."""
    month_end = ctx.month_end(ctx.local_date("cp.resolved_at"))
    return (
        _select(
            "return_call",
            "'return_call'",
            ctx.at_opening(month_end),
            "'return_call:' || cp.id",
            owner="cp.owner_id",
        )
        + " FROM complaint cp JOIN customer c ON c.id = cp.customer_id"
        " WHERE cp.status = 'resolved' AND cp.return_call_at IS NULL"
    )


def _retention(ctx: _Context) -> str:
    """At-risk customers, and assets or revenue down month on month past the threshold."""
    first = ctx.day.replace(day=1)
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    before = ((first - timedelta(days=1)).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    drop = 1 - ctx.settings.tasks.churn_asset_drop
    value = "COALESCE(m.assets_yuan, m.revenue_yuan)"
    fell = (
        f"SELECT 1 FROM customer_metric m JOIN customer_metric p ON p.customer_id = m.customer_id"
        f" AND p.month = '{before}' WHERE m.customer_id = c.id AND m.month = '{last_month}'"
        f" AND COALESCE(p.assets_yuan, p.revenue_yuan) > 0"
        f" AND {value} < COALESCE(p.assets_yuan, p.revenue_yuan) * {drop}"
    )
    key = "'retention:' || c.id || '/' || :month"
    return (
        _select("retention", "'churn'", ":start", key)
        + f" FROM customer c WHERE {_ACTIVE} AND (c.status = 'at_risk' OR EXISTS ({fell}))"
    )


def _close_stale(conn: Connection, ctx: _Context) -> int:
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
        # the record was re-verified since
        "UPDATE task SET status = 'done', closed_at = :now, note = 'info verified'"
        " WHERE kind = 'verify_info' AND status = 'open' AND EXISTS (SELECT 1 FROM customer c"
        " WHERE c.id = task.customer_id AND c.info_verified_at > task.created_at)",
    ]
    return sum(int(conn.execute(text(s), ctx.params).rowcount or 0) for s in statements)
