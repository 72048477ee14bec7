"""Importing sales goals (销售目标): through :mod:`cmworkbench.services.goals`, row by row.

One sheet, a header row naming the columns in Chinese or English (:mod:`.columns`)::

    指标    年度  月份     客户经理   团队     目标    分解规则
    measure year  month    login      team     amount  rule

and two kinds of row:

* **a year's goal**: measure, year, amount and, optionally, the rule. The branch's goal of the
  measure for the year, broken down at once as ``cmw goals set`` does (months evenly, teams
  and managers by the rule, ``[goals] rule`` when none is given, weeks by working days). It
  replaces that measure's goals of the year, changes by hand included.
* **a change by hand**: measure, month, a manager's login *or* a team's name, amount. That
  manager's or team's goal of the month, their siblings taking up the difference so the whole
  is kept, as ``cmw goals adjust`` does.

The years' goals are set first and the changes made after them, each in the file's order, so a
change is never undone by a year's goal further down. A measure is its key
(``new_customers``, ``products_opened.wealth``) or its name in either language (新增客户, new
customers), a rule its key or its name (平均, 按客户数, 按上年占比); an amount as typed
(``1200``, ``500万``, ``20亿``); a month ``2026-11``, ``2026/11``, ``2026年11月`` or a date cell
(Excel turns a typed ``2026-11`` into 1 November).

Every check of the goals service applies, and its refusals come back naming the row and the
column (``Row 3, column 年度: '20x6' is not a year``). All or nothing, as every import: one
transaction, each row in a savepoint, rolled back whole when a row is bad (unless
``skip_bad``). Who acts: the admin importing, or for the service account the first active
admin (:func:`cmworkbench.services.workbench.admin_actor` does the same); the goals are that
admin's branch's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cmworkbench.config import Settings
from cmworkbench.db.models import Goal
from cmworkbench.domain.normalize import clean
from cmworkbench.i18n import CATALOGS, t
from cmworkbench.services.core.errors import InvalidInput, NotFound, ServiceError
from cmworkbench.services.core.login import find_actor, first_admin_login
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.goals import api as goals
from cmworkbench.services.goals.schemas import RULES, GoalChange
from cmworkbench.services.imports.columns import Column
from cmworkbench.services.imports.reading import Sheet

if TYPE_CHECKING:
    from cmworkbench.services.imports.importer import _Problems
    from cmworkbench.services.imports.schemas import ImportSummary


@dataclass
class _Row:
    """A row that passed its own checks."""

    number: int
    cells: list[Any]
    values: dict[str, Any]


class _Where:
    """Messages naming the row and the column as the file's header has it."""

    def __init__(self, columns: dict[int, Column], header: list[str]) -> None:
        self.header = {c.field: header[i] for i, c in columns.items()}

    def message(self, number: int, field: str, reason: str) -> str:
        column = self.header.get(field) or t(f"goal.field.{field}")
        return t("import.row_error", row=number, column=column, reason=reason)

    def refusal(self, number: int, values: dict[str, Any], exc: ServiceError) -> list[str]:
        """The goals service's refusal of a row, each problem at its column."""
        whose = "login" if values.get("login") else "team"
        if isinstance(exc, FieldsInvalid):
            return [
                self.message(number, whose if field == "who" else field, problem)
                for field, problem in exc.fields.items()
            ]
        if isinstance(exc, NotFound) and "month" in values:  # an unknown login or team
            return [self.message(number, whose, str(exc))]
        return [t("import.row_error_nocol", row=number, reason=str(exc))]


def _spellings(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Every accepted spelling (cleaned, lower-case) of a measure and of a rule → its key."""

    def names(key: str) -> list[str]:
        base, _, category = key.partition(".")
        found = [key]
        for catalog in CATALOGS.values():
            label = catalog.get(f"enum.goal_measure.{base}", base)
            if category:
                label += "·" + catalog.get(f"enum.product_kind.{category}", category)
            found.append(label)
        return found

    measures = {clean(s).lower(): m for m in settings.goals.measures for s in names(m)}
    rules = {
        clean(s).lower(): r
        for r in RULES
        for s in (r, *(c.get(f"enum.goal_rule.{r}", r) for c in CATALOGS.values()))
    }
    return measures, rules


def _shape(
    row: _Row, where: _Where, seen: dict[tuple[str, ...], int], words: tuple[dict, dict]
) -> list[str]:
    """A year's goal or a change by hand, each with what it needs; names turned into keys."""
    values, number = row.values, row.number
    measures, rules = words
    values["measure"] = measures.get(values["measure"].lower(), values["measure"])
    if "rule" in values:
        values["rule"] = rules.get(values["rule"].lower(), values["rule"])
    whose = [f for f in ("login", "team") if values.get(f)]
    reasons = []
    if "month" in values:
        key: tuple[str, ...] = (values["measure"], values["month"], *whose)
        if not whose:
            reasons.append(where.message(number, "login", t("import.goals.month_needs_who")))
        if len(whose) == 2:
            reasons.append(where.message(number, "team", t("import.goals.login_and_team")))
        if "rule" in values:
            reasons.append(where.message(number, "rule", t("import.goals.rule_on_month")))
        year, month = values.get("year"), values["month"]
        if year is not None and not month.startswith(f"{year}-"):
            reason = t("import.goals.other_year", month=month, year=year)
            reasons.append(where.message(number, "month", reason))
    else:
        key = (values["measure"], values.get("year", ""))
        if "year" not in values:
            reasons.append(where.message(number, "year", t("import.goals.year_or_month")))
        if whose:
            reasons.append(where.message(number, "month", t("import.goals.who_needs_month")))
    first = seen.setdefault(key, number)
    if first != number:
        reason = t("import.reason.duplicate", row=first)
        reasons.append(where.message(number, "measure", reason))
    return reasons


def import_goals(
    engine: Engine,
    actor: Actor | None,
    settings: Settings,
    sheet: Sheet,
    columns: dict[int, Column],
    problems: _Problems,
    summary: ImportSummary,
    skip_bad: bool,
) -> None:
    """Set each year's goal of the file, then make each change by hand, in one transaction."""
    from cmworkbench.services.imports.importer import _Checker, finish_rows

    checker = _Checker("goals", columns, sheet.header, {}, settings.grades)
    where = _Where(columns, sheet.header)
    words = _spellings(settings)
    years: list[_Row] = []
    changes: list[_Row] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, cells in sheet.rows:
        values = checker.row(number, cells, problems)
        if values is None:
            continue
        row = _Row(number, cells, values)
        reasons = _shape(row, where, seen, words)
        if reasons:
            problems.add(number, cells, reasons)
        else:
            (changes if "month" in values else years).append(row)
    with Session(engine, expire_on_commit=False) as session:
        try:
            if engine.dialect.name == "sqlite":  # as staff_rows: the savepoints need a BEGIN
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            acting = actor or _service_admin(session)
            for row in years:
                v = row.values
                had = _has_year(session, acting, v["measure"], v["year"])
                done = _apply(
                    session, acting, settings, row, problems, where, goals.set_goal,
                    measure=v["measure"], year=v["year"], amount=v["amount"], rule=v.get("rule"),
                )  # fmt: skip
                if done is not None:
                    summary.updated += had
                    summary.inserted += not had
            for row in changes:
                v = row.values
                done = _apply(
                    session, acting, settings, row, problems, where, goals.adjust,
                    measure=v["measure"], month=v["month"], amount=v["amount"],
                    login=v.get("login"), team=v.get("team"),
                )  # fmt: skip
                if done is not None:
                    summary.updated += bool(done.written)
                    summary.unchanged += not done.written
            finish_rows(session, acting, "goal", summary, problems.rows, skip_bad)
        except BaseException:
            session.rollback()
            raise


def _apply(
    session: Session,
    actor: Actor,
    settings: Settings,
    row: _Row,
    problems: _Problems,
    where: _Where,
    service: Callable[..., GoalChange],
    **values: Any,
) -> GoalChange | None:
    """``service`` on the row's values in a savepoint; a refusal is the row's problem (and
    nothing of the row is left)."""
    try:
        with session.begin_nested():
            return service(session=session, actor=actor, settings=settings, **values)
    except ServiceError as exc:
        problems.add(row.number, row.cells, where.refusal(row.number, row.values, exc))
        return None


def _has_year(session: Session, actor: Actor, measure: str, year: str) -> bool:
    """Whether the branch has a goal of ``measure`` for ``year`` already."""
    found = session.exec(
        select(Goal.id).where(
            col(Goal.measure) == measure,
            col(Goal.period) == year,
            col(Goal.holder) == f"branch:{actor.branch_id}",
        )
    ).first()
    return found is not None


def _service_admin(session: Session) -> Actor:
    """The service account acts as the first active admin (setting goals needs someone)."""
    conn = session.connection()
    login = first_admin_login(conn)
    if login is None:
        raise InvalidInput(t("cli.no_admin"))
    return find_actor(conn, login)
