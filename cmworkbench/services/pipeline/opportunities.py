"""Opportunities (商机) through the steps of the big-customer pipeline (``[pipeline] stages``:
the bank's eight, 甄选目标客户 … 客户关系管理, or a telecom branch's own).

* :func:`new_opportunity`: for a customer in the actor's scope, a lead they work, or a
  referral they received (its customer or lead, product and need); owned by the actor.
* :func:`move`: to another open step (by default the next), asking only what that step needs:
  entering the proposal step (``proposal_stage``, 方案设计与展示) asks the proposal's cost and
  expected return. A proposal whose return is below ``min_return_ratio`` × cost (1:1.5) goes
  to the owner's supervisor and the opportunity stays at the proposal step until approved
  (:func:`.proposals.approve`) — or comes back with a comment
  (:func:`.proposals.return_proposal`), which lands on the owner's Today as a follow-up until
  they send a revised proposal (:func:`.proposals.propose`). The same round trip as a week's
  visit plan.
* :func:`set_next_step`: the next step and its due date. An open opportunity with no step
  for ``stale_days`` or its next step past due is "quiet": the daily generation puts a
  follow-up on its owner's Today (:func:`.follow_ups.quiet_tasks`), closed by the next step
  taken.
* :func:`won` (it then stays at the last step, the relationship after the deal) converts the
  referral it came from; :func:`lost` needs a reason.
* A contact logged with purpose negotiation opens the 2-working-day feedback promise
  (:mod:`cmworkbench.services.promises`) about the customer's open opportunity
  (:func:`.follow_ups.negotiated`); a broken one shows on the opportunity.

Who: a manager works their own; their supervisor (or the branch head for teams without one,
:func:`~cmworkbench.services.staff.api.led_members`) sees them, decides proposals and may move
them too. Every change is audited and kept in the opportunity's history. The lists and the
pipeline view are :mod:`.opportunity_views`; what is typed is read by :mod:`.opportunity_input`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Lead, Opportunity, Referral
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.enums import ReferralStatus
from cmworkbench.domain.pipeline import RETURNED_KEY
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import Conflict, NotFound
from cmworkbench.services.core.keyed_tasks import close_keyed
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer, require_role
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.pipeline.conversion import decide
from cmworkbench.services.pipeline.opportunity_input import (
    day,
    next_step_of,
    raise_problems,
    yuan,
)
from cmworkbench.services.pipeline.opportunity_records import (
    FIELDS,
    WORKING_ROLES,
    event,
    open_for_work,
    stepped,
)
from cmworkbench.services.pipeline.opportunity_views import out_one
from cmworkbench.services.pipeline.proposals import proposal_settled, record_proposal
from cmworkbench.services.pipeline.schemas import OpportunityOut

NEED_CHARS = 500
REASON_CHARS = 200


def new_opportunity(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    value: str | int,
    expected_close: str | date,
    product: str | None = None,
    need: str | None = None,
    customer_no: str | None = None,
    lead_id: int | None = None,
    referral_id: int | None = None,
    stage: str | None = None,
    next_step: str | None = None,
    next_due: str | datetime | None = None,
) -> OpportunityOut:
    """Open an opportunity for a customer (``customer_no``), a lead (``lead_id``) or from a
    referral the actor received (``referral_id``: its customer or lead, product and need when
    not given). Every problem is reported at once and nothing is written."""
    require_role(actor, WORKING_ROLES, "opportunity.role")
    pipeline = settings.pipeline
    given = [x for x in (customer_no, lead_id, referral_id) if x not in (None, "")]
    if len(given) != 1:
        raise FieldsInvalid({"customer": t("opportunity.one_of")}, label_prefix=FIELDS)
    customer_id: int | None = None
    referral: Referral | None = None
    if referral_id is not None:
        referral = _referral(session, actor, referral_id)
        customer_id, lead_id = referral.customer_id, referral.lead_id
        product = product or referral.product
        need = need or referral.need
    elif customer_no:
        customer_id = require_customer(session=session, actor=actor, customer_no=customer_no).id
    if lead_id is not None and customer_id is None:
        lead = _lead(session, actor, lead_id)
        customer_id = lead.customer_id  # a merged lead's customer
    problems: dict[str, str] = {}
    if problem := choice_problem(product or "", settings.referrals.products):
        problems["product"] = problem
    if problem := text_problem(need, most=NEED_CHARS, required=True, multiline=True):
        problems["need"] = problem
    amount = yuan(problems, "value", value, required=True)
    close_day = day(problems, "expected_close", expected_close, settings)
    first = rules.open_stages(pipeline)[0]
    at = stage or first
    if at not in rules.open_stages(pipeline):
        problems["stage"] = t(
            "input.choice", value=at, choices=", ".join(rules.open_stages(pipeline))
        )
    elif rules.index(pipeline, at) >= rules.index(pipeline, pipeline.proposal_stage):
        problems["stage"] = t(
            "opportunity.start_before_proposal",
            stage=rules.stage_label(pipeline, pipeline.proposal_stage),
        )
    step, due = next_step_of(problems, settings, next_step, next_due)
    raise_problems(problems)
    assert amount is not None and close_day is not None and actor.id is not None
    if referral is None:  # made from the 360 view of a referred customer: from that referral
        referral = _open_referral(session, customer_id, lead_id, product or "", actor.id)
    now = clock.now()
    opp = Opportunity(
        customer_id=customer_id,
        lead_id=lead_id if customer_id is None else None,
        referral_id=referral.id if referral is not None else None,
        product=product or "",
        need=(need or "").strip(),
        value_yuan=amount,
        expected_close=close_day,
        stage=at,
        stage_since=now,
        owner_id=actor.id,
        next_step=step,
        next_due=due,
        last_step_at=now,
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(opp)
    session.flush()
    event(session, actor, opp, "new", to_stage=at, note=opp.need)
    return out_one(session, actor, settings, opp.id or 0)


def _referral(session: Session, actor: Actor, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.to_id != actor.id:
        raise NotFound(t("opportunity.referral_not_found", id=referral_id))
    return referral


def _open_referral(
    session: Session,
    customer_id: int | None,
    lead_id: int | None,
    product: str,
    to_id: int | None,
) -> Referral | None:
    """The latest open referral of this customer (or lead) for ``product`` whose window is
    still running (received by ``to_id``, when given): an opportunity made for them comes
    from it, and winning one converts it."""
    if customer_id is None and lead_id is None:
        return None
    query = select(Referral).where(
        col(Referral.customer_id) == customer_id
        if customer_id is not None
        else col(Referral.lead_id) == lead_id,
        col(Referral.status) == ReferralStatus.OPEN,
        col(Referral.product) == product,
        col(Referral.window_ends) >= clock.today(),
    )
    if to_id is not None:
        query = query.where(col(Referral.to_id) == to_id)
    return session.exec(query.order_by(col(Referral.at).desc())).first()


def _lead(session: Session, actor: Actor, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None or lead.owner_id != actor.id:
        raise NotFound(t("opportunity.lead_not_found", id=lead_id))
    return lead


def move(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    to_stage: str | None = None,
    cost: str | int | None = None,
    expected_return: str | int | None = None,
    next_step: str | None = None,
    next_due: str | datetime | None = None,
    note: str | None = None,
    version: int | None = None,
) -> OpportunityOut:
    """Move to ``to_stage`` (default: the next step), asking only what it needs (see the
    module). Refused past the proposal step while the proposal waits or was returned."""
    pipeline = settings.pipeline
    opp = open_for_work(session, actor, opportunity_id, version)
    target = to_stage or rules.next_stage(pipeline, opp.stage)
    if target is None:
        raise Conflict(
            t("opportunity.last_open_stage", stage=rules.stage_label(pipeline, opp.stage))
        )
    problems: dict[str, str] = {}
    if target not in rules.open_stages(pipeline):
        if target == pipeline.stages[-1]:
            problems["stage"] = t("opportunity.win_instead")
        else:
            problems["stage"] = t(
                "input.choice", value=target, choices=", ".join(rules.open_stages(pipeline))
            )
    elif target == opp.stage:
        problems["stage"] = t("opportunity.same_stage", stage=rules.stage_label(pipeline, target))
    if problem := text_problem(note, most=NEED_CHARS, multiline=True):
        problems["note"] = problem
    step, due = next_step_of(problems, settings, next_step, next_due)
    the_move = rules.move(pipeline, opp.stage, target) if "stage" not in problems else None
    proposing = the_move is not None and the_move.enters_proposal
    amount = yuan(problems, "cost", cost, required=proposing)
    back = yuan(problems, "expected_return", expected_return, required=proposing)
    raise_problems(problems)
    assert the_move is not None
    if the_move.passes_proposal and not the_move.enters_proposal:
        proposal_settled(opp, pipeline)
    came = opp.stage
    stop = target
    if proposing:
        assert amount is not None and back is not None
        record_proposal(session, actor, opp, pipeline, amount, back)
        if opp.proposal == "waiting" and the_move.passes_proposal:
            stop = pipeline.proposal_stage  # it waits at the proposal step
    if the_move.back_before_proposal:
        opp.proposal, opp.proposal_comment = None, None
        close_keyed(session, actor, RETURNED_KEY.format(id=opp.id, version=""))
    opp.stage, opp.stage_since = stop, clock.now()
    if step is not None:
        opp.next_step, opp.next_due = step, due
    stepped(session, actor, opp)
    event(
        session,
        actor,
        opp,
        "move",
        from_stage=came,
        to_stage=stop,
        note=(note or "").strip() or None,
    )
    return out_one(session, actor, settings, opp.id or 0)


def set_next_step(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    next_step: str,
    next_due: str | datetime | None = None,
    version: int | None = None,
) -> OpportunityOut:
    """Record the next step and when it is due (default: the end of the next working day)."""
    opp = open_for_work(session, actor, opportunity_id, version)
    problems: dict[str, str] = {}
    if not (next_step or "").strip():
        problems["next_step"] = t("input.required")
    step, due = next_step_of(problems, settings, next_step, next_due)
    raise_problems(problems)
    opp.next_step, opp.next_due = step, due
    stepped(session, actor, opp)
    event(session, actor, opp, "next_step", note=step)
    return out_one(session, actor, settings, opp.id or 0)


def won(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    reason: str | None = None,
    value: str | int | None = None,
    version: int | None = None,
) -> OpportunityOut:
    """Mark it won (at the value reached, default the expected): it stays at the last step,
    and the referral it came from (or the customer's open referral for its product, within the
    window) converts. Refused while its proposal waits or was returned."""
    pipeline = settings.pipeline
    opp = open_for_work(session, actor, opportunity_id, version)
    if opp.proposal in ("waiting", "returned"):
        proposal_settled(opp, pipeline)
    problems: dict[str, str] = {}
    if problem := text_problem(reason, most=REASON_CHARS):
        problems["reason"] = problem
    amount = yuan(problems, "value", value, required=False)
    raise_problems(problems)
    now = clock.now()
    came = opp.stage
    opp.status, opp.closed_at = "won", now
    opp.close_reason = (reason or "").strip() or None
    if amount is not None:
        opp.value_yuan = amount
    opp.stage, opp.stage_since = pipeline.stages[-1], now
    _close(session, actor, opp)
    event(session, actor, opp, "won", from_stage=came, to_stage=opp.stage, note=opp.close_reason)
    _convert_referral(session, actor, opp)
    return out_one(session, actor, settings, opp.id or 0)


def lost(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    opportunity_id: int,
    reason: str,
    version: int | None = None,
) -> OpportunityOut:
    """Mark it lost, with a reason (required); it keeps the step it was lost at."""
    opp = open_for_work(session, actor, opportunity_id, version)
    if problem := text_problem(reason, most=REASON_CHARS, required=True):
        raise FieldsInvalid({"reason": problem}, label_prefix=FIELDS)
    opp.status, opp.closed_at, opp.close_reason = "lost", clock.now(), reason.strip()
    _close(session, actor, opp)
    event(session, actor, opp, "lost", from_stage=opp.stage, note=opp.close_reason)
    return out_one(session, actor, settings, opp.id or 0)


def _close(session: Session, actor: Actor, opp: Opportunity) -> None:
    """A closed opportunity owes no follow-up: its quiet and returned tasks close."""
    stepped(session, actor, opp)
    close_keyed(session, actor, RETURNED_KEY.format(id=opp.id, version=""))


def _convert_referral(session: Session, actor: Actor, opp: Opportunity) -> None:
    """Winning converts its referral: the one it came from, else the customer's (or lead's)
    open referral for the same product whose window is still running (the latest)."""
    if opp.referral_id is not None:
        referral = session.get(Referral, opp.referral_id)
    else:
        referral = _open_referral(session, opp.customer_id, opp.lead_id, opp.product, None)
    if referral is None or referral.status != ReferralStatus.OPEN:
        return
    detail = t("opportunity.won_detail", id=opp.id)
    decide(session, actor, referral, ReferralStatus.CONVERTED, "convert", detail)
