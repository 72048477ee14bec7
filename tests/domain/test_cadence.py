"""Contact cadence: which rule applies to a customer, and when the next contact is due.

The rules are the documented defaults (config.toml): A1 ideal 20 / max 30 days by visit or
call, C 150 / 180 days by call, visit or SMS, VIP 45 / 60, government-important 300 / 365.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cmworkbench.config import CadenceRule, Settings
from cmworkbench.domain import cadence

RULES = Settings().cadence
TODAY = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def customer(
    cls: str | None = None, tier: str | None = None, vip: bool = False, government: bool = False
) -> dict[str, object]:
    return {"cls": cls, "tier": tier, "is_vip": vip, "is_government": government}


@pytest.mark.parametrize(
    ("who", "rules", "expected"),
    [
        pytest.param(customer("A1"), RULES, "A1", id="A1-follows-A1"),
        pytest.param(customer("C", vip=True), RULES, "vip", id="vip-stricter-than-C"),
        pytest.param(customer("C", tier="gold"), RULES, "vip", id="gold-tier-counts-as-vip"),
        pytest.param(customer("C", tier="diamond"), RULES, "vip", id="diamond-counts-as-vip"),
        pytest.param(customer("C", tier="mid_high"), RULES, "C", id="mid-high-is-not-vip"),
        pytest.param(customer("A1", vip=True), RULES, "A1", id="A1-stricter-than-vip"),
        pytest.param(
            customer("B2", government=True), RULES, "B2", id="B2-stricter-than-government"
        ),
        pytest.param(customer(government=True), RULES, "government", id="government-without-class"),
        pytest.param(
            customer("C", vip=True, government=True), RULES, "vip", id="strictest-of-three"
        ),
        pytest.param(customer("B1", vip=True), RULES, "B1", id="B1-ties-vip-class-wins"),
        pytest.param(
            customer("A1"),
            {"vip": CadenceRule(45, 60)},
            None,
            id="class-without-configured-rule-has-none",
        ),
        pytest.param(customer(), RULES, None, id="no-class-no-flag-has-no-rule"),
    ],
)
def test_the_strictest_applicable_rule_wins(
    who: dict[str, object], rules: dict[str, CadenceRule], expected: str | None
) -> None:
    found = cadence.applicable_rule(rules=rules, **who)  # type: ignore[arg-type]
    assert (found[0] if found else None) == expected


def test_a_smaller_ideal_breaks_a_tie_on_max_days() -> None:
    rules = {"B1": CadenceRule(50, 60), "vip": CadenceRule(30, 60)}
    found = cadence.applicable_rule(rules=rules, **customer("B1", vip=True))  # type: ignore[arg-type]
    assert found is not None and found[0] == "vip"


@pytest.mark.parametrize(
    ("rule_key", "days_ago", "due", "overdue"),
    [
        pytest.param("A1", 31, True, True, id="A1-called-31-days-ago-is-overdue"),
        pytest.param("A1", 30, True, False, id="A1-called-30-days-ago-is-due-not-overdue"),
        pytest.param("A1", 20, True, False, id="A1-called-20-days-ago-is-due"),
        pytest.param("A1", 19, False, False, id="A1-called-19-days-ago-is-not-due"),
        pytest.param("A1", 0, False, False, id="A1-called-today-is-fine"),
        pytest.param("C", 181, True, True, id="C-called-181-days-ago-is-overdue"),
        pytest.param("C", 100, False, False, id="C-called-100-days-ago-is-fine"),
        pytest.param("vip", 61, True, True, id="vip-visited-61-days-ago-is-overdue"),
        pytest.param("government", 364, True, False, id="government-cared-364-days-ago-is-due"),
    ],
)
def test_due_and_overdue_count_from_the_last_contact(
    rule_key: str, days_ago: int, due: bool, overdue: bool
) -> None:
    rule = RULES[rule_key]
    last = TODAY - timedelta(days=days_ago)
    verdict = cadence.next_contact(last, rule, TODAY)
    assert verdict.last_contact_on == last
    assert verdict.due_on == last + timedelta(days=rule.ideal_days)
    assert verdict.overdue_on == last + timedelta(days=rule.max_days)
    assert (verdict.due, verdict.overdue) == (due, overdue)


@pytest.mark.parametrize(
    ("kind", "rule_key", "counts"),
    [
        pytest.param("call", "A1", True, id="call-counts-for-A1"),
        pytest.param("visit", "A1", True, id="visit-counts-for-A1"),
        pytest.param("sms", "A1", False, id="sms-does-not-count-for-A1"),
        pytest.param("onsite", "A1", False, id="onsite-does-not-count-for-A1-by-default"),
        pytest.param("sms", "C", True, id="sms-counts-for-C"),
        pytest.param("sms", "vip", False, id="sms-does-not-count-for-vip"),
    ],
)
def test_only_the_rules_channels_count_as_contact(kind: str, rule_key: str, counts: bool) -> None:
    assert cadence.counts_as_contact(kind, RULES[rule_key]) is counts


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(
            datetime(2026, 10, 23, 16, 30, tzinfo=UTC),
            date(2026, 10, 24),
            id="00-30-in-hangzhou-is-the-next-local-day",
        ),
        pytest.param(
            datetime(2026, 10, 23, 15, 59, tzinfo=UTC),
            date(2026, 10, 23),
            id="23-59-in-hangzhou-is-still-that-day",
        ),
    ],
)
def test_days_are_branch_local(instant: datetime, expected: date) -> None:
    assert cadence.local_day(instant, SHANGHAI) == expected


def test_the_rule_table_holds_each_combinations_strictest_rule() -> None:
    rules = Settings().cadence
    table = {(r.cls, r.vip, r.gov): r for r in cadence.rule_table(rules)}
    for cls in cadence.RULE_CLASSES:
        for vip in (0, 1):
            for gov in (0, 1):
                chosen = cadence.applicable_rule(
                    cls=cls or None, tier=None, is_vip=bool(vip), is_government=bool(gov),
                    rules=rules,
                )  # fmt: skip
                row = table.get((cls, vip, gov))
                assert (row.key if row else None) == (chosen[0] if chosen else None)
    a1 = table[("A1", 0, 0)]
    assert a1.channel_mask == sum(cadence.CHANNEL_BITS[c] for c in rules["A1"].channels)
