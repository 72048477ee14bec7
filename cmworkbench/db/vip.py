"""Who is a VIP (:mod:`cmworkbench.domain.vip`), as SQL: for the set-based rules (task
generation, the reports' cadence join, the stored score) that decide it per row in the
database. Built when a statement is built, from the tiers the process was configured with."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from cmworkbench.db.models import Customer
from cmworkbench.domain import vip


def _listed() -> str:
    # Tiers are config values checked against the known tiers; quoted as SQL literals anyway.
    quoted = ", ".join("'" + tier.replace("'", "''") + "'" for tier in vip.tiers())
    return quoted or "NULL"


def vip_case(alias: str = "c") -> str:
    """SQL text: 1 when the customer row ``alias`` is a VIP, else 0."""
    return f"(CASE WHEN {alias}.is_vip OR {alias}.tier IN ({_listed()}) THEN 1 ELSE 0 END)"


def vip_clause() -> ColumnElement[bool]:
    """A WHERE clause on :class:`Customer`: the customer is a VIP."""
    return or_(col(Customer.is_vip), col(Customer.tier).in_(vip.tiers()))
