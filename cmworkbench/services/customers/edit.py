"""Editing a customer's basic data: the field rules, the optimistic lock, the audit trail.

:mod:`cmworkbench.services.customers.profile` calls these after its scope check; screens call
``customers.update_customer`` / ``customers.verify_file``, not this module.

* Every field is checked before anything is written, and all problems are reported at once
  (:class:`CustomerInvalid`): a form can mark each field, a notification shows one line.
* Two people editing the same customer never silently overwrite each other (DESIGN.md): the
  write says ``WHERE version = :seen``, and a miss is a :class:`Conflict` naming who changed
  the customer and when.
* Each changed field gets one audit row, ``old → new``, with phones and ID numbers masked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session, col, update

from cmworkbench import clock
from cmworkbench.config import GROUP_CLASSES, Settings
from cmworkbench.db.models import Customer, Staff
from cmworkbench.domain import phone
from cmworkbench.domain.enums import CustomerStatus
from cmworkbench.domain.file_quality import empty
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import (
    FieldsInvalid,
    choice_problem,
    choices,
    id_problem,
    text_problem,
)

MAX_LENGTH = {"name": 200, "address": 300, "area": 64, "industry": 64}
"""Column sizes of :class:`Customer` (db.models)."""
MASKED: dict[str, Callable[[str | None], str]] = {
    "phone": mask_phone,
    "phone2": mask_phone,
    "id_number": mask_id,
}
"""PII fields and how their values are shown in audit details."""
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})[-~](\d{1,2}):(\d{2})$")


class CustomerInvalid(FieldsInvalid):
    """Edits of a customer that break the rules. ``str()`` is one line for people
    (``证件号码：校验位应为 7，而不是 3；联系电话：…``); :attr:`fields` maps each field name to
    its problem alone."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(fields, label_prefix="customer.field.")


class _Bad(ValueError):
    """One field's problem, already in the current language."""


def validate_changes(
    values: Mapping[str, str | None], *, class_allowed: Callable[[str], str | None] | None = None
) -> dict[str, str | None]:
    """The normalised values of the given fields (``None`` = not given, skipped; ``""`` =
    clear an optional field), or :class:`CustomerInvalid` listing every problem.

    ``class_allowed`` may refuse a valid class for this customer (see :func:`class_rule`).
    """
    clean: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    for name, raw in values.items():
        if raw is None:
            continue
        try:
            clean[name] = _RULES[name](raw)
        except _Bad as bad:
            problems[name] = str(bad)
    new_cls = clean.get("cls")
    if new_cls and class_allowed is not None and (refusal := class_allowed(new_cls)):
        problems["cls"] = refusal
    if problems:
        raise CustomerInvalid(problems)
    return clean


def class_rule(
    session: Session, settings: Settings, customer: Customer
) -> Callable[[str], str | None]:
    """The owner's grade decides which classes they may own (A-class books go to senior
    managers, DESIGN.md): a new class the owner's grade may not hold is refused with the
    reason. The current class is always accepted, and owners without a configured grade are
    not limited."""
    owner = session.get(Staff, customer.owner_id) if customer.owner_id is not None else None

    def problem(cls: str) -> str | None:
        if cls == customer.cls or owner is None or owner.grade not in settings.grades:
            return None
        assert owner.grade is not None
        allowed = settings.grades[owner.grade]
        if cls in allowed:
            return None
        return t(
            "input.cls_grade",
            owner=owner.name,
            grade=owner.grade,
            cls=cls,
            allowed=choices(allowed),
        )

    return problem


def _text(name: str, raw: str, *, required: bool = False) -> str | None:
    problem = text_problem(raw, most=MAX_LENGTH[name], required=required)
    if problem:
        raise _Bad(problem)
    return raw.strip() or None


def _cls(raw: str) -> str | None:
    value = unicodedata.normalize("NFKC", raw).strip().upper()
    if value and (problem := choice_problem(value, GROUP_CLASSES)):
        raise _Bad(problem)
    return value or None


def _status(raw: str) -> str:
    value = raw.strip().lower()
    problem = choice_problem(value, tuple(s.value for s in CustomerStatus))
    if problem:
        raise _Bad(problem)
    return value


def _phone(raw: str) -> str | None:
    value = phone.normalise(raw)
    if value and not phone.is_valid(value):
        raise _Bad(t("input.phone", value=raw.strip()))
    return value or None


def _id_number(raw: str) -> str | None:
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()
    if not value:
        return None
    problem = id_problem(value)
    if problem is not None:
        raise _Bad(problem)
    return value


def _hours(raw: str) -> str | None:
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    if not value:
        return None
    match = _HOURS.match(value)
    if match:
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2):
            return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"
    raise _Bad(t("input.hours", value=raw.strip()))


_RULES: dict[str, Callable[[str], str | None]] = {
    "name": lambda raw: _text("name", raw, required=True),
    "cls": _cls,
    "phone": _phone,
    "phone2": _phone,
    "id_number": _id_number,
    "address": lambda raw: _text("address", raw),
    "area": lambda raw: _text("area", raw),
    "industry": lambda raw: _text("industry", raw),
    "preferred_hours": _hours,
    "status": _status,
}


def apply_changes(
    session: Session, *, actor: Actor, customer: Customer, version: int, values: Mapping[str, Any]
) -> None:
    """Write the values that differ from ``customer`` if it is still at ``version``; audit
    each changed field. Raises :class:`Conflict` (nothing written) when someone was faster."""
    changed = {name: v for name, v in values.items() if getattr(customer, name) != v}
    if not changed:
        return
    before = {name: getattr(customer, name) for name in changed}
    result = session.exec(
        update(Customer)
        .where(col(Customer.id) == customer.id, col(Customer.version) == version)
        .values(**changed, version=col(Customer.version) + 1, updated_at=clock.now())
    )
    if result.rowcount == 0:
        raise Conflict(conflict_message(session, customer))
    for name, new in changed.items():
        audit.record(
            session,
            actor=actor,
            action="update",
            object_type="customer",
            object_id=customer.id,
            customer_id=customer.id,
            field_name=name,
            detail=f"{shown(name, before[name])} → {shown(name, new)}",
        )
    session.refresh(customer)


def verify_now(session: Session, *, actor: Actor, customer: Customer) -> None:
    """Stamp the basic data as re-verified now (a new version; no lock: it edits no field)."""
    before = customer.info_verified_at
    now = clock.now()
    session.exec(
        update(Customer)
        .where(col(Customer.id) == customer.id)
        .values(info_verified_at=now, version=col(Customer.version) + 1, updated_at=now)
    )
    audit.record(
        session,
        actor=actor,
        action="verify",
        object_type="customer",
        object_id=customer.id,
        customer_id=customer.id,
        field_name="info_verified_at",
        detail=f"{_local_minute(before)} → {_local_minute(now)}",
    )
    session.refresh(customer)


def conflict_message(session: Session, customer: Customer) -> str:
    """Who changed the customer last, and when, from the audit log (or the row's own stamp)."""
    session.refresh(customer)
    assert customer.id is not None
    latest = audit.latest_for_customer(session, customer.id, actions=("update", "verify"))
    if latest and latest[0].staff_name:
        who = t("customer.conflict.who", name=latest[0].staff_name, login=latest[0].staff_login)
        when = _local_minute(latest[0].at)
        return t("customer.conflict.by", customer_no=customer.customer_no, who=who, when=when)
    when = _local_minute(customer.updated_at)
    return t("customer.conflict.at", customer_no=customer.customer_no, when=when)


def shown(name: str, value: Any) -> str:
    """A field's value as shown in audit details and verifications: PII masked, empty: —."""
    if empty(value):
        return "—"
    return MASKED[name](str(value)) if name in MASKED else str(value)


def _local_minute(moment: Any) -> str:
    return (
        "—" if moment is None else moment.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")
    )
