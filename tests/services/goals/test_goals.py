"""Sales goals in the branch's words (issue 28): a year's goal of 1,200 new customers broken
down evenly is 100 a month, December's 100 is shared over its weeks by working days, every
team's and manager's parts sum to their whole, and a manual change to one manager's share
keeps the team's total."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid

SETTINGS = Settings()


@pytest.fixture
def branch(engine: Engine, build: Any) -> Iterator[None]:
    """Team 一 (陈主管: 王芳, 张伟, 李强) and team 二 (赵主管: 孙丽); 行长 (head)."""
    clock.freeze("2026-11-23T09:00")
    with build() as f:
        home = f.branch()
        one, two = f.team(home), f.team(home)
        for login, name in (("wangfang", "王芳"), ("zhangwei", "张伟"), ("liqiang", "李强")):
            f.staff(home, login, name, team=one)
        f.staff(home, "sunli", "孙丽", team=two)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=one)
        f.staff(home, "zhaozg", "赵主管", role="supervisor", team=two)
        f.staff(home, "head", "行长", role="branch_head")
    yield


def amounts(goals: list[Any], period: str, level: str) -> dict[str, int]:
    return {g.holder: g.amount for g in goals if g.period == period and g.level == level}


def test_1200_new_customers_a_year_broken_down_evenly(engine: Engine, branch: None) -> None:
    head = as_login(engine, "head")
    head.goals.set("new_customers", 2027, 1200)
    months = {g.period: g.amount for g in head.goals.show("new_customers") if g.level == "branch"}
    assert months == {}  # this year (2026) has none: the goal is 2027's
    december = head.goals.show("new_customers", "2027-12")
    (branch_month,) = amounts(december, "2027-12", "branch").values()
    assert branch_month == 100
    teams = amounts(december, "2027-12", "team")
    staff = amounts(december, "2027-12", "staff")
    # evenly over the four managers: 75 to team 一 (three), 25 to team 二 (one)
    assert sorted(teams.values()) == [25, 75] and sum(staff.values()) == 100
    weeks = [g for g in head.goals.show("new_customers", "2027-12-W49") if g.level == "branch"]
    year = head.goals.show("new_customers", "2027")
    assert sum(amounts(year, "2027", "staff").values()) == 1200
    assert sum(amounts(year, "2027", "team").values()) == 1200
    assert weeks  # the part of week 49 in December 2027
    december_weeks = [
        g.amount
        for w in ("W48", "W49", "W50", "W51", "W52", "W53")
        for g in head.goals.show("new_customers", f"2027-12-{w}")
        if g.level == "branch"
    ]
    assert sum(december_weeks) == 100


def test_a_manual_change_to_one_manager_s_share_keeps_the_team_s_total(
    engine: Engine, branch: None
) -> None:
    as_login(engine, "head").goals.set("new_customers", 2027, 1200)
    boss = as_login(engine, "chenzg")
    before = amounts(boss.goals.show("new_customers", "2027-03"), "2027-03", "team")
    boss.goals.adjust("new_customers", "2027-03", 40, login="zhangwei")
    after = boss.goals.show("new_customers", "2027-03")
    staff = {g.login: g.amount for g in after if g.level == "staff"}
    assert staff["zhangwei"] == 40
    assert staff["wangfang"] + staff["liqiang"] + 40 == 75
    assert amounts(after, "2027-03", "team") == before
    weeks = sum(
        g.amount
        for w in range(9, 15)
        for g in boss.goals.show("new_customers", f"2027-03-W{w:02d}")
        if g.login == "zhangwei"
    )
    assert weeks == 40  # his weeks follow his month
    with pytest.raises(FieldsInvalid):
        boss.goals.adjust("new_customers", "2027-03", 76, login="zhangwei")
    with pytest.raises(OutOfScope):
        boss.goals.adjust("new_customers", "2027-03", 10, login="sunli")  # not his team
    with pytest.raises(OutOfScope):
        as_login(engine, "zhangwei").goals.set("new_customers", 2027, 1)
