"""The data-quality rules written in SQL (``db/file_checks.py``, the compliance figure) give
the domain's answers: an ID number valid as ``idcard.validate`` says, a phone as
``phone.is_valid`` says, on either database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text

from cmworkbench.db import file_checks
from cmworkbench.db.dialect import dialect_of
from cmworkbench.domain import idcard, phone

_VALID = [idcard.make(area, born, n) for area, born, n in (
    ("110105", date(1985, 3, 7), 123), ("330106", date(2000, 2, 29), 7),
    ("440305", date(1999, 12, 31), 998), ("310101", date(1964, 1, 1), 1),
)]  # fmt: skip
_X = next(
    n for n in (idcard.make("330106", date(1990, 5, 17), k) for k in range(200)) if n[-1] == "X"
)
IDS = [
    *_VALID,
    _X,
    _X[:-1] + "0",  # check character wrong
    _VALID[0][:-1] + ("1" if _VALID[0][-1] != "1" else "2"),
    "110105198502301238",  # 30 February
    "110105190002290008",  # 1900 was no leap year
    "110105198513071230",  # month 13
    "11010519850307123",  # 17 characters
    "1101051985030712300",  # 19
    "11010519850307123x",  # lower-case x is not stored
    "A10105198503071230",
    "",
    None,
]
PHONES = [
    "13812345678", "19912345678", "010-12345678", "0571-8888888", "0571-88888888",
    "12812345678", "1381234567", "138123456789", "010-123456", "01-12345678",
    "0571-888888888", "12345678", "+8613812345678", "", None,
]  # fmt: skip


def _sql_answers(engine: Engine, sql_of: object, values: list[str | None]) -> list[bool]:
    d = dialect_of(engine.dialect.name)
    expression = sql_of(d, "CAST(:v AS text)")  # type: ignore[operator]
    with engine.connect() as conn:
        return [
            bool(
                conn.execute(
                    text(f"SELECT CASE WHEN {expression} THEN 1 ELSE 0 END"), {"v": v}
                ).scalar()
            )
            for v in values
        ]


def test_the_sql_id_number_rule_is_the_domains(engine: Engine) -> None:
    expected = [v is not None and idcard.validate(v) is None and v == v.upper() for v in IDS]
    assert _sql_answers(engine, file_checks.id_number_valid, IDS) == expected
    assert expected.count(True) == 5  # the four made, and the one ending in X


@pytest.mark.parametrize("value", PHONES)
def test_the_sql_phone_rule_is_the_domains(engine: Engine, value: str | None) -> None:
    expected = value is not None and phone.is_valid(value)
    assert _sql_answers(engine, file_checks.phone_valid, [value]) == [expected]
