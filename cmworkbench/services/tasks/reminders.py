"""Reminders and digests: the rules that tell people about work before it is late.

Each rule is a plain function ``(*, session, settings) -> int`` (how many notifications or
tasks it created). The scheduler decides when to call them (``jobs/``); each one is safe to
call at any time and any number of times: it works out from ``clock.now()`` and the branch
calendar whether there is anything to do, and every row it writes has an idempotency key, so
a second run, a retry after a crash or a concurrent run creates nothing new.

* :func:`task_reminders` — a task with a time of its own, ``reminders.task_lead_minutes``
  before that time, to its owner: "回电 杭州西湖茶业 10:00". A task has a time of its own when
  a person chose it: a task added by hand (no generating ``rule``), or a task put aside
  (snoozed) to a chosen time, such as a call back the customer asked for. A snoozed task is
  reminded at the end of its snooze, not at its old due time (it is hidden until then), and
  reminded again if snoozed again. Tasks made by a rule are due on a *day* (the opening of
  business hours, or the day a cadence runs out), and so is a task put aside "to the next
  working day" (that working day's opening): the morning digest and the Today list carry
  those, a reminder at 08:15 would be noise.
* :func:`visit_reminders` — a planned visit (item ``planned``) of a weekly plan that is
  submitted or approved, ``reminders.visit_lead_minutes`` before it starts, to the plan's
  owner. Drafts and returned plans are not commitments yet; a submitted plan's visits are
  booked with the customer and happen while the supervisor decides.
* :func:`daily_digest` — on working days from ``reminders.digest_at``: each active manager and
  phone manager not on leave gets "今天到期任务 N 项（其中逾期 M 项）" when N > 0. The figures
  are those of the count panel of their Today screen (:func:`~cmworkbench.services.reports.overview.
  overview`): open tasks due by the end of today, of which past their due time.
* :func:`worklog_reminders` — on working days from ``scheduler.worklog_reminder_at``: each
  active manager and phone manager not on leave whose work log of today is not submitted.
* :func:`monthly_rules` — on the first working day of a month only: every active manager and
  phone manager gets two tasks without a customer, the staff directory refresh of their group
  customers (通讯录: collect or refresh at least 2 groups' directories a month, ``[directories]
  per_month``) and the market intelligence report (both
  monthly, telecom handbook), due at the close of business ``reminders.monthly_due_workdays``
  working days later; every supervisor of a team gets last month's on-site service (驻点)
  summary of the team (:func:`~cmworkbench.services.visits.onsite.monthly_summary`).

Working days are the branch calendar's (holidays and make-up days 调休 included). People on
leave get no digest and no work-log reminder (the day is not theirs to work); reminders of a
task or visit go to its owner, and the monthly tasks are made for everyone active (they are
due days later).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Staff, Task, VisitPlan, VisitPlanItem
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role, TaskKind, TaskStatus
from cmworkbench.i18n import label, t
from cmworkbench.services.core.cover import coverers
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.reports.api import overview
from cmworkbench.services.staff.api import BOOK_ROLES, on_leave_ids, submitted_ids
from cmworkbench.services.tasks.actions import REASON_CHARS
from cmworkbench.services.tasks.made import insert_rule_task, monthly_key
from cmworkbench.services.visits.api import monthly_summary
from cmworkbench.services.visits.schemas import OnsiteSummaryRow

REMINDED_PLAN_STATUSES = ("submitted", "approved")
"""Weekly plans whose visits are reminded: sent to (or approved by) the supervisor."""
WHAT_CHARS = 60
"""A task's line is cut to this in the reminder's title (the whole note is its body)."""
MONTHLY_KINDS = (TaskKind.DIRECTORY_UPDATE, TaskKind.MARKET_REPORT)
"""The tasks every manager gets on the first working day of a month."""


def calendar(settings: Settings) -> BranchCalendar:
    """The branch calendar the rules count working days on."""
    return BranchCalendar.from_settings(settings.calendar)


# -- tasks and visits shortly before their time ----------------------------------------------


def task_reminders(*, session: Session, settings: Settings) -> int:
    """Remind owners of tasks with a time of their own due within the lead time."""
    now = clock.now()
    horizon = now + timedelta(minutes=settings.reminders.task_lead_minutes)
    cal = calendar(settings)
    due = col(Task.due_at)
    snoozed = col(Task.snoozed_until)
    rows = session.exec(
        select(Task, Customer.name)
        .join(Staff, col(Staff.id) == col(Task.owner_id))
        .join(Customer, col(Customer.id) == col(Task.customer_id), isouter=True)
        .where(
            col(Task.status) == TaskStatus.OPEN,
            col(Staff.active),
            or_(and_(due >= now, due <= horizon), and_(snoozed >= now, snoozed <= horizon)),
        )
        .order_by(col(Task.id))
    ).all()
    # an owner on leave: the colleague covering for them is reminded instead (AB角)
    cover = _cover_by_branch(session, {task.owner_id for task, _ in rows}, clock.today())
    created = 0
    for task, customer_name in rows:
        moment = timed_moment(task, cal)
        if moment is None or not now <= moment <= horizon:
            continue
        assert task.id is not None
        what = _cut(task.reason or label("task_kind", task.kind), WHAT_CHARS)
        at = _hm(moment)
        if customer_name:
            title = t("reminder.task", what=what, customer=customer_name, time=at)
        else:
            title = t("reminder.task_no_customer", what=what, time=at)
        created += insert_notification(
            session,
            recipient=cover.get(task.owner_id, task.owner_id),
            kind="task_reminder",
            title=title,
            object_type="task",
            object_id=task.id,
            key=f"remind:task:{task.id}:{moment.astimezone(UTC):%Y%m%dT%H%M}",
            body=task.note,
        )
    return created


def _cover_by_branch(session: Session, owners: set[int], day: date) -> dict[int, int]:
    """Owner on leave on ``day`` → who covers them, for the branches of ``owners``."""
    if not owners:
        return {}
    branches = set(session.exec(select(Staff.branch_id).where(col(Staff.id).in_(owners))).all())
    cover: dict[int, int] = {}
    for branch_id in branches:
        cover.update(coverers(session=session, branch_id=branch_id, day=day))
    return cover


def timed_moment(task: Task, cal: BranchCalendar) -> datetime | None:
    """When ``task`` is due *at a time* a person chose; ``None`` when it is due on a day.

    A snooze past the due time moves the moment to the snooze's end, unless that is the
    opening of a working day (the "next working day" choice: a day, not a time). Otherwise a
    task added by hand has its due time; a task made by a rule has none.
    """
    until = task.snoozed_until
    if until is not None and until > task.due_at:
        local = until.astimezone(clock.branch_tz())
        if cal.is_workday(local.date()) and until == cal.opening(local.date()):
            return None
        return until
    return task.due_at if task.rule is None else None


def visit_reminders(*, session: Session, settings: Settings) -> int:
    """Remind owners of planned visits starting within the lead time."""
    now = clock.now()
    horizon = now + timedelta(minutes=settings.reminders.visit_lead_minutes)
    starts = col(VisitPlanItem.starts_at)
    rows = session.exec(
        select(VisitPlanItem, VisitPlan.owner_id, Customer.name)
        .join(VisitPlan, col(VisitPlan.id) == col(VisitPlanItem.plan_id))
        .join(Staff, col(Staff.id) == col(VisitPlan.owner_id))
        .join(Customer, col(Customer.id) == col(VisitPlanItem.customer_id))
        .where(
            col(VisitPlanItem.status) == "planned",
            col(VisitPlan.status).in_(REMINDED_PLAN_STATUSES),
            col(Staff.active),
            starts >= now,
            starts <= horizon,
        )
        .order_by(starts, col(VisitPlanItem.id))
    ).all()
    created = 0
    for item, owner_id, customer_name in rows:
        assert item.id is not None
        title = t(
            "reminder.visit",
            time=_hm(item.starts_at),
            customer=customer_name,
            purpose=label("visit_purpose", item.purpose),
        )
        created += insert_notification(
            session,
            recipient=owner_id,
            kind="visit_reminder",
            title=title,
            object_type="visit_plan_item",
            object_id=item.id,
            key=f"remind:visit:{item.id}:{item.starts_at.astimezone(UTC):%Y%m%dT%H%M}",
            body=item.checklist,
        )
    return created


# -- once a working day ----------------------------------------------------------------------


def daily_digest(*, session: Session, settings: Settings) -> int:
    """Tell each manager at work today how many tasks are due today, and how many overdue."""
    day = _working_day_from(settings, settings.reminders.digest_at)
    if day is None:
        return 0
    created = 0
    for person in _at_work(session, day):
        counts = overview(session=session, actor=_actor(person))
        if counts.tasks_due == 0:
            continue
        created += insert_notification(
            session,
            recipient=_id(person),
            kind="daily_digest",
            title=t("reminder.digest", due=counts.tasks_due, overdue=counts.tasks_overdue),
            object_type=None,
            object_id=None,
            key=f"digest:{person.id}:{day}",
        )
    return created


def worklog_reminders(*, session: Session, settings: Settings) -> int:
    """Remind each manager at work today whose work log of today is not submitted."""
    day = _working_day_from(settings, settings.scheduler.worklog_reminder_at)
    if day is None:
        return 0
    people = _at_work(session, day)
    done = submitted_ids(session, [_id(p) for p in people], day)
    created = 0
    for person in people:
        if person.id in done:
            continue
        created += insert_notification(
            session,
            recipient=_id(person),
            kind="worklog_reminder",
            title=t("reminder.worklog", day=day.isoformat()),
            object_type="work_log",
            object_id=None,
            key=f"worklog:{person.id}:{day}",
        )
    return created


def _working_day_from(settings: Settings, at: str) -> date | None:
    """Today, if it is a working day and its local time ``at`` (``HH:MM``) has come."""
    today = clock.today()
    if not calendar(settings).is_workday(today):
        return None
    if clock.now_local().time() < time.fromisoformat(at):
        return None
    return today


def _at_work(session: Session, day: date) -> list[Staff]:
    """Active managers and phone managers not on leave on ``day``, by id."""
    people = _book_staff(session)
    away = on_leave_ids(session, [_id(p) for p in people], day)
    return [p for p in people if p.id not in away]


def _book_staff(session: Session) -> list[Staff]:
    roles = tuple(r.value for r in BOOK_ROLES)
    query = select(Staff).where(col(Staff.active), col(Staff.role).in_(roles))
    return list(session.exec(query.order_by(col(Staff.id))).all())


# -- once a month ----------------------------------------------------------------------------


def monthly_rules(*, session: Session, settings: Settings) -> int:
    """On the first working day of a month: the monthly tasks of every manager and the on-site
    summary of last month to every team supervisor. Any other day: nothing."""
    today = clock.today()
    cal = calendar(settings)
    first = today.replace(day=1)
    if today != cal.next_workday(first):
        return 0
    month = f"{today:%Y-%m}"
    last_month = f"{first - timedelta(days=1):%Y-%m}"
    closing = cal.monthly_deadline(today, settings.reminders.monthly_due_workdays)
    created = 0
    for person in _book_staff(session):
        for kind in MONTHLY_KINDS:
            covers = month if kind == TaskKind.DIRECTORY_UPDATE else last_month
            n = settings.directories.per_month
            reason = t(f"reminder.monthly.{kind.value}", month=covers, n=n)
            created += _monthly_task(session, person, kind, closing, reason, month)
    for supervisor in _team_supervisors(session):
        created += _onsite_summary(session, supervisor, last_month, month)
    return created


def _monthly_task(
    session: Session, person: Staff, kind: TaskKind, due_at: datetime, reason: str, month: str
) -> int:
    made = insert_rule_task(
        session,
        kind=kind.value,
        customer_id=None,
        owner_id=_id(person),
        due_at=due_at,
        reason=reason[:REASON_CHARS],
        rule=f"monthly.{kind.value}",
        key=monthly_key(kind.value, _id(person), month),
    )
    return int(made)


def _team_supervisors(session: Session) -> list[Staff]:
    query = select(Staff).where(
        col(Staff.active), col(Staff.role) == Role.SUPERVISOR, col(Staff.team_id).is_not(None)
    )
    return list(session.exec(query.order_by(col(Staff.id))).all())


def _onsite_summary(session: Session, supervisor: Staff, last_month: str, month: str) -> int:
    """Last month's on-site service days of the supervisor's team, as one line (and a line per
    person in the body, so each figure can be traced to a person)."""
    rows = monthly_summary(session=session, actor=_actor(supervisor), month=last_month)
    customers = {line.customer_no for row in rows for line in row.customers}
    # Only managers are listed without an on-site day (the rule asks them for 1–2 a month).
    idle = sum(1 for row in rows if row.totals.days == 0)
    title = t(
        "reminder.onsite_summary",
        month=last_month,
        days=sum(r.totals.days for r in rows),
        hours=f"{sum(r.totals.minutes for r in rows) / 60:.1f}",
        customers=len(customers),
        consultations=sum(_consultations(r) for r in rows),
        transactions=sum(_transactions(r) for r in rows),
        idle=idle,
    )
    body = "\n".join(
        t(
            "reminder.onsite_line",
            name=r.name,
            days=r.totals.days,
            hours=f"{r.totals.hours:.1f}",
            customers=len(r.customers),
            consultations=_consultations(r),
            transactions=_transactions(r),
        )
        for r in rows
    )
    return int(
        insert_notification(
            session,
            recipient=_id(supervisor),
            kind="onsite_summary",
            title=title,
            object_type=None,
            object_id=None,
            key=f"monthly:onsite_summary:{supervisor.id}:{month}",
            body=body or None,
        )
    )


def _consultations(row: OnsiteSummaryRow) -> int:
    return row.totals.consultations_personal + row.totals.consultations_group


def _transactions(row: OnsiteSummaryRow) -> int:
    return row.totals.transactions_personal + row.totals.transactions_group


# -- small helpers ---------------------------------------------------------------------------


def _actor(staff: Staff) -> Actor:
    return Actor(_id(staff), staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


def _id(staff: Staff) -> int:
    assert staff.id is not None, "rows read from the database have an id"
    return staff.id


def _hm(moment: datetime) -> str:
    return moment.astimezone(clock.branch_tz()).strftime("%H:%M")


def _cut(text: str, most: int) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= most else line[: most - 1] + "…"
