"""Weekly visit plans (客户拜访计划表): reading a week's plan and changing its visits.

A manager plans their own week (``2026-W48``); their supervisor reads the plans of the team,
a branch head those of the branch. Only the owner changes a plan. Every change is scope
checked, audited, and checked against the plan's version the screen read (a concurrent
change is a :class:`Conflict`). Changing an approved plan sends it back to the supervisor
(status ``submitted``), who then sees the difference from the approved snapshot
(:mod:`cmworkbench.services.visits.approval`).

Proposals live in :mod:`cmworkbench.services.visits.proposals`, recording a visit and plan vs
actual in :mod:`cmworkbench.services.visits.records`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from cmworkbench.clock import day_bounds
from cmworkbench.config import Settings
from cmworkbench.db.models import Contact, Customer, Staff, VisitPlan, VisitPlanItem
from cmworkbench.domain import visits as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem
from cmworkbench.services.visits.schemas import (
    PURPOSES,
    DayVisit,
    PlanChange,
    VisitItemOut,
    WeekPlan,
)

LABEL_PREFIX = "visits.field."


# -- scope and loading ---------------------------------------------------------------------


def week_dates(week: str) -> list[date]:
    """Monday to Sunday of ``week``; a clear refusal when it is no ISO week."""
    try:
        return rules.week_days(week)
    except ValueError:
        raise FieldsInvalid(
            {"week": t("visits.bad_week", week=week)}, label_prefix=LABEL_PREFIX
        ) from None


def plan_owner(session: Session, actor: Actor, owner_login: str | None) -> Staff:
    """Whose plans ``actor`` reads: their own; a supervisor's team member; a branch head's
    (or admin's) colleague in the branch."""
    if owner_login is None or owner_login == actor.login:
        owner = session.get(Staff, actor.id)
    else:
        owner = session.exec(select(Staff).where(col(Staff.login) == owner_login)).one_or_none()
    if owner is None:
        raise NotFound(t("visits.staff_not_found", login=owner_login or actor.login))
    if owner.id == actor.id:
        return owner
    allowed = (actor.role == Role.SUPERVISOR and owner.team_id == actor.team_id) or (
        actor.role in (Role.BRANCH_HEAD, Role.ADMIN) and owner.branch_id == actor.branch_id
    )
    if not allowed or (actor.role == Role.SUPERVISOR and actor.team_id is None):
        raise OutOfScope(t("visits.out_of_scope", name=owner.name))
    return owner


def find_plan(session: Session, owner_id: int, week: str) -> VisitPlan | None:
    """The plan row of ``owner_id`` for ``week``, if one was started."""
    query = select(VisitPlan).where(col(VisitPlan.owner_id) == owner_id, VisitPlan.week == week)
    return session.exec(query).one_or_none()


def plan_for_write(session: Session, actor: Actor, week: str, version: int | None) -> VisitPlan:
    """The actor's own plan of ``week`` (started now if need be), at the version read."""
    week_dates(week)
    plan = find_plan(session, actor.id, week)
    if plan is None:
        if version:
            raise Conflict(t("visits.conflict", week=week))
        plan = VisitPlan(owner_id=actor.id, week=week)
        session.add(plan)
        session.flush()
        return plan
    if version is not None and version != plan.version:
        raise Conflict(t("visits.conflict", week=week))
    return plan


def touch(session: Session, plan: VisitPlan, *, reopen: bool = True) -> None:
    """Bump the plan's version (refused if someone else did meanwhile); with ``reopen``, an
    approved plan goes back to the supervisor."""
    values: dict[str, object] = {"version": plan.version + 1}
    if reopen and plan.status == "approved":
        values["status"] = "submitted"
    result = session.exec(  # type: ignore[call-overload]
        update(VisitPlan)
        .where(col(VisitPlan.id) == plan.id, col(VisitPlan.version) == plan.version)
        .values(**values)
    )
    if result.rowcount == 0:
        raise Conflict(t("visits.conflict", week=plan.week))
    session.refresh(plan)


def require_item(
    session: Session, actor: Actor, item_id: int, version: int | None
) -> tuple[VisitPlanItem, VisitPlan]:
    """A visit of the actor's own plan (at the version read, if given)."""
    item = session.get(VisitPlanItem, item_id)
    plan = session.get(VisitPlan, item.plan_id) if item is not None else None
    if item is None or plan is None:
        raise NotFound(t("visits.not_found", item_id=item_id))
    if plan.owner_id != actor.id:  # the same refusal as for a visit that is not there
        raise NotFound(t("visits.not_found", item_id=item_id))
    if version is not None and version != plan.version:
        raise Conflict(t("visits.conflict", week=plan.week))
    return item, plan


def _audit(session: Session, actor: Actor, item: VisitPlanItem, action: str, detail: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="visit",
        object_id=item.id,
        customer_id=item.customer_id,
        detail=detail,
    )


def calendar_of(settings: Settings) -> BranchCalendar:
    """The branch calendar of ``settings``."""
    return BranchCalendar.from_settings(settings.calendar)


# -- reading -------------------------------------------------------------------------------


def plan_rows(
    session: Session, plan_id: int
) -> list[tuple[VisitPlanItem, Customer, Contact | None]]:
    """The plan's visits with customer and contact, in time order."""
    query = (
        select(VisitPlanItem, Customer, Contact)
        .join(Customer, col(Customer.id) == col(VisitPlanItem.customer_id))
        .join(Contact, col(Contact.id) == col(VisitPlanItem.contact_id), isouter=True)
        .where(col(VisitPlanItem.plan_id) == plan_id)
        .order_by(col(VisitPlanItem.starts_at), col(VisitPlanItem.id))
    )
    return list(session.exec(query).all())


def week_plan(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    week: str,
    owner_login: str | None = None,
) -> WeekPlan:
    """The plan of ``week`` of the actor (or of ``owner_login`` in their scope), with
    warnings and, for an approved plan changed since, the difference."""
    settings = settings or Settings()
    days = week_dates(week)
    owner = plan_owner(session, actor, owner_login)
    assert owner.id is not None
    plan = find_plan(session, owner.id, week)
    rows = plan_rows(session, plan.id) if plan is not None and plan.id is not None else []
    checked = [
        rules.PlannedVisit(i.id or 0, c.name, i.starts_at, i.ends_at, c.preferred_hours, i.status)
        for i, c, _ in rows
    ]
    found = rules.check_plan(
        checked, calendar=calendar_of(settings), max_per_day=settings.visits.max_per_day
    )
    texts: dict[int, list[str]] = {}
    for w in found:
        texts.setdefault(w.item, []).append(t(w.message_key, **w.fields))
    items = tuple(item_out(i, c, k, tuple(texts.get(i.id or 0, ()))) for i, c, k in rows)
    changes = changes_since_approval(plan, items) if plan is not None else ()
    return WeekPlan(
        week=week,
        days=tuple(days),
        owner_login=owner.login,
        owner_name=owner.name,
        status=plan.status if plan else "draft",
        version=plan.version if plan else 0,
        comment=plan.comment if plan else None,
        items=items,
        warnings=tuple(text for item in items for text in item.warnings),
        changes=tuple(changes),
    )


def item_out(
    item: VisitPlanItem, customer: Customer, contact: Contact | None, warnings: tuple[str, ...]
) -> VisitItemOut:
    """A visit row as screens show it, with ``warnings`` already worded."""
    assert item.id is not None
    return VisitItemOut(
        id=item.id,
        customer_no=customer.customer_no,
        customer_name=customer.name,
        area=customer.area,
        contact_name=contact.name if contact else None,
        purpose=item.purpose,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        status=item.status,
        checklist=tuple(line for line in (item.checklist or "").splitlines() if line.strip()),
        warnings=warnings,
    )


# -- changing visits ---------------------------------------------------------------------


def key_contact(session: Session, customer_id: int) -> int | None:
    """The contact a visit is with by default: the key person, else a decision maker."""
    query = (
        select(Contact.id)
        .where(col(Contact.customer_id) == customer_id)
        .order_by(
            col(Contact.is_key_person).desc(),
            (col(Contact.role) == "decision_maker").desc(),
            col(Contact.id),
        )
    )
    return session.exec(query).first()


def _contact_of(session: Session, customer: Customer, contact_id: int | None) -> int | None:
    """``contact_id`` if it is a contact of ``customer``; without it, the default contact."""
    assert customer.id is not None
    if contact_id is None:
        return key_contact(session, customer.id)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.customer_id != customer.id:
        problem = t("visits.not_a_contact", name=customer.name)
        raise FieldsInvalid({"contact": problem}, label_prefix=LABEL_PREFIX)
    return contact_id


def add_item(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    customer_no: str,
    day: date,
    start: time,
    purpose: str,
    contact_id: int | None = None,
    version: int | None = None,
) -> int:
    """Plan a visit to a customer in scope on ``day`` at ``start`` (branch time), for the
    configured slot length, with contact ``contact_id`` (one of the customer's; by default
    the key person); returns the visit's id. The plan of that week is started if need be; an
    approved plan goes back to the supervisor."""
    settings = settings or Settings()
    if problem := choice_problem(purpose, PURPOSES):
        raise FieldsInvalid({"purpose": problem}, label_prefix=LABEL_PREFIX)
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None
    plan = plan_for_write(session, actor, rules.week_of(day), version)
    assert plan.id is not None
    starts_at = datetime.combine(day, start, calendar_of(settings).tz).astimezone(UTC)
    item = VisitPlanItem(
        plan_id=plan.id,
        customer_id=customer.id,
        contact_id=_contact_of(session, customer, contact_id),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=settings.visits.slot_minutes),
        purpose=purpose,
        checklist="\n".join(settings.visits.checklist) or None,
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    touch(session, plan)
    _audit(session, actor, item, "create", f"{plan.week} {starts_at.isoformat()} {purpose}")
    return item.id


def move_item(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    item_id: int,
    day: date | None = None,
    start: time | None = None,
    version: int | None = None,
) -> None:
    """Move a planned visit to another ``day`` of its week and/or another ``start`` time;
    it keeps its length."""
    settings = settings or Settings()
    item, plan = require_item(session, actor, item_id, version)
    tz = calendar_of(settings).tz
    local = item.starts_at.astimezone(tz)
    new_start = datetime.combine(day or local.date(), start or local.time(), tz)
    _reschedule(session, actor, item, plan, new_start)


def shift_item(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    item_id: int,
    workdays: int = 0,
    slots: int = 0,
    version: int | None = None,
) -> None:
    """Move a planned visit by ``workdays`` working days (keys ``<`` ``>``) and/or by
    ``slots`` slot lengths (keys ``-`` ``+``), within its week."""
    settings = settings or Settings()
    item, plan = require_item(session, actor, item_id, version)
    calendar = calendar_of(settings)
    local = item.starts_at.astimezone(calendar.tz)
    day = local.date()
    step = timedelta(days=1 if workdays > 0 else -1)
    for _ in range(abs(workdays)):
        day += step
        # Past the week's last working day the visit would leave the week: refused below.
        while not calendar.is_workday(day) and rules.week_of(day) == plan.week:
            day += step
    new_start = datetime.combine(day, local.time(), calendar.tz)
    new_start += timedelta(minutes=slots * settings.visits.slot_minutes)
    _reschedule(session, actor, item, plan, new_start)


def _reschedule(
    session: Session, actor: Actor, item: VisitPlanItem, plan: VisitPlan, new_start: datetime
) -> None:
    if item.status != "planned":
        raise Conflict(t("visits.not_planned", item_id=item.id, status=t_status(item.status)))
    if rules.week_of(new_start.date()) != plan.week:
        raise InvalidInput(t("visits.other_week", week=plan.week))
    length = item.ends_at - item.starts_at
    before = item.starts_at
    item.starts_at = new_start.astimezone(UTC)
    item.ends_at = item.starts_at + length
    session.add(item)
    touch(session, plan)
    _audit(session, actor, item, "move", f"{before.isoformat()} → {item.starts_at.isoformat()}")


def t_status(status: str) -> str:
    """The label of a visit status."""
    return t(f"enum.visit_status.{status}")


def remove_item(
    *, session: Session, actor: Actor, item_id: int, version: int | None = None
) -> None:
    """Take a visit not yet recorded off the plan."""
    item, plan = require_item(session, actor, item_id, version)
    if item.status != "planned":
        raise Conflict(t("visits.not_planned", item_id=item.id, status=t_status(item.status)))
    _audit(session, actor, item, "delete", f"{plan.week} {item.starts_at.isoformat()}")
    session.delete(item)
    session.flush()
    touch(session, plan)


def set_checklist(
    *,
    session: Session,
    actor: Actor,
    item_id: int,
    checklist: list[str],
    version: int | None = None,
) -> None:
    """Replace a visit's preparation checklist (one point a line)."""
    item, plan = require_item(session, actor, item_id, version)
    item.checklist = "\n".join(line.strip() for line in checklist if line.strip()) or None
    session.add(item)
    touch(session, plan, reopen=False)
    _audit(session, actor, item, "update", "checklist")


def changes_since_approval(plan: VisitPlan, items: Sequence[VisitItemOut]) -> list[PlanChange]:
    """Visits added, removed or moved since the plan was approved (none while it is still
    approved as it stands, or was never approved)."""
    if plan.status != "submitted" or not plan.approved_snapshot:
        return []
    before = {int(str(entry["item"])): entry for entry in json.loads(plan.approved_snapshot)}
    now = {item.id: item for item in items}
    changes = []
    for item in items:
        old = before.get(item.id)
        if old is None:
            changes.append(PlanChange("added", item.customer_name, None, item.starts_at))
        elif datetime.fromisoformat(str(old["starts_at"])) != item.starts_at:
            start = datetime.fromisoformat(str(old["starts_at"]))
            changes.append(PlanChange("moved", item.customer_name, start, item.starts_at))
    for item_id, old in before.items():
        if item_id not in now:
            start = datetime.fromisoformat(str(old["starts_at"]))
            changes.append(PlanChange("removed", str(old["customer"]), start, None))
    return changes


def day_visits(session: Session, owner_ids: list[int], day: date) -> list[DayVisit]:
    """The visits still to make on ``day`` in the owners' submitted or approved weekly plans,
    in time order: fixed-time items of their Today."""
    start, end = day_bounds(day)
    query = (
        select(VisitPlanItem, VisitPlan.owner_id, Customer.customer_no, Customer.name)
        .join(VisitPlan, col(VisitPlan.id) == col(VisitPlanItem.plan_id))
        .join(Customer, col(Customer.id) == col(VisitPlanItem.customer_id))
        .where(
            col(VisitPlan.owner_id).in_(owner_ids),
            col(VisitPlan.status).in_(("submitted", "approved")),
            col(VisitPlanItem.status) == "planned",
            col(VisitPlanItem.starts_at) >= start,
            col(VisitPlanItem.starts_at) < end,
        )
        .order_by(col(VisitPlanItem.starts_at), col(VisitPlanItem.id))
    )
    return [
        DayVisit(item.id or 0, owner_id, item.starts_at, no, name, item.purpose)
        for item, owner_id, no, name in session.exec(query).all()
    ]
