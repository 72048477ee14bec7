"""The period of a report and the parameters its SQL receives: the period as stored instants
and branch-local days, the offset of branch time, and the small ``VALUES`` tables built from
config (cadence rules, freshness, working days, product and pipeline step names); see
:mod:`.figures` for what each figure selects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db import file_checks
from cmworkbench.db.dialect import SQLITE, Dialect, dialect_of
from cmworkbench.domain import worklog
from cmworkbench.domain.cadence import rule_table
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.pipeline import stage_label
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.reports import credit_figures


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.branch_tz())


def _stamp(moment: datetime, dialect: Dialect) -> str | datetime:
    """An instant as a parameter: the string SQLite stores, or a ``timestamptz``."""
    if dialect is SQLITE:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.astimezone(UTC)


def _day(day: date, dialect: Dialect) -> str | date:
    """A date as a parameter: the ISO string SQLite stores, or a ``date``."""
    return str(day) if dialect is SQLITE else day


@dataclass(frozen=True)
class Query:
    """The period as SQL parameters, and the small tables from config."""

    dialect: Dialect
    params: dict[str, Any]
    ctes: str
    as_of: datetime
    rules: list[tuple[Any, ...]]
    """The rows of ``rep_rule``: (class, vip, government, rule, channel mask, since)."""
    fresh: list[tuple[Any, ...]]
    """The rows of ``rep_fresh``: (class, since)."""
    settings: Settings


def query_for(
    settings: Settings,
    start: date,
    end: date,
    dialect: Dialect = SQLITE,
    *,
    now: datetime | None = None,
) -> Query:
    """The report's statements' parameters and config tables for ``start``–``end``, as of
    ``now`` (default: the clock's; a snapshot's instant for the records behind its figures,
    :mod:`.snapshot`)."""
    if end < start:
        raise InvalidInput(t("report.bad_period", start=start, end=end))
    now = clock.now() if now is None else now
    start_at, end_at = _midnight(start), min(_midnight(end + timedelta(days=1)), now)
    if start_at >= end_at:
        raise InvalidInput(t("report.future_period", start=start))
    last_day = (end_at - timedelta(microseconds=1)).astimezone(clock.branch_tz()).date()
    offset = int((start_at.utcoffset() or timedelta()).total_seconds() // 60)
    params: dict[str, Any] = {
        "start": _stamp(start_at, dialect),
        "end": _stamp(end_at, dialect),
        "now": _stamp(now, dialect),
        "start_day": _day(start, dialect),
        "end_day": _day(last_day, dialect),
        "judge_day": _day(end_at.astimezone(clock.branch_tz()).date(), dialect),
        "shift": f"{offset:+d} minutes",
        "unshift": f"{-offset:+d} minutes",
        "period_end_day": _day(end, dialect),
        "after_sale_months": settings.tasks.after_sale_months,
        "after_sale_start_days": settings.tasks.after_sale_start_days,
        "after_sale_back": f"-{settings.tasks.after_sale_months} months",
        "directory_target": directory_target(settings, start, end),  # the whole period asked
        "manager_households": settings.workload.manager.households,
        "phone_manager_households": settings.workload.phone_manager.households,
    }
    rules = [
        (
            r.cls,
            r.vip,
            r.gov,
            r.key,
            r.channel_mask,
            _stamp(_midnight(last_day - timedelta(days=r.rule.max_days)), dialect),
        )
        for r in rule_table(settings.cadence)
    ]
    fresh = [
        (cls, _stamp(_midnight(last_day - timedelta(days=rule.max_days)), dialect))
        for cls, rule in settings.freshness.items()
    ]
    calendar = BranchCalendar.from_settings(settings.calendar)
    # Each working day with its log's cut-off (domain/worklog.py); a day counts once its log
    # is in on time or its cut-off has passed (the figure's SQL), today's included.
    until = min(last_day, now.astimezone(clock.branch_tz()).date())
    workdays = [
        start + timedelta(days=n)
        for n in range((until - start).days + 1)
        if calendar.is_workday(start + timedelta(days=n))
    ]
    days = [
        (
            _day(day, dialect),
            _stamp(worklog.cutoff(day, calendar, settings.worklog.cutoff), dialect),
        )
        for day in workdays
    ]
    params.update(quality_params(settings))
    params.update(referral_params())
    params.update(pipeline_params())
    params.update(credit_figures.params())
    products = [(kind, label("product_kind", kind)) for kind in settings.referrals.products]
    stages = [(key, stage_label(settings.pipeline, key)) for key in settings.pipeline.stages]
    ctes = ", ".join(
        (
            values_table(dialect, params, "rep_rule", (*_RULE_COLUMNS, ("since", _INSTANT)), rules),
            values_table(
                dialect, params, "rep_fresh", (("cls", "text"), ("since", _INSTANT)), fresh
            ),
            values_table(dialect, params, "rep_day", (("day", "date"), ("cutoff", _INSTANT)), days),
            values_table(
                dialect, params, "rep_product", (("kind", "text"), ("label", "text")), products
            ),
            values_table(
                dialect, params, "rep_stage", (("kind", "text"), ("label", "text")), stages
            ),
            *quality_tables(settings, dialect, params),
        )
    )
    return Query(dialect, params, "WITH " + ctes, end_at, rules, fresh, settings)


def quality_params(settings: Settings) -> dict[str, Any]:
    """The data-quality parameters (``dq_…``): which compliance rules apply, the names shown."""
    return file_checks.params(
        settings.data_quality.checks,
        lambda rule: t(f"quality.rule.{rule}"),
        lambda name: t(f"customer.field.{name}"),
    ) | {"dq_by_hand": t("quality.by_hand")}


def referral_params() -> dict[str, str]:
    """The words of the referral figures' drill-down (``rf_…``): how a referral ended."""
    return {f"rf_{state}": label("referral_state", state) for state in REFERRAL_ENDS}


REFERRAL_ENDS = ("converted", "lost", "lapsed")


def pipeline_params() -> dict[str, str]:
    """The words of the pipeline figures' drill-down (``op_…``): won, lost, expected close,
    days."""
    return {
        "op_won": label("opportunity_status", "won"),
        "op_lost": label("opportunity_status", "lost"),
        "op_close": t("opportunity.field.expected_close"),
        "op_days": t("report.unit.days_word"),
    }


def quality_tables(settings: Settings, dialect: Dialect, params: dict[str, Any]) -> list[str]:
    """The data-quality table ``rep_deny`` (:mod:`cmworkbench.db.file_checks`)."""
    made = file_checks.tables(settings.grades)
    return [
        values_table(dialect, params, name, columns, rows) for name, (columns, rows) in made.items()
    ]


def directory_target(settings: Settings, first: date, last: date) -> float:
    """Groups whose staff directory a manager refreshes from ``first`` to ``last``:
    ``[directories] per_month`` a calendar month, pro rata for the part of a month a period
    holds (a whole month: exactly per_month)."""
    total, day = 0.0, first
    while day <= last:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        until = min(month_end, last)
        total += ((until - day).days + 1) / month_end.day
        day = until + timedelta(days=1)
    return round(settings.directories.per_month * total, 2)


_INSTANT = "timestamptz"
_RULE_COLUMNS = (
    ("cls", "text"),
    ("vip", "integer"),
    ("gov", "integer"),
    ("rule", "text"),
    ("mask", "integer"),
)
"""The config tables' columns and their types (PostgreSQL's, for an empty table)."""


def weekly_query(each: Sequence[Query]) -> Query:
    """The queries of consecutive periods as one, for the figures' ``weekly`` SQL: each
    period's parameters with the suffix ``_n``, and one ``since_n`` column per period in the
    config tables (the rules chosen do not depend on the period, their days do)."""
    dialect = each[0].dialect
    params: dict[str, Any] = {}
    for n, query in enumerate(each):
        params.update(
            {
                f"{k}_{n}": v
                for k, v in query.params.items()
                if not k.startswith(("rep_", "dq_", "rf_", "op_", "cs_", "pl_"))
            }
        )
    for key in ("after_sale_months", "after_sale_start_days", "after_sale_back"):
        params[key] = each[0].params[key]
    params.update(quality_params(each[0].settings))
    since = tuple((f"since_{n}", _INSTANT) for n in range(len(each)))
    rules = [(*rule[:5], *(q.rules[i][5] for q in each)) for i, rule in enumerate(each[0].rules)]
    fresh = [(row[0], *(q.fresh[i][1] for q in each)) for i, row in enumerate(each[0].fresh)]
    ctes = ", ".join(
        (
            values_table(dialect, params, "rep_rule", (*_RULE_COLUMNS, *since), rules),
            values_table(dialect, params, "rep_fresh", (("cls", "text"), *since), fresh),
            *quality_tables(each[0].settings, dialect, params),
        )
    )
    return Query(dialect, params, "WITH " + ctes, each[-1].as_of, rules, fresh, each[0].settings)


def values_table(
    dialect: Dialect,
    params: dict[str, Any],
    name: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
) -> str:
    """A ``name(columns) AS (VALUES …)`` common table with bound values; ``columns`` are
    (name, type) pairs."""
    head = f"{name}({', '.join(column for column, _ in columns)}) AS "
    if not rows:
        nulls = ", ".join(dialect.null.format(kind) for _, kind in columns)
        return head + f"(SELECT {nulls} WHERE {dialect.false})"
    tuples = []
    for i, row in enumerate(rows):
        names = []
        for j, value in enumerate(row):
            params[f"{name}_{i}_{j}"] = value
            names.append(f":{name}_{i}_{j}")
        tuples.append(f"({', '.join(names)})")
    return head + f"(VALUES {', '.join(tuples)})"


def owners_sql(ids: Iterable[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def dialect_for(session: Session) -> Dialect:
    """The SQL fragments of the session's database."""
    return dialect_of(session.connection().dialect.name)
