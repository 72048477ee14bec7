"""The branch calendar: working days with China's holidays and make-up days, business time."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from cmworkbench.config import load_settings
from cmworkbench.domain import calendar
from cmworkbench.domain.calendar import BranchCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = BranchCalendar.from_settings(load_settings(env={}).calendar)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 11, 23), True, id="a-monday"),
        pytest.param(date(2026, 11, 28), False, id="a-saturday"),
        pytest.param(date(2026, 10, 1), False, id="national-day-holiday"),
        pytest.param(date(2026, 10, 7), False, id="last-day-of-national-day-week"),
        pytest.param(date(2026, 10, 8), True, id="first-day-back-after-national-day"),
        pytest.param(date(2026, 9, 20), True, id="sunday-make-up-working-day"),
        pytest.param(date(2026, 10, 10), True, id="saturday-make-up-working-day"),
        pytest.param(date(2026, 2, 17), False, id="spring-festival"),
        pytest.param(date(2026, 2, 14), True, id="spring-festival-make-up-saturday"),
    ],
)
def test_official_working_days(day, working):
    assert CAL.is_workday(day) is working


def test_branch_closures_and_extra_days_win():
    cal = BranchCalendar(
        extra_holidays=frozenset({date(2026, 11, 23)}),
        extra_workdays=frozenset({date(2026, 11, 28)}),
    )
    assert not cal.is_workday(date(2026, 11, 23))
    assert cal.is_workday(date(2026, 11, 28))


def test_without_the_official_schedule_weekends_only():
    cal = BranchCalendar(official=False)
    assert not cal.is_workday(date(2026, 9, 20))
    assert cal.is_workday(date(2026, 10, 1))


def test_a_year_without_official_data_falls_back_to_weekends():
    def up_to_2026(day: date) -> bool | None:
        return bool(chinese_calendar.is_workday(day)) if day.year <= 2026 else None

    calendar.set_official_source(up_to_2026)  # the tests' own source; put back after the test
    assert CAL.has_official_data(2026)
    far = date(2099, 3, 2)  # a Monday
    assert CAL.has_official_data(far.year) is False
    assert CAL.is_workday(far)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2026, 11, 27), 1, date(2026, 11, 30), id="friday-plus-1-is-monday"),
        pytest.param(date(2026, 11, 23), 2, date(2026, 11, 25), id="monday-plus-2"),
        pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="over-national-day"),
        pytest.param(date(2026, 9, 18), 1, date(2026, 9, 20), id="onto-a-make-up-sunday"),
    ],
)
def test_adding_working_days(start, n, expected):
    assert CAL.add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param("2026-11-23T09:00", 2, "2026-11-23T11:00", id="within-the-morning"),
        pytest.param("2026-11-23T11:00", 2, "2026-11-23T14:30", id="over-lunch"),
        pytest.param("2026-11-27T16:30", 4, "2026-11-30T11:30", id="friday-evening-to-monday"),
        pytest.param("2026-11-23T07:00", 1, "2026-11-23T09:30", id="before-opening"),
        pytest.param("2026-11-28T10:00", 1, "2026-11-30T09:30", id="received-on-saturday"),
        pytest.param("2026-09-30T17:00", 1, "2026-10-08T09:00", id="over-national-day"),
        pytest.param("2026-11-23T08:30", 7.5, "2026-11-23T17:30", id="a-whole-working-day"),
        pytest.param("2026-11-23T09:00", 7.5, "2026-11-24T09:00", id="into-the-next-morning"),
    ],
)
def test_business_time(start, hours, expected):
    assert CAL.add_business_time(at(start), timedelta(hours=hours)) == at(expected)


def test_business_time_between_is_the_inverse():
    start = at("2026-11-27T16:30")
    end = CAL.add_business_time(start, timedelta(hours=4))
    assert CAL.business_time_between(start, end) == timedelta(hours=4)
    assert CAL.business_time_between(end, start) == timedelta()
