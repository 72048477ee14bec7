"""An opportunity's record as every use case touches it: who sees it and who decides its
proposal, loading it for work, its history line (with the audit row), and the follow-ups it
puts on its owner's Today (:mod:`.opportunities`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Customer, Opportunity, OpportunityEvent, Staff, Task
from cmworkbench.domain.enums import Role, TaskKind
from cmworkbench.domain.pipeline import FOLLOW_UP_RULES, QUIET_KEY
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, NotFound
from cmworkbench.services.core.keyed_tasks import close_keyed
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import own_book_only, require_role, sees_no_book

WORKING_ROLES = (Role.MANAGER, Role.PHONE_MANAGER, Role.SUPERVISOR, Role.BRANCH_HEAD)
"""Who works opportunities (a referrer refers; IT and the admin do not sell)."""
DECIDING_ROLES = (Role.SUPERVISOR, Role.BRANCH_HEAD)
FIELDS = "opportunity.field."
QUIET_RULE, RETURNED_RULE = FOLLOW_UP_RULES


def visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Opportunity` keeping what ``actor`` sees: their own (and, for
    a manager, those of the customers they back up); a supervisor's team's; the branch's for
    the branch head and the admin. A referrer sees none."""
    owner = col(Opportunity.owner_id)
    if sees_no_book(actor):
        return false()
    if own_book_only(actor):
        backed = select(Customer.id).where(col(Customer.backup_id) == actor.id)
        return or_(owner == actor.id, col(Opportunity.customer_id).in_(backed))
    if actor.role == Role.SUPERVISOR:
        team = select(Staff.id).where(col(Staff.team_id) == actor.team_id)
        return or_(owner.in_(team), owner == actor.id)
    branch = select(Staff.id).where(col(Staff.branch_id) == actor.branch_id)
    return owner.in_(branch)


def load(session: Session, actor: Actor, opportunity_id: int, version: int | None) -> Opportunity:
    """The opportunity if ``actor`` sees it (else one refusal for "none" and "not yours")."""
    found = session.exec(
        select(Opportunity).where(col(Opportunity.id) == opportunity_id, visible(session, actor))
    ).one_or_none()
    if found is None:
        raise NotFound(t("opportunity.not_found", id=opportunity_id))
    if version is not None and version != found.version:
        raise Conflict(t("opportunity.conflict", id=opportunity_id))
    return found


def open_for_work(
    session: Session, actor: Actor, opportunity_id: int, version: int | None
) -> Opportunity:
    require_role(actor, WORKING_ROLES, "opportunity.role")
    opp = load(session, actor, opportunity_id, version)
    if opp.status != "open":
        raise Conflict(
            t("opportunity.closed", id=opp.id, status=t(f"enum.opportunity_status.{opp.status}"))
        )
    return opp


def led_ids(session: Session, actor: Actor) -> list[int]:
    """The people ``actor`` leads (:func:`~cmworkbench.services.staff.api.led_members`),
    imported here: the staff package reaches Today, which reaches this module (a contact
    logged about a negotiation)."""
    from cmworkbench.services.staff.api import led_members

    return [m.id for m in led_members(session, actor) if m.id is not None and m.id != actor.id]


def decides(session: Session, actor: Actor, opp: Opportunity) -> bool:
    """Whether ``actor`` leads the opportunity's owner (decides their proposals)."""
    if actor.role not in DECIDING_ROLES or actor.id == opp.owner_id:
        return False
    return opp.owner_id in led_ids(session, actor)


def event(
    session: Session,
    actor: Actor | None,
    opp: Opportunity,
    action: str,
    *,
    from_stage: str | None = None,
    to_stage: str | None = None,
    note: str | None = None,
) -> None:
    now = clock.now()
    session.add(
        OpportunityEvent(
            opportunity_id=opp.id or 0,
            at=now,
            staff_id=actor.id if actor is not None else None,
            action=action,
            from_stage=from_stage,
            to_stage=to_stage,
            note=note[:500] if note else None,
        )
    )
    detail = " → ".join(s for s in (from_stage, to_stage) if s) or None
    if note:
        detail = f"{detail} {note}"[:500] if detail else note[:500]
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="opportunity",
        object_id=opp.id,
        customer_id=opp.customer_id,
        detail=detail,
    )


def stepped(session: Session, actor: Actor, opp: Opportunity) -> None:
    """A step was taken: the opportunity is not quiet any more (its follow-up closes)."""
    now = clock.now()
    opp.last_step_at = now
    opp.version += 1
    session.add(opp)
    close_keyed(session, actor, QUIET_KEY.format(id=opp.id, since=""))


def follow_up(
    session: Session,
    opp: Opportunity,
    reason: str,
    rule: str,
    key: str,
    now: datetime,
    note: str | None = None,
    deadline: datetime | None = None,
) -> None:
    """A follow-up on the owner's Today about ``opp``, due at once (the returned proposal, a
    quiet spell), overdue past ``deadline`` (none: past its day); ``key`` makes it once."""
    session.add(
        Task(
            kind=TaskKind.FOLLOW_UP,
            customer_id=opp.customer_id,
            lead_id=opp.lead_id,
            owner_id=opp.owner_id,
            due_at=now,
            reason=reason[:199] + "…" if len(reason) > 200 else reason,
            note=note,
            rule=rule,
            idem_key=key,
            created_at=now,
            deadline_at=deadline,
        )
    )
