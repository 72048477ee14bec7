"""The after-sale return visit's window and what makes it (domain/after_sale.py), pure."""

from __future__ import annotations

from datetime import date

import pytest

from cmworkbench.domain.after_sale import made_by, window


def test_the_window_opens_a_week_after_activation_and_closes_two_months_after() -> None:
    w = window(date(2026, 9, 25), start_days=7, months=2)
    assert (w.opens, w.closes) == (date(2026, 10, 2), date(2026, 11, 25))
    assert date(2026, 10, 1) not in w and date(2026, 10, 2) in w and date(2026, 11, 25) in w


def test_two_months_after_the_31st_of_december_is_the_end_of_february() -> None:
    assert window(date(2026, 12, 31), 7, 2).closes == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("kind", "outcome", "purposes", "on", "made"),
    [
        pytest.param("call", "reached", {"after_sale"}, date(2026, 11, 1), True, id="held-call"),
        pytest.param("visit", "done", {"after_sale"}, date(2026, 11, 1), True, id="visit"),
        pytest.param("call", "reached", {"routine"}, date(2026, 11, 1), False, id="other-purpose"),
        pytest.param("call", "no_answer", {"after_sale"}, date(2026, 11, 1), False, id="unheld"),
        pytest.param("sms", "sent", {"after_sale"}, date(2026, 11, 1), False, id="a-text"),
        pytest.param("call", "reached", {"after_sale"}, date(2026, 9, 28), False, id="day-3"),
    ],
)
def test_a_held_call_or_visit_for_it_in_the_window_makes_the_return_visit(
    kind: str, outcome: str, purposes: set[str], on: date, made: bool
) -> None:
    w = window(date(2026, 9, 25), 7, 2)
    assert made_by(kind, outcome, "done", purposes, on, w) is made
