"""cmw today: the day's plan on the command line (issue 19, item 5).

Given 张伟 (zhangwei), a customer manager (30 calls and 6 meetings a day by default), on Monday
2026-11-23 at 08:30 with 40 maturity calls due since 11-01 (one a customer, all B1, a minute
apart, deadline at the end of the year), two visits at 10:00 and 15:00 in his approved plan
for the week, the last call turned into a call-back agreed for 14:30 and the first one
reached already, when he runs ``cmw today``, then the fixed items come first, then the 29
calls that fit beside the call-back, and the other 9 calls wait in the backlog, 22 days old.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

import pytest
from conftest import MONDAY_MORNING, Factory
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]
CALLS = 40
NOW = ["--now", MONDAY_MORNING]


def at(hm: str) -> datetime:
    return clock.parse_instant(f"2026-11-23T{hm}")


@pytest.fixture
def book(frozen_clock: datetime, build: Build, engine: Engine, settings: Settings) -> list[int]:
    """张伟's day as the module doc tells it; returns the calls' task ids, most urgent first."""
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        calls = f.maturity_calls(zhang, CALLS)
        plan = f.visit_plan(zhang, "2026-W48", status="approved")
        for hour, customer_no in ((10, "V0001"), (15, "V0002")):
            customer = f.customer(zhang, customer_no, f"拜访客户{hour}", cls="A1")
            f.planned_visit(plan, customer, f"2026-11-23T{hour}:00")
    bench = login(engine, settings, "zhangwei")
    bench.tasks.log_call(calls[-1], "call_back", call_back_at=at("14:30"))
    bench.tasks.log_call(calls[0], "reached")
    return calls


def kept_plans(engine: Engine) -> tuple[int, int]:
    """Rows in day_plan and day_plan_item."""
    with engine.connect() as conn:
        plans = conn.execute(text("SELECT count(*) FROM day_plan")).scalar_one()
        items = conn.execute(text("SELECT count(*) FROM day_plan_item")).scalar_one()
    return int(plans), int(items)


def run(database_url: str, *argv: str) -> int:
    try:
        return main(["--db", database_url, *NOW, *argv])
    except SystemExit as exc:  # argparse refuses before the command runs
        return int(exc.code or 0)


def test_the_json_is_the_fixed_items_then_the_plan_then_the_backlog_counted(
    database_url: str, engine: Engine, book: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "today", "--as", "zhangwei", "--json") == 0
    day = json.loads(capsys.readouterr().out)
    assert day["day"] == "2026-11-23"
    sections = [row["section"] for row in day["rows"]]
    assert sections == ["fixed"] * 3 + ["plan"] * 29, "fixed first, then the plan"
    fixed = day["rows"][:3]
    assert [(row["item"], row["kind"], row["at"]) for row in fixed] == [
        ("visit", "visit", "2026-11-23T10:00:00+08:00"),
        ("task", "call_back", "2026-11-23T14:30:00+08:00"),
        ("visit", "visit", "2026-11-23T15:00:00+08:00"),
    ]
    assert fixed[0]["task_id"] is None and fixed[0]["ref"]
    assert fixed[0]["customer_name"] == "拜访客户10"
    assert fixed[1]["task_id"] and fixed[1]["ref"] is None
    planned = day["rows"][3:]
    # The 29 most urgent calls left: the first was reached, the last is the call-back's.
    assert [row["task_id"] for row in planned] == book[1:30]
    assert planned[0]["customer_no"] == "C0001" and planned[0]["at"] is None
    assert planned[0]["state"] == "due" and planned[0]["reason"]
    assert planned[0]["deadline_at"] == "2026-12-31T09:00:00+08:00"
    assert day["capacity"] == {
        "calls": 30,
        "meetings": 6,
        "planned_calls": 30,
        "planned_meetings": 2,
    }
    assert day["done_today"] == 1
    # 40 calls: 1 done, 1 continued by the call-back, 29 planned: 9 wait, due since 11-01.
    assert day["backlog"] == {"total": 9, "by_kind": {"maturity": {"count": 9, "oldest_days": 22}}}
    assert kept_plans(engine) == (1, 29), "today's first look keeps the plan"


def test_the_table_shows_the_fixed_items_the_plan_the_capacity_and_the_backlog(
    database_url: str, book: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "today", "--as", "zhangwei") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    visit = next(n for n, line in enumerate(lines) if "10:00" in line and "拜访客户10" in line)
    call_back = next(n for n, line in enumerate(lines) if line.startswith("14:30"))
    first_planned = next(n for n, line in enumerate(lines) if "C0001 客户0001" in line)
    assert visit < call_back < first_planned, "fixed items first, by time, then the plan"
    assert out.count("C0039") == 1, "the call continued by the call-back is the call-back"
    assert "回电" in lines[call_back]
    assert "电话 30/30，面谈 2/6" in out and "今日已办：1" in out
    assert "积压：9 项" in out
    backlog = next(line for line in lines if line.startswith("到期提醒"))
    assert backlog.split() == ["到期提醒", "9", "22"]


def test_another_day_is_computed_and_nothing_is_written(
    database_url: str, engine: Engine, book: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "today", "--as", "zhangwei", "--date", "2026-11-24", "--json") == 0
    tomorrow = json.loads(capsys.readouterr().out)
    assert tomorrow["day"] == "2026-11-24"
    assert [row["task_id"] for row in tomorrow["rows"] if row["section"] == "plan"] == book[1:31]
    assert tomorrow["backlog"]["by_kind"]["maturity"] == {"count": 8, "oldest_days": 23}
    assert kept_plans(engine) == (0, 0), "another day's plan is never stored"
    assert run(database_url, "today", "--as", "zhangwei", "--date", "2026-11-20") == 0
    assert kept_plans(engine) == (0, 0)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(["today", "--as", "nobody"], "nobody", id="unknown-login"),
        pytest.param(
            ["today", "--as", "zhangwei", "--date", "2026-13-01"], "--date", id="bad-date"
        ),
        pytest.param(["today", "--as", "zhangwei", "--date", "23/11"], "23/11", id="not-a-date"),
    ],
)
def test_a_bad_login_or_date_is_one_line_and_exit_2(
    database_url: str,
    engine: Engine,
    book: list[int],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    fragment: str,
) -> None:
    assert run(database_url, *argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert captured.out == ""
    assert kept_plans(engine) == (0, 0)


def test_cmw_tasks_says_each_rows_section_in_the_days_order(
    database_url: str, book: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "tasks", "--as", "zhangwei", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    sections = [row["section"] for row in rows]
    # Tasks only (visits are not tasks): the call-back, 29 planned calls, 9 in the backlog.
    assert sections == ["fixed"] + ["plan"] * 29 + ["backlog"] * 9
    assert rows[0]["kind"] == "call_back"
