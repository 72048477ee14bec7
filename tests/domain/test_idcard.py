"""Resident ID numbers (GB 11643-1999): validation messages and building valid numbers."""

from __future__ import annotations

from datetime import date

import pytest

from cmworkbench.domain import idcard

# Valid numbers: the standard's own example (check character X), a widely quoted example, and
# numbers whose check digits were worked out by hand with ISO 7064 MOD 11-2.
VALID = [
    pytest.param("11010519491231002X", id="gb11643-example-check-X"),
    pytest.param("440524188001010014", id="born-1880-check-4"),
    pytest.param("330106198506061238", id="hangzhou-xihu-male-check-8"),
    pytest.param("11010519491231002x", id="lowercase-x-accepted"),
    pytest.param(" 330106198506061238 ", id="surrounding-spaces-ignored"),
]

INVALID = [
    pytest.param("110105194912310021", "check digit should be X, not 1", id="wrong-check-digit"),
    pytest.param("330106198506061230", "check digit should be 8, not 0", id="wrong-check-zero"),
    pytest.param("33010619850606123X", "check digit should be 8, not X", id="X-where-8-due"),
    pytest.param("1101051949123100", "must be 18 characters, not 16", id="too-short"),
    pytest.param("11010519491231002X0", "must be 18 characters, not 19", id="too-long"),
    pytest.param("", "must be 18 characters, not 0", id="empty"),
    pytest.param("110105194902300005", "birth date 19490230 does not exist", id="feb-30"),
    pytest.param("110105190002290007", "birth date 19000229 does not exist", id="1900-not-leap"),
    pytest.param("110105194913010005", "birth date 19491301 does not exist", id="month-13"),
    pytest.param(
        "11010519491231002A", "only digits, and X as the last character", id="letter-at-end"
    ),
    pytest.param(
        "1101051949X231002X", "only digits, and X as the last character", id="X-in-the-middle"
    ),
]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number: str) -> None:
    assert idcard.validate(number) is None


@pytest.mark.parametrize(("number", "message"), INVALID)
def test_invalid_numbers_say_what_is_wrong(number: str, message: str) -> None:
    assert idcard.validate(number) == message


@pytest.mark.parametrize(
    ("area", "born", "sequence", "expected"),
    [
        pytest.param("110105", date(1949, 12, 31), 2, "11010519491231002X", id="check-X"),
        pytest.param("440524", date(1880, 1, 1), 1, "440524188001010014", id="old-birth-date"),
        pytest.param("330106", date(1985, 6, 6), 123, "330106198506061238", id="three-digit-seq"),
        pytest.param("440305", date(2000, 2, 29), 64, "440305200002290643", id="leap-day"),
    ],
)
def test_make_builds_the_known_number(area: str, born: date, sequence: int, expected: str) -> None:
    number = idcard.make(area, born, sequence)
    assert number == expected
    assert idcard.validate(number) is None


@pytest.mark.parametrize(
    "first17",
    [
        pytest.param("1101051949123100", id="sixteen-digits"),
        pytest.param("11010519491231002X", id="eighteen-characters"),
        pytest.param("1101051949123100A", id="not-digits"),
    ],
)
def test_check_char_needs_seventeen_digits(first17: str) -> None:
    with pytest.raises(ValueError, match="17 digits"):
        idcard.check_char(first17)
