"""What people type into spreadsheets, read into stored values. Pure rules, no I/O.

Each parser takes the text of one cell (or the number an XLSX cell holds) and returns the
stored value, or raises :class:`BadValue` whose ``key`` names the catalog message
(``import.value.<key>``) and whose ``params`` fill it, so the import can say exactly what is
wrong in the user's language. Nothing here raises anything else, whatever the input
(property-tested with hypothesis).

Habits forgiven, as they come out of Excel and Chinese input methods:

* full-width digits and letters, the ideographic space (NFKC, :func:`clean`);
* dates as ``2026-03-05``, ``2026/3/5``, ``2026.3.5``, ``20260305``, ``2026年3月5日`` and Excel
  serial day numbers (``46086``: days since 1899-12-30, Excel's 1900 date system), also
  when the cell holds the number itself;
* amounts with thousands separators, a currency sign or ``元``, and ``万`` (ten thousand):
  ``1,234.50`` → 1235 (whole yuan, half up), ``12.5万`` → 125000;
* ID numbers issued before 1999 (15 digits, two-digit birth year), upgraded to 18 digits with
  their check character as banks do (GB 11643-1999: insert ``19``, append the check).

Refused with a message that says why, rather than stored wrong:

* control characters in text (an escape sequence in a name would drive the terminal that
  shows it; see :mod:`cmworkbench.domain.text`);
* an ID number Excel stored as a number: Excel keeps 15 significant digits, so the last
  digits of an 18-digit number are already lost (``3.30106E+17``); the cell must be text.

Each ``parse_x(value)`` has a twin ``read_x(text)`` that takes the cell's text already
:func:`clean`-ed and gives the same value or the same :class:`BadValue` (``parse_x`` of a text
cell is ``read_x(clean(cell))``): an import of a million rows cleans each cell once, to see
whether it is empty, and reads that (:data:`TEXT_READERS` pairs them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from cmworkbench.domain import idcard, phone
from cmworkbench.domain.text import first_control

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (so that its phantom 1900-02-29 needs no correction for
any date after March 1900)."""
SERIAL_RANGE = (20_000, 80_000)
"""Serial numbers taken as dates: 1954-10-03 … 2119-01-10. Outside, a number is no date."""
MAX_YUAN = 10**15
"""Larger amounts are typing errors (and would not fit a 64-bit column as fen)."""

_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(.+?)[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_AMOUNT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class BadValue(ValueError):
    """A cell that cannot be read; ``key`` + ``params`` make the message (see module doc)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.key}({details})" if details else self.key


def clean(value: object) -> str:
    """The cell as text: NFKC (full-width → ASCII), runs of white space as one space, trimmed.

    ``None`` is the empty string; a float that is a whole number loses its ``.0`` (Excel
    stores every number as a float: a customer number typed as 1001 arrives as 1001.0).
    """
    if type(value) is str:  # the usual cell (a CSV's every cell): ASCII is its own NFKC form
        text = value if value.isascii() else unicodedata.normalize("NFKC", value)
        return " ".join(text.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def parse_date(value: object) -> date:
    """A calendar date from any of the forms in the module doc; :class:`BadValue` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value, clean(value))
    return read_date(clean(value))


def read_date(text: str) -> date:
    """:func:`parse_date` of a cleaned text."""
    if not text:
        raise BadValue("empty")
    timed = _DATE_TIME.match(text) if ":" in text else None
    if timed:  # "2026-03-05 00:00:00" as Excel writes a date cell into a CSV
        text = timed.group(1).strip()
    parts = _DATE_PARTS.match(text) or _COMPACT_DATE.match(text)
    if parts:
        year, month, day = map(int, parts.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise BadValue("no_such_date", value=text) from None
    if text.isdigit() and len(text) <= 6:
        return _serial(int(text), text)
    raise BadValue("bad_date", value=text)


def _serial(number: float, text: str) -> date:
    """An Excel serial day number (the fraction is the time of day, dropped)."""
    if number != number or not SERIAL_RANGE[0] <= number < SERIAL_RANGE[1]:  # NaN too
        raise BadValue("bad_date", value=text)
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_amount(value: object) -> int:
    """Whole yuan (half up) from ``1,234.50``, ``¥1234``, ``12.5万``, ``3000元`` or a number."""
    if isinstance(value, bool):
        raise BadValue("bad_amount", value=str(value))
    return read_amount(clean(value))


def read_amount(text: str) -> int:
    """:func:`parse_amount` of a cleaned text."""
    text = text.replace(" ", "")
    if not text:
        raise BadValue("empty")
    number = text.removeprefix("¥").removeprefix("￥").removeprefix("RMB")
    factor = 1
    if number.endswith("元"):
        number = number[:-1]
    if number.endswith("万"):
        number, factor = number[:-1], 10_000
    if "," in number and _GROUPED.match(number):
        number = number.replace(",", "")
    whole, _, fraction = number.partition(".")
    if _plain(whole, fraction):
        return _whole_yuan(int(whole + fraction) * factor, 10 ** len(fraction), text)
    if not _AMOUNT.match(number):
        raise BadValue("bad_amount", value=text)
    try:
        amount = (Decimal(number) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise BadValue("bad_amount", value=text) from None
    if abs(amount) >= MAX_YUAN:
        raise BadValue("amount_too_large", value=text)
    return int(amount)


def _plain(whole: str, fraction: str) -> bool:
    """An amount written the usual way, ``1234`` or ``1234.50``: ASCII digits, no sign, few
    enough that :func:`_whole_yuan` computes exactly what the :class:`Decimal` reading would
    (28 significant digits)."""
    return (
        0 < len(whole) <= 16
        and len(fraction) <= 8
        and whole.isascii()
        and whole.isdigit()
        and fraction.isascii()
        and (fraction.isdigit() or not fraction)
    )


def _whole_yuan(scaled: int, scale: int, text: str) -> int:
    """``scaled / scale`` yuan rounded half up, as :func:`read_amount` reads it: the same result
    by integer arithmetic, several times faster (an import reads a million amounts)."""
    amount, rest = divmod(scaled, scale)
    amount += 2 * rest >= scale
    if amount >= MAX_YUAN:
        raise BadValue("amount_too_large", value=text)
    return amount


def parse_amount_not_negative(value: object) -> int:
    """An amount as :func:`parse_amount` reads it, refused when below zero (assets, revenue)."""
    amount = parse_amount(value)
    if amount < 0:
        raise BadValue("negative_amount", value=clean(value))
    return amount


def read_amount_not_negative(text: str) -> int:
    """:func:`parse_amount_not_negative` of a cleaned text."""
    amount = read_amount(text)
    if amount < 0:
        raise BadValue("negative_amount", value=text)
    return amount


def parse_count(value: object) -> int:
    """A whole non-negative number (head count): ``1,200`` or ``1200``."""
    return read_count(clean(value))


def read_count(text: str) -> int:
    """:func:`parse_count` of a cleaned text."""
    text = text.replace(",", "")
    if not text:
        raise BadValue("empty")
    if not text.isdigit() or len(text) > 12:
        raise BadValue("bad_number", value=text)
    return int(text)


def parse_phone(value: object) -> str:
    """A mobile or landline number in stored form (see :mod:`cmworkbench.domain.phone`)."""
    return read_phone(clean(value))


def read_phone(text: str) -> str:
    """:func:`parse_phone` of a cleaned text."""
    if not text:
        raise BadValue("empty")
    # The usual mobile number, perhaps typed with spaces: what phone.normalise would make of
    # it (a cleaned text is NFKC already and its only white space is single spaces).
    compact = text.replace(" ", "")
    if phone.MOBILE.match(compact):
        return compact
    number = phone.normalise(text)
    if not phone.is_valid(number):
        raise BadValue("bad_phone", value=text)
    return number


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
EXACT_DIGITS = 15
"""Excel keeps this many significant digits of a number: a 16- to 18-digit ID number stored as
a number has lost its last digits."""


def parse_id_number(value: object) -> str:
    """A resident ID number (GB 11643), upper-case ``X``, with its check digit verified; a
    15-digit number (before 1999) comes back upgraded to 18 digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = clean(value)
        if not number.isdigit() or len(number) > EXACT_DIGITS:
            raise BadValue("id_as_number", value=number)
        value = number  # a 15-digit number survives as a number; it is read as text
    return read_id_number(clean(value))


def read_id_number(text: str) -> str:
    """:func:`parse_id_number` of a cleaned text."""
    text = text.replace(" ", "").upper()
    if not text:
        raise BadValue("empty")
    if "E" in text and _SCIENTIFIC.match(text):  # a CSV saved by Excel from a number cell
        raise BadValue("id_as_number", value=text)
    if len(text) == 15 and text.isdigit():
        return _upgraded(text)
    if len(text) != 18:
        raise BadValue("id_length", length=len(text))
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise BadValue("id_chars")
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise BadValue("id_birth", value=text[6:14]) from None
    expected = idcard.check_char(text[:17])
    if text[17] != expected:
        raise BadValue("id_check", expected=expected, found=text[17])
    return text


def _upgraded(old: str) -> str:
    """The 18-digit form of a 15-digit ID number (born in the 1900s: the year gets ``19``)."""
    try:
        date(1900 + int(old[6:8]), int(old[8:10]), int(old[10:12]))
    except ValueError:
        raise BadValue("id_birth", value="19" + old[6:12]) from None
    return idcard.upgrade(old)


def parse_flag(value: object) -> bool:
    """Yes/no as typed: 是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    return read_flag(clean(value))


def read_flag(text: str) -> bool:
    """:func:`parse_flag` of a cleaned text."""
    text = text.lower()
    if text in {"是", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if text in {"否", "n", "no", "false", "0", "×", "x", ""}:
        return False
    raise BadValue("bad_flag", value=text)


def parse_text(value: object, most: int) -> str:
    """Cleaned text of at most ``most`` characters, without control characters."""
    return read_text(clean(value), most)


def read_text(text: str, most: int) -> str:
    """:func:`parse_text` of a cleaned text."""
    # every control character is unprintable: a printable text (the usual one) has none
    found = None if text.isprintable() else first_control(text)
    if found is not None:
        raise BadValue("control_char", code=f"U+{ord(text[found]):04X}", position=found + 1)
    if len(text) > most:
        raise BadValue("too_long", most=most, length=len(text))
    return text


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """One value of a vocabulary: ``choices`` maps every accepted spelling (lower-case) to it."""
    return read_choice(clean(value), choices)


def read_choice(text: str, choices: dict[str, str]) -> str:
    """:func:`parse_choice` of a cleaned text."""
    found = choices.get(text.lower())
    if found is None:
        allowed = ", ".join(sorted(set(choices.values())))
        raise BadValue("bad_choice", value=text, allowed=allowed)
    return found


TEXT_READERS: dict[Callable[..., Any], Callable[..., Any]] = {
    parse_date: read_date,
    parse_amount: read_amount,
    parse_amount_not_negative: read_amount_not_negative,
    parse_count: read_count,
    parse_phone: read_phone,
    parse_id_number: read_id_number,
    parse_flag: read_flag,
    parse_text: read_text,
    parse_choice: read_choice,
}
"""Each parser → its twin for a cleaned text (same arguments after the first)."""
