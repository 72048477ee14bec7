"""Overdue means one thing (issue 19): past the cadence's maximum is overdue (逾期) everywhere,
past the ideal is due (应联系).

Given, on Monday 2026-11-23 at 08:30, 张伟 (zhangwei) of 王芳's team with two A1 customers
(contact due 20 days after the last call, overdue after 30): 华东机械 (K1), last called 25 days
ago on 10-29, is due for 5 days with 11-28 as its last day; 西湖茶庄 (K2), last called 35 days
ago on 10-19, has been overdue for 5 days since its last day 11-18. When the day's tasks are
generated, then Today, task JSON, the 360 view, the overview counts, the team board and the
management report all say the same of each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta

import pytest
from conftest import Factory
from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Interaction, Staff
from cmworkbench.services.tasks.generate import generate
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]

TODAY = date(2026, 11, 23)
DUE, OVERDUE = "K1", "K2"


def a1_customer(f: Factory, owner: Staff, number: str, name: str, last_call_days_ago: int) -> None:
    """An A1 customer of a year's standing, its data verified today, last called
    ``last_call_days_ago`` days ago."""
    customer: Customer = f.customer(owner, number, name, cls="A1")
    customer.created_at = clock.now() - timedelta(days=365)
    customer.info_verified_at = clock.now()
    customer.directory_refreshed_at = clock.now()  # its staff directory too: not due
    f.session.add(customer)
    called = clock.now() - timedelta(days=last_call_days_ago)
    assert customer.id is not None and owner.id is not None
    f.session.add(
        Interaction(
            customer_id=customer.id,
            staff_id=owner.id,
            kind="call",
            status="done",
            outcome="reached",
            happened_at=called,
            created_at=called,
        )
    )


@pytest.fixture
def generated(frozen_clock: object, engine: Engine, settings: Settings, build: Build) -> None:
    """The team and the two customers, and the day's tasks generated."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=team)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        a1_customer(f, zhang, DUE, "华东机械", last_call_days_ago=25)
        a1_customer(f, zhang, OVERDUE, "西湖茶庄", last_call_days_ago=35)
    with engine.begin() as conn:
        created = generate(conn, settings, TODAY)
    assert created.created["contact"] == 2


def test_today_says_due_for_the_one_and_overdue_for_the_other(
    engine: Engine, settings: Settings, generated: None
) -> None:
    rows = {row.customer_no: row for row in login(engine, settings, "zhangwei").tasks.today()}
    assert set(rows) == {DUE, OVERDUE}
    assert (rows[DUE].state, rows[DUE].reason) == ("due", "A1 · 应联系 5 天 · 最迟 11-28")
    assert (rows[OVERDUE].state, rows[OVERDUE].reason) == ("overdue", "A1 · 逾期 5 天")
    assert rows[OVERDUE].score > rows[DUE].score, "the overdue customer comes first"
    last_day = rows[DUE].deadline_at
    assert last_day is not None and last_day.astimezone(clock.branch_tz()).date() == date(
        2026, 11, 28
    )


def test_task_json_gives_the_state_and_the_last_day(
    engine: Engine, generated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    now = ["--now", "2026-11-23T08:30"]
    assert main(["--db", url, *now, "tasks", "--as", "zhangwei", "--json"]) == 0
    rows = {row["customer_no"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[DUE]["state"] == "due" and rows[DUE]["deadline"].startswith("2026-11-28T")
    assert rows[OVERDUE]["state"] == "overdue"
    assert rows[OVERDUE]["deadline"].startswith("2026-11-18T")


def test_the_360_view_says_the_same(engine: Engine, settings: Settings, generated: None) -> None:
    view = login(engine, settings, "zhangwei").customers.view
    due, overdue = view(DUE).next_contact, view(OVERDUE).next_contact
    assert due is not None and overdue is not None
    assert (due.due, due.overdue, due.overdue_on) == (True, False, date(2026, 11, 28))
    assert (overdue.due, overdue.overdue, overdue.overdue_on) == (True, True, date(2026, 11, 18))


def test_the_overview_counts_and_the_team_board_say_the_same(
    engine: Engine, settings: Settings, generated: None
) -> None:
    counts = login(engine, settings, "zhangwei").reports.overview()
    assert (counts.tasks_due, counts.tasks_overdue) == (2, 1)
    lead = login(engine, settings, "wangfang")
    [zhang] = [row for row in lead.staff.board() if row.login == "zhangwei"]
    assert (zhang.due_today, zhang.overdue) == (1, 1)
    late = {task.customer_no: task.overdue for task in lead.staff.tasks_of("zhangwei")}
    assert late == {DUE: False, OVERDUE: True}


def test_the_report_covers_the_due_customer_and_counts_the_overdue_task(
    engine: Engine, settings: Settings, generated: None
) -> None:
    reports = login(engine, settings, "zhangwei").reports
    november = (date(2026, 11, 1), date(2026, 11, 30))
    coverage = {row.ref: row.numerator for row in reports.drill("coverage", *november)}
    assert coverage == {DUE: 1, OVERDUE: 0}, "covered = not overdue"
    late = {row.ref: row.numerator for row in reports.drill("tasks_overdue", *november)}
    assert late == {OVERDUE: 1}, "K1's task is not decided before its last day, 11-28"
    total = reports.report("manager", *november).total
    assert (total.figure("coverage").numerator, total.figure("coverage").denominator) == (1, 2)
    assert total.figure("tasks_overdue").numerator == 1
