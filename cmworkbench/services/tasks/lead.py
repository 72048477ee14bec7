"""A lead's Today (issue 23): what a supervisor or the branch head has to act on this morning,
ranked, a reason on every row, above their own book's day (:mod:`.plan`, within capacity as
for a manager: a supervisor may own customers and covers colleagues on leave).

For the people they lead (a supervisor: the team; the branch head: the managers of teams
without a supervisor, :func:`~cmworkbench.services.staff.api.led_members`):

1. tickets (:func:`~cmworkbench.services.complaints.api.lead_tickets`): waiting for the
   lead's close after the return call (``x`` closes it from Today), escalated to them,
   breached (oldest breach first), the solution rejected, A-class and hard complaints they
   were told of;
2. visit plans submitted and waiting (``a`` approves, ``b`` returns with a comment, ``Enter``
   opens the plan with its warnings on Visits); opportunities' proposals below the return
   ratio waiting for their decision (``a`` / ``b`` the same; ``Enter`` opens the opportunity);
3. colleagues: more overdue tasks than ``[lead] overdue_over``, the last working day's log
   missing past its cut-off, on leave today with who covers them, and their customers who
   have no B角 (the ones with work due first);
4. retention alerts: open retention tasks on customers of ``tasks.retention_inform_classes``;
5. market reports submitted and not read yet (``Enter`` reads, ``Ctrl+S`` acknowledges).

The branch head also has, across the branch: breached tickets and those escalated to them,
the pooled customers they keep (``[pool] keeper``), and teams worse than their target this
week on ``[lead] team_figures`` (the Dashboard's figures, from Monday to the end of yesterday:
whole days, read once a day, the row saying which days).

The rows are :class:`~.schemas.TodayRow` of the section ``lead``, each naming the record it
opens (``item``: ``ticket``, ``plan``, ``proposal``, ``staff``, ``customer``, ``market``, ``team``).
Nothing here is stored: the list is read each time, so a row leaves as soon as its record no
longer needs the lead (the ticket closed, the plan decided, the log in, the report read).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, MarketReport, Staff, Task
from cmworkbench.domain.enums import CLASS_RANK, Role
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints.api import lead_tickets
from cmworkbench.services.complaints.schemas import LeadTicket
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.customers.api import kept_by, pool_keepers, waiting
from cmworkbench.services.pipeline import api as pipeline
from cmworkbench.services.pipeline.schemas import OpportunityOut
from cmworkbench.services.reports.api import teams_below_target
from cmworkbench.services.staff.api import LEADS, led_members, team_attention
from cmworkbench.services.staff.schemas import StaffAttention, Uncovered
from cmworkbench.services.tasks.plan import today_plan
from cmworkbench.services.tasks.retention import open_alerts
from cmworkbench.services.tasks.schemas import TodayPlan, TodayRow
from cmworkbench.services.tasks.today import REASON_JOINER, row_of
from cmworkbench.services.visits.api import waiting_plans
from cmworkbench.services.visits.schemas import WaitingPlan


def today_with_leads(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
    kind: str | None = None,
    keep: bool = True,
    with_backlog: bool = False,
) -> TodayPlan:
    """The actor's day (:func:`~.plan.today_plan`); for a lead, what they have to act on
    first (:func:`lead_rows`, section ``lead``), then their own book's day."""
    settings = settings or Settings()
    day = day or clock.today()
    plan = today_plan(
        session=session,
        actor=actor,
        settings=settings,
        day=day,
        kind=kind,
        keep=keep,
        with_backlog=with_backlog,
    )
    if actor.role not in LEADS:
        return plan
    lead = [row for row in lead_rows(session, actor, settings, day) if kind in (None, row.kind)]
    return replace(plan, rows=[*lead, *plan.rows])


def lead_rows(session: Session, actor: Actor, settings: Settings, day: date) -> list[TodayRow]:
    """The lead's rows of ``day``, in the order they are to be worked (see the module)."""
    members = led_members(session, actor)
    led = [m.id for m in members if m.id is not None]
    branch: list[int] = []
    if actor.role == Role.BRANCH_HEAD:
        everyone = select(Staff.id).where(
            col(Staff.branch_id) == actor.branch_id, col(Staff.active)
        )
        branch = [i for i in session.exec(everyone).all() if i is not None]
    rows = [_ticket_row(found) for found in lead_tickets(session, actor, settings, led, branch)]
    if actor.role == Role.SUPERVISOR:
        rows += [
            _plan_row(plan)
            for plan in waiting_plans(session=session, actor=actor, settings=settings)
        ]
    rows += [
        _proposal_row(opp)
        for opp in pipeline.waiting_proposals(session=session, actor=actor, settings=settings)
    ]
    attention = team_attention(session=session, actor=actor, settings=settings, day=day)
    for person in attention.staff:
        rows += _staff_rows(person)
        rows += [_uncovered_row(u) for u in attention.uncovered if u.owner_login == person.login]
    rows += _retention_rows(session, settings, led, day)
    rows += _market_rows(session, members)
    if actor.role == Role.BRANCH_HEAD:
        rows += _pool_rows(session, actor, settings)
        rows += _team_rows(session, actor, settings, day)
    return rows


# -- rows ------------------------------------------------------------------------------------


def _row(
    item: str, kind: str, ref: str, due_at: datetime, parts: list[str], **more: Any
) -> TodayRow:
    """A lead row: no task of the lead's (``task_id`` 0); ``ref`` names its record."""
    fields: dict[str, Any] = {
        "task_id": 0,
        "version": 0,
        "kind": kind,
        "due_at": due_at,
        "score": 0,
        "reason": REASON_JOINER.join(p for p in parts if p),
        "task_reason": None,
        "customer_no": None,
        "customer_name": None,
        "customer_value": None,
        "flags": (),
        "phone": "",
        "owner_id": 0,
        "covered_for": None,
        "section": "lead",
        "item": item,
        "ref": ref,
    }
    fields.update(more)
    return TodayRow(**fields)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M") if moment else ""


def _ticket_row(found: LeadTicket) -> TodayRow:
    r = found.row
    what = {
        "close": t("lead.ticket.close", answer=found.satisfaction_answer or "—"),
        "escalated": t("lead.ticket.escalated", at=_when(found.since)),
        "breached": t("lead.ticket.breached", at=_when(found.since)),
        "rejected": t("lead.ticket.rejected"),
        "informed": t("lead.ticket.informed", status=label("complaint_status", r.status)),
    }[found.why]
    parts = [what, r.ticket_no, r.owner_name]
    if r.clock and found.why in ("escalated", "breached"):
        parts.append(label("complaint_clock", r.clock))
    return _row(
        "ticket",
        f"ticket_{found.why}",
        r.ticket_no,
        found.since,
        parts,
        version=r.version,
        customer_no=r.customer_no,
        customer_name=r.customer_name,
        customer_value=r.customer_class,
        state="overdue" if found.why in ("breached", "escalated") else "due",
        staff_login=r.owner_login,
    )


def _plan_row(plan: WaitingPlan) -> TodayRow:
    parts = [
        t("lead.plan.waiting", name=plan.owner_name, week=plan.week),
        t("lead.plan.visits", n=plan.visits),
    ]
    if plan.warnings:
        parts.append(t("lead.plan.warnings", n=plan.warnings))
    if plan.changed_since_approval:
        parts.append(t("lead.plan.changed", n=plan.changed_since_approval))
    return _row(
        "plan",
        "plan_waiting",
        f"{plan.week} {plan.owner_login}",
        plan.submitted_at or clock.now(),
        parts,
        version=plan.version,
        customer_name=plan.owner_name,
        staff_login=plan.owner_login,
        plan_week=plan.week,
    )


def _proposal_row(opp: OpportunityOut) -> TodayRow:
    parts = [
        t("lead.proposal.waiting", name=opp.owner_name, id=opp.id, customer=opp.name),
        t("lead.proposal.ratio", ratio=opp.ratio),
        t("lead.proposal.value", value=f"{opp.value:,}"),
    ]
    return _row(
        "proposal",
        "proposal_waiting",
        str(opp.id),
        opp.last_step_at,
        parts,
        version=opp.version,
        customer_no=opp.customer_no,
        customer_name=opp.name,
        staff_login=opp.owner,
    )


def _staff_rows(person: StaffAttention) -> list[TodayRow]:
    now = clock.now()
    rows = []

    def staff_row(kind: str, parts: list[str]) -> TodayRow:
        return _row(
            "staff",
            kind,
            person.login,
            now,
            parts,
            customer_name=person.name,
            staff_login=person.login,
        )

    if person.log_missing is not None:
        day = f"{person.log_missing:%m-%d}"
        rows.append(
            staff_row("staff_log_missing", [t("lead.staff.log_missing", name=person.name, day=day)])
        )
    if person.overdue:
        text = t("lead.staff.overdue", name=person.name, n=person.overdue)
        rows.append(staff_row("staff_overdue", [text]))
    if person.on_leave:
        cover = person.cover_name or t("lead.staff.nobody")
        parts = [t("lead.staff.on_leave", name=person.name, cover=cover)]
        if person.no_backup:
            parts.append(t("lead.staff.no_backup", n=person.no_backup))
        rows.append(staff_row("staff_on_leave", parts))
    return rows


def _uncovered_row(u: Uncovered) -> TodayRow:
    parts = [t("lead.customer.no_backup", owner=u.owner_name)]
    if u.due_work:
        parts.append(t("lead.customer.due_work", n=u.due_work))
    return _row(
        "customer",
        "customer_no_backup",
        u.customer_no,
        clock.now(),
        parts,
        customer_no=u.customer_no,
        customer_name=u.name,
        customer_value=u.cls,
        staff_login=u.owner_login,
    )


def _retention_rows(
    session: Session, settings: Settings, led: list[int], day: date
) -> list[TodayRow]:
    """Open retention tasks of the led on customers whose losses reach the lead at once."""
    if not led or not settings.tasks.retention_inform_classes:
        return []
    query = open_alerts(settings).where(col(Task.owner_id).in_(led))
    found = session.exec(query.order_by(col(Task.due_at), col(Task.id))).all()
    return [
        _row(
            "customer",
            "retention_alert",
            str(task.id),
            task.due_at,
            [
                t("lead.retention", owner=owner.name),
                row_of(task, customer, day, {}).reason,
                task.reason or "",
            ],
            customer_no=customer.customer_no,
            customer_name=customer.name,
            customer_value=customer.cls,
            staff_login=owner.login,
        )
        for task, customer, owner in found
    ]


def _market_rows(session: Session, members: list[Staff]) -> list[TodayRow]:
    """Market reports (市场信息报告) of the led, submitted and not read yet: the lead reads and
    acknowledges each (``Enter``, then ``Ctrl+S``)."""
    names = {m.id: m for m in members if m.id is not None}
    if not names:
        return []
    found = session.exec(
        select(MarketReport)
        .where(
            col(MarketReport.author_id).in_(list(names)),
            col(MarketReport.acknowledged_at).is_(None),
        )
        .order_by(col(MarketReport.submitted_at))
    ).all()
    return [
        _row(
            "market",
            "market_ack",
            f"{names[r.author_id].login} {r.month}",
            r.submitted_at,
            [t("lead.market", name=names[r.author_id].name, month=r.month)],
            customer_name=names[r.author_id].name,
            staff_login=names[r.author_id].login,
        )
        for r in found
    ]


def _pool_rows(session: Session, actor: Actor, settings: Settings) -> list[TodayRow]:
    """The pooled customers ``actor`` keeps, the most valuable first, the longest waiting
    first within a class (``[lead] pool_rows``); the first row says how many wait in all.
    Counted and ranked in SQL: the pool of a big branch holds thousands."""
    kept = kept_by(pool_keepers(session.connection(), settings), actor.id)
    if kept is None:
        return []
    where = [*waiting(), kept]
    total = session.exec(select(func.count()).select_from(Customer).where(*where)).one()
    rank = case(CLASS_RANK, value=col(Customer.cls), else_=9)
    first = session.exec(
        select(Customer)
        .where(*where)
        .order_by(rank, col(Customer.updated_at), col(Customer.customer_no))
        .limit(settings.lead.pool_rows)
    ).all()
    now = clock.now()
    rows = []
    for n, c in enumerate(first):
        parts = [t("lead.pool", days=max((now - c.updated_at).days, 0))]
        if n == 0:
            parts.append(t("lead.pool_total", n=total))
        rows.append(
            _row(
                "customer",
                "pool_waiting",
                c.customer_no,
                c.updated_at,
                parts,
                customer_no=c.customer_no,
                customer_name=c.name,
                customer_value=c.cls or c.tier,
            )
        )
    return rows


def _team_rows(session: Session, actor: Actor, settings: Settings, day: date) -> list[TodayRow]:
    """Teams worse than their target this week, from yesterday's figures: Monday to the end of
    yesterday (on a Monday, last week). Whole days only, so the figures are the same all day
    and the row says which days they cover."""
    yesterday = day - timedelta(days=1)
    monday = yesterday - timedelta(days=yesterday.weekday())
    below = teams_below_target(
        session=session,
        actor=actor,
        settings=settings,
        keys=settings.lead.team_figures,
        start=monday,
        end=yesterday,
    )
    period = t("lead.team.period", start=f"{monday:%m-%d}", end=f"{yesterday:%m-%d}")
    rows = []
    for b in below:
        if b.unit == "ratio":
            value, target = f"{b.value:.0%}", f"{b.target:.0%}"
        else:
            value, target = f"{b.value:.1f}", f"{b.target:.1f}"
        figure = t(f"report.figure.{b.key}")
        parts = [t("lead.team.below", figure=figure, value=value, target=target), period]
        rows.append(
            _row("team", "team_below_target", b.team, clock.now(), parts, customer_name=b.name)
        )
    return rows
