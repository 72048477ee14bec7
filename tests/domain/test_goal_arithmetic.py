"""Sales goals' arithmetic in the branch's words: a year evenly over its months, a month over
its weeks by working days, a manager's share changed by hand keeping the team's total."""

from __future__ import annotations

from datetime import date

import pytest

from cmworkbench.domain import goals
from cmworkbench.domain.calendar import BranchCalendar


def test_1200_new_customers_a_year_is_100_a_month() -> None:
    assert goals.share(1200, [1.0] * 12) == [100] * 12
    assert goals.months(2026)[11] == "2026-12"


def test_december_s_100_is_shared_over_its_weeks_by_working_days() -> None:
    calendar = BranchCalendar(timezone="Asia/Shanghai")
    weeks = goals.month_weeks("2026-12", calendar.is_workday)
    assert [w.key for w in weeks] == [
        "2026-12-W49", "2026-12-W50", "2026-12-W51", "2026-12-W52", "2026-12-W53",
    ]  # fmt: skip
    # Tue 1 – Sun 6 (4 working days), three full weeks, Mon 28 – Thu 31 (4): 23 in all
    assert [w.workdays for w in weeks] == [4, 5, 5, 5, 4]
    parts = goals.week_shares(100, weeks)
    assert sum(parts) == 100
    assert parts == [17, 22, 22, 22, 17]  # 17.39 and 21.74: the largest remainders first


def test_the_largest_remainder_goes_first_and_ties_to_the_earlier_part() -> None:
    assert goals.share(10, [1, 1, 1]) == [4, 3, 3]
    assert goals.share(7, [0, 0]) == [4, 3]  # nothing to weigh: evenly
    assert goals.share(0, [3, 1]) == [0, 0]


def test_a_manual_change_to_one_share_keeps_the_whole() -> None:
    team = {"wangfang": 40, "zhangwei": 40, "liqiang": 20}
    changed = goals.adjust(team, "zhangwei", 50)
    assert changed["zhangwei"] == 50
    assert sum(changed.values()) == 100
    assert changed == {"wangfang": 33, "zhangwei": 50, "liqiang": 17}
    with pytest.raises(ValueError):
        goals.adjust(team, "zhangwei", 101)
    with pytest.raises(ValueError):
        goals.adjust(team, "zhangwei", -1)


def test_a_week_across_two_months_has_a_part_in_each() -> None:
    calendar = BranchCalendar(timezone="Asia/Shanghai")
    november = goals.month_weeks("2026-11", calendar.is_workday)
    assert november[-1].key == "2026-11-W49" and november[-1].first == date(2026, 11, 30)
    assert november[-1].workdays == 1
