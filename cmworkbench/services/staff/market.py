"""The monthly market report (市场信息报告): competitor and market intelligence, every month
(telecom handbook), submitted to the supervisor, who reads and acknowledges it.

On the first working day of a month everyone with a book gets the task to report on the
month before (:func:`~cmworkbench.services.tasks.reminders.monthly_rules`), due
``reminders.monthly_due_workdays`` working days later at the close of business: that is the
report's deadline. Submitting it (its text, and the group customers it concerns, each in the
author's scope) tells the author's supervisor (team without one: the branch head), closes
that task, and counts on time or late by the first submission. Until the supervisor
acknowledges it the author may submit it again (the text and groups are replaced, audited,
the supervisor told again); after, it is closed. The supervisor lists the team's reports of a
month, missing ones included (past the deadline: missing; before: pending), and the team
board shows each person's last month's report.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, MarketReport, MarketReportGroup, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.notify import insert_notification, tell_leads
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer
from cmworkbench.services.core.validation import FieldsInvalid, text_problem
from cmworkbench.services.staff.board import BOOK_ROLES, require_lead, team_members
from cmworkbench.services.staff.market_state import due_at, last_month, month_start, state
from cmworkbench.services.staff.schemas import MarketReportOut
from cmworkbench.services.tasks.api import close_monthly_task

CONTENT_CHARS = 4000
"""The longest report a person may submit."""
MAX_GROUPS = 50
"""Group customers one report may name."""


def submit_market_report(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    month: str | None,
    content: str,
    groups: Sequence[str] = (),
) -> MarketReportOut:
    """Submit (or, before it is acknowledged, submit again) the actor's report on ``month``
    (``None``: last month, the one the monthly task asks for)."""
    if actor.role not in BOOK_ROLES:
        raise OutOfScope(t("market.book_roles_only"))
    month = month or last_month(clock.today())
    _check_month(month)
    text = content.strip()
    if problem := text_problem(text, most=CONTENT_CHARS, required=True, multiline=True):
        raise FieldsInvalid({"content": problem}, label_prefix="market.field.")
    if len(groups) > MAX_GROUPS:
        raise FieldsInvalid(
            {"groups": t("market.too_many_groups", most=MAX_GROUPS)}, label_prefix="market.field."
        )
    customers = [_group(session, actor, number) for number in dict.fromkeys(groups)]
    now = clock.now()
    row = _row_of(session, actor.id, month)
    if row is None:
        row = MarketReport(
            author_id=actor.id, month=month, content=text, submitted_at=now, updated_at=now
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # submitted meanwhile from another session
            raise Conflict(t("market.conflict", month=month)) from None
        action = "submit"
    else:
        if row.acknowledged_at is not None:
            raise InvalidInput(t("market.acknowledged", month=month))
        changed = session.connection().execute(
            update(MarketReport)
            .where(col(MarketReport.id) == row.id, col(MarketReport.version) == row.version)
            .values(content=text, updated_at=now, version=row.version + 1)
        )
        if changed.rowcount != 1:
            raise Conflict(t("market.conflict", month=month))
        session.connection().execute(
            delete(MarketReportGroup).where(col(MarketReportGroup.report_id) == row.id)
        )
        session.refresh(row)
        action = "update"
    assert row.id is not None
    for customer in customers:
        assert customer.id is not None
        session.add(MarketReportGroup(report_id=row.id, customer_id=customer.id))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="market_report",
        object_id=row.id,
        detail=f"{month} {len(text)} {','.join(c.customer_no for c in customers)}",
    )
    _tell_leads(session, actor, row)
    # the task asking for it was made in the month its deadline falls in
    made_in = f"{due_at(settings, month):%Y-%m}"
    close_monthly_task(session, actor=actor, kind="market_report", month=made_in)
    return _out(session, settings, row, _author(session, actor.id))


def acknowledge_market_report(
    *, session: Session, actor: Actor, settings: Settings, report_id: int
) -> MarketReportOut:
    """The supervisor (branch head: of the branch) read the report: acknowledged, the author
    told. Acknowledging twice changes nothing."""
    require_lead(actor, "market.lead_only")
    row = session.get(MarketReport, report_id)
    # the people whose reports the lead lists (list_market_reports), no one else's
    author = next(
        (m for m in team_members(session, actor) if row is not None and m.id == row.author_id),
        None,
    )
    if row is None or author is None:
        raise NotFound(t("market.not_found", report_id=report_id))
    if row.acknowledged_at is None:
        now = clock.now()
        session.connection().execute(
            update(MarketReport)
            .where(col(MarketReport.id) == row.id)
            .values(acknowledged_by_id=actor.id, acknowledged_at=now, version=row.version + 1)
        )
        session.refresh(row)
        audit.record(
            session,
            actor=actor,
            action="acknowledge",
            object_type="market_report",
            object_id=row.id,
            detail=row.month,
        )
        assert row.id is not None and author.id is not None
        insert_notification(
            session,
            recipient=author.id,
            kind="market_report",
            title=t("market.notify.acknowledged", month=row.month, name=actor.name),
            object_type="market_report",
            object_id=row.id,
            key=f"market:ack:{row.id}",
        )
    return _out(session, settings, row, author)


def list_market_reports(
    *, session: Session, actor: Actor, settings: Settings, month: str | None = None
) -> list[MarketReportOut]:
    """The reports on ``month`` (default: last month) of the lead's team (branch head: the
    branch), everyone listed, missing ones first; a manager's own only."""
    month = month or last_month(clock.today())
    _check_month(month)
    if actor.role in (Role.SUPERVISOR, Role.BRANCH_HEAD):
        people = team_members(session, actor)
    else:
        people = [_author(session, actor.id)]
    ids = [p.id for p in people if p.id is not None]
    rows = {
        r.author_id: r
        for r in session.exec(
            select(MarketReport).where(
                col(MarketReport.author_id).in_(ids), col(MarketReport.month) == month
            )
        ).all()
    }
    out = []
    for person in people:
        row = rows.get(person.id) if person.id is not None else None
        if row is None:
            out.append(_missing(settings, month, person))
        else:
            out.append(_out(session, settings, row, person))
    order = {"missing": 0, "late": 1, "pending": 2, "on_time": 3}
    return sorted(out, key=lambda r: (order.get(r.state, 9), r.login))


def _check_month(month: str) -> None:
    if month_start(month) > clock.today():
        raise InvalidInput(t("market.future_month", month=month))


def _group(session: Session, actor: Actor, number: str) -> Customer:
    customer = require_customer(session=session, actor=actor, customer_no=number)
    if customer.kind != "group":
        raise FieldsInvalid(
            {"groups": t("market.not_group", customer_no=customer.customer_no)},
            label_prefix="market.field.",
        )
    return customer


def _row_of(session: Session, author_id: int, month: str) -> MarketReport | None:
    return session.exec(
        select(MarketReport).where(
            col(MarketReport.author_id) == author_id, col(MarketReport.month) == month
        )
    ).one_or_none()


def _author(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    assert staff is not None, "an actor is a member of staff"
    return staff


def _tell_leads(session: Session, actor: Actor, row: MarketReport) -> None:
    assert row.id is not None
    tell_leads(
        session,
        _author(session, actor.id),
        kind="market_report",
        title=t("market.notify.submitted", name=actor.name, month=row.month),
        object_type="market_report",
        object_id=row.id,
        key=f"market:{row.id}:{row.version}",
        body=row.content,
    )


def _missing(settings: Settings, month: str, person: Staff) -> MarketReportOut:
    due = due_at(settings, month)
    return MarketReportOut(
        None, month, person.login, person.name, state(None, due, clock.now()), due
    )


def _out(session: Session, settings: Settings, row: MarketReport, author: Staff) -> MarketReportOut:
    groups = session.exec(
        select(Customer.customer_no)
        .join(MarketReportGroup, col(MarketReportGroup.customer_id) == col(Customer.id))
        .where(col(MarketReportGroup.report_id) == row.id)
        .order_by(col(Customer.customer_no))
    ).all()
    reader = session.get(Staff, row.acknowledged_by_id) if row.acknowledged_by_id else None
    due = due_at(settings, row.month)
    return MarketReportOut(
        id=row.id,
        month=row.month,
        login=author.login,
        name=author.name,
        state=state(row.submitted_at, due, clock.now()),
        due_at=due,
        submitted_at=row.submitted_at,
        content=row.content,
        groups=tuple(groups),
        acknowledged_by=reader.login if reader else None,
        acknowledged_at=row.acknowledged_at,
        version=row.version,
    )
