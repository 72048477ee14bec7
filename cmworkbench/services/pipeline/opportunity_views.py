"""Reading opportunities: the lists, one with its history and feedback promises, the
proposals waiting for a lead's decision and the pipeline view (every open step, its count
and value), all within the actor's scope (:func:`.opportunity_records.visible`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import PipelineSettings, Settings
from cmworkbench.db.models import Customer, Lead, Opportunity, OpportunityEvent, Promise, Staff
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer, require_role
from cmworkbench.services.core.validation import choice_problem
from cmworkbench.services.pipeline.opportunity_input import raise_problems
from cmworkbench.services.pipeline.opportunity_records import (
    DECIDING_ROLES,
    WORKING_ROLES,
    decides,
    led_ids,
    load,
    visible,
)
from cmworkbench.services.pipeline.schemas import (
    FeedbackPromise,
    OpportunityDetail,
    OpportunityEventOut,
    OpportunityOut,
    PipelineView,
    StageGroup,
)

STATES = ("open", "won", "lost", "all")


def _query(session: Session, actor: Actor):  # type: ignore[no-untyped-def]
    return (
        select(Opportunity, Staff, Customer, Lead)
        .join(Staff, col(Staff.id) == col(Opportunity.owner_id))
        .outerjoin(Customer, col(Customer.id) == col(Opportunity.customer_id))
        .outerjoin(Lead, col(Lead.id) == col(Opportunity.lead_id))
        .where(visible(session, actor))
    )


def _breaches(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Broken negotiation feedback promises per opportunity."""
    if not ids:
        return {}
    rows = session.exec(
        select(Promise.opportunity_id, func.count())
        .where(col(Promise.opportunity_id).in_(ids), col(Promise.state) == "broken")
        .group_by(col(Promise.opportunity_id))
    ).all()
    return {int(i): int(n) for i, n in rows if i is not None}


def _rows(session: Session, actor: Actor, settings: Settings, query) -> list[OpportunityOut]:  # type: ignore[no-untyped-def]
    found = session.exec(query).all()
    breaches = _breaches(session, [o.id for o, *_ in found if o.id is not None])
    quiet_since = clock.now() - timedelta(days=settings.pipeline.stale_days)
    return [
        _out(settings.pipeline, o, s, c, lead, breaches.get(o.id or 0, 0), quiet_since)
        for o, s, c, lead in found
    ]


def _out(
    pipeline: PipelineSettings,
    o: Opportunity,
    owner: Staff,
    customer: Customer | None,
    lead: Lead | None,
    breaches: int,
    quiet_since: datetime,
) -> OpportunityOut:
    now = clock.now()
    quiet = o.status == "open" and (
        o.last_step_at < quiet_since or (o.next_due is not None and o.next_due < now)
    )
    name = customer.name if customer is not None else (lead.name if lead is not None else "")
    return OpportunityOut(
        id=o.id or 0,
        customer_no=customer.customer_no if customer is not None else None,
        lead_id=o.lead_id,
        name=name,
        product=o.product,
        need=o.need,
        value=o.value_yuan,
        expected_close=o.expected_close,
        stage=o.stage,
        stage_label=rules.stage_label(pipeline, o.stage),
        stage_since=o.stage_since,
        owner=owner.login,
        owner_name=owner.name,
        next_step=o.next_step,
        next_due=o.next_due,
        status=o.status,
        closed_at=o.closed_at,
        close_reason=o.close_reason,
        cost=o.cost_yuan,
        expected_return=o.return_yuan,
        ratio=rules.ratio_text(o.cost_yuan, o.return_yuan),
        proposal=o.proposal,
        proposal_comment=o.proposal_comment,
        referral_id=o.referral_id,
        last_step_at=o.last_step_at,
        quiet=quiet,
        feedback_breached=breaches,
        version=o.version,
    )


def out_one(
    session: Session, actor: Actor, settings: Settings, opportunity_id: int
) -> OpportunityOut:
    session.flush()
    rows = _rows(
        session,
        actor,
        settings,
        _query(session, actor).where(col(Opportunity.id) == opportunity_id),
    )
    if not rows:  # the actor moved it out of their own sight (not possible today)
        raise NotFound(t("opportunity.not_found", id=opportunity_id))
    return rows[0]


def list_opportunities(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    status: str = "open",
    owner_login: str | None = None,
    stage: str | None = None,
    customer_no: str | None = None,
    quiet: bool = False,
) -> list[OpportunityOut]:
    """The opportunities ``actor`` sees, filtered; the latest step last moved first."""
    require_role(actor, (*WORKING_ROLES, Role.ADMIN), "opportunity.role")
    problems: dict[str, str] = {}
    if problem := choice_problem(status, STATES):
        problems["status"] = problem
    if stage is not None and (problem := choice_problem(stage, settings.pipeline.stages)):
        problems["stage"] = problem
    raise_problems(problems)
    query = _query(session, actor)
    if status != "all":
        query = query.where(col(Opportunity.status) == status)
    if owner_login:
        query = query.where(col(Staff.login) == owner_login.strip())
    if stage:
        query = query.where(col(Opportunity.stage) == stage)
    if customer_no:
        customer = require_customer(session=session, actor=actor, customer_no=customer_no)
        query = query.where(col(Opportunity.customer_id) == customer.id)
    query = query.order_by(col(Opportunity.last_step_at).desc(), col(Opportunity.id).desc())
    rows = _rows(session, actor, settings, query)
    return [r for r in rows if r.quiet] if quiet else rows


def show(
    *, session: Session, actor: Actor, settings: Settings, opportunity_id: int
) -> OpportunityDetail:
    """One opportunity with its history and its negotiation feedback promises."""
    require_role(actor, (*WORKING_ROLES, Role.ADMIN), "opportunity.role")
    opp = load(session, actor, opportunity_id, None)
    out = out_one(session, actor, settings, opp.id or 0)
    events = session.exec(
        select(OpportunityEvent, Staff)
        .outerjoin(Staff, col(Staff.id) == col(OpportunityEvent.staff_id))
        .where(col(OpportunityEvent.opportunity_id) == opp.id)
        .order_by(col(OpportunityEvent.at), col(OpportunityEvent.id))
    ).all()
    promises = session.exec(
        select(Promise).where(col(Promise.opportunity_id) == opp.id).order_by(col(Promise.made_at))
    ).all()
    return OpportunityDetail(
        opportunity=out,
        events=tuple(
            OpportunityEventOut(
                at=e.at,
                who=s.name if s is not None else None,
                action=e.action,
                from_stage=e.from_stage,
                to_stage=e.to_stage,
                note=e.note,
            )
            for e, s in events
        ),
        promises=tuple(
            FeedbackPromise(p.id or 0, p.made_at, p.due_at, p.state, p.done_at) for p in promises
        ),
        can_decide=opp.proposal == "waiting" and decides(session, actor, opp),
    )


def waiting_proposals(
    *, session: Session, actor: Actor, settings: Settings
) -> list[OpportunityOut]:
    """The proposals waiting for ``actor``'s decision (the people they lead), the longest
    waiting first: the queue on the lead's Today and the pipeline view."""
    if actor.role not in DECIDING_ROLES:
        return []
    led = led_ids(session, actor)
    if not led:
        return []
    query = (
        _query(session, actor)
        .where(
            col(Opportunity.status) == "open",
            col(Opportunity.proposal) == "waiting",
            col(Opportunity.owner_id).in_(led),
        )
        .order_by(col(Opportunity.proposal_at), col(Opportunity.id))
    )
    return _rows(session, actor, settings, query)


def pipeline_view(
    *, session: Session, actor: Actor, settings: Settings, owner_login: str | None = None
) -> PipelineView:
    """The open opportunities ``actor`` sees, grouped by step in the pipeline's order (every
    open step, empty ones too), each with its count and value; the waiting proposals."""
    rows = list_opportunities(
        session=session, actor=actor, settings=settings, owner_login=owner_login
    )
    pipeline = settings.pipeline
    groups = []
    for stage in rules.open_stages(pipeline):
        at = tuple(
            sorted(
                (r for r in rows if r.stage == stage),
                key=lambda r: (r.next_due is None, r.next_due or r.last_step_at, r.id),
            )
        )
        groups.append(
            StageGroup(
                stage, rules.stage_label(pipeline, stage), len(at), sum(r.value for r in at), at
            )
        )
    known = set(rules.open_stages(pipeline))
    strays = tuple(r for r in rows if r.stage not in known)  # a step since removed from config
    if strays:
        groups.insert(
            0,
            StageGroup(
                strays[0].stage,
                strays[0].stage_label,
                len(strays),
                sum(r.value for r in strays),
                strays,
            ),
        )
    waiting = waiting_proposals(session=session, actor=actor, settings=settings)
    return PipelineView(tuple(groups), tuple(waiting))
