"""A proposal's round trip (方案审批): made when an opportunity enters the proposal step (its
cost and expected return); below ``[pipeline] min_return_ratio`` × cost (1:1.5, telecom
handbook) it waits for the owner's supervisor, who approves it or returns it with a comment
that lands on the owner's Today until they send a revised one: the same round trip as a
week's visit plan. The opportunity cannot pass the proposal step, nor be won, before."""

from __future__ import annotations

from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import PipelineSettings, Settings
from cmworkbench.db.models import Opportunity
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.pipeline import RETURNED_KEY
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import Conflict, OutOfScope
from cmworkbench.services.core.keyed_tasks import close_keyed
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.core.validation import FieldsInvalid, text_problem
from cmworkbench.services.pipeline.opportunity_input import calendar, raise_problems, yuan
from cmworkbench.services.pipeline.opportunity_records import (
    DECIDING_ROLES,
    FIELDS,
    RETURNED_RULE,
    decides,
    event,
    follow_up,
    load,
    open_for_work,
    stepped,
)
from cmworkbench.services.pipeline.opportunity_views import out_one
from cmworkbench.services.pipeline.schemas import OpportunityOut

COMMENT_CHARS = 500


def proposal_settled(opp: Opportunity, pipeline: PipelineSettings) -> None:
    """Going past the proposal step needs a clear or approved proposal."""
    label = rules.stage_label(pipeline, pipeline.proposal_stage)
    if opp.proposal == "waiting":
        raise Conflict(t("opportunity.proposal_waiting", id=opp.id, stage=label))
    if opp.proposal == "returned":
        raise Conflict(
            t("opportunity.proposal_returned", id=opp.id, comment=opp.proposal_comment or "")
        )
    if opp.proposal is None:
        raise Conflict(t("opportunity.proposal_missing", id=opp.id, stage=label))


def record_proposal(
    session: Session,
    actor: Actor,
    opp: Opportunity,
    pipeline: PipelineSettings,
    cost: int,
    back: int,
) -> None:
    """Keep the proposal's figures: clear at or above the ratio, else sent for approval."""
    opp.cost_yuan, opp.return_yuan = cost, back
    waiting = rules.needs_approval(pipeline, cost, back)
    opp.proposal = "waiting" if waiting else "clear"
    opp.proposal_comment, opp.proposal_at = None, clock.now()
    opp.decided_at, opp.decided_by_id = None, None
    close_keyed(session, actor, RETURNED_KEY.format(id=opp.id, version=""))
    note = f"{rules.ratio_text(cost, back)} ({cost}/{back})"
    event(session, actor, opp, "propose", note=note)


def propose(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    cost: str | int,
    expected_return: str | int,
    version: int | None = None,
) -> OpportunityOut:
    """Send a (revised) proposal at the proposal step: after a return, or to change its
    figures. Below the ratio it waits for the supervisor again."""
    pipeline = settings.pipeline
    opp = open_for_work(session, actor, opportunity_id, version)
    if opp.stage != pipeline.proposal_stage:
        raise Conflict(
            t(
                "opportunity.not_at_proposal",
                id=opp.id,
                stage=rules.stage_label(pipeline, pipeline.proposal_stage),
            )
        )
    problems: dict[str, str] = {}
    amount = yuan(problems, "cost", cost, required=True)
    back = yuan(problems, "expected_return", expected_return, required=True)
    raise_problems(problems)
    assert amount is not None and back is not None
    record_proposal(session, actor, opp, pipeline, amount, back)
    stepped(session, actor, opp)
    return out_one(session, actor, settings, opp.id or 0)


def _waiting_for(
    session: Session, actor: Actor, opportunity_id: int, version: int | None
) -> Opportunity:
    require_role(actor, DECIDING_ROLES, "opportunity.decide_role")
    opp = load(session, actor, opportunity_id, version)
    if not decides(session, actor, opp):
        raise OutOfScope(t("opportunity.not_their_lead", id=opp.id))
    if opp.status != "open" or opp.proposal != "waiting":
        raise Conflict(t("opportunity.nothing_waiting", id=opp.id))
    return opp


def approve(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    version: int | None = None,
) -> OpportunityOut:
    """Approve a waiting proposal: the opportunity may move past the proposal step."""
    opp = _waiting_for(session, actor, opportunity_id, version)
    opp.proposal, opp.decided_at, opp.decided_by_id = "approved", clock.now(), actor.id
    opp.version += 1
    session.add(opp)
    event(session, actor, opp, "approve", note=rules.ratio_text(opp.cost_yuan, opp.return_yuan))
    return out_one(session, actor, settings, opp.id or 0)


def return_proposal(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    comment: str,
    version: int | None = None,
) -> OpportunityOut:
    """Return a waiting proposal with a comment (required): it lands on the owner's Today as a
    follow-up due at once, a fixed row on the next working day and overdue past its close,
    closed when they send a revised proposal (or close the opportunity)."""
    if problem := text_problem(comment, most=COMMENT_CHARS, required=True, multiline=True):
        raise FieldsInvalid({"comment": problem}, label_prefix=FIELDS)
    opp = _waiting_for(session, actor, opportunity_id, version)
    text = comment.strip()
    now = clock.now()
    opp.proposal, opp.proposal_comment = "returned", text
    opp.decided_at, opp.decided_by_id = now, actor.id
    opp.version += 1
    session.add(opp)
    reason = t("opportunity.returned_task", id=opp.id, comment=text)
    key = RETURNED_KEY.format(id=opp.id, version=opp.version)
    answer_by = rules.by_next_workday(calendar(settings), clock.today())
    follow_up(session, opp, reason, RETURNED_RULE, key, now, note=text, deadline=answer_by)
    event(session, actor, opp, "return", note=text)
    return out_one(session, actor, settings, opp.id or 0)
