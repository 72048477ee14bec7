"""A promise's clock: opening one under its kind's rule, keeping it, and when its next step
falls.

The deadline is the rule's (:func:`cmworkbench.domain.sla.promise_clock`, on the branch
calendar); the warnings and escalations are the rule's ``warn_at`` and ``escalate`` steps on
the same clock, as for complaint tickets. A promise keeps the moment its next step falls
(``next_step_at``), so the sweep reads only the promises whose moment has come.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import PromiseRule, Settings
from cmworkbench.db.models import Promise, PromiseEvent
from cmworkbench.domain import sla
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.services.core import audit
from cmworkbench.services.core.notify import insert_once
from cmworkbench.services.core.schemas import Actor

NO_RULE = PromiseRule(warn_at=[], escalate=[])
"""The steps of a promise whose kind a branch has since removed from config: the owner is
told when it is broken, nobody warned."""
WHAT_CHARS = 500
REASON_CHARS = 200


def owed() -> ColumnElement[bool]:
    """Still owed: neither done nor cancelled (open, or broken and not done yet)."""
    return and_(col(Promise.done_at).is_(None), col(Promise.state) != "cancelled")


def calendar(settings: Settings) -> BranchCalendar:
    """The branch calendar every promise's clock runs on."""
    return BranchCalendar.from_settings(settings.calendar)


def rule_of(settings: Settings, kind: str) -> PromiseRule:
    return settings.promises.get(kind, NO_RULE)


def target_of(p: Promise) -> sla.Target:
    return sla.Target(timedelta(seconds=p.clock_seconds), p.clock_business)


def steps_of(rule: PromiseRule) -> list[str]:
    """Every step of a rule, the owner's breach notice included."""
    return [*(f"owner@{w}" for w in rule.warn_at), *rule.escalate, "owner@breach"]


def next_step(p: Promise, rule: PromiseRule, cal: BranchCalendar, now: datetime) -> datetime | None:
    """When the first step of ``p`` not yet crossed at ``now`` falls (``None``: all have)."""
    target = target_of(p)
    ahead: list[datetime] = []
    for step in steps_of(rule):
        at = p.due_at if step == "owner@breach" else sla.step_due(p.clock_start, target, cal, step)
        if at > now:
            ahead.append(at)
    return min(ahead, default=None)


def clock_values(
    settings: Settings,
    kind: str,
    made: datetime,
    before: date | None = None,
    due_at: datetime | None = None,
) -> dict[str, object]:
    """The clock columns of a promise of ``kind`` made at ``made``: its deadline (the rule's,
    or ``due_at`` named by hand), the clock its steps run on, and when the first falls."""
    cal = calendar(settings)
    rule = rule_of(settings, kind)
    if due_at is not None:
        # A deadline named by hand runs on business time when business time reaches it
        # exactly (Monday 10:00 from Friday 16:00); one outside business hours (Saturday
        # 10:00) on wall time, so its warnings and its breach fall by it, not at a close.
        length = cal.business_time_between(made, due_at)
        business = length > timedelta() and cal.add_business_time(made, length) == due_at
        span = length if business else max(due_at - made, timedelta(minutes=1))
        pc = sla.PromiseClock(made, sla.Target(span, business), due_at)
    else:
        pc = sla.promise_clock(rule.due, made, cal, before)
    values: dict[str, object] = {
        "due_at": pc.due,
        "clock_start": pc.start,
        "clock_seconds": int(pc.target.amount.total_seconds()),
        "clock_business": pc.target.business,
    }
    probe = Promise(kind=kind, made_at=made, **values)  # type: ignore[arg-type]
    # every step after it was made: one made in the past (a ticket's feedback opened late)
    # has its steps passed since told by the next sweep
    values["next_step_at"] = next_step(probe, rule, cal, made - timedelta(microseconds=1))
    return values


def open_promise(
    session: Session,
    settings: Settings,
    *,
    actor: Actor | None,
    customer_id: int,
    owner_id: int,
    kind: str,
    what: str,
    made_at: datetime | None = None,
    before: date | None = None,
    due_at: datetime | None = None,
    channel: str | None = None,
    complaint_id: int | None = None,
    holding_id: int | None = None,
    interaction_id: int | None = None,
    idem_key: str | None = None,
) -> Promise | None:
    """Open a promise of ``kind`` (its deadline from the rule, or ``due_at`` when whoever
    made it named one), with its history line and audit row. With ``idem_key`` it is stored
    once however often it is opened (``None`` then when it already was)."""
    made = made_at or clock.now()
    values = {
        "customer_id": customer_id,
        "owner_id": owner_id,
        "made_by_id": actor.id if actor is not None else None,
        "kind": kind,
        "what": what[:WHAT_CHARS],
        "channel": channel,
        "made_at": made,
        **clock_values(settings, kind, made, before, due_at),
        "state": "open",
        "complaint_id": complaint_id,
        "holding_id": holding_id,
        "interaction_id": interaction_id,
        "idem_key": idem_key,
        "version": 1,
    }
    if idem_key is None:
        promise = Promise(**values)  # type: ignore[arg-type]
        session.add(promise)
        session.flush()
    else:
        if not insert_once(session, Promise, values):
            return None
        promise = session.exec(select(Promise).where(col(Promise.idem_key) == idem_key)).one()
    assert promise.id is not None
    event(session, promise, actor, "made", promise.what)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="promise",
        object_id=promise.id,
        customer_id=customer_id,
        detail=f"{kind} due {promise.due_at.isoformat()}",
    )
    return promise


def keep(
    session: Session,
    p: Promise,
    actor: Actor | None,
    *,
    at: datetime | None = None,
    note: str | None = None,
    interaction_id: int | None = None,
) -> bool:
    """Record that ``p`` was done at ``at``: kept if by the deadline, else broken (done
    late). False when someone else closed it first (nothing written)."""
    done = at or clock.now()
    state = "kept" if p.state == "open" and done <= p.due_at else "broken"
    values = {"state": state, "done_at": done, "done_interaction_id": interaction_id}
    action = "kept" if state == "kept" else "done_late"
    return _close(session, p, actor, values, action, note, "keep", f"{p.kind} {state}")


def cancel(session: Session, p: Promise, actor: Actor | None, reason: str) -> bool:
    """Cancel ``p`` with ``reason`` (the customer withdrew, the ticket was resolved). False
    when it was already done or cancelled."""
    values = {"state": "cancelled", "done_at": clock.now(), "cancel_reason": reason[:REASON_CHARS]}
    detail = f"{p.kind}: {reason}"[:200]
    return _close(session, p, actor, values, "cancelled", reason, "cancel", detail)


def _close(
    session: Session,
    p: Promise,
    actor: Actor | None,
    values: dict[str, object],
    action: str,
    note: str | None,
    audited: str,
    detail: str,
) -> bool:
    """Write ``values`` on ``p`` if it is still owed and unchanged since read (no step
    left to tell), with its history line and audit row; False when someone closed it
    first (nothing written)."""
    changed = session.connection().execute(
        update(Promise)
        .where(col(Promise.id) == p.id, col(Promise.version) == p.version, owed())
        .values(
            **values,
            closed_by_id=actor.id if actor is not None else None,
            next_step_at=None,
            version=p.version + 1,
        )
    )
    session.expire(p)
    if changed.rowcount != 1:
        return False
    event(session, p, actor, action, note)
    audit.record(
        session,
        actor=actor,
        action=audited,
        object_type="promise",
        object_id=p.id,
        customer_id=p.customer_id,
        detail=detail,
    )
    return True


def event(session: Session, p: Promise, actor: Actor | None, action: str, note: str | None) -> None:
    assert p.id is not None
    session.add(
        PromiseEvent(
            promise_id=p.id,
            at=clock.now(),
            staff_id=actor.id if actor is not None else None,
            action=action,
            note=(note or None) and note[:WHAT_CHARS],
        )
    )
