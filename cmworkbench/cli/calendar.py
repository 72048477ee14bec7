"""``cmw calendar``: whether the branch calendar knows the holidays of the years it needs, and
the admin's entry of a year the ``chinese-calendar`` package does not know yet.

``check`` lists last year, this year and next with who knows their holidays (the package, the
admin, nobody) and exits 1 when a needed year (this one, and from 1 December the next) is
known by nobody. ``set YEAR --holidays … --workdays …`` stores the year's public holidays and
make-up working days (调休) as the State Council's notice gives them: dates or ranges
(``2027-02-06..2027-02-12``) separated by commas; the admin's year wins over the package's,
and the open tickets' deadlines are recomputed. The rules are
:mod:`cmworkbench.services.ops.calendar`'s.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import date, timedelta

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_as,
    add_json,
    print_json,
    print_table,
    run_as,
)
from cmworkbench.config import Settings

MOST_DAYS = 366


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``calendar check|set``."""
    t = i18n.t
    group = commands.add_parser("calendar", parents=[common], help=t("cli.help.calendar"))
    actions = group.add_subparsers(dest="calendar_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", parents=[common], help=t("cli.help.calendar_check"))
    add_json(check)
    put = actions.add_parser("set", parents=[common], help=t("cli.help.calendar_set"))
    put.add_argument("year", type=int, metavar="YEAR")
    put.add_argument("--holidays", required=True, metavar="DATES", help=t("cli.help.dates"))
    put.add_argument("--workdays", default="", metavar="DATES", help=t("cli.help.dates"))
    add_as(put, dest="login_as")
    add_json(put)
    return {"calendar": _calendar}


def _calendar(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.ops.calendar import check, set_year
    from cmworkbench.services.workbench import open_engine

    if args.calendar_action == "set":
        holidays = parse_days(args.holidays, "--holidays")
        workdays = parse_days(args.workdays, "--workdays")
        run_as(settings, args.login_as, set_year, settings=settings, year=args.year,
               holidays=holidays, workdays=workdays)  # fmt: skip
        print(i18n.t("cli.calendar.set", year=args.year, holidays=len(set(holidays)),
                     workdays=len(set(workdays))))  # fmt: skip
        return EXIT_OK
    open_engine(settings).dispose()  # opening it loads the years the admin entered
    found = check(settings=settings)
    if args.json:
        print_json({"years": [asdict(y) for y in found.years], "missing": found.missing})
    else:
        lines = [[y.year, i18n.t(f"cli.calendar.source.{y.source}")] for y in found.years]
        print_table(lines, ["cli.calendar.col.year", "cli.calendar.col.source"])
        if found.missing:
            print(warning(found.missing))
    return EXIT_FAILURE if found.missing else EXIT_OK


def parse_days(text: str, option: str) -> list[date]:
    """``2027-01-01,2027-02-06..2027-02-12``: dates and ranges separated by commas (or spaces);
    a bad part is a usage error naming it."""
    days: list[date] = []
    for part in text.replace("，", ",").replace(" ", ",").split(","):
        if not part:
            continue
        first, _, last = part.partition("..")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            raise UsageError(i18n.t("cli.calendar.bad_day", option=option, part=part)) from None
        if end < start or (end - start).days > MOST_DAYS:
            raise UsageError(i18n.t("cli.calendar.bad_range", option=option, part=part))
        days.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    return days


def warning(missing: list[int]) -> str:
    """The one line that says which needed years nobody knows the holidays of."""
    years = i18n.t("input.choice_joiner").join(str(year) for year in missing)
    return i18n.t("cli.calendar.missing", years=years)


def warn_if_uncovered(settings: Settings) -> None:
    """After a command that opened the database: one line on stderr when a year the branch
    calendar needs has no holidays (holidays would count as working days)."""
    from cmworkbench.services.core.calendar_years import missing

    if years := missing(settings):
        print(warning(years), file=sys.stderr)
