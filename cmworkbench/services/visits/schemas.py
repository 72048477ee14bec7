"""visits: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmworkbench.db.models import OnsiteDay

PURPOSES = (
    "door_to_door_service",
    "gift",
    "courtesy_call",
    "offer_introduction",
    "event_invitation",
    "needs_discovery",
    "solution_presentation",
    "negotiation",
    "after_sale",
)
"""Why a visit is made; labels are ``enum.visit_purpose.<purpose>``."""


@dataclass(frozen=True)
class DayVisit:
    """A visit still to make today, as Today lists it among the fixed-time items."""

    item_id: int
    owner_id: int
    starts_at: datetime
    customer_no: str
    customer_name: str
    purpose: str


@dataclass(frozen=True)
class VisitItemOut:
    """One planned visit as screens show it."""

    id: int
    customer_no: str
    customer_name: str
    area: str | None
    contact_name: str | None
    purpose: str
    starts_at: datetime
    ends_at: datetime
    status: str
    """``planned``, ``done``, ``cancelled``, ``rescheduled``, ``incident``."""
    checklist: tuple[str, ...]
    warnings: tuple[str, ...]
    """The clash and sanity warnings about this visit, as text."""


@dataclass(frozen=True)
class PlanChange:
    """One difference between an approved plan and the plan now."""

    kind: str
    """``added``, ``removed`` or ``moved``."""
    customer_name: str
    before: datetime | None
    after: datetime | None


@dataclass(frozen=True)
class WeekPlan:
    """A manager's plan of one week."""

    week: str
    days: tuple[date, ...]
    """Monday to Sunday."""
    owner_login: str
    owner_name: str
    status: str
    """``draft``, ``submitted``, ``approved`` or ``returned``."""
    version: int
    """0 while no plan row exists yet."""
    comment: str | None
    """The supervisor's comment on a returned plan."""
    items: tuple[VisitItemOut, ...]
    warnings: tuple[str, ...]
    """Every warning, as text, in time order of the visits."""
    changes: tuple[PlanChange, ...]
    """For a plan changed after approval: what differs from the approved snapshot."""


@dataclass(frozen=True)
class WaitingPlan:
    """A team member's submitted plan waiting for the supervisor's decision."""

    week: str
    owner_login: str
    owner_name: str
    submitted_at: datetime | None
    visits: int
    warnings: int
    """Warnings of the plan's visits (:attr:`WeekPlan.warnings`): read them before approving."""
    version: int
    changed_since_approval: int = 0
    """Visits added, removed or moved since an earlier approval (0: a first submission)."""


@dataclass(frozen=True)
class MonthVisits:
    """A manager's visits of one month."""

    month: str
    """``2026-11``."""
    owner_login: str
    owner_name: str
    items: tuple[VisitItemOut, ...]
    """Planned and recorded visits, in time order (no warnings: those belong to the week)."""
    per_day: tuple[tuple[date, int], ...]
    """Days with visits, in order, and how many visits each (branch-local days)."""


COUNT_FIELDS = (
    "consultations_personal",
    "consultations_group",
    "transactions_personal",
    "transactions_group",
)


@dataclass(frozen=True)
class OnsiteDayOut:
    """One on-site service day as people read it."""

    id: int
    customer_no: str
    customer_name: str
    day: date
    place: str
    starts_at: datetime
    ends_at: datetime
    consultations_personal: int
    consultations_group: int
    transactions_personal: int
    transactions_group: int
    note: str | None


@dataclass(frozen=True)
class OnsiteFigures:
    """Days, time and counts of a set of on-site service days; ``onsite_ids`` are the records
    behind the figures."""

    days: int = 0
    minutes: int = 0
    consultations_personal: int = 0
    consultations_group: int = 0
    transactions_personal: int = 0
    transactions_group: int = 0
    onsite_ids: tuple[int, ...] = ()

    @property
    def hours(self) -> float:
        """Time on site in hours (one decimal is what a report shows)."""
        return self.minutes / 60

    def plus(self, row: OnsiteDay) -> OnsiteFigures:
        """These figures with one more day added."""
        assert row.id is not None
        return OnsiteFigures(
            days=self.days + 1,
            minutes=self.minutes + _minutes(row.starts_at, row.ends_at),
            consultations_personal=self.consultations_personal + row.consultations_personal,
            consultations_group=self.consultations_group + row.consultations_group,
            transactions_personal=self.transactions_personal + row.transactions_personal,
            transactions_group=self.transactions_group + row.transactions_group,
            onsite_ids=(*self.onsite_ids, row.id),
        )


@dataclass(frozen=True)
class OnsiteCustomerLine:
    """One group customer's share of a staff member's month."""

    customer_no: str
    customer_name: str
    figures: OnsiteFigures


@dataclass(frozen=True)
class OnsiteSummaryRow:
    """One staff member's on-site month: totals and the customers served."""

    login: str
    name: str
    month: str
    totals: OnsiteFigures
    customers: tuple[OnsiteCustomerLine, ...]


@dataclass(frozen=True)
class ProposedVisit:
    """A visit the planner proposes (not saved)."""

    customer_no: str
    customer_name: str
    area: str | None
    purpose: str
    starts_at: datetime
    ends_at: datetime
    priority: int


VISIT_OUTCOMES = ("done", "cancelled", "rescheduled", "incident")
"""How a planned visit went, in the order of their keys (1–4)."""


@dataclass(frozen=True)
class VisitRecorded:
    """What recording a visit did."""

    item_id: int
    interaction_id: int
    status: str
    closed_task_ids: tuple[int, ...]
    """Tasks the visit satisfied (the customer's contact task …)."""
    next_step_task_id: int | None


@dataclass(frozen=True)
class PlanVsActual:
    """One manager's week: what was planned and what happened."""

    login: str
    name: str
    planned: int
    """Visits on the plan."""
    done: int
    """Planned visits held (``done`` or ``incident``)."""
    cancelled: int
    """Planned visits cancelled or rescheduled."""
    open: int
    """Planned visits not recorded yet."""
    unplanned: int
    """Visits held that week that were on no plan."""


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)
