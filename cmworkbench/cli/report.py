"""``cmw report``: the management report per manager, team or branch, and its drill-down.

The figures come from :mod:`cmworkbench.services.reports.report`, the same the Dashboard
shows; files are written by :mod:`cmworkbench.services.core.spreadsheet`.

Output: ``table`` (:func:`~cmworkbench.cli.common.table`, the figures as formatted),
``csv`` and ``json`` (stdout unless ``-o``), ``xlsx`` (``-o`` needed). The report is one row
per group and figure (plus one per class for coverage and freshness); ``--drill FIGURE``
lists the records behind one figure instead, whose numerators and denominators sum to it.

``cmw report leaderboard [--date D] [--measure M] [--drill LOGIN]``: the morning leaderboard
(:mod:`cmworkbench.services.goals.leaderboard`), short enough to read aloud and no wider than
80 columns: the managers, the teams, the referrers; ``--drill LOGIN`` lists the records behind
a manager's month result.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

from cmworkbench import clock, i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_as,
    date_arg,
    json_text,
    output_target,
    own_workbench,
    table,
    table_time,
)
from cmworkbench.config import Settings
from cmworkbench.domain.enums import RETENTION_RESULTS
from cmworkbench.services.goals.schemas import (
    amount_text,
    change_text,
    measure_label,
    share_text,
)
from cmworkbench.services.reports.schemas import NAMES, figure_about
from cmworkbench.services.reports.schemas import format_value as shown

if TYPE_CHECKING:
    from cmworkbench.services.goals.schemas import (
        GoalRecord,
        Leaderboard,
        LeaderLine,
        ReferrerRank,
    )
    from cmworkbench.services.reports.schemas import DrillRow, Figure, FigurePart, Report

FORMATS = ("table", "csv", "xlsx", "json")
LEADERBOARD = "leaderboard"
"""The report name of the morning leaderboard (not a breakdown of the figures)."""
REPORT_COLUMNS = (
    "group",
    "figure",
    "label",
    "value",
    "unit",
    "numerator",
    "denominator",
    "target",
    "below",
)
DRILL_COLUMNS = (
    "owner",
    "group",
    "ref",
    "name",
    "day",
    "numerator",
    "denominator",
    "detail",
)


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``report``."""
    t = i18n.t
    report = commands.add_parser("report", parents=[common], help=t("cli.help.report"))
    report.add_argument(
        "name",
        choices=(*NAMES, LEADERBOARD),
        metavar="NAME",
        help=t("cli.help.report_name") + t("cli.help.report_leaderboard"),
    )
    period = report.add_mutually_exclusive_group()
    period.add_argument("--month", metavar="YYYY-MM", help=t("cli.help.report_month"))
    period.add_argument(
        "--from", dest="start", type=date_arg, metavar="D", help=t("cli.help.from_day")
    )
    report.add_argument("--to", dest="end", type=date_arg, metavar="D", help=t("cli.help.to_day"))
    who = report.add_mutually_exclusive_group()
    who.add_argument("--team", metavar="T", help=t("cli.help.report_team"))
    who.add_argument("--staff", metavar="LOGIN", help=t("cli.help.report_staff"))
    report.add_argument("--format", choices=FORMATS, default="table", help=", ".join(FORMATS))
    report.add_argument("-o", "--output", metavar="FILE", help=t("cli.help.output"))
    report.add_argument("--force", action="store_true", help=t("cli.help.force_output"))
    report.add_argument("--drill", metavar="FIGURE", help=t("cli.help.report_drill"))
    report.add_argument(
        "--date", dest="day", type=date_arg, metavar="YYYY-MM-DD", help=t("cli.help.report_date")
    )
    report.add_argument("--measure", metavar="M", help=t("cli.help.report_measure"))
    report.add_argument("--json", action="store_true", help=t("cli.help.report_json"))
    add_as(report)
    return {"report": _report}


def period(args: argparse.Namespace) -> tuple[date, date]:
    """The period asked for: ``--month``, ``--from``/``--to``, or the running month."""
    from cmworkbench.services.reports.schemas import month_period

    if args.start or args.end:
        if not (args.start and args.end):
            raise UsageError(i18n.t("cli.report.from_and_to"))
        return args.start, args.end
    return month_period(args.month or clock.today().strftime("%Y-%m"))


def _report(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw report NAME …``."""
    if args.json:
        args.format = "json"
    if args.name == LEADERBOARD:
        return leaderboard_command(args, settings)
    for option, given in (("--date", args.day), ("--measure", args.measure)):
        if given:
            raise UsageError(i18n.t("cli.report.leaderboard_only", option=option))
    if args.output == "-":
        args.output = None  # stdout
    if args.format == "xlsx" and not args.output:
        raise UsageError(i18n.t("cli.report.xlsx_needs_output"))
    if args.output:  # checked before the work: never the database, nothing overwritten
        args.output = output_target(args, settings)
    start, end = period(args)
    workbench = own_workbench(settings, args.login)
    scope = {"team": args.team, "staff_login": args.staff}
    if args.drill:
        rows = workbench.reports.drill(args.drill, start, end, **scope)
        _drill_out(args, rows, figure_about(args.drill))
    else:
        report = workbench.reports.report(args.name, start, end, **scope)
        _report_out(args, report)
    return EXIT_OK


# -- formatting ------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _report_rows(report: Report, *, for_people: bool) -> list[list[Any]]:
    """One row per group and figure, then one per breakdown (class) of the figure."""
    rows: list[list[Any]] = []
    groups = report.groups if report.name == "branch" else (*report.groups, report.total)
    for group in groups:
        name = group.name if group is not report.total else i18n.t("report.total")
        for figure in group.figures:
            rows.append(_figure_row(name, figure, figure.key, for_people))
            for part in [p for p in figure.parts if _shown_parts(figure.key, p.key)]:
                key = f"{figure.key}.{part.key}"
                num, den, value = part.numerator, part.denominator, part.value
                if figure.key in _SHARE_PARTS:  # how many records fell in each part
                    num, den = part.denominator, figure.denominator
                    value = num / den if den else None
                rows.append(
                    _figure_row(
                        name,
                        figure,
                        key,
                        for_people,
                        value,
                        num,
                        den,
                        label=f"  {_part_label(part.key)}",
                        part=part,
                    )
                )
            if figure.oldest_days is not None:
                rows.append(_oldest_row(name, figure, for_people))
    return rows


def _oldest_row(group: str, figure: Figure, for_people: bool) -> list[Any]:
    """How long the oldest record of a waiting figure has waited (days), under it."""
    text = i18n.t("report.part.oldest")
    days = figure.oldest_days
    if for_people:
        return [group, f"  {text}", shown(days, "days"), "", "", "", ""]
    rounded = None if days is None else round(days, 4)
    return [group, f"{figure.key}.oldest", text, rounded, "days", None, None, None, False]


_LABELLED_PARTS = ("old_scale", "on_time", "late", "missing", *RETENTION_RESULTS)
_SHARE_PARTS = ("worklog", "retention", "post_loan_on_time")
"""Figures whose parts are shown as a share of all its records (on time 18/20), not as a
rate within the part."""


def _part_label(part: str | None) -> str:
    return i18n.t(f"report.part.{part}") if part in _LABELLED_PARTS else str(part)


_BY_CLASS = ("coverage", "freshness", "data_completeness", "data_accuracy", "data_compliance")
_BY_REFERRER = ("referral_contacted", "referral_conversion")
"""Referral figures are broken down by the referrer: who brings business."""
_BY_STAGE = ("pipeline_value", "stage_days")
_BY_PRODUCT = ("won_value", "win_rate")
"""The pipeline's figures by step (in the pipeline's order) and by product."""
_CREDIT = ("credit_files", "credit_sign_days")
"""The credit files by state (in the order a file goes), the days to sign by risk manager."""


def _shown_parts(figure: str, part: str | None) -> bool:
    """The breakdowns a report lists under a figure: coverage, freshness and the data
    quality by class (accuracy with each class's own target), the
    work logs on time, late and missing, the retention talks by result and the post-loan
    checks on time, late and not done (each a share of the figure's records), the referrals
    by referrer, the pipeline by step or product, the credit files by state and the days to
    sign by risk manager, and how many of the satisfaction answers are on the old scale."""
    shown_parts = (*_BY_CLASS, *_BY_REFERRER, *_BY_STAGE, *_BY_PRODUCT, *_CREDIT, *_SHARE_PARTS)
    return figure in shown_parts or part == "old_scale"


def _figure_row(
    group: str,
    figure: Figure,
    key: str,
    for_people: bool,
    value: float | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    *,
    label: str | None = None,
    part: FigurePart | None = None,
) -> list[Any]:
    whole = numerator is None
    value = figure.value if whole else value
    num = figure.numerator if numerator is None else numerator
    den = figure.denominator if denominator is None else denominator
    below = figure.below_target if whole else part is not None and part.below_target
    # a part with a target of its own (accuracy by class) shows it; other parts show none
    goal = figure.target if whole else part.target if part is not None else None
    text = label or i18n.t(f"report.figure.{figure.key}")
    if for_people:
        target = shown(goal, figure.unit) if goal is not None else ""
        return [
            group,
            text,
            shown(value, figure.unit),
            _number(num),
            _number(den),
            target,
            "✗" if below else "",
        ]
    rounded = None if value is None else round(value, 4)
    return [
        group,
        key,
        text.strip(),
        rounded,
        figure.unit,
        _number(num),
        _number(den),
        goal,
        below,
    ]


def _drill_rows(rows: list[DrillRow]) -> list[list[Any]]:
    return [
        [
            r.owner_login,
            r.group,
            r.ref,
            r.name,
            r.day,
            _number(r.numerator),
            _number(r.denominator),
            r.detail,
        ]
        for r in rows
    ]


def _report_out(args: argparse.Namespace, report: Report) -> None:
    if args.format == "json":
        _write_text(args, json_text(asdict(report)))
        return
    if args.format == "table":
        columns = ("group", "figure", "value", "numerator", "denominator", "target", "below")
        title = i18n.t(
            "cli.report.title",
            scope=report.scope,
            start=report.start,
            end=report.end,
            as_of=table_time(report.as_of),
        )
        rows = _report_rows(report, for_people=True)
        keys = [f"report.col.{c}" for c in columns]
        _write_text(args, title + "\n" + table(rows, keys, numbers=False))
        return
    header = [i18n.t(f"report.col.{c}") for c in REPORT_COLUMNS]
    _write_file(args, header, _report_rows(report, for_people=False))


def _drill_out(args: argparse.Namespace, rows: list[DrillRow], about: str = "") -> None:
    if args.format == "json":
        _write_text(args, json_text([asdict(r) for r in rows]))
        return
    if args.format == "table":
        num = sum(r.numerator for r in rows)
        den = sum(r.denominator for r in rows)
        total = i18n.t(
            "cli.report.drill_total", n=len(rows), numerator=_number(num), denominator=_number(den)
        )
        keys = [f"report.col.{c}" for c in DRILL_COLUMNS]
        lines = [table(_drill_rows(rows), keys, numbers=False), total]
        _write_text(args, "\n".join([*lines, about] if about else lines))
        return
    _write_file(args, [i18n.t(f"report.col.{c}") for c in DRILL_COLUMNS], _drill_rows(rows))


def _write_text(args: argparse.Namespace, content: str) -> None:
    if not args.output:
        print(content)
        return
    from cmworkbench.services.core.output import write_text

    write_text(args.output, content + "\n")


def _write_file(args: argparse.Namespace, header: list[str], rows: list[list[Any]]) -> None:
    from cmworkbench.services.core.spreadsheet import write_csv, write_xlsx

    if args.format == "csv" and not args.output:
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
        return
    write = write_xlsx if args.format == "xlsx" else write_csv
    count = write(args.output, header, rows)
    print(i18n.t("cli.report.written", n=count, path=args.output.path), file=sys.stderr)


# -- the morning leaderboard -----------------------------------------------------------------

NAME_CELLS, TEAM_CELLS, WHAT_CELLS = 8, 14, 16
"""Cells a name, a team and a record's description get, so a line fits 80 columns."""


def leaderboard_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw report leaderboard [--date D] [--measure M] [--drill LOGIN]``."""
    options = (
        ("--month", args.month),
        ("--from", args.start),
        ("--to", args.end),
        ("--team", args.team),
        ("--staff", args.staff),
        ("--format", args.format not in ("table", "json")),
    )
    for option, given in options:
        if given:
            raise UsageError(i18n.t("cli.report.not_for_leaderboard", option=option))
    if args.output == "-":
        args.output = None
    if args.output:
        args.output = output_target(args, settings)
    workbench = own_workbench(settings, args.login)
    if args.drill:
        rows = workbench.goals.leaderboard_drill(args.measure, args.drill, args.day)
        text = json_text([asdict(r) for r in rows]) if args.format == "json" else _records(rows)
    else:
        board = workbench.goals.leaderboard(args.day, args.measure)
        text = json_text(asdict(board)) if args.format == "json" else _board(board)
    _write_text(args, text)
    return EXIT_OK


def fit(text: str | None, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells (a Chinese character takes two), with ``…``."""
    from wcwidth import wcswidth

    text = text or ""
    if wcswidth(text) <= cells:
        return text
    while text and wcswidth(text) > cells - 1:
        text = text[:-1]
    return text + "…"


def _rank(rank: int | None, mine: bool) -> str:
    return ("*" if mine else "") + ("—" if rank is None else str(rank))


def _board(board: Leaderboard) -> str:
    """The leaderboard as text to read aloud: a title, the managers, the teams, the
    referrers."""
    t = i18n.t
    title = t(
        "cli.report.leaderboard_title",
        day=board.day,
        yesterday=board.yesterday,
        first=board.first,
        through=board.through,
    )
    how = (
        t("cli.report.leaderboard_measure", measure=measure_label(board.measure))
        if board.measure
        else t("cli.report.leaderboard_average")
    )
    parts = [title, how]
    if board.managers:
        rows = [_line(m, board.measure, fit(m.team, TEAM_CELLS)) for m in board.managers]
        parts += ["", _table(rows, ("rank", "change", "manager", "team"), board.measure)]
    if board.teams:
        rows = [_line(m, board.measure) for m in board.teams]
        parts += ["", t("cli.report.leaderboard_teams")]
        parts.append(_table(rows, ("rank", "change", "team"), board.measure))
    parts += ["", t("cli.report.leaderboard_referrers")]
    if board.referrers:
        parts.append(
            table(
                [_referrer(r) for r in board.referrers],
                [f"leaderboard.col.{c}" for c in _REFERRER_COLUMNS],
                numbers=False,
            )
        )
    else:
        parts.append(t("cli.report.leaderboard_none"))
    mine = [line.mine for line in (*board.managers, *board.teams)]
    if any(mine) or any(r.mine for r in board.referrers):
        parts += ["", t("cli.report.leaderboard_mine")]
    return "\n".join(parts)


_REFERRER_COLUMNS = ("rank", "change", "referrer", "team", "converted", "made")


def _table(rows: list[list[str]], first: tuple[str, ...], measure: str | None) -> str:
    figures = ("goal", "month", "share", "yesterday") if measure else ("share", "yesterday")
    return table(rows, [f"leaderboard.col.{c}" for c in (*first, *figures)], numbers=False)


def _line(line: LeaderLine, measure: str | None, team: str | None = None) -> list[str]:
    """rank, change, name (and team), then the share and yesterday's (a measure: its goal,
    the month's amount, the share and yesterday's amount). A team's line: no ``team``."""
    name = fit(line.name, NAME_CELLS if team is not None else TEAM_CELLS)
    cells = [_rank(line.rank, line.mine), change_text(line.change), name]
    if team is not None:
        cells.append(team)
    if measure is None:
        gained = "" if line.gained is None else f"+{line.gained * 100:.1f}%"
        return [*cells, share_text(line.share), gained]
    one = line.measures[0]
    return [
        *cells,
        amount_text(measure, one.goal) if one.goal else "—",
        amount_text(measure, one.month),
        share_text(line.share),
        amount_text(measure, one.yesterday),
    ]


def _referrer(r: ReferrerRank) -> list[str]:
    return [
        _rank(r.rank, r.mine),
        change_text(r.change),
        fit(r.name, NAME_CELLS),
        fit(r.team, TEAM_CELLS),
        str(r.converted),
        str(r.made),
    ]


def _records(rows: list[GoalRecord]) -> str:
    """The records behind a manager's month result, then a line per measure."""
    cells = [
        [
            fit(measure_label(r.measure), TEAM_CELLS),
            r.day.isoformat() if r.day else "",
            r.customer_no,
            fit(r.name, TEAM_CELLS),
            fit(r.what, WHAT_CELLS),
            amount_text(r.measure, r.amount),
        ]
        for r in rows
    ]
    columns = ("measure", "day", "customer_no", "customer", "what", "amount")
    lines = [table(cells, [f"leaderboard.col.{c}" for c in columns], numbers=False)]
    for measure in dict.fromkeys(r.measure for r in rows):
        mine = [r for r in rows if r.measure == measure]
        lines.append(
            i18n.t(
                "cli.report.leaderboard_drill_total",
                measure=measure_label(measure),
                n=len(mine),
                amount=amount_text(measure, sum(r.amount for r in mine)),
            )
        )
    return "\n".join(lines)
