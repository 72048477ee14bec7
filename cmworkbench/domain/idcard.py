"""Resident identity card numbers (居民身份证号码), GB 11643-1999.

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd for men, even for
women), and a check character computed with ISO 7064 MOD 11-2 (``X`` stands for 10).
"""

from __future__ import annotations

from datetime import date
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ASCII_ZERO = ord("0") * sum(WEIGHTS)
"""What the character codes of ASCII digits add to the weighted sum (see check_char)."""


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    # ASCII digits, the usual number (an import checks a million): their byte codes less "0"
    if first17.isascii():
        total = sum(map(mul, first17.encode(), WEIGHTS)) - _ASCII_ZERO
    else:  # digits of other scripts (str.isdigit) count by their value, as int() reads them
        total = sum(map(mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def make(area: str, birthday: date, sequence: int) -> str:
    """Build a valid number (demo data, tests)."""
    body = f"{area}{birthday:%Y%m%d}{sequence:03d}"
    return body + check_char(body)


def upgrade(old: str) -> str:
    """The 18-digit number of a 15-digit one issued before 1999 (``19`` before the two-digit
    birth year, then the check character), as banks and the public security bureau do."""
    if len(old) != 15 or not old.isdigit():
        raise ValueError("need exactly 15 digits")
    body = old[:6] + "19" + old[6:]
    return body + check_char(body)


def validate(number: str) -> str | None:
    """``None`` when valid, else a sentence saying what is wrong."""
    n = number.strip().upper()
    if len(n) != 18:
        return f"must be 18 characters, not {len(n)}"
    if not n[:17].isdigit() or not (n[17].isdigit() or n[17] == "X"):
        return "only digits, and X as the last character"
    try:
        date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return f"birth date {n[6:14]} does not exist"
    expected = check_char(n[:17])
    if n[17] != expected:
        return f"check digit should be {expected}, not {n[17]}"
    return None
