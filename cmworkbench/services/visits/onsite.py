"""On-site service days (驻点) at group customers, and their monthly report.

The rule (telecom group-customer handbook): a manager spends a service day at a willing group
1–2 times a month, at least 2 hours (usually 4–6 h, 10:00–16:00), logs the consultations and
transactions of the day *the same day*, and reports monthly. So:

* :func:`record_onsite_day` accepts only today's day (branch-local), at least 2 hours, counts
  of zero or more, at a group customer in the actor's scope;
* :func:`update_onsite_counts` adds the consultations and transactions taken during the day,
  again only on that day;
* :func:`monthly_summary` sums a month per staff member and per customer, keeping the ids of
  the records behind each figure so every number can be traced.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Customer, OnsiteDay, Staff
from cmworkbench.domain.enums import CustomerKind, Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import own_book_only, require_customer, sees_no_book
from cmworkbench.services.core.validation import FieldsInvalid, range_problem, text_problem
from cmworkbench.services.visits.schemas import (
    OnsiteCustomerLine,
    OnsiteDayOut,
    OnsiteFigures,
    OnsiteSummaryRow,
)

MIN_MINUTES = 120
"""An on-site service day lasts at least 2 hours (group-customer handbook)."""
MAX_COUNT = 9_999
"""Upper bound of one day's count: catches a slip of the keyboard, not a business rule."""
PLACE_CHARS = 200
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def record_onsite_day(
    *,
    session: Session,
    actor: Actor,
    customer_no: str,
    day: date,
    place: str,
    start: time,
    end: time,
    consultations_personal: int = 0,
    consultations_group: int = 0,
    transactions_personal: int = 0,
    transactions_group: int = 0,
    note: str | None = None,
) -> int:
    """Record today's on-site service day of the actor at a group customer; returns its id.

    Every problem is reported at once (:class:`FieldsInvalid`, fields ``day``, ``place``,
    ``end`` and the counts); nothing is written.
    """
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    assert customer.id is not None
    if customer.kind != CustomerKind.GROUP:
        raise InvalidInput(t("onsite.group_only", customer_no=customer.customer_no))
    counts = {
        "consultations_personal": consultations_personal,
        "consultations_group": consultations_group,
        "transactions_personal": transactions_personal,
        "transactions_group": transactions_group,
    }
    problems = _same_day_problems(day)
    if problem := text_problem(place, most=PLACE_CHARS, required=True):
        problems["place"] = problem
    if problem := _hours_problem(start, end):
        problems["end"] = problem
    problems.update(_count_problems(counts))
    if not problems:
        problems.update(_already_recorded(session, actor, customer.id, day))
    if problems:
        raise FieldsInvalid(problems, label_prefix="onsite.field.")
    row = OnsiteDay(
        customer_id=customer.id,
        staff_id=actor.id,
        day=day,
        place=place.strip(),
        starts_at=_instant(day, start),
        ends_at=_instant(day, end),
        note=(note or "").strip() or None,
        **counts,
    )
    row_id = audit.created(
        session,
        row,
        actor=actor,
        object_type="onsite_day",
        customer_id=customer.id,
        detail=f"{day} {start:%H:%M}-{end:%H:%M} {_counts_detail(counts)}",
    )
    return row_id


def update_onsite_counts(
    *,
    session: Session,
    actor: Actor,
    onsite_id: int,
    consultations_personal: int = 0,
    consultations_group: int = 0,
    transactions_personal: int = 0,
    transactions_group: int = 0,
) -> OnsiteDayOut:
    """Add consultations and transactions to the actor's on-site day ``onsite_id``.

    The numbers are added to what is recorded (a negative number corrects a slip, as long as
    no total drops below zero). Only on the day itself: the day is logged the same day.
    """
    row = session.get(OnsiteDay, onsite_id)
    if row is None:
        raise NotFound(t("onsite.not_found", id=onsite_id))
    if row.staff_id != actor.id:  # the same refusal as for a day that is not there
        raise NotFound(t("onsite.not_found", id=onsite_id))
    added = {
        "consultations_personal": consultations_personal,
        "consultations_group": consultations_group,
        "transactions_personal": transactions_personal,
        "transactions_group": transactions_group,
    }
    totals = {name: getattr(row, name) + n for name, n in added.items()}
    problems = _same_day_problems(row.day)
    problems.update(_count_problems(totals))
    if problems:
        raise FieldsInvalid(problems, label_prefix="onsite.field.")
    for name, value in totals.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="onsite_day",
        object_id=row.id,
        customer_id=row.customer_id,
        detail=f"+ {_counts_detail(added)}",
    )
    customer = session.get(Customer, row.customer_id)
    assert customer is not None
    return _out(row, customer)


def monthly_summary(
    *, session: Session, actor: Actor, month: str, owner_login: str | None = None
) -> list[OnsiteSummaryRow]:
    """The on-site month (``YYYY-MM``) of each staff member in scope, or of ``owner_login``.

    A manager sees themselves, a supervisor the team, a branch head the branch. Managers in
    scope without any on-site day are listed with zeros (the rule asks for 1–2 a month).
    """
    first, after = _month_bounds(month)
    people = subject_staff(session=session, actor=actor, owner_login=owner_login)
    ids = [s.id for s in people if s.id is not None]
    rows = session.exec(
        select(OnsiteDay, Customer)
        .join(Customer, col(OnsiteDay.customer_id) == col(Customer.id))
        .where(
            col(OnsiteDay.staff_id).in_(ids),
            col(OnsiteDay.day) >= first,
            col(OnsiteDay.day) < after,
        )
        .order_by(col(OnsiteDay.day), col(OnsiteDay.id))
    ).all()
    per_staff: dict[int, dict[str, tuple[str, OnsiteFigures]]] = defaultdict(dict)
    totals: dict[int, OnsiteFigures] = defaultdict(OnsiteFigures)
    for row, customer in rows:
        lines = per_staff[row.staff_id]
        name, figures = lines.get(customer.customer_no, (customer.name, OnsiteFigures()))
        lines[customer.customer_no] = (name, figures.plus(row))
        totals[row.staff_id] = totals[row.staff_id].plus(row)
    summary = []
    for person in people:
        assert person.id is not None
        lines = per_staff.get(person.id, {})
        if not lines and person.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue  # supervisors and heads appear only when they served on site themselves
        customers = tuple(
            OnsiteCustomerLine(no, name, figures)
            for no, (name, figures) in sorted(lines.items(), key=lambda kv: -kv[1][1].minutes)
        )
        summary.append(
            OnsiteSummaryRow(person.login, person.name, month, totals[person.id], customers)
        )
    return summary


def subject_staff(*, session: Session, actor: Actor, owner_login: str | None) -> list[Staff]:
    """Whose personal records (on-site days, visit plans) ``actor`` is asking for.

    Without ``owner_login``: a manager themselves, a supervisor the team, a branch head or
    admin the branch (active staff, by login). With it: that one person, if they are the actor,
    in the supervisor's team or in the head's branch; else :class:`OutOfScope`.
    """
    query = select(Staff).where(col(Staff.active))
    if own_book_only(actor) or sees_no_book(actor):  # a referrer: themselves, no one else
        query = query.where(col(Staff.id) == actor.id)
    elif actor.role == Role.SUPERVISOR:
        query = query.where(col(Staff.team_id) == actor.team_id)
    else:
        query = query.where(col(Staff.branch_id) == actor.branch_id)
    if owner_login is None:
        return list(session.exec(query.order_by(col(Staff.login))).all())
    login = owner_login.strip()
    if session.exec(select(Staff.id).where(col(Staff.login) == login)).first() is None:
        raise NotFound(t("cli.unknown_login", login=login))
    person = session.exec(query.where(col(Staff.login) == login)).first()
    if person is None:
        raise OutOfScope(t("onsite.staff_out_of_scope", login=login))
    return [person]


def _same_day_problems(day: date) -> dict[str, str]:
    """Consultations and transactions are logged the same day (当天登记)."""
    today = clock.today()
    return {} if day == today else {"day": t("onsite.same_day", day=day, today=today)}


def _hours_problem(start: time, end: time) -> str | None:
    if end <= start:
        return t("onsite.end_before_start", start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes < MIN_MINUTES:
        return t(
            "onsite.too_short",
            start=f"{start:%H:%M}",
            end=f"{end:%H:%M}",
            hours=minutes // 60,
            minutes=minutes % 60,
            least=MIN_MINUTES // 60,
        )
    return None


def _count_problems(counts: dict[str, int]) -> dict[str, str]:
    return {
        name: problem
        for name, value in counts.items()
        if (problem := range_problem(value, 0, MAX_COUNT))
    }


def _already_recorded(
    session: Session, actor: Actor, customer_id: int, day: date
) -> dict[str, str]:
    """One on-site day per manager, customer and day: a second one is a double entry."""
    found = session.exec(
        select(OnsiteDay.id).where(
            col(OnsiteDay.staff_id) == actor.id,
            col(OnsiteDay.customer_id) == customer_id,
            col(OnsiteDay.day) == day,
        )
    ).first()
    return {} if found is None else {"day": t("onsite.already_recorded", id=found)}


def _month_bounds(month: str) -> tuple[date, date]:
    """First day of ``YYYY-MM`` and first day of the month after."""
    match = _MONTH.fullmatch(month.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(t("onsite.bad_month", month=month))
    first = date(int(match[1]), int(match[2]), 1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after


def _instant(day: date, at: time) -> datetime:
    """A branch-local day and time as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=clock.branch_tz()).astimezone(UTC)


def _counts_detail(counts: dict[str, int]) -> str:
    return " ".join(f"{name}={value}" for name, value in counts.items())


def _out(row: OnsiteDay, customer: Customer) -> OnsiteDayOut:
    assert row.id is not None
    return OnsiteDayOut(
        id=row.id,
        customer_no=customer.customer_no,
        customer_name=customer.name,
        day=row.day,
        place=row.place,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        consultations_personal=row.consultations_personal,
        consultations_group=row.consultations_group,
        transactions_personal=row.transactions_personal,
        transactions_group=row.transactions_group,
        note=row.note,
    )
