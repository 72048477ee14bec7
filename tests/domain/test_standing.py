"""Due or overdue: one meaning everywhere. Work is due (应联系 / 到期) from its due day and
overdue (逾期) only past its last day; without a last day of its own, the due day is the last.

The contact cases are an A1 customer under the documented defaults (ideal 20, max 30 days),
seen on Monday 2026-11-23.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cmworkbench.domain.standing import Standing, State, is_overdue, standing

TODAY = date(2026, 11, 23)


def a1_contact(days_since_last_call: int) -> tuple[date, date]:
    """(due day, last day) of an A1 customer's next contact."""
    last_call = TODAY - timedelta(days=days_since_last_call)
    return last_call + timedelta(days=20), last_call + timedelta(days=30)


@pytest.mark.parametrize(
    ("days_since_last_call", "state", "days"),
    [
        pytest.param(15, State.UPCOMING, 5, id="A1-called-15-days-ago-is-due-in-5-days"),
        pytest.param(20, State.DUE, 0, id="A1-called-20-days-ago-is-due-today"),
        pytest.param(25, State.DUE, 5, id="A1-called-25-days-ago-is-due-for-5-days"),
        pytest.param(30, State.DUE, 10, id="A1-called-30-days-ago-is-on-its-last-day"),
        pytest.param(31, State.OVERDUE, 1, id="A1-called-31-days-ago-is-1-day-overdue"),
        pytest.param(42, State.OVERDUE, 12, id="A1-called-42-days-ago-is-12-days-overdue"),
    ],
)
def test_a_contact_is_due_past_the_ideal_and_overdue_past_the_maximum(
    days_since_last_call: int, state: State, days: int
) -> None:
    due_on, deadline_on = a1_contact(days_since_last_call)
    where = standing(due_on, deadline_on, TODAY)
    assert (where.state, where.days) == (state, days)
    assert (where.due_on, where.deadline_on) == (due_on, deadline_on)
    assert where.overdue is (state is State.OVERDUE)


@pytest.mark.parametrize(
    ("due_on", "state", "days"),
    [
        pytest.param(date(2026, 11, 24), State.UPCOMING, 1, id="post-loan-check-due-tomorrow"),
        pytest.param(TODAY, State.DUE, 0, id="post-loan-check-due-today-is-not-late"),
        pytest.param(date(2026, 11, 20), State.OVERDUE, 3, id="post-loan-check-of-friday-is-late"),
    ],
)
def test_work_without_a_deadline_of_its_own_is_overdue_once_its_due_day_has_passed(
    due_on: date, state: State, days: int
) -> None:
    assert standing(due_on, None, TODAY) == Standing(state, due_on, due_on, days)


def test_a_deadline_before_the_due_day_does_not_make_work_late_before_it_is_due() -> None:
    where = standing(date(2026, 11, 22), date(2026, 11, 20), TODAY)
    assert (where.state, where.deadline_on, where.days) == (State.OVERDUE, date(2026, 11, 22), 1)


@pytest.mark.parametrize(
    ("deadline_on", "overdue"),
    [
        pytest.param(date(2026, 11, 22), True, id="yesterday-was-the-last-day"),
        pytest.param(TODAY, False, id="today-is-the-last-day"),
        pytest.param(date(2026, 11, 24), False, id="tomorrow-is-the-last-day"),
    ],
)
def test_overdue_means_past_the_last_day(deadline_on: date, overdue: bool) -> None:
    assert is_overdue(deadline_on, TODAY) is overdue
