"""Reveal of masked personal data: permitted by role, written to the audit log.

Phones and ID numbers are masked in everything the services return (DESIGN.md: PII is masked
on screen by default). Seeing one in clear is a deliberate act by someone whose role
``privacy.reveal_roles`` in config allows, on a customer in their scope, and each reveal is
one audit row, so the log answers "who looked at this customer's ID number, and when".
"""

from __future__ import annotations

from sqlmodel import Session

from cmworkbench.config import Settings
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.customers.schemas import REVEALABLE


def reveal(
    *, session: Session, actor: Actor, settings: Settings, customer_no: str, field_name: str
) -> str:
    """The clear value of ``phone``, ``phone2`` or ``id_number``; role-checked, audited."""
    if field_name not in REVEALABLE:
        raise InvalidInput(
            t("customer.reveal.bad_field", field=field_name, choices=", ".join(REVEALABLE))
        )
    if actor.role not in settings.privacy.reveal_roles:
        raise OutOfScope(
            t(
                "customer.reveal.not_allowed",
                role=label("role", actor.role),
                field=t(f"customer.field.{field_name}"),
            )
        )
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    # Every reveal is written down, even of an empty field: the log answers "who looked".
    audit.record(
        session,
        actor=actor,
        action="reveal",
        object_type="customer",
        object_id=customer.id,
        customer_id=customer.id,
        field_name=field_name,
    )
    value: str | None = getattr(customer, field_name)
    return value or ""
