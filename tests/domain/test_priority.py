"""The call list's score and the reason beside each row: an A1 contact past the ideal day is
due (应联系) with its last day named; only past the maximum is it overdue (逾期).

Seen on Monday 2026-11-23; an A1 customer's contact is due 20 days after the last call and
overdue 30 days after it (the documented defaults).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cmworkbench import i18n
from cmworkbench.domain import priority
from cmworkbench.domain.priority import TaskFacts

TODAY = date(2026, 11, 23)
A1 = priority.CLASS_WEIGHT["A1"] + priority.KIND_WEIGHT["contact"]
"""The day-independent part of a plain A1 customer's contact task."""


def a1_contact(days_since_last_call: int, **flags: object) -> TaskFacts:
    last_call = TODAY - timedelta(days=days_since_last_call)
    return TaskFacts(
        kind="contact",
        due_on=last_call + timedelta(days=20),
        deadline_on=last_call + timedelta(days=30),
        cls="A1",
        **flags,  # type: ignore[arg-type]
    )


def reason(facts: TaskFacts, language: str = "zh_CN") -> str:
    i18n.set_language(language)
    try:
        return " · ".join(
            i18n.t(key, **fields) for key, fields in priority.reason_parts(facts, TODAY)
        )
    finally:
        i18n.set_language("zh_CN")


@pytest.mark.parametrize(
    ("days_since_last_call", "zh", "en"),
    [
        pytest.param(15, "A1 · 5 天后到期", "A1 · due in 5 days", id="A1-called-15-days-ago"),
        pytest.param(
            20, "A1 · 今天到期 · 最迟 12-03", "A1 · due today · latest 12-03", id="A1-due-today"
        ),
        pytest.param(
            25,
            "A1 · 应联系 5 天 · 最迟 11-28",
            "A1 · due for 5 days · latest 11-28",
            id="A1-called-25-days-ago-is-due-not-overdue",
        ),
        pytest.param(
            30,
            "A1 · 应联系 10 天 · 今天最迟",
            "A1 · due for 10 days · last day today",
            id="A1-called-30-days-ago-is-on-its-last-day",
        ),
        pytest.param(
            33, "A1 · 逾期 3 天", "A1 · 3 days overdue", id="A1-called-33-days-ago-is-overdue"
        ),
    ],
)
def test_the_reason_says_due_or_overdue_and_the_last_day(
    days_since_last_call: int, zh: str, en: str
) -> None:
    facts = a1_contact(days_since_last_call)
    assert reason(facts) == zh
    assert reason(facts, "en") == en


def test_a_task_without_a_deadline_of_its_own_names_no_last_day() -> None:
    due_today = TaskFacts(kind="post_loan", due_on=TODAY, cls="B1")
    assert reason(due_today) == "B1 · 今天到期"
    friday = TaskFacts(kind="post_loan", due_on=date(2026, 11, 20), cls="B1", is_vip=True)
    assert reason(friday) == "B1 · 逾期 3 天 · VIP"


@pytest.mark.parametrize(
    ("days_since_last_call", "expected"),
    [
        pytest.param(15, A1, id="not-yet-due-adds-nothing"),
        pytest.param(20, A1 + 0 + priority.DUE_TODAY_WEIGHT, id="due-today"),
        pytest.param(25, A1 + 5 + priority.DUE_TODAY_WEIGHT, id="due-for-5-days"),
        pytest.param(31, A1 + 11 + priority.OVERDUE_WEIGHT, id="overdue-counts-from-the-due-day"),
        pytest.param(80, A1 + 30 + priority.OVERDUE_WEIGHT, id="days-since-due-stop-at-30"),
    ],
)
def test_the_score_grows_a_point_a_day_from_the_due_day_and_more_once_overdue(
    days_since_last_call: int, expected: int
) -> None:
    assert priority.score(a1_contact(days_since_last_call), TODAY) == expected


def test_an_overdue_customer_ranks_above_a_due_one_of_the_same_class() -> None:
    due = priority.score(a1_contact(29), TODAY)
    overdue = priority.score(a1_contact(31), TODAY)
    assert overdue > due


def test_the_score_keeps_value_flags_and_churn() -> None:
    plain = priority.score(a1_contact(25), TODAY)
    vip_at_risk = priority.score(a1_contact(25, is_vip=True, status="at_risk"), TODAY)
    assert vip_at_risk - plain == priority.FLAG_WEIGHT["vip"] + priority.AT_RISK_WEIGHT
