"""What people type into spreadsheets: dates, amounts, phones, ID numbers (domain.normalize)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmworkbench import i18n
from cmworkbench.domain import idcard
from cmworkbench.domain import normalize as n

PARSERS = [
    n.parse_date,
    n.parse_amount,
    n.parse_count,
    n.parse_phone,
    n.parse_id_number,
    n.parse_flag,
    lambda v: n.parse_text(v, 10),
    lambda v: n.parse_choice(v, {"a1": "A1"}),
]


@pytest.mark.parametrize(
    "typed",
    ["2026-03-05", "2026/3/5", "2026.3.5", "20260305", "2026年3月5日", "２０２６年３月５日",
     "46086", 46086, 46086.75, "2026-03-05 00:00:00"],
)  # fmt: skip
def test_dates_in_every_form_people_type(typed):
    assert n.parse_date(typed) == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("typed", "key"),
    [("2026-02-30", "no_such_date"), ("2026年13月1日", "no_such_date"), ("明天", "bad_date"),
     ("123", "bad_date"), ("", "empty")],
)  # fmt: skip
def test_bad_dates_say_why(typed, key):
    with pytest.raises(n.BadValue) as bad:
        n.parse_date(typed)
    assert bad.value.key == key


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [("1,234.50", 1235), ("12.5万", 125000), ("¥3000", 3000), ("3000元", 3000), ("１２３", 123),
     (2500000, 2500000), (0.4, 0), ("-1,000", -1000)],
)  # fmt: skip
def test_amounts(typed, yuan):
    assert n.parse_amount(typed) == yuan


@pytest.mark.parametrize("typed", ["1,23", "12万万", "abc", "1e5", "NaN", "1,234,56"])
def test_bad_amounts(typed):
    with pytest.raises(n.BadValue):
        n.parse_amount(typed)


def test_phones_and_id_numbers():
    assert n.parse_phone("１３８ 1234-5678") == "13812345678"
    good = idcard.make("110101", date(1990, 3, 7), 1)
    assert n.parse_id_number(good.lower()) == good
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(n.BadValue) as bad:
        n.parse_id_number(wrong)
    assert (bad.value.key, bad.value.params) == (
        "id_check",
        {"expected": good[17], "found": wrong[17]},
    )


@settings(max_examples=150, deadline=None)
@given(
    value=st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()),
    which=st.integers(0, len(PARSERS) - 1),
)
def test_no_parser_crashes_on_any_input(value, which):
    """Any cell gives a value or a BadValue whose message exists in both languages."""
    try:
        PARSERS[which](value)
    except n.BadValue as bad:
        for language in ("zh_CN", "en"):
            catalog = i18n.CATALOGS[language]
            assert f"import.value.{bad.key}" in catalog
            assert catalog[f"import.value.{bad.key}"].format(**bad.params)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1955, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_form_reads_back(day):
    serial = str((day - n.EXCEL_EPOCH).days)
    slashed = f"{day.year}/{day.month}/{day.day}"
    chinese = f"{day.year}年{day.month}月{day.day}日"
    for form in (day.isoformat(), slashed, f"{day:%Y%m%d}", chinese, serial):
        assert n.parse_date(form) == day
