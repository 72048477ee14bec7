"""What the credit services return (screens and the CLI import these, never the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

ITEM_RESULTS = ("pass", "concern")


@dataclass(frozen=True)
class CreditItemOut:
    """One investigation item of the checklist."""

    item: str
    label: str
    result: str | None
    """``None`` (open), ``pass`` or ``concern``."""
    finding: str | None
    note: str | None
    document_ref: str | None
    checked_by: str | None
    """The login of who checked it."""
    checked_at: datetime | None


@dataclass(frozen=True)
class GuarantorOut:
    id: int
    name: str
    id_no: str
    """Masked (``110105********1234``)."""
    relation: str | None
    net_assets: int


@dataclass(frozen=True)
class CreditEventOut:
    at: datetime
    staff: str | None
    action: str
    note: str | None


@dataclass(frozen=True)
class PostLoanCheckOut:
    seq: int
    due_on: date
    done_at: datetime | None
    done_by: str | None
    findings: str | None
    overdue: bool
    """Not done and its due day has passed."""


@dataclass(frozen=True)
class CreditFileOut:
    """One credit file as lists, the risk manager's queue and ``--json`` show it."""

    id: int
    customer_no: str
    name: str
    product: str
    amount: int
    """The loan, whole yuan."""
    term_months: int
    purpose: str
    risk_grade: str
    state: str
    """One of :data:`cmworkbench.domain.credit.STATES`."""
    file_version: int
    previous_id: int | None
    holding_id: int | None
    owner: str
    owner_name: str
    risk_manager: str | None
    risk_manager_name: str | None
    open_items: int
    guarantor_nets: int
    coverage: float
    """The guarantors' net assets together over the loan."""
    coverage_ok: bool
    submitted_at: datetime | None
    signed_at: datetime | None
    return_comment: str | None
    next_check: date | None
    """The next post-loan check (approved files)."""
    check_overdue: bool
    version: int


@dataclass(frozen=True)
class CreditFileDetail:
    """A credit file whole: the checklist, the borrower's figures, guarantors, history and
    post-loan checks, and what keeps it from being signed."""

    file: CreditFileOut
    items: list[CreditItemOut]
    total_assets: int | None
    total_liabilities: int | None
    net_assets: int | None
    monthly_sales: int | None
    settlement: str | None
    collection: str | None
    collateral: str | None
    collateral_value: int | None
    guarantors: list[GuarantorOut]
    coverage_needed: int
    blocking: list[str]
    """Why it cannot be submitted or signed now (empty: it can)."""
    events: list[CreditEventOut]
    checks: list[PostLoanCheckOut]
