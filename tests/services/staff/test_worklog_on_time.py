"""The work log is on time on its day (issue 22 item 3): a log counts as on time when it is
submitted before the cut-off (default: the next working day's start of business, 08:30);
later it counts as late, and the report shows the two apart.

The team: 王芳 (supervisor), 张伟 and 李娜 (managers), from Monday 2026-11-23.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings, WorklogSettings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.services.reports import report as reports
from cmworkbench.services.staff.directory import actor_for_login
from cmworkbench.services.staff.worklog import missing_for_team, save, submit

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)

Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def team(frozen_clock: object, build: Build) -> None:
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=group)
        f.staff(branch, "zhangwei", "张伟", team=group)
        f.staff(branch, "lina", "李娜", team=group)


def log(engine: Engine, login: str, day: date, at: str) -> None:
    """``login`` writes and submits the log of ``day`` at ``at`` (branch time)."""
    clock.freeze(at)
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login=login)
        save(session=session, actor=actor, day=day, content=f"{day} 外呼 30 户", version=0)
        submit(session=session, actor=actor, day=day, version=1)


def worklog(engine: Engine, login: str, at: str, settings: Settings | None = None) -> Any:
    """The work-log figure of ``login`` over Monday–Friday, seen at ``at``."""
    clock.freeze(at)
    with unit_of_work(engine) as session:
        report = reports.report(
            session=session,
            actor=actor_for_login(session=session, login=login),
            settings=settings or Settings(),
            name="manager",
            start=MONDAY,
            end=FRIDAY,
        )
    return report.total.figure("worklog")


def parts(figure: Any) -> dict[str, tuple[float, float]]:
    return {p.key: (p.numerator, p.denominator) for p in figure.parts}


def test_backfilling_four_days_on_the_fifth_gives_four_late_logs(
    engine: Engine, team: None
) -> None:
    for n in range(4):
        log(engine, "zhangwei", MONDAY + timedelta(days=n), "2026-11-27T10:00")
    figure = worklog(engine, "zhangwei", "2026-11-27T10:05")
    # Friday's own log is due by Monday 08:30: not decided yet, so not counted
    assert (figure.numerator, figure.denominator) == (0, 4)
    assert parts(figure) == {"late": (0, 4)}


def test_a_log_is_on_time_until_the_next_working_days_opening(engine: Engine, team: None) -> None:
    log(engine, "lina", MONDAY, "2026-11-23T17:30")  # on its day
    log(engine, "lina", MONDAY + timedelta(days=1), "2026-11-25T08:25")  # before Wed 08:30
    log(engine, "lina", MONDAY + timedelta(days=2), "2026-11-26T08:35")  # after Thu 08:30
    # Thursday's log not in by Friday 08:30: missing
    figure = worklog(engine, "lina", "2026-11-27T10:00")
    assert (figure.numerator, figure.denominator) == (2, 4)
    assert parts(figure) == {"on_time": (2, 2), "late": (0, 1), "missing": (0, 1)}


def test_friday_s_log_is_on_time_until_monday_morning(engine: Engine, team: None) -> None:
    log(engine, "lina", FRIDAY, "2026-11-30T08:20")  # the next working day is Monday
    figure = worklog(engine, "lina", "2026-11-30T10:00")
    assert parts(figure)["on_time"] == (1, 1)


def test_the_cut_off_is_configured(engine: Engine, team: None) -> None:
    settings = Settings(worklog=WorklogSettings(cutoff="18:00"))
    log(engine, "lina", MONDAY, "2026-11-23T17:30")
    log(engine, "lina", MONDAY + timedelta(days=1), "2026-11-24T19:00")
    figure = worklog(engine, "lina", "2026-11-24T19:05", settings)
    assert parts(figure) == {"on_time": (1, 1), "late": (0, 1)}


def test_the_supervisors_not_submitted_list_is_as_of_the_cut_off(
    engine: Engine, team: None
) -> None:
    log(engine, "lina", MONDAY, "2026-11-23T17:00")
    log(engine, "zhangwei", MONDAY, "2026-11-24T09:30")  # after Tuesday's opening
    clock.freeze("2026-11-24T10:00")
    with unit_of_work(engine) as session:
        lead = actor_for_login(session=session, login="wangfang")
        lines = missing_for_team(session=session, actor=lead, day=MONDAY)
    assert [(line.login, line.late_at) for line in lines] == [
        ("zhangwei", clock.parse_instant("2026-11-24T09:30"))
    ]


def test_a_log_submitted_two_days_late_is_late_in_the_drill_down(
    database_url: str, engine: Engine, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    log(engine, "zhangwei", MONDAY, "2026-11-25T16:00")
    clock.freeze("2026-11-25T16:05")
    command = "report manager --as zhangwei --from 2026-11-23 --to 2026-11-27 --drill worklog"
    assert main(["--db", database_url, *shlex.split(command), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    monday = [r for r in rows if r["day"] == "2026-11-23"]
    assert [(r["group"], r["numerator"], r["denominator"]) for r in monday] == [("late", 0, 1)]
    assert "2026-11-25 16:00" in monday[0]["detail"]
