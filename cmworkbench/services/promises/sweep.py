"""The sweep that warns, escalates and marks broken promises: the complaint sweep's steps
(:mod:`cmworkbench.services.core.escalation`) on each promise's own clock.

It reads only the promises owed whose next step has come (``next_step_at``, kept by
:func:`~.clocks.next_step`), so a steady sweep over fifty thousand open promises reads a
handful. Each notice has an idempotency key (promise, step, recipient): a sweep run twice, by
two processes, or after a weekend's downtime tells each person once. A promise past its
deadline and not done is marked ``broken`` (still owed until done); its owner is told.

First it opens the feedback promise of any ticket that owes one and has none
(:func:`~.hooks.ensure_feedback`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Notification, Promise, Staff
from cmworkbench.domain import sla
from cmworkbench.i18n import label, t
from cmworkbench.services.core.escalation import Recipients, Watched, due_notices, step_level
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter
from cmworkbench.services.promises import clocks, hooks
from cmworkbench.services.promises.schemas import PromiseSweepOut


def _in_scope(actor: Actor | None) -> ColumnElement[bool]:
    if actor is None:
        return true()
    in_scope = select(col(Customer.id)).where(customer_filter(actor))
    return or_(col(Promise.owner_id) == actor.id, col(Promise.customer_id).in_(in_scope))


def sweep(*, session: Session, settings: Settings, actor: Actor | None = None) -> PromiseSweepOut:
    """Warn, escalate and mark broken every promise whose next step has come, as of
    ``clock.now()`` (a person sweeping by hand: the promises in their scope only)."""
    now = clock.now()
    cal = clocks.calendar(settings)
    opened = hooks.ensure_feedback(session, settings) if actor is None else 0
    rows = session.execute(
        sa_select(
            Promise,
            col(Staff.team_id),
            col(Staff.branch_id),
            col(Staff.name),
            col(Customer.backup_id),
            col(Customer.name),
        )
        .join(Staff, col(Staff.id) == col(Promise.owner_id))
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .where(col(Promise.next_step_at) <= now, _in_scope(actor))
        .where(clocks.owed())
    ).all()
    if not rows:  # the steady state: nothing due, no staff to read
        return PromiseSweepOut(0, 0, 0, opened)
    ids = [p.id for p, *_ in rows]
    known = set(
        session.exec(
            select(Notification.idem_key)
            .where(col(Notification.object_type) == "promise")
            .where(col(Notification.object_id).in_(ids))
        ).all()
    )
    people = Recipients(session, clock.today())
    notified = broken = 0
    for p, team_id, branch_id, owner_name, backup_id, customer_name in rows:
        assert p.id is not None
        rule = clocks.rule_of(settings, p.kind)
        target = clocks.target_of(p)
        fraction = sla.elapsed_fraction(p.clock_start, now, target, cal)
        # the deadline decides the breach, whatever the clock's rounding: never before it
        fraction = max(fraction, 1.0) if now >= p.due_at else min(fraction, 1.0 - 1e-6)
        who = Watched(p.owner_id, team_id, branch_id, backup_id)
        for step, recipient, key in due_notices(
            fraction, rule.warn_at, rule.escalate, target, who, people, f"promise:{p.id}", known
        ):
            title = _title(p, step, owner_name, customer_name)
            if not insert_notification(
                session,
                recipient=recipient,
                kind=f"promise_{step_level(step)}",
                title=title,
                object_type="promise",
                object_id=p.id,
                key=key,
            ):
                continue
            notified += 1
            action = {"breach": "broken"}.get(step_level(step), step_level(step))
            clocks.event(session, p, None, action, people.name(recipient))
        values: dict[str, object] = {"next_step_at": clocks.next_step(p, rule, cal, now)}
        if now >= p.due_at and p.state == "open":
            values["state"] = "broken"
            broken += 1
        # not over a keep or cancel committed since the read (PostgreSQL reads committed)
        session.connection().execute(
            update(Promise).where(col(Promise.id) == p.id, clocks.owed()).values(**values)
        )
    return PromiseSweepOut(len(rows), notified, broken, opened)


def _title(p: Promise, step: str, owner: str, customer: str) -> str:
    due = p.due_at.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M")
    kind = label("promise_kind", p.kind)
    if step == "owner@breach":
        return t("promise.notify.broken", kind=kind, customer=customer, due=due)
    if sla.step_point(step) < 1.0:
        return t("promise.notify.warn", kind=kind, customer=customer, due=due)
    return t("promise.notify.escalate", kind=kind, customer=customer, owner=owner, due=due)
