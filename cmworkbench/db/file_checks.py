"""The data-quality rules of a customer file as SQL: which required fields it lacks
(completeness) and which compliance checks it fails (合规), decided per row in the database
for the report's figures (:mod:`cmworkbench.services.reports.figures`).

The rules are the domain's, written once more in SQL because the report reads a million
files at once: an ID number is valid as :func:`cmworkbench.domain.idcard.validate` says (18
characters, a birth date that exists, the GB 11643 check character), a phone as
:func:`cmworkbench.domain.phone.is_valid` says; the tests hold both versions to the same
answers (``tests/db/test_file_checks.py``).

The required fields are written into the SQL from config (:func:`missing_count`: plain
column tests per kind and class); the checks take their settings as parameters and a small
table (:func:`tables`):

``rep_deny(grade, cls)``           the classes each grade may not own (``[grades]``);
``:dq_on_<rule>``                  1 when a check applies the rule, else 0;
``:dq_rule_<rule>`` / ``:dq_field_<field>``  the names shown in the drill-down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, inspect

from cmworkbench.config import COMPLIANCE_RULES, GROUP_CLASSES, REQUIRABLE_FIELDS
from cmworkbench.db.dialect import Dialect
from cmworkbench.db.models import Customer
from cmworkbench.domain.file_quality import required_fields
from cmworkbench.domain.idcard import CHECK_CHARS, WEIGHTS


def _stored_as_text(name: str) -> bool:
    kind = inspect(Customer).columns[name].type
    return isinstance(getattr(kind, "impl", kind), String)  # AutoString decorates a String


TEXT_FIELDS = frozenset(name for name in REQUIRABLE_FIELDS if _stored_as_text(name))
"""Requirable fields stored as text (read from the model): empty text is as good as missing."""


def _missing(name: str, alias: str = "c") -> str:
    column = f"{alias}.{name}"
    if name in TEXT_FIELDS:
        return f"({column} IS NULL OR {column} = '')"
    return f"{column} IS NULL"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _by_file(required: Mapping[str, Sequence[str]], each: Any, none: str) -> str:
    """SQL: ``each(fields)`` for the required fields of file ``c``'s kind and class (a
    ``kind.CLASS`` list first, then the kind's), ``none`` for a kind with no list."""
    whens = []
    for key in sorted(required, key=lambda k: -k.count(".")):  # kind.CLASS before kind
        kind, _, cls = key.partition(".")
        test = f"c.kind = {_sql_text(kind)}" + (f" AND c.cls = {_sql_text(cls)}" if cls else "")
        whens.append(f"WHEN {test} THEN {each(required_fields(required, kind, cls or None))}")
    return f"(CASE {' '.join(whens)} ELSE {none} END)" if whens else none


def missing_count(required: Mapping[str, Sequence[str]]) -> str:
    """SQL: how many of its required fields file ``c`` lacks (config values written into the
    SQL: plain column tests, no table of rules joined per row)."""

    def count(names: Sequence[str]) -> str:
        return " + ".join(f"(CASE WHEN {_missing(n)} THEN 1 ELSE 0 END)" for n in names) or "0"

    return _by_file(required, count, "0")


def missing_names(required: Mapping[str, Sequence[str]]) -> str:
    """SQL: the names of the required fields file ``c`` lacks, comma-separated."""

    def names(fields: Sequence[str]) -> str:
        parts = " || ".join(
            f"CASE WHEN {_missing(n)} THEN ', ' || :dq_field_{n} ELSE '' END" for n in fields
        )
        return f"substr({parts}, 3)" if fields else "''"

    return _by_file(required, names, "''")


def _matches(d: Dialect, column: str, globs: Sequence[str], regex: str) -> str:
    """SQL: ``column`` has one of the shapes (SQLite ``GLOB`` patterns / a POSIX regex)."""
    if d.name == "sqlite":
        return "(" + " OR ".join(f"{column} GLOB '{g}'" for g in globs) + ")"
    return f"{column} ~ '{regex}'"


_D = "[0-9]"


def _digit(column: str, at: int) -> str:
    return f"CAST(substr({column}, {at}, 1) AS integer)"


def _number(column: str, at: int, width: int) -> str:
    return f"CAST(substr({column}, {at}, {width}) AS integer)"


def id_number_valid(d: Dialect, column: str = "c.id_number") -> str:
    """SQL: ``column`` is a valid resident ID number (NULL or empty is not)."""
    shape = _matches(d, column, [_D * 17 + "[0-9X]"], "^[0-9]{17}[0-9X]$")
    total = " + ".join(f"{_digit(column, i + 1)} * {w}" for i, w in enumerate(WEIGHTS))
    check = f"substr('{CHECK_CHARS}', ({total}) % 11 + 1, 1) = substr({column}, 18, 1)"
    year, month, day = _number(column, 7, 4), _number(column, 11, 2), _number(column, 13, 2)
    leap = f"(({year}) % 4 = 0 AND (({year}) % 100 <> 0 OR ({year}) % 400 = 0))"
    days = (
        f"CASE WHEN {month} IN (4, 6, 9, 11) THEN 30 WHEN {month} = 2 THEN"
        f" CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"
    )
    born = f"{year} >= 1 AND {month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {days}"
    # The shape first: the casts run only on 18 characters of digits (and an X at the end).
    return (
        f"(CASE WHEN {shape} THEN (CASE WHEN {born} AND {check} THEN 1 ELSE 0 END) ELSE 0 END = 1)"
    )


def phone_valid(d: Dialect, column: str = "c.phone") -> str:
    """SQL: ``column`` is a mainland mobile number or a landline with its area code."""
    globs = [
        "1[3-9]" + _D * 9,
        *(f"0{_D * code}-{_D * local}" for code in (2, 3) for local in (7, 8)),
    ]
    return _matches(d, column, globs, "^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})$")


def _passes(d: Dialect, rule: str, since: str, end: str) -> str:
    """SQL: file ``c`` (owner ``o``, may be NULL) passes compliance ``rule``."""
    if rule == "id_number_valid":
        return f"(c.kind <> 'individual' OR {id_number_valid(d)})"
    if rule == "phone_valid":
        return phone_valid(d)
    if rule == "grade_may_own":
        return "NOT EXISTS (SELECT 1 FROM rep_deny g WHERE g.grade = o.grade AND g.cls = c.cls)"
    if rule == "key_person_role":
        return (
            "(c.kind <> 'group' OR EXISTS (SELECT 1 FROM contact k"
            " WHERE k.customer_id = c.id AND k.role <> 'contact'))"
        )
    if rule == "backup_in_team":
        # The B角 is an active colleague in the owner's team (or, like the owner, in none).
        return (
            "EXISTS (SELECT 1 FROM staff b WHERE b.id = c.backup_id AND b.id <> c.owner_id"
            " AND b.active AND (b.team_id = o.team_id"
            " OR (b.team_id IS NULL AND o.team_id IS NULL)))"
        )
    assert rule == "verified_fresh", rule
    # Re-verified within the class's freshness rule by the end (classes without one pass).
    return (
        "NOT EXISTS (SELECT 1 FROM rep_fresh f WHERE f.cls = c.cls AND (c.info_verified_at IS NULL"
        f" OR c.info_verified_at < f.{since} OR c.info_verified_at >= {end}))"
    )


def fails(d: Dialect, rule: str, since: str = "since", end: str = ":end") -> str:
    """SQL: 1 when file ``c`` fails ``rule`` and a check applies it, else 0."""
    return f"(CASE WHEN :dq_on_{rule} = 1 AND NOT {_passes(d, rule, since, end)} THEN 1 ELSE 0 END)"


STATIC_RULES = tuple(r for r in COMPLIANCE_RULES if r != "verified_fresh")
"""The rules whose answer does not depend on the period (the file as it stands)."""


def failed_names(failed: Mapping[str, str]) -> str:
    """SQL: the names of the checks failed, comma-separated, given rule → its 0/1 column."""
    parts = " || ".join(
        f"CASE WHEN {column} = 1 THEN ', ' || :dq_rule_{rule} ELSE '' END"
        for rule, column in failed.items()
    )
    return f"substr({parts}, 3)"


def tables(
    grades: Mapping[str, Sequence[str]],
) -> dict[str, tuple[tuple[tuple[str, str], ...], list[tuple[Any, ...]]]]:
    """The rows of ``rep_deny`` (the classes each grade may not own), with its (column, type)
    pairs."""
    deny = [
        (grade, cls) for grade, allowed in grades.items() for cls in GROUP_CLASSES
        if cls not in allowed
    ]  # fmt: skip
    return {"rep_deny": ((("grade", "text"), ("cls", "text")), deny)}


def params(checks: Mapping[str, str], rule_label: Any, field_label: Any) -> dict[str, Any]:
    """The parameters: which rules apply, and the names shown (a check named after its rule is
    shown as ``rule_label(rule)``, in the user's language; ``field_label(field)`` likewise)."""
    names: dict[str, list[str]] = {}
    for name, rule in checks.items():
        names.setdefault(rule, []).append(rule_label(rule) if name == rule else name)
    out: dict[str, Any] = {}
    for rule in COMPLIANCE_RULES:
        out[f"dq_on_{rule}"] = int(rule in names)
        out[f"dq_rule_{rule}"] = " / ".join(names.get(rule, [rule]))
    for name in REQUIRABLE_FIELDS:
        out[f"dq_field_{name}"] = field_label(name)
    return out
