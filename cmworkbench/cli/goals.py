"""``cmw goals``: sales goals (销售目标) set for a year and broken down
(:mod:`cmworkbench.services.goals`). Named so they are not confused with the Dashboard's rate
``[targets]``.

``set MEASURE YEAR AMOUNT [--rule R]`` sets the branch's goal of a measure for a year and
breaks it down at once (months evenly, teams and managers by the rule, weeks by working days);
``breakdown MEASURE YEAR --rule R`` breaks it down again by another rule; ``adjust MEASURE
MONTH AMOUNT --login LOGIN | --team NAME`` changes one share of a month by hand, its siblings
taking up the difference; ``show [MEASURE] [--period P]`` lists the goals of a year, a month
or a week's part (``2026``, ``2026-11``, ``2026-11-W48``) the actor may see, branch → team →
managers. Amounts are passed as typed (``1200``, ``500万``): the services read them.

``--json``: ``show`` prints the goals as a list (measure, period, level, holder, name, login,
team, amount, rule, version); ``set`` / ``breakdown`` what was written (``written``) with the
year's goals and the branch's months; ``adjust`` the shares of the month that moved.

Who acts: ``--as LOGIN``, else the service account (the branch's IT administrator, as the
first active admin): setting goals is the branch head's or the admin's work, and a supervisor
adjusts their own team's managers ``--as`` themselves.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    branch_workbench,
    print_json,
    print_table,
)
from cmworkbench.config import Settings
from cmworkbench.services.goals.schemas import RULES

if TYPE_CHECKING:
    from cmworkbench.services.goals.facade import GoalsFacade
    from cmworkbench.services.goals.schemas import GoalChange, GoalOut

GOAL_COLUMNS = ("team", "manager", "amount", "rule")
MONTH_COLUMNS = ("month", "amount")
TEAM_COLUMNS = ("part", "year")


# -- the command line -------------------------------------------------------------------------


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``goals set|breakdown|adjust|show``."""
    t = i18n.t
    group = commands.add_parser("goals", parents=[common], help=t("cli.help.goals"))
    subs = group.add_subparsers(dest="goals_action", metavar="ACTION", required=True)

    def sub(name: str) -> Parser:
        parser: Parser = subs.add_parser(name, parents=[common], help=t(f"cli.help.goals_{name}"))
        add_as(parser)
        add_json(parser)
        return parser

    def measure(parser: Parser, *, optional: bool = False) -> None:
        parser.add_argument(
            "measure", nargs="?" if optional else None, metavar="MEASURE",
            help=t("cli.help.goals_measure"),
        )  # fmt: skip

    setting = sub("set")
    measure(setting)
    setting.add_argument("year", metavar="YEAR", help=t("cli.help.goals_year"))
    setting.add_argument("amount", metavar="AMOUNT", help=t("cli.help.goals_amount"))
    setting.add_argument("--rule", choices=RULES, help=t("cli.help.goals_rule"))
    again = sub("breakdown")
    measure(again)
    again.add_argument("year", metavar="YEAR", help=t("cli.help.goals_year"))
    again.add_argument("--rule", choices=RULES, required=True, help=t("cli.help.goals_rule"))
    adjust = sub("adjust")
    measure(adjust)
    adjust.add_argument("month", metavar="MONTH", help=t("cli.help.goals_month"))
    adjust.add_argument("amount", metavar="AMOUNT", help=t("cli.help.goals_share"))
    whose = adjust.add_mutually_exclusive_group(required=True)
    # --as already fills args.login: the manager adjusted is args.manager
    whose.add_argument("--login", dest="manager", metavar="LOGIN", help=t("cli.help.goals_login"))
    whose.add_argument("--team", metavar="NAME", help=t("cli.help.goals_team"))
    show = sub("show")
    measure(show, optional=True)
    show.add_argument("--period", metavar="P", help=t("cli.help.goals_period"))
    return {"goals": _goals}


# -- running it -------------------------------------------------------------------------------


def _goals(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw goals …``: one handler for every subcommand."""
    bench = branch_workbench(settings, args.login).goals
    action = args.goals_action
    if action == "show":
        goals = bench.show(args.measure, args.period)
        if args.json:
            print_json([asdict(g) for g in goals])
        else:
            _print_goals(goals, args.period or "")
    elif action == "adjust":
        change = bench.adjust(
            args.measure, args.month, args.amount, login=args.manager, team=args.team
        )
        if args.json:
            print_json(asdict(change))
        else:
            _print_adjusted(change, args.manager, args.team)
    else:
        if action == "set":
            change = bench.set(args.measure, args.year, args.amount, rule=args.rule)
        else:
            change = bench.breakdown(args.measure, args.year, args.rule)
        _print_written(bench, action, change, args.json)
    return EXIT_OK


# -- output -----------------------------------------------------------------------------------


def measure_label(measure: str) -> str:
    """``新增客户``; a category of products: ``产品开通·理财``."""
    base, _, category = measure.partition(".")
    text = i18n.label("goal_measure", base)
    return f"{text}·{i18n.label('product_kind', category)}" if category else text


def _amount(value: int) -> str:
    """``2,000,000,000``: thousands separated (yuan and counts alike)."""
    return f"{value:,}"


def _order(g: GoalOut) -> int:
    """Teams and managers in the order they were made (the holder's id): 一组, 二组 … 10组."""
    return int(g.holder.rpartition(":")[2])


def _who(g: GoalOut) -> str:
    return i18n.t("cli.goals.manager", name=g.name, login=g.login or "")


def _lines(goals: list[GoalOut]) -> list[list[Any]]:
    """One measure's goals of one period as table lines: the branch, then each team followed
    by its managers, then the managers in no team (or whose team the actor does not see)."""
    teams = sorted((g for g in goals if g.level == "team"), key=_order)
    staff = sorted((g for g in goals if g.level == "staff"), key=_order)
    lines: list[list[Any]] = []

    def line(first: str, second: str, g: GoalOut) -> None:
        lines.append([first, second, _amount(g.amount), i18n.label("goal_rule", g.rule)])

    for g in goals:
        if g.level == "branch":
            line(g.name, "", g)
    shown = set()
    for team in teams:
        line(team.name, "", team)
        for g in staff:
            if g.team == team.name:
                line("", _who(g), g)
                shown.add(g.holder)
    for g in staff:
        if g.holder not in shown:
            line("", _who(g), g)
    return lines


def _print_goals(goals: list[GoalOut], period: str) -> None:
    """Per measure and period, a heading line and its table."""
    if not goals:
        print(i18n.t("cli.goals.none", period=period or i18n.t("cli.goals.this_year")))
        return
    groups: dict[tuple[str, str], list[GoalOut]] = {}
    for g in goals:
        groups.setdefault((g.measure, g.period), []).append(g)
    for n, ((measure, at), members) in enumerate(groups.items()):
        if n:
            print()
        print(i18n.t("cli.goals.heading", measure=measure_label(measure), period=at))
        print_table(_lines(members), [f"cli.goals.col.{c}" for c in GOAL_COLUMNS])


def _print_written(bench: GoalsFacade, action: str, change: GoalChange, as_json: bool) -> None:
    """What ``set`` / ``breakdown`` wrote: the year, the branch's months, the teams' years."""
    from cmworkbench.domain.goals import months  # the year's months, as the service has them

    year = bench.show(change.measure, change.period)
    month_goals = [
        g
        for month in months(int(change.period))
        for g in bench.show(change.measure, month)
        if g.level == "branch"
    ]
    if as_json:
        print_json(
            {
                "measure": change.measure,
                "period": change.period,
                "written": change.written,
                "goals": [asdict(g) for g in (*year, *month_goals)],
            }
        )
        return
    whole = next((g for g in year if g.level == "branch"), None)
    # the teams and the managers in no team: the branch's direct parts
    parts = sorted(
        (g for g in year if g.level == "team" or (g.level == "staff" and g.team is None)),
        key=lambda g: (g.level != "team", _order(g)),
    )
    rule = next((g.rule for g in parts), "")
    print(
        i18n.t(
            f"cli.goals.{action}_done",
            year=change.period,
            measure=measure_label(change.measure),
            amount=_amount(whole.amount if whole else 0),
            rule=i18n.label("goal_rule", rule),
            written=f"{change.written:,}",
        )
    )
    print()
    month_lines = [[g.period, _amount(g.amount)] for g in month_goals]
    print_table(month_lines, [f"cli.goals.col.{c}" for c in MONTH_COLUMNS])
    print()
    team_lines = [[g.name if g.level == "team" else _who(g), _amount(g.amount)] for g in parts]
    print_table(team_lines, [f"cli.goals.col.{c}" for c in TEAM_COLUMNS])


def _print_adjusted(change: GoalChange, login: str | None, team: str | None) -> None:
    """The line saying whose share changed, and the shares of that month that moved."""
    if not change.changed:
        print(i18n.t("cli.goals.adjust_none", month=change.period))
        return
    mine = next(
        (
            g
            for g in change.changed
            if (login and g.login == login.strip())
            or (team and g.level == "team" and g.name == team.strip())
        ),
        change.changed[0],
    )
    print(
        i18n.t(
            "cli.goals.adjust_done",
            month=change.period,
            measure=measure_label(change.measure),
            who=_who(mine) if mine.level == "staff" else mine.name,
            amount=_amount(mine.amount),
            others=len(change.changed) - 1,
        )
    )
    print_table(_lines(list(change.changed)), [f"cli.goals.col.{c}" for c in GOAL_COLUMNS])
