"""A customer file verified field by field (信息核实): what the manager checked with the
customer, what was right and what was corrected, for the accuracy figure (``data_accuracy``).

The fields a verification asks are the file's required fields (``[data_quality.required]``
for its kind and class) that a manager can edit; each is *confirmed* (as it stands) or
*corrected* (a new value, checked by the same rules as an edit, written with the same
optimistic lock and audit rows). A required field still empty and left empty is not checked
(nothing to confirm); one filled in is a correction. One :class:`Verification` row records the
check; the file counts as re-verified (信息更新) and its verification tasks close; a file now
complete keeps its new-customer-file promise. Nothing is written when a value is refused or
someone changed the customer since it was read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Verification
from cmworkbench.domain.file_quality import empty, verification_row
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.customers.edit import (
    apply_changes,
    class_rule,
    shown,
    validate_changes,
    verify_now,
)
from cmworkbench.services.customers.file_fields import asked_fields
from cmworkbench.services.customers.schemas import (
    FileCheck,
    FileField,
    VerificationOut,
)
from cmworkbench.services.promises import api as promises
from cmworkbench.services.tasks.api import close_verify_tasks


def checkable(settings: Settings, customer: Customer) -> list[str]:
    """The fields a verification of ``customer`` asks."""
    return asked_fields(settings, customer.kind, customer.cls)


def file_check(
    *, session: Session, actor: Actor, settings: Settings, customer_no: str
) -> FileCheck:
    """What a verification of ``customer_no`` asks: each field with its value as shown."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    values = {name: getattr(customer, name) for name in checkable(settings, customer)}
    return FileCheck(
        customer_no=customer.customer_no,
        name=customer.name,
        version=customer.version,
        fields=tuple(FileField(name, shown(name, v), not empty(v)) for name, v in values.items()),
    )


def verify_file(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    version: int | None = None,
    corrected: Mapping[str, str] | None = None,
    unchecked: Collection[str] = (),
) -> VerificationOut:
    """Record a verification of ``customer_no`` now: the fields asked (:func:`checkable`)
    except ``unchecked`` are confirmed, but those ``corrected`` (field → the right value).

    ``version`` is the one read (``None``: as it stands now); a stale one is a Conflict.
    Refused, with nothing written: a field that is not asked, a value the edit rules refuse
    (all problems at once), or nothing checked at all."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    asked = checkable(settings, customer)
    corrected = dict(corrected or {})
    strange = sorted((set(corrected) | set(unchecked)) - set(asked))
    if strange:
        raise InvalidInput(
            t("verify.not_asked", fields=", ".join(strange), asked=", ".join(asked) or "—")
        )
    clean = validate_changes(
        {name: value.strip() for name, value in corrected.items()},
        class_allowed=class_rule(session, settings, customer),
    )
    changes = {name: value for name, value in clean.items() if getattr(customer, name) != value}
    checked = [
        name
        for name in asked
        if name not in unchecked and (not empty(getattr(customer, name)) or changes.get(name))
    ]
    if not checked:
        raise InvalidInput(t("verify.nothing_checked", customer_no=customer.customer_no))
    before = {name: shown(name, getattr(customer, name)) for name in changes}
    apply_changes(
        session,
        actor=actor,
        customer=customer,
        version=customer.version if version is None else version,
        values=changes,
    )
    verify_now(session, actor=actor, customer=customer)
    assert customer.id is not None
    wrong = [name for name in checked if name in changes]
    n_checked, confirmed, fields, detail = verification_row(
        checked, [(name, before[name], shown(name, getattr(customer, name))) for name in wrong]
    )
    record = Verification(
        customer_id=customer.id,
        at=clock.now(),
        staff_id=actor.id,
        source="hand",
        checked=n_checked,
        confirmed=confirmed,
        fields=fields,
        detail=detail,
    )
    session.add(record)
    close_verify_tasks(session, actor=actor, customer_id=customer.id)
    if changes:
        promises.customer_changed(session, settings, actor, [customer])  # a file now complete
    session.flush()
    return VerificationOut(
        customer.customer_no, record.at, tuple(checked), tuple(wrong), record.detail
    )
