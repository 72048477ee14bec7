"""What other capabilities may call of promises, inside their own unit of work."""

from __future__ import annotations

from cmworkbench.services.promises.hooks import (
    NEGOTIATION,
    contact_logged,
    customer_changed,
    customer_created,
    ensure_feedback,
    imported,
    missing_fields,
    ticket_contact,
    ticket_opened,
    ticket_reassigned,
    ticket_reopened,
)
from cmworkbench.services.promises.queries import due_on, owed_by, owed_to
from cmworkbench.services.promises.sweep import sweep

__all__ = [
    "NEGOTIATION",
    "contact_logged",
    "customer_changed",
    "customer_created",
    "due_on",
    "ensure_feedback",
    "imported",
    "missing_fields",
    "owed_by",
    "owed_to",
    "sweep",
    "ticket_contact",
    "ticket_opened",
    "ticket_reassigned",
    "ticket_reopened",
]
