"""Checking what people type: every problem of a form at once, each tied to its field.

A service collects ``field → problem`` and raises one :class:`FieldsInvalid`: its message is
one line for a notification or the CLI (``证件号码：校验位应为 7，而不是 3；联系电话：…``),
and :attr:`FieldsInvalid.fields` lets a form mark each field. Problems are in the current
language; field labels come from the catalog under ``<label_prefix><field>``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from cmworkbench.domain import idcard
from cmworkbench.domain.pipeline import MOST_YUAN, parse_yuan
from cmworkbench.domain.text import describe, first_control
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput


class FieldsInvalid(InvalidInput):
    """Input that breaks rules in one or more fields; nothing was written."""

    def __init__(self, fields: Mapping[str, str], *, label_prefix: str) -> None:
        self.fields: dict[str, str] = dict(fields)
        """Field name → its problem alone (``校验位应为 7，而不是 3``), for marking a form."""
        super().__init__(problems_line(self.fields, label_prefix))


def problems_line(problems: Mapping[str, str], label_prefix: str) -> str:
    """``label：problem；label：problem`` in the current language."""
    return t("input.joiner").join(
        t("input.field_problem", field=t(label_prefix + name), problem=problem)
        for name, problem in problems.items()
    )


def choices(values: Collection[str]) -> str:
    """``A1、A2、B1`` (zh_CN) or ``A1, A2, B1`` (en)."""
    return t("input.choice_joiner").join(values)


def choice_problem(value: str, allowed: Collection[str]) -> str | None:
    """The problem with ``value`` if it is not one of ``allowed``, else ``None``."""
    if value in allowed:
        return None
    return t("input.choice", value=value or '""', choices=choices(allowed))


def text_problem(
    value: str | None,
    *,
    most: int | None = None,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """The problem with a free text (after stripping spaces), else ``None``. Control
    characters are refused (``multiline``: but line breaks and tabs), see
    :mod:`cmworkbench.domain.text`."""
    text = (value or "").strip()
    if required and not text:
        return t("input.required")
    found = first_control(text, multiline=multiline)
    if found is not None:
        return t("input.control_char", code=describe(text[found]), position=found + 1)
    if most is not None and len(text) > most:
        return t("input.too_long", most=most, n=len(text))
    return None


def range_problem(value: int, least: int, most: int) -> str | None:
    """The problem with a whole number outside ``least`` … ``most``, else ``None``."""
    if least <= value <= most:
        return None
    return t("input.range", least=least, most=most, value=value)


def read_yuan(
    problems: dict[str, str], field: str, text: str | int | None, *, required: bool
) -> int | None:
    """Whole yuan from what a person types (``1200000``, ``1,200,000``, ``120万``, ``1.5亿``:
    :func:`cmworkbench.domain.pipeline.parse_yuan`); a problem goes into ``problems`` under
    ``field`` (nothing typed is one only when ``required``)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        if required:
            problems[field] = t("input.required")
        return None
    amount = text if isinstance(text, int) else parse_yuan(text)
    if amount is None or amount < 0 or amount > MOST_YUAN:
        problems[field] = t("input.bad_yuan", value=text)
        return None
    return amount


_ID_MESSAGES = (
    (re.compile(r"^must be 18 characters, not (?P<n>\d+)$"), "input.id_length"),
    (re.compile(r"^only digits, and X as the last character$"), "input.id_chars"),
    (re.compile(r"^birth date (?P<birth>\d+) does not exist$"), "input.id_birth"),
    (re.compile(r"^check digit should be (?P<expected>\w), not (?P<actual>\w)$"), "input.id_check"),
)
""":func:`idcard.validate`'s sentences, read back into catalog keys for the current language."""


def id_problem(number: str) -> str | None:
    """The problem with a resident ID number (身份证号) in the current language, else ``None``
    (:func:`cmworkbench.domain.idcard.validate`)."""
    problem = idcard.validate(number)
    if problem is None:
        return None
    for pattern, key in _ID_MESSAGES:
        match = pattern.match(problem)
        if match:
            return t(key, **match.groupdict())
    return problem  # a new sentence in idcard: still better shown in English than hidden
