"""The promises a person makes and keeps by hand: a new promise, an incoming call or message
(the same-day reply), urgent business of a government-important customer, a holding's
activation at risk; the lists; keep and cancel.

Scope: a promise is seen, kept and cancelled by whoever may see its customer
(:func:`~cmworkbench.services.core.scope.customer_filter`) and by its owner.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Holding, Promise, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter, require_customer
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem, text_problem
from cmworkbench.services.promises import clocks, hooks
from cmworkbench.services.promises.schemas import (
    INCOMING_CHANNELS,
    URGENT_KINDS,
    PromiseOut,
)

FIELDS = "promise.field."


def _not_admin(actor: Actor) -> None:
    """IT keeps no promises to customers: whoever makes one owes it (首问负责)."""
    if actor.role == Role.ADMIN:
        raise OutOfScope(t("promise.admin"))


def _what(text: str | None, field: str = "what") -> str:
    problem = text_problem(text or "", most=clocks.WHAT_CHARS, required=True, multiline=True)
    if problem:
        raise FieldsInvalid({field: problem}, label_prefix=FIELDS)
    return (text or "").strip()


def new_promise(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    kind: str,
    what: str,
    due: datetime | None = None,
) -> PromiseOut:
    """A promise the actor made to a customer in scope; its deadline is the kind's rule
    (``[promises.<kind>]``), or ``due`` when the actor named one (in the future)."""
    problems = {"kind": choice_problem(kind, list(settings.promises))}
    if due is not None and due <= clock.now():
        problems["due"] = t("promise.due_past")
    elif due is None and kind == "delay_notice":
        problems["due"] = t("promise.due_needed")
    return _make(session, actor, settings, customer_no, kind, ("what", what), problems, due=due)


def incoming(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    note: str,
    channel: str = "call",
) -> PromiseOut:
    """The customer called or wrote and is owed a reply the same day (当天来电当天回复); one
    logged after business hours is owed by the close of the next working day. The reply (a
    contact logged with the customer) keeps it."""
    problems = {"channel": choice_problem(channel, INCOMING_CHANNELS)}
    kind = "callback_same_day"
    return _make(session, actor, settings, customer_no, kind, ("note", note), problems, channel)


def urgent(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    kind: str,
    what: str,
) -> PromiseOut:
    """Urgent business of a government-important customer (政府重要客户): card business done
    within 2 hours, physical goods within 6 (calendar time, ``[promises.government_urgent_*]``)."""
    problems = {"kind": choice_problem(kind, URGENT_KINDS)}
    return _make(session, actor, settings, customer_no, kind, ("what", what), problems)


def _make(
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    kind: str,
    text: tuple[str, str],
    problems: dict[str, str | None],
    channel: str | None = None,
    due: datetime | None = None,
) -> PromiseOut:
    """Check everything at once (nothing written on a problem), then open the promise, owed
    by the actor (首问负责); urgent business only for a government-important customer."""
    _not_admin(actor)
    field, value = text
    problems[field] = text_problem(value, most=clocks.WHAT_CHARS, required=True, multiline=True)
    found = {name: problem for name, problem in problems.items() if problem}
    if found:
        raise FieldsInvalid(found, label_prefix=FIELDS)
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None
    if kind in URGENT_KINDS and not customer.is_government:
        raise InvalidInput(t("promise.not_government", customer_no=customer.customer_no))
    p = clocks.open_promise(
        session,
        settings,
        actor=actor,
        customer_id=customer.id,
        owner_id=actor.id,
        kind=kind,
        what=value.strip(),
        channel=channel,
        due_at=due,
    )
    assert p is not None
    return _out(session, p)


def activation_at_risk(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    product: str,
    promised_on: date | None = None,
) -> PromiseOut:
    """The activation promised on a holding of the customer is at risk: record it (with the
    promised date, when first given here) and open the delay notice, due 2 working days
    before the promised date. Marking it again opens nothing new."""
    _not_admin(actor)
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    holding = session.exec(
        select(Holding)
        .where(col(Holding.customer_id) == customer.id, col(Holding.product) == product.strip())
        .order_by(col(Holding.id).desc())
    ).first()
    if holding is None:
        raise NotFound(t("promise.no_holding", product=product, customer_no=customer.customer_no))
    if promised_on is not None:
        holding.promised_on = promised_on
    if holding.promised_on is None:
        raise FieldsInvalid({"promised_on": t("promise.no_promised_date")}, label_prefix=FIELDS)
    if holding.at_risk_since is None:
        holding.at_risk_since = clock.now()
    session.add(holding)
    session.flush()
    return _out(session, hooks.holding_at_risk(session, settings, actor, holding, customer))


def list_promises(
    *,
    session: Session,
    actor: Actor,
    breached: bool = False,
    team: bool = False,
    customer_no: str | None = None,
    owed: bool = True,
    limit: int = 500,
) -> list[PromiseOut]:
    """Promises owed (``owed``; else every state), soonest deadline first: the actor's own,
    or with ``team`` every one in the actor's scope; ``breached``: only those broken;
    ``customer_no``: one customer's (the 360 view)."""
    query = _visible(actor)
    if customer_no is not None:
        customer = require_customer(session=session, actor=actor, customer_no=customer_no)
        query = query.where(col(Promise.customer_id) == customer.id)
    elif not team:
        query = query.where(col(Promise.owner_id) == actor.id)
    if owed:
        query = query.where(clocks.owed())
    if breached:
        query = query.where(late())
    rows = session.execute(query.order_by(col(Promise.due_at), col(Promise.id)).limit(limit)).all()
    return [row_out(*row) for row in rows]


def keep_promise(
    *, session: Session, actor: Actor, promise_id: int, note: str | None = None
) -> PromiseOut:
    """The actor did what was promised, now: kept if by the deadline, else broken (late)."""
    _not_admin(actor)
    p = _require_owed(session, actor, promise_id)
    clocks.keep(session, p, actor, note=note)
    session.refresh(p)
    return _out(session, p)


def cancel_promise(*, session: Session, actor: Actor, promise_id: int, reason: str) -> PromiseOut:
    """Cancel a promise no longer owed, saying why (the customer withdrew the request)."""
    _not_admin(actor)
    reason = _what(reason, "reason")
    p = _require_owed(session, actor, promise_id)
    clocks.cancel(session, p, actor, reason)
    session.refresh(p)
    return _out(session, p)


def _require_owed(session: Session, actor: Actor, promise_id: int) -> Promise:
    """The promise ``promise_id`` in scope and still owed; else what it already is."""
    p = _require(session, actor, promise_id)
    if p.done_at is not None or p.state == "cancelled":
        state = label("promise_state", p.state)
        raise InvalidInput(t("promise.already", id=promise_id, state=state))
    return p


# -- reading ---------------------------------------------------------------------------------


def late() -> ColumnElement[bool]:
    """Broken: marked so by the sweep, or past its deadline and not done since the last
    sweep (the lists never say "open" of a promise whose deadline has passed)."""
    return or_(
        col(Promise.state) == "broken",
        and_(col(Promise.state) == "open", col(Promise.due_at) <= clock.now()),
    )


def shown_state(p: Promise) -> str:
    """The state a person is shown: an open promise past its deadline is broken."""
    if p.state == "open" and p.done_at is None and p.due_at <= clock.now():
        return "broken"
    return p.state


def _in_scope(actor: Actor) -> ColumnElement[bool]:
    return or_(col(Promise.owner_id) == actor.id, customer_filter(actor))


def _visible(actor: Actor):  # type: ignore[no-untyped-def]
    return promise_rows().where(_in_scope(actor))


def promise_rows():  # type: ignore[no-untyped-def]
    """The SELECT of promises with what a row shows (customer, owner, ticket)."""
    return (
        sa_select(
            Promise,
            col(Customer.customer_no),
            col(Customer.name),
            col(Staff.login),
            col(Staff.name),
            col(Complaint.ticket_no),
        )
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .join(Staff, col(Staff.id) == col(Promise.owner_id))
        .outerjoin(Complaint, col(Complaint.id) == col(Promise.complaint_id))
    )


def _require(session: Session, actor: Actor, promise_id: int) -> Promise:
    row = session.execute(_visible(actor).where(col(Promise.id) == promise_id)).first()
    if row is None:
        raise NotFound(t("promise.not_found", id=promise_id))
    return row[0]


def row_out(
    p: Promise, customer_no: str, name: str, login: str, owner: str, ticket: str | None
) -> PromiseOut:
    assert p.id is not None
    return PromiseOut(
        id=p.id,
        customer_no=customer_no,
        customer_name=name,
        owner_id=p.owner_id,
        owner_login=login,
        owner_name=owner,
        kind=p.kind,
        what=p.what,
        made_at=p.made_at,
        promise_due=p.due_at,
        state=shown_state(p),
        done_at=p.done_at,
        cancel_reason=p.cancel_reason,
        ticket_no=ticket,
        version=p.version,
    )


def _out(session: Session, p: Promise) -> PromiseOut:
    row = session.execute(promise_rows().where(col(Promise.id) == p.id)).one()
    return row_out(*row)
