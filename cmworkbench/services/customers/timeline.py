"""A customer's history on one line each, newest first: contacts and complaint steps.

Read before a meeting (5–10 minutes on the customer's file, bank CRM practice), so each line
says what happened and what comes next: an interaction with its outcome, purpose, note and
next step; a complaint step with its ticket. Only what happened is shown (an interaction
with a ``happened_at``); planned visits live in the visit plan.

:func:`customer_timeline` is used by the 360 view after its scope check.
"""

from __future__ import annotations

from sqlmodel import Session, col, exists, select

from cmworkbench.db.models import Complaint, ComplaintEvent, Interaction, Staff
from cmworkbench.i18n import label, t
from cmworkbench.services.customers.schemas import TimelineEntry

DEFAULT_LIMIT = 100
"""The newest entries shown; older history is one report away, not on the 360 screen."""
DESCRIPTION_CHARS = 40
"""A complaint's description is cut to this many characters on its timeline line."""
SEPARATOR = " · "


def customer_timeline(
    session: Session, customer_id: int, *, limit: int = DEFAULT_LIMIT
) -> list[TimelineEntry]:
    """The newest ``limit`` entries of ``customer_id``, newest first (scope already checked).

    Each source is cut to ``limit`` in SQL before the merge, so the merge sees at most three
    times ``limit`` rows however long the history is.
    """
    entries = [
        *_interactions(session, customer_id, limit),
        *_complaint_events(session, customer_id, limit),
        *_complaints_without_events(session, customer_id, limit),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _interactions(session: Session, customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = session.exec(
        select(Interaction, Staff.name)
        .join(Staff, col(Interaction.staff_id) == col(Staff.id), isouter=True)
        .where(col(Interaction.customer_id) == customer_id)
        .where(col(Interaction.happened_at).is_not(None))
        .order_by(col(Interaction.happened_at).desc())
        .limit(limit)
    ).all()
    out = []
    for row, staff_name in rows:
        assert row.happened_at is not None
        parts = [
            label("outcome", row.outcome),
            label("purpose", row.purpose),
            t("timeline.minutes", n=row.duration_minutes) if row.duration_minutes else "",
            row.note or "",
            t("timeline.next_step", step=row.next_step) if row.next_step else "",
        ]
        out.append(TimelineEntry(row.happened_at, row.kind, _join(parts), staff_name))
    return out


def _complaint_events(session: Session, customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = session.exec(
        select(ComplaintEvent, Complaint, Staff.name)
        .join(Complaint, col(ComplaintEvent.complaint_id) == col(Complaint.id))
        .join(Staff, col(ComplaintEvent.staff_id) == col(Staff.id), isouter=True)
        .where(col(Complaint.customer_id) == customer_id)
        .order_by(col(ComplaintEvent.at).desc())
        .limit(limit)
    ).all()
    out = []
    for event, complaint, staff_name in rows:
        heading = t(
            "timeline.complaint",
            ticket_no=complaint.ticket_no,
            action=label("complaint_action", event.action),
        )
        # The receipt is where the reader learns what the complaint is about.
        what = _what(complaint) if event.action == "receive" else []
        summary = _join([heading, *what, event.note or ""])
        out.append(TimelineEntry(event.at, "complaint", summary, staff_name))
    return out


def _complaints_without_events(
    session: Session, customer_id: int, limit: int
) -> list[TimelineEntry]:
    """Tickets with no history yet (e.g. imported): their receipt still shows."""
    has_events = exists().where(col(ComplaintEvent.complaint_id) == col(Complaint.id))
    rows = session.exec(
        select(Complaint, Staff.name)
        .join(Staff, col(Complaint.received_by_id) == col(Staff.id), isouter=True)
        .where(col(Complaint.customer_id) == customer_id, ~has_events)
        .order_by(col(Complaint.received_at).desc())
        .limit(limit)
    ).all()
    out = []
    for complaint, staff_name in rows:
        heading = t(
            "timeline.complaint",
            ticket_no=complaint.ticket_no,
            action=label("complaint_action", "receive"),
        )
        summary = _join([heading, *_what(complaint)])
        out.append(TimelineEntry(complaint.received_at, "complaint", summary, staff_name))
    return out


def _what(complaint: Complaint) -> list[str]:
    text = complaint.description.strip()
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1] + "…"
    return [label("complaint_category", complaint.category), text]


def _join(parts: list[str]) -> str:
    return SEPARATOR.join(part for part in parts if part)
