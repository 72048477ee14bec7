"""Opportunities (商机) through the steps of the big-customer pipeline (``[pipeline] stages``:
the bank's eight, 甄选目标客户 … 客户关系管理, or a telecom branch's own).

* :func:`new_opportunity`: for a customer in the actor's scope, a lead they work, or a
  referral they received (its customer or lead, product and need); owned by the actor.
* :func:`move`: to another open step (by default the next), asking only what that step needs:
  entering the proposal step (``proposal_stage``, 方案设计与展示) asks the proposal's cost and
  expected return. A proposal whose return is below ``min_return_ratio`` × cost (1:1.5) goes
  to the owner's supervisor and the opportunity stays at the proposal step until approved
  (:func:`approve`) — or comes back with a comment (:func:`return_proposal`), which lands on
  the owner's Today as a follow-up until they send a revised proposal (:func:`propose`). The
  same round trip as a week's visit plan.
* :func:`set_next_step`: the next step and its due date. An open opportunity with no step
  for ``stale_days`` or its next step past due is "quiet": the daily generation puts a
  follow-up on its owner's Today (:func:`quiet_tasks`), closed by the next step taken.
* :func:`won` (it then stays at the last step, the relationship after the deal) converts the
  referral it came from; :func:`lost` needs a reason.
* A contact logged with purpose negotiation opens the 2-working-day feedback promise
  (:mod:`cmworkbench.services.promises`) about the customer's open opportunity
  (:func:`negotiated`); a broken one shows on the opportunity.

Who: a manager works their own; their supervisor (or the branch head for teams without one,
:func:`~cmworkbench.services.staff.api.led_members`) sees them, decides proposals and may move
them too. Every change is audited and kept in the opportunity's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, false, func, or_, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import PipelineSettings, Settings
from cmworkbench.db.models import (
    Customer,
    Lead,
    Opportunity,
    OpportunityEvent,
    Promise,
    Referral,
    Staff,
    Task,
)
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import ReferralStatus, Role, TaskKind, TaskStatus
from cmworkbench.domain.when import parse_day, parse_moment
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import (
    own_book_only,
    require_customer,
    require_role,
    sees_no_book,
)
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.pipeline.conversion import decide
from cmworkbench.services.pipeline.schemas import (
    FeedbackPromise,
    OpportunityDetail,
    OpportunityEventOut,
    OpportunityOut,
    PipelineView,
    StageGroup,
)

WORKING_ROLES = (Role.MANAGER, Role.PHONE_MANAGER, Role.SUPERVISOR, Role.BRANCH_HEAD)
"""Who works opportunities (a referrer refers; IT and the admin do not sell)."""
DECIDING_ROLES = (Role.SUPERVISOR, Role.BRANCH_HEAD)
NEED_CHARS = 500
STEP_CHARS = 200
REASON_CHARS = 200
COMMENT_CHARS = 500
FIELDS = "opportunity.field."
STATES = ("open", "won", "lost", "all")
QUIET_RULE = "opportunity_quiet"
RETURNED_RULE = "proposal_returned"
QUIET_KEY = "opportunity_quiet:{id}:{since}"
RETURNED_KEY = "proposal_returned:{id}:{version}"


# -- scope ------------------------------------------------------------------------------------


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


def _load(session: Session, actor: Actor, opportunity_id: int, version: int | None) -> Opportunity:
    """The opportunity if ``actor`` sees it (else one refusal for "none" and "not yours")."""
    found = session.exec(
        select(Opportunity).where(col(Opportunity.id) == opportunity_id, visible(session, actor))
    ).one_or_none()
    if found is None:
        raise NotFound(t("opportunity.not_found", id=opportunity_id))
    if version is not None and version != found.version:
        raise Conflict(t("opportunity.conflict", id=opportunity_id))
    return found


def _open(session: Session, actor: Actor, opportunity_id: int, version: int | None) -> Opportunity:
    require_role(actor, WORKING_ROLES, "opportunity.role")
    opp = _load(session, actor, opportunity_id, version)
    if opp.status != "open":
        raise Conflict(
            t("opportunity.closed", id=opp.id, status=t(f"enum.opportunity_status.{opp.status}"))
        )
    return opp


def _led_ids(session: Session, actor: Actor) -> list[int]:
    """The people ``actor`` leads (:func:`~cmworkbench.services.staff.api.led_members`),
    imported here: the staff package reaches Today, which reaches this module (a contact
    logged about a negotiation)."""
    from cmworkbench.services.staff.api import led_members

    return [m.id for m in led_members(session, actor) if m.id is not None and m.id != actor.id]


def _decider(session: Session, actor: Actor, opp: Opportunity) -> bool:
    """Whether ``actor`` leads the opportunity's owner (decides their proposals)."""
    if actor.role not in DECIDING_ROLES or actor.id == opp.owner_id:
        return False
    return opp.owner_id in _led_ids(session, actor)


# -- parsing what was typed --------------------------------------------------------------------


def _calendar(settings: Settings) -> BranchCalendar:
    return BranchCalendar.from_settings(settings.calendar)


def _yuan(
    problems: dict[str, str], field: str, text: str | int | None, *, required: bool
) -> int | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        if required:
            problems[field] = t("input.required")
        return None
    amount = text if isinstance(text, int) else rules.parse_yuan(text)
    if amount is None or amount < 0 or amount > rules.MOST_YUAN:
        problems[field] = t("opportunity.bad_yuan", value=text)
        return None
    return amount


def _day(
    problems: dict[str, str], field: str, text: str | date | None, settings: Settings
) -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        problems[field] = t("input.required")
        return None
    if isinstance(text, date):
        day: date | None = text
    else:
        day = parse_day(text.strip(), clock.today(), _calendar(settings))
    if day is None:
        problems[field] = t("opportunity.bad_day", value=text)
    elif day < clock.today():
        problems[field] = t("opportunity.day_past", day=day.isoformat())
        return None
    return day


def _moment(
    problems: dict[str, str], field: str, text: str | datetime | None, settings: Settings
) -> datetime | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, datetime):
        when: datetime | None = text
    else:
        typed = text.strip().replace("T", " ", 1)
        when = parse_moment(typed, clock.today(), _calendar(settings))
    if when is None:
        problems[field] = t("opportunity.bad_when", value=text)
    elif when < clock.now():  # a next step is ahead: one already past would be quiet at once
        problems[field] = t("opportunity.moment_past", moment=f"{when:%Y-%m-%d %H:%M}")
        return None
    return when


def _step(
    problems: dict[str, str],
    settings: Settings,
    next_step: str | None,
    next_due: str | datetime | None,
) -> tuple[str | None, datetime | None]:
    """A next step and its due moment: a due without a step is refused; a step without a due
    is due at the end of the next working day."""
    if problem := text_problem(next_step, most=STEP_CHARS):
        problems["next_step"] = problem
    step = (next_step or "").strip() or None
    due = _moment(problems, "next_due", next_due, settings)
    if due is not None and step is None and "next_step" not in problems:
        problems["next_step"] = t("opportunity.step_without_text")
    if step is not None and due is None and "next_due" not in problems:
        calendar = _calendar(settings)
        due = calendar.closing(calendar.add_workdays(clock.today(), 1))
    return step, due


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise FieldsInvalid(problems, label_prefix=FIELDS)


# -- writing ----------------------------------------------------------------------------------


def _event(
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


def _stepped(session: Session, actor: Actor, opp: Opportunity) -> None:
    """A step was taken: the opportunity is not quiet any more (its follow-up closes)."""
    now = clock.now()
    opp.last_step_at = now
    opp.version += 1
    session.add(opp)
    _close_tasks(session, actor, opp, QUIET_KEY.format(id=opp.id, since=""))


def _follow_up(
    session: Session,
    opp: Opportunity,
    reason: str,
    rule: str,
    key: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """A follow-up on the owner's Today about ``opp``, due at once (the returned proposal, a
    quiet spell); ``key`` makes it once."""
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
        )
    )


def _close_tasks(session: Session, actor: Actor | None, opp: Opportunity, prefix: str) -> None:
    query = select(Task).where(
        col(Task.idem_key).startswith(prefix), col(Task.status) == TaskStatus.OPEN
    )
    for task in session.exec(query).all():
        task.status, task.closed_at = TaskStatus.DONE, clock.now()
        task.closed_by_id = actor.id if actor is not None else None
        task.version += 1
        session.add(task)


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
    amount = _yuan(problems, "value", value, required=True)
    close_day = _day(problems, "expected_close", expected_close, settings)
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
    step, due = _step(problems, settings, next_step, next_due)
    _raise(problems)
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
    _event(session, actor, opp, "new", to_stage=at, note=opp.need)
    return _out_one(session, actor, settings, opp.id or 0)


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
    opp = _open(session, actor, opportunity_id, version)
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
    step, due = _step(problems, settings, next_step, next_due)
    the_move = rules.move(pipeline, opp.stage, target) if "stage" not in problems else None
    proposing = the_move is not None and the_move.enters_proposal
    amount = _yuan(problems, "cost", cost, required=proposing)
    back = _yuan(problems, "expected_return", expected_return, required=proposing)
    _raise(problems)
    assert the_move is not None
    if the_move.passes_proposal and not the_move.enters_proposal:
        _proposal_settled(opp, pipeline)
    came = opp.stage
    stop = target
    if proposing:
        assert amount is not None and back is not None
        _record_proposal(session, actor, opp, pipeline, amount, back)
        if opp.proposal == "waiting" and the_move.passes_proposal:
            stop = pipeline.proposal_stage  # it waits at the proposal step
    if the_move.back_before_proposal:
        opp.proposal, opp.proposal_comment = None, None
        _close_tasks(session, actor, opp, RETURNED_KEY.format(id=opp.id, version=""))
    opp.stage, opp.stage_since = stop, clock.now()
    if step is not None:
        opp.next_step, opp.next_due = step, due
    _stepped(session, actor, opp)
    _event(
        session,
        actor,
        opp,
        "move",
        from_stage=came,
        to_stage=stop,
        note=(note or "").strip() or None,
    )
    return _out_one(session, actor, settings, opp.id or 0)


def _proposal_settled(opp: Opportunity, pipeline: PipelineSettings) -> None:
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


def _record_proposal(
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
    _close_tasks(session, actor, opp, RETURNED_KEY.format(id=opp.id, version=""))
    note = f"{rules.ratio_text(cost, back)} ({cost}/{back})"
    _event(session, actor, opp, "propose", note=note)


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
    opp = _open(session, actor, opportunity_id, version)
    if opp.stage != pipeline.proposal_stage:
        raise Conflict(
            t(
                "opportunity.not_at_proposal",
                id=opp.id,
                stage=rules.stage_label(pipeline, pipeline.proposal_stage),
            )
        )
    problems: dict[str, str] = {}
    amount = _yuan(problems, "cost", cost, required=True)
    back = _yuan(problems, "expected_return", expected_return, required=True)
    _raise(problems)
    assert amount is not None and back is not None
    _record_proposal(session, actor, opp, pipeline, amount, back)
    _stepped(session, actor, opp)
    return _out_one(session, actor, settings, opp.id or 0)


def _waiting_for(
    session: Session, actor: Actor, opportunity_id: int, version: int | None
) -> Opportunity:
    require_role(actor, DECIDING_ROLES, "opportunity.decide_role")
    opp = _load(session, actor, opportunity_id, version)
    if not _decider(session, actor, opp):
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
    _event(session, actor, opp, "approve", note=rules.ratio_text(opp.cost_yuan, opp.return_yuan))
    return _out_one(session, actor, settings, opp.id or 0)


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
    follow-up, closed when they send a revised proposal (or close the opportunity)."""
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
    _follow_up(session, opp, reason, RETURNED_RULE, key, now, note=text)
    _event(session, actor, opp, "return", note=text)
    return _out_one(session, actor, settings, opp.id or 0)


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
    opp = _open(session, actor, opportunity_id, version)
    problems: dict[str, str] = {}
    if not (next_step or "").strip():
        problems["next_step"] = t("input.required")
    step, due = _step(problems, settings, next_step, next_due)
    _raise(problems)
    opp.next_step, opp.next_due = step, due
    _stepped(session, actor, opp)
    _event(session, actor, opp, "next_step", note=step)
    return _out_one(session, actor, settings, opp.id or 0)


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
    opp = _open(session, actor, opportunity_id, version)
    if opp.proposal in ("waiting", "returned"):
        _proposal_settled(opp, pipeline)
    problems: dict[str, str] = {}
    if problem := text_problem(reason, most=REASON_CHARS):
        problems["reason"] = problem
    amount = _yuan(problems, "value", value, required=False)
    _raise(problems)
    now = clock.now()
    came = opp.stage
    opp.status, opp.closed_at = "won", now
    opp.close_reason = (reason or "").strip() or None
    if amount is not None:
        opp.value_yuan = amount
    opp.stage, opp.stage_since = pipeline.stages[-1], now
    _close(session, actor, opp)
    _event(session, actor, opp, "won", from_stage=came, to_stage=opp.stage, note=opp.close_reason)
    _convert_referral(session, actor, opp)
    return _out_one(session, actor, settings, opp.id or 0)


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
    opp = _open(session, actor, opportunity_id, version)
    if problem := text_problem(reason, most=REASON_CHARS, required=True):
        raise FieldsInvalid({"reason": problem}, label_prefix=FIELDS)
    opp.status, opp.closed_at, opp.close_reason = "lost", clock.now(), reason.strip()
    _close(session, actor, opp)
    _event(session, actor, opp, "lost", from_stage=opp.stage, note=opp.close_reason)
    return _out_one(session, actor, settings, opp.id or 0)


def _close(session: Session, actor: Actor, opp: Opportunity) -> None:
    """A closed opportunity owes no follow-up: its quiet and returned tasks close."""
    _stepped(session, actor, opp)
    _close_tasks(session, actor, opp, RETURNED_KEY.format(id=opp.id, version=""))


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


# -- reading ----------------------------------------------------------------------------------


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


def _out_one(
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
    _raise(problems)
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
    opp = _load(session, actor, opportunity_id, None)
    out = _out_one(session, actor, settings, opp.id or 0)
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
        can_decide=opp.proposal == "waiting" and _decider(session, actor, opp),
    )


def waiting_proposals(
    *, session: Session, actor: Actor, settings: Settings
) -> list[OpportunityOut]:
    """The proposals waiting for ``actor``'s decision (the people they lead), the longest
    waiting first: the queue on the lead's Today and the pipeline view."""
    if actor.role not in DECIDING_ROLES:
        return []
    led = _led_ids(session, actor)
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


# -- for other capabilities (through .api) ----------------------------------------------------


def negotiated(
    session: Session, customer_id: int, owner_id: int | None, *, interaction_id: int
) -> int | None:
    """A negotiation round with ``customer_id`` was logged (contact ``interaction_id``): its
    feedback promise is about the customer's open opportunity (the owner's, else anyone's,
    with the latest step), so a breach shows on it. Returns the opportunity's id, if any."""
    query = select(Opportunity.id).where(
        col(Opportunity.customer_id) == customer_id, col(Opportunity.status) == "open"
    )
    latest = (col(Opportunity.last_step_at).desc(), col(Opportunity.id).desc())
    found = None
    if owner_id is not None:
        found = session.exec(
            query.where(col(Opportunity.owner_id) == owner_id).order_by(*latest)
        ).first()
    if found is None:
        found = session.exec(query.order_by(*latest)).first()
    if found is not None:
        session.connection().execute(
            update(Promise)
            .where(
                col(Promise.interaction_id) == interaction_id,
                col(Promise.kind) == "negotiation_feedback",
            )
            .values(opportunity_id=found)
        )
    return found


def quiet_tasks(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """The daily generation's part: a follow-up on the owner's Today for every open
    opportunity with no step for ``stale_days`` or its next step past due (one per quiet
    spell: taking a step closes it, and a new spell makes a new one). Returns how many."""
    now = now or clock.now()
    since = now - timedelta(days=settings.pipeline.stale_days)
    quiet = session.exec(
        select(Opportunity).where(
            col(Opportunity.status) == "open",
            or_(
                col(Opportunity.last_step_at) < since,
                col(Opportunity.next_due) < now,
            ),
        )
    ).all()
    made = 0
    for opp in quiet:
        key = QUIET_KEY.format(id=opp.id, since=opp.last_step_at.strftime("%Y%m%d%H%M%S"))
        if session.exec(select(Task.id).where(col(Task.idem_key) == key)).first() is not None:
            continue
        days = (now - opp.last_step_at).days
        stage = rules.stage_label(settings.pipeline, opp.stage)
        if opp.next_due is not None and opp.next_due < now:
            reason = t("opportunity.quiet_due", id=opp.id, stage=stage, step=opp.next_step or "")
        else:
            reason = t("opportunity.quiet_task", id=opp.id, stage=stage, days=days)
        _follow_up(session, opp, reason, QUIET_RULE, key, now)
        made += 1
    session.flush()
    return made
