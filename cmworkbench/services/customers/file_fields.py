"""The fields a verification of a customer file asks (:mod:`.verification`; an authoritative
import checks those it carries)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from cmworkbench.config import Settings
from cmworkbench.domain.file_quality import required_fields
from cmworkbench.services.customers.schemas import CustomerEdit

EDITABLE = tuple(f.name for f in dataclass_fields(CustomerEdit) if f.name != "status")
"""Fields a verification can correct (those a manager edits; the status is no fact to check)."""


def asked_fields(settings: Settings, kind: str, cls: str | None) -> list[str]:
    """The fields a verification of a file of ``kind`` and ``cls`` asks, in the order of the
    required list (an authoritative import checks those it carries)."""
    needed = required_fields(settings.data_quality.required, kind, cls)
    return [name for name in needed if name in EDITABLE]
