"""A week's visit plan as an iCalendar file (RFC 5545) that phone calendars import.

One ``VEVENT`` per visit that is still to take place (cancelled and rescheduled items are left
out: they will not happen at that slot). Times are written in the branch timezone with
``TZID=Asia/Shanghai`` and a ``VTIMEZONE`` component, so a phone set to any timezone shows
the visit at the right instant. The UID of an event is stable per plan item
(``visit-<item id>@cmworkbench``): importing the file again updates the events instead of
doubling them, and ``SEQUENCE`` follows the plan's version.

Contact phone numbers are personal data and stay in the workbench; the file carries the
contact's name and title, the customer's address and the preparation checklist.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Contact, Customer, Staff, VisitPlan, VisitPlanItem
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.visits.onsite import subject_staff

PRODID = "-//cmworkbench//visit plan//ZH"
NOT_TAKING_PLACE = ("cancelled", "rescheduled")
"""Plan items that will not happen at their slot, so they are not exported."""
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def parse_week(week: str) -> date:
    """The Monday of an ISO week ``YYYY-Www``; a clear :class:`InvalidInput` otherwise."""
    match = _WEEK.fullmatch(week.strip())
    try:
        if match is None:
            raise ValueError(week)
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidInput(t("ical.bad_week", week=week)) from None


def export_week(
    *, session: Session, actor: Actor, week: str, owner_login: str | None = None
) -> bytes:
    """The visit plan of ``owner_login`` (default: the actor) for ``week`` as ``.ics`` bytes.

    A manager exports their own plan, a supervisor a team member's, a branch head a branch
    member's; anyone else is refused (:class:`OutOfScope`). The export is written to the audit
    log: customer names and addresses leave the workbench.
    """
    monday = parse_week(week)
    owner = _owner(session, actor, owner_login)
    plan = session.exec(
        select(VisitPlan).where(col(VisitPlan.owner_id) == owner.id, col(VisitPlan.week) == week)
    ).first()
    if plan is None:
        raise NotFound(t("ical.no_plan", week=week, name=owner.name))
    assert plan.id is not None
    rows = session.exec(
        select(VisitPlanItem, Customer, Contact)
        .join(Customer, col(VisitPlanItem.customer_id) == col(Customer.id))
        .join(Contact, col(VisitPlanItem.contact_id) == col(Contact.id), isouter=True)
        .where(
            col(VisitPlanItem.plan_id) == plan.id,
            col(VisitPlanItem.status).not_in(NOT_TAKING_PLACE),
        )
        .order_by(col(VisitPlanItem.starts_at), col(VisitPlanItem.id))
    ).all()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", t("ical.calendar_name", week=week, name=owner.name))
    calendar.add("x-wr-timezone", str(clock.branch_tz()))
    for item, customer, contact in rows:
        calendar.add_component(_event(item, customer, contact, plan))
    # The VTIMEZONE covers the plan's days only: a short file with the offsets they need.
    days = [monday] + [item.starts_at.date() for item, _c, _p in rows]
    calendar.add_missing_timezones(
        first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=8)
    )
    audit.record(
        session,
        actor=actor,
        action="export",
        object_type="visit_plan",
        object_id=plan.id,
        detail=f"ics {week} {owner.login} {len(rows)} visits",
    )
    return calendar.to_ical()


def _owner(session: Session, actor: Actor, owner_login: str | None) -> Staff:
    """The plan's owner: the actor, or a colleague within the actor's scope."""
    if owner_login is None or owner_login.strip() == actor.login:
        person = session.get(Staff, actor.id)
        assert person is not None, "the actor is a member of staff"
        return person
    return subject_staff(session=session, actor=actor, owner_login=owner_login)[0]


def _event(
    item: VisitPlanItem, customer: Customer, contact: Contact | None, plan: VisitPlan
) -> Event:
    """One planned visit as a ``VEVENT``; times in the branch timezone."""
    tz = clock.branch_tz()
    event = Event()
    event.add("uid", f"visit-{item.id}@cmworkbench")
    event.add("dtstamp", clock.now())
    event.add("dtstart", item.starts_at.astimezone(tz))
    event.add("dtend", item.ends_at.astimezone(tz))
    event.add("summary", t("ical.summary", customer=customer.name, purpose=_purpose(item)))
    if customer.address:
        event.add("location", customer.address)
    event.add("description", _description(customer, contact, item.checklist))
    # Approved by the supervisor: the visit is fixed; otherwise it may still move.
    event.add("status", "CONFIRMED" if plan.status == "approved" else "TENTATIVE")
    event.add("sequence", max(plan.version - 1, 0))
    return event


def _purpose(item: VisitPlanItem) -> str:
    """The purpose's label, from the visit vocabulary or else the contact one."""
    text = label("visit_purpose", item.purpose)
    return text if text != item.purpose else label("purpose", item.purpose)


def _description(customer: Customer, contact: Contact | None, checklist: str | None) -> str:
    lines = [t("ical.customer", customer_no=customer.customer_no, name=customer.name)]
    if contact is not None:
        who = f"{contact.name}（{contact.title}）" if contact.title else contact.name
        lines.append(t("ical.contact", contact=who))
    steps = checklist_lines(checklist)
    if steps:
        lines.append(t("ical.checklist"))
        lines.extend(f"- {step}" for step in steps)
    return "\n".join(lines)


def checklist_lines(checklist: str | None) -> list[str]:
    """The preparation checklist as lines: a JSON list (of texts or ``{"text": …}``) or
    plain text, one step a line."""
    if not checklist or not checklist.strip():
        return []
    try:
        parsed: Any = json.loads(checklist)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        steps = [
            str(step.get("text") or step.get("label") or "")
            if isinstance(step, dict)
            else str(step)
            for step in parsed
        ]
    else:
        steps = checklist.splitlines()
    cleaned = (step.strip().lstrip("-•☐ ").strip() for step in steps)
    return [step for step in cleaned if step]
