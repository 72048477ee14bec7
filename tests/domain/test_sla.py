"""Complaint SLA clocks on the branch calendar (default hours 08:30–12:00, 13:30–17:30)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmworkbench.config import SlaRule, load_settings
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.sla import (
    Target,
    choose_rule,
    due,
    elapsed_fraction,
    measure,
    parse_duration,
    pause_length,
    remaining,
    return_call_due,
    step_due,
    thresholds_crossed,
)

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = load_settings(env={})
CAL = BranchCalendar.from_settings(SETTINGS.calendar)
H = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("4h business", Target(4 * H, True), id="4h-business"),
        pytest.param("24h calendar", Target(24 * H, False), id="24h-calendar"),
        pytest.param("90m business", Target(90 * timedelta(minutes=1), True), id="minutes"),
        pytest.param("1.5h calendar", Target(timedelta(minutes=90), False), id="fractional-hours"),
        pytest.param(
            "5d business", Target(timedelta(hours=37, minutes=30), True), id="5-working-days"
        ),
        pytest.param("2d calendar", Target(48 * H, False), id="2-calendar-days"),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text, CAL) == expected


@pytest.mark.parametrize(
    "text", ["4 hours", "4h", "h business", "4h wall", "0h business", "-1h calendar"]
)
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("severity", "vip", "rules", "expected"),
    [
        pytest.param("normal", False, SETTINGS.sla, "normal", id="normal-customer-normal-rule"),
        pytest.param("major", False, SETTINGS.sla, "major", id="major-complaint-major-rule"),
        pytest.param("normal", True, SETTINGS.sla, "vip", id="vip-customer-vip-rule"),
        pytest.param("major", True, SETTINGS.sla, "major", id="vip-and-major-equal-major-wins"),
        pytest.param(
            "major",
            True,
            {
                **SETTINGS.sla,
                "vip": SlaRule(first_response="1h calendar", resolution="12h calendar"),
            },
            "vip",
            id="vip-and-major-stricter-vip-wins",
        ),
        pytest.param(
            "normal",
            True,
            {"normal": SlaRule(), "major": SETTINGS.sla["major"]},
            "major",
            id="vip-without-vip-rule-falls-back-to-major",
        ),
        pytest.param(
            "major", False, {"normal": SlaRule()}, "normal", id="major-without-rules-falls-back"
        ),
    ],
)
def test_choose_rule(severity, vip, rules, expected):
    name, rule = choose_rule(severity, vip, rules, CAL)
    assert name == expected
    assert rule is rules[expected]


A1_RULE = SlaRule(first_response="1h business", resolution="2d business")


@pytest.mark.parametrize(
    ("severity", "vip", "cls", "expected"),
    [
        pytest.param("normal", False, "A1", "A1", id="class-rule-over-normal"),
        pytest.param("normal", False, "B1", "normal", id="no-rule-for-the-class"),
        pytest.param("major", False, "A1", "major", id="24h-beats-2-working-days"),
        pytest.param("normal", True, "A1", "vip", id="vip-beats-the-class-rule"),
    ],
)
def test_a_class_rule_competes_on_strictness(severity, vip, cls, expected):
    rules = {**SETTINGS.sla, "A1": A1_RULE}
    assert choose_rule(severity, vip, rules, CAL, cls=cls)[0] == expected


def test_default_vip_and_major_rule_is_the_24_hour_rule():
    _, rule = choose_rule("normal", True, SETTINGS.sla)
    assert parse_duration(rule.resolution) == Target(24 * H, False)


@pytest.mark.parametrize(
    ("start", "target", "paused", "expected"),
    [
        pytest.param(
            "2026-11-20 18:00", "24h calendar", 0, "2026-11-21 18:00",
            id="major-24h-calendar-over-a-weekend",
        ),
        pytest.param(
            "2026-09-30 16:00", "24h calendar", 0, "2026-10-01 16:00",
            id="major-24h-calendar-ignores-a-public-holiday",
        ),
        pytest.param(
            "2026-11-20 16:00", "4h business", 0, "2026-11-23 11:00",
            id="normal-4h-business-received-friday-16:00-due-monday-11:00",
        ),
        pytest.param(
            "2026-11-20 16:30", "4h business", 0, "2026-11-23 11:30",
            id="normal-4h-business-received-friday-16:30-due-monday-11:30",
        ),
        pytest.param(
            "2026-11-23 07:00", "3.5h business", 0, "2026-11-23 12:00",
            id="target-that-fills-the-morning-is-due-at-12:00-not-13:30",
        ),
        pytest.param(
            "2026-11-23 11:00", "4h business", 0, "2026-11-23 16:30",
            id="business-clock-stops-over-lunch",
        ),
        pytest.param(
            "2026-11-23 07:00", "4h business", 0, "2026-11-23 14:00",
            id="received-before-opening-starts-at-08:30-resumes-after-lunch",
        ),
        pytest.param(
            "2026-11-23 18:00", "4h business", 0, "2026-11-24 14:00",
            id="received-after-closing-starts-next-morning",
        ),
        pytest.param(
            "2026-11-21 10:00", "4h business", 0, "2026-11-23 14:00",
            id="received-saturday-starts-monday-opening",
        ),
        pytest.param(
            "2026-09-30 16:00", "4h business", 0, "2026-10-08 11:00",
            id="business-clock-skips-national-day-week",
        ),
        pytest.param(
            "2026-10-09 16:00", "4h business", 0, "2026-10-10 11:00",
            id="make-up-working-saturday-counts",
        ),
        pytest.param(
            "2026-09-19 10:00", "4h business", 0, "2026-09-20 14:00",
            id="received-saturday-before-make-up-sunday",
        ),
        pytest.param(
            "2026-11-23 10:00", "5d business", 0, "2026-11-30 10:00",
            id="normal-5d-business-is-five-working-days",
        ),
        pytest.param(
            "2026-09-28 10:00", "5d business", 0, "2026-10-10 10:00",
            id="5d-business-across-national-day-and-make-up-saturday",
        ),
        pytest.param(
            "2026-11-23 10:00", "24h calendar", 2, "2026-11-24 12:00",
            id="paused-2h-waiting-for-customer-moves-due",
        ),
        pytest.param(
            "2026-11-20 16:00", "4h business", 2, "2026-11-23 14:30",
            id="paused-2h-business-moves-due-past-lunch",
        ),
    ],
)  # fmt: skip
def test_due(start, target, paused, expected):
    assert due(at(start), parse_duration(target, CAL), CAL, paused * H) == at(expected)


def test_due_is_in_branch_time_whatever_the_input_zone():
    start = at("2026-11-20 16:00").astimezone(ZoneInfo("UTC"))
    result = due(start, Target(4 * H, True), CAL)
    assert result == at("2026-11-23 11:00")
    assert result.utcoffset() == timedelta(hours=8)


def test_pause_over_a_night_counts_only_business_hours():
    target = Target(4 * H, True)
    pauses = [(at("2026-11-23 17:00"), at("2026-11-24 09:00"))]
    assert pause_length(pauses, target, CAL) == timedelta(hours=1)
    assert pause_length(pauses, Target(24 * H, False), CAL) == 16 * H


@pytest.mark.parametrize(
    ("start", "now", "target", "paused", "fraction", "left"),
    [
        pytest.param(
            "2026-11-23 10:00", "2026-11-23 22:00", "24h calendar", 0, 0.5, 12 * H,
            id="half-of-24h-calendar",
        ),
        pytest.param(
            "2026-11-20 16:00", "2026-11-23 09:30", "4h business", 0, 0.625, 1.5 * H,
            id="business-time-over-a-weekend-counts-friday-and-monday-only",
        ),
        pytest.param(
            "2026-11-20 16:00", "2026-11-23 12:00", "4h business", 0, 1.25, -H,
            id="breached-business-clock-remaining-is-negative",
        ),
        pytest.param(
            "2026-11-23 10:00", "2026-11-24 12:00", "24h calendar", 2, 1.0, timedelta(),
            id="paused-2h-exactly-at-due",
        ),
        pytest.param(
            "2026-11-23 10:00", "2026-11-24 14:00", "24h calendar", 0, 28 / 24, -4 * H,
            id="24h-calendar-4h-past-due",
        ),
        pytest.param(
            "2026-11-23 10:00", "2026-11-23 10:00", "24h calendar", 1, 0.0, 25 * H,
            id="paused-before-any-time-used-never-below-zero",
        ),
    ],
)  # fmt: skip
def test_elapsed_and_remaining(start, now, target, paused, fraction, left):
    t = parse_duration(target, CAL)
    assert elapsed_fraction(at(start), at(now), t, CAL, paused * H) == pytest.approx(fraction)
    if fraction > 0:
        assert remaining(at(start), at(now), t, CAL, paused * H) == left


MAJOR = SETTINGS.sla["major"]
DAY = Target(24 * H, False)


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        pytest.param(0.49, [], id="nothing-before-half"),
        pytest.param(0.5, ["owner@0.5"], id="owner-warned-at-half"),
        pytest.param(0.8, ["owner@0.5", "owner@0.8"], id="owner-warned-again-at-80-percent"),
        pytest.param(
            1.0, ["owner@0.5", "owner@0.8", "supervisor@1.0"], id="supervisor-told-at-breach"
        ),
        pytest.param(
            1.0 + 3.9 / 24,
            ["owner@0.5", "owner@0.8", "supervisor@1.0"],
            id="branch-head-not-yet-3.9h-after-breach",
        ),
        pytest.param(
            1.0 + 4 / 24,
            ["owner@0.5", "owner@0.8", "supervisor@1.0", "branch_head@1.0+4h"],
            id="escalation-branch-head-4h-after-breach",
        ),
    ],
)
def test_thresholds_crossed(fraction, expected):
    assert thresholds_crossed(fraction, MAJOR.warn_at, MAJOR.escalate, DAY) == expected


def test_escalation_branch_head_from_the_clock():
    start, now = at("2026-11-23 10:00"), at("2026-11-24 14:00")
    fraction = elapsed_fraction(start, now, DAY, CAL)
    assert "branch_head@1.0+4h" in thresholds_crossed(fraction, MAJOR.warn_at, MAJOR.escalate, DAY)
    assert step_due(start, DAY, CAL, "branch_head@1.0+4h") == now


def test_business_offset_counts_business_hours_after_due():
    target = Target(4 * H, True)
    start = at("2026-11-20 16:00")  # due Monday 11:00
    step = "branch_head@1.0+4h"
    assert step_due(start, target, CAL, step) == at("2026-11-23 16:30")
    before = elapsed_fraction(start, at("2026-11-23 16:29"), target, CAL)
    after = elapsed_fraction(start, at("2026-11-23 16:30"), target, CAL)
    assert step not in thresholds_crossed(before, [], [step], target)
    assert thresholds_crossed(after, [], [step], target) == [step]


def test_offset_step_needs_the_target():
    with pytest.raises(ValueError):
        thresholds_crossed(2.0, [], ["branch_head@1.0+4h"])


@pytest.mark.parametrize(
    ("resolved", "expected"),
    [
        pytest.param(
            at("2026-11-30 10:00"),
            at("2026-11-30 23:59:59.999999"),
            id="return-call-resolved-30-nov-due-end-of-november",
        ),
        pytest.param(
            at("2026-11-02 09:00"),
            at("2026-11-30 23:59:59.999999"),
            id="resolved-early-in-month-still-end-of-month",
        ),
        pytest.param(
            at("2026-12-31 17:00"),
            at("2026-12-31 23:59:59.999999"),
            id="december-does-not-roll-into-next-year",
        ),
        pytest.param(
            datetime.fromisoformat("2026-11-30T17:00:00+00:00"),
            at("2026-12-31 23:59:59.999999"),
            id="utc-30-nov-is-1-dec-in-branch-time-due-end-of-december",
        ),
        pytest.param(
            at("2028-02-10 12:00"),
            at("2028-02-29 23:59:59.999999"),
            id="leap-february",
        ),
    ],
)
def test_return_call_due(resolved, expected):
    assert return_call_due(resolved, CAL) == expected


_starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(SH)
)
_amounts = st.integers(min_value=1, max_value=60 * 40).map(lambda m: timedelta(minutes=m))
_pauses = st.integers(min_value=0, max_value=60 * 20).map(lambda m: timedelta(minutes=m))


@given(start=_starts, a=_amounts, b=_amounts, business=st.booleans())
def test_clock_is_monotonic(start, a, b, business):
    small, big = sorted((a, b))
    assert due(start, Target(small, business), CAL) <= due(start, Target(big, business), CAL)


@given(start=_starts, amount=_amounts, paused=_pauses, business=st.booleans())
def test_pause_adds_exactly_its_length(start, amount, paused, business):
    target = Target(amount, business)
    plain = due(start, target, CAL)
    moved = due(start, target, CAL, paused)
    # the pause is measured in the clock's own time: business time for a business target
    assert measure(plain, moved, business, CAL) == paused
    assert remaining(start, moved, target, CAL, paused) == timedelta()
