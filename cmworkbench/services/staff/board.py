"""The supervisor's view of the team: each manager's load today, their lists, reassigning.

A supervisor (客户经理主管) watches the team's overdue work and covers a manager's urgent work
while they are on leave; a branch head sees the whole branch the same way. Managers and phone
managers are refused with a clear message.

Counts are one ``GROUP BY`` per table over the team's few staff ids (a team has about ten
people, the task table up to a million rows): no task is loaded to be counted.

"Overdue" (逾期) means the same as on Today, in the overview counts and the reports: open, not
snoozed, and the branch-local day of its deadline (``deadline_at``, else its due time) has
passed (:mod:`cmworkbench.domain.standing`). "Due today" is the rest of the open, not
snoozed work due by the end of the branch-local day: a contact past the cadence's ideal day
but within its maximum is due, not overdue.

Each row also shows the manager's day as Today plans it (DESIGN.md, "A day a manager can
work"): the rows of the day (fixed items and the plan within capacity), the tasks done today,
and the backlog with its oldest's age. These come from the one planner,
:func:`cmworkbench.services.tasks.api.day_summary`, once per member, as that member's own day
(their capacity, the colleagues they cover); the board never stores a plan: a manager's kept
plan is read, the plan of one who has not opened Today yet is computed and dropped. A manager
on leave shows the day that waits for them; the colleague who covers them has that work on
their own Today, so it counts in their row as well.

Cost: one planner run per member (one indexed read of their due tasks as light rows, no row
read in full): about 0.25 s for the 14 managers of the 20,000-customer demo branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, false, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Complaint, Customer, Staff, StaffLeave, Task, WorkLog
from cmworkbench.domain import worklog
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import CLASS_RANK, OPEN_COMPLAINT_STATUSES, Role, TaskStatus
from cmworkbench.domain.standing import is_overdue
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.cover import cover_on
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.promises import api as promises
from cmworkbench.services.staff.market_state import last_month, market_states
from cmworkbench.services.staff.schemas import (
    ManagerLoad,
    StaffAttention,
    TeamAttention,
    TeamTask,
    Uncovered,
)
from cmworkbench.services.tasks.api import day_summary

LEADS = (Role.SUPERVISOR, Role.BRANCH_HEAD)
"""Roles that see a team's (or the branch's) work."""

BOOK_ROLES = (Role.MANAGER, Role.PHONE_MANAGER)
"""Roles that own a book of customers and write a daily work log."""


def require_lead(actor: Actor, refusal_key: str) -> None:
    """Refuse anyone but a supervisor or branch head, with the catalog text ``refusal_key``."""
    require_role(actor, LEADS, refusal_key)


def members_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Staff`: the active managers the lead ``actor`` looks after
    (none for a supervisor who leads no team yet)."""
    if actor.role == Role.SUPERVISOR:
        if actor.team_id is None:
            return false()
        where = col(Staff.team_id) == actor.team_id
    else:
        where = col(Staff.branch_id) == actor.branch_id
    return and_(where, col(Staff.active), col(Staff.role).in_(tuple(r.value for r in BOOK_ROLES)))


def team_members(session: Session, actor: Actor) -> list[Staff]:
    """The managers and phone managers of the lead's team (branch head: branch), by login."""
    return list(session.exec(select(Staff).where(members_filter(actor)).order_by(col(Staff.login))))


def on_leave_ids(session: Session, staff_ids: list[int], day: date) -> set[int]:
    """Which of ``staff_ids`` are on leave on ``day``."""
    if not staff_ids:
        return set()
    rows = session.exec(
        select(StaffLeave.staff_id).where(
            col(StaffLeave.staff_id).in_(staff_ids),
            col(StaffLeave.starts_on) <= day,
            col(StaffLeave.ends_on) >= day,
        )
    ).all()
    return set(rows)


def submitted_ids(session: Session, staff_ids: list[int], day: date) -> set[int]:
    """Which of ``staff_ids`` have submitted their work log of ``day``."""
    return set(submitted_times(session, staff_ids, day))


def submitted_times(session: Session, staff_ids: list[int], day: date) -> dict[int, datetime]:
    """When each of ``staff_ids`` who did submitted their work log of ``day``."""
    if not staff_ids:
        return {}
    rows = session.exec(
        select(WorkLog.staff_id, WorkLog.submitted_at).where(
            col(WorkLog.staff_id).in_(staff_ids),
            col(WorkLog.day) == day,
            col(WorkLog.submitted_at).is_not(None),
        )
    ).all()
    return {staff_id: at for staff_id, at in rows if at is not None}


def log_cutoff(settings: Settings, day: date) -> datetime:
    """The moment the work log of ``day`` stops being on time (``[worklog] cutoff``)."""
    return worklog.cutoff(
        day, BranchCalendar.from_settings(settings.calendar), settings.worklog.cutoff
    )


def team_board(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    day: date | None = None,
) -> list[ManagerLoad]:
    """One :class:`ManagerLoad` per manager of the lead's team (branch head: branch)."""
    require_lead(actor, "team.lead_only")
    settings = settings or Settings()
    day = day or clock.today()
    members = team_members(session, actor)
    ids = [m.id for m in members if m.id is not None]
    tasks = _task_counts(session, ids, day)
    complaints = _complaint_counts(session, ids)
    leave = on_leave_ids(session, ids, day)
    # The last working day's log: today's is due tonight, so a morning board would show
    # every manager missing (DESIGN.md: the work log of each working day).
    log_day = BranchCalendar.from_settings(settings.calendar).previous_workday(day)
    submitted = submitted_times(session, ids, log_day)
    cutoff = log_cutoff(settings, log_day)
    covers = _covers(session, members, leave, actor, day)
    # last month's market report (due days into this month): on time, late, missing, pending
    market = market_states(session, settings, ids, last_month(day))
    owed = promises.owed_by(session, ids)
    board = []
    for m in members:
        assert m.id is not None
        due, overdue, snoozed = tasks.get(m.id, (0, 0, 0))
        cover = covers.get(m.id)
        summary = day_summary(session=session, actor=_actor(m), settings=settings, day=day)
        board.append(
            ManagerLoad(
                login=m.login,
                name=m.name,
                role=m.role,
                due_today=due,
                overdue=overdue,
                snoozed=snoozed,
                complaints_open=complaints.get(m.id, 0),
                on_leave=m.id in leave,
                cover_login=cover.login if cover else None,
                cover_name=cover.name if cover else None,
                log_submitted=m.id in submitted,
                log_late=m.id in submitted and submitted[m.id] > cutoff,
                market_report=market.get(m.id, "pending"),
                plan_size=summary.plan_size,
                done_today=summary.done_today,
                backlog=summary.backlog,
                backlog_oldest_days=summary.backlog_oldest_days,
                log_day=log_day,
                promises_owed=owed.get(m.id, (0, 0))[0],
                promises_broken=owed.get(m.id, (0, 0))[1],
            )
        )
    return board


def _actor(staff: Staff) -> Actor:
    """A team member as the actor of their own day (whose day :func:`day_summary` plans)."""
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


def _task_counts(session: Session, ids: list[int], day: date) -> dict[int, tuple[int, int, int]]:
    """Owner id → (due today, overdue, snoozed), one GROUP BY over the open tasks."""
    if not ids:
        return {}
    now = clock.now()
    start, end = clock.day_bounds(day)
    snoozed = col(Task.snoozed_until) > now
    awake = or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) <= now)
    last_day = func.coalesce(col(Task.deadline_at), col(Task.due_at))

    def count_if(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    rows = session.exec(
        select(
            col(Task.owner_id),
            count_if(awake, col(Task.due_at) < end, last_day >= start),
            count_if(awake, last_day < start),
            count_if(snoozed),
        )
        .where(col(Task.owner_id).in_(ids), col(Task.status) == TaskStatus.OPEN)
        .group_by(col(Task.owner_id))
    ).all()
    return {owner: (int(due), int(late), int(zz)) for owner, due, late, zz in rows}


def _complaint_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(col(Complaint.owner_id), func.count())
        .where(
            col(Complaint.owner_id).in_(ids),
            col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES),
        )
        .group_by(col(Complaint.owner_id))
    ).all()
    return {owner: int(n) for owner, n in rows}


@dataclass(frozen=True)
class _Who:
    login: str
    name: str


def _covers(
    session: Session, members: list[Staff], leave: set[int], actor: Actor, day: date
) -> dict[int, _Who]:
    """Who covers each member on leave: the backup partner unless they are away too (A and B
    are never on leave together; if they are, the supervisor takes over — bank routine)."""
    away = [m for m in members if m.id in leave]
    if not away:
        return {}
    partner_ids = [m.backup_id for m in away if m.backup_id is not None]
    partners = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(partner_ids)))}
    partners_away = on_leave_ids(session, [i for i in partners if i is not None], day)
    fallback = _Who(actor.login, actor.name)
    covers: dict[int, _Who] = {}
    for m in away:
        assert m.id is not None
        partner = partners.get(m.backup_id)
        if partner is None or not partner.active or partner.id in partners_away:
            covers[m.id] = fallback
        else:
            covers[m.id] = _Who(partner.login, partner.name)
    return covers


def _member(session: Session, actor: Actor, login: str) -> Staff:
    """The team member ``login`` (the supervisor counts as one), or a clear refusal."""
    staff = session.exec(select(Staff).where(col(Staff.login) == login.strip())).one_or_none()
    if staff is None:
        raise NotFound(t("team.no_such_staff", login=login))
    if staff.id == actor.id:
        return staff
    if session.exec(
        select(Staff.id).where(col(Staff.id) == staff.id, members_filter(actor))
    ).first():
        return staff
    raise OutOfScope(t("team.not_in_team", login=staff.login, name=staff.name))


def team_tasks(
    *, session: Session, actor: Actor, staff_login: str, limit: int = 200
) -> list[TeamTask]:
    """A team member's open tasks due by the end of today (snoozed ones left out), the most
    overdue first."""
    require_lead(actor, "team.lead_only")
    staff = _member(session, actor, staff_login)
    now = clock.now()
    _, end = clock.day_bounds(clock.today())
    rows = session.exec(
        select(Task, Customer.customer_no, Customer.name)
        .join(Customer, col(Task.customer_id) == col(Customer.id), isouter=True)
        .where(
            col(Task.owner_id) == staff.id,
            col(Task.status) == TaskStatus.OPEN,
            col(Task.due_at) < end,
            or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) <= now),
        )
        .order_by(col(Task.due_at), col(Task.priority).desc(), col(Task.id))
        .limit(max(0, limit))
    ).all()
    return [
        _out(task, customer_no, customer_name, now) for task, customer_no, customer_name in rows
    ]


def reassign_task(
    *, session: Session, actor: Actor, task_id: int, to_login: str, version: int
) -> TeamTask:
    """Give an open task of a team member to another member (or the supervisor); refused for
    anyone but the team's supervisor, across teams, and when the task changed meanwhile."""
    if actor.role != Role.SUPERVISOR:
        raise OutOfScope(t("team.supervisor_only"))
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(t("team.no_such_task", id=task_id))
    owner = session.get(Staff, task.owner_id)
    assert owner is not None
    _member(session, actor, owner.login)
    target = _member(session, actor, to_login)
    if task.status != TaskStatus.OPEN:
        raise InvalidInput(t("team.task_not_open", id=task_id))
    if target.id == task.owner_id:
        raise InvalidInput(t("team.same_owner", name=target.name))
    changed = session.connection().execute(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.version) == version)
        .values(owner_id=target.id, version=version + 1)
    )
    if changed.rowcount != 1:
        raise Conflict(t("team.task_changed", id=task_id))
    session.expire(task)
    audit.record(
        session,
        actor=actor,
        action="reassign",
        object_type="task",
        object_id=task_id,
        customer_id=task.customer_id,
        field_name="owner",
        detail=f"{owner.login} → {target.login}",
    )
    return _team_task(session, task_id)


def _team_task(session: Session, task_id: int) -> TeamTask:
    task, customer_no, customer_name = session.exec(
        select(Task, Customer.customer_no, Customer.name)
        .join(Customer, col(Task.customer_id) == col(Customer.id), isouter=True)
        .where(col(Task.id) == task_id)
    ).one()
    return _out(task, customer_no, customer_name, clock.now())


def _overdue(task: Task, now: datetime) -> bool:
    """Past the task's deadline (else its due day) at ``now``, on the branch calendar."""
    tz = clock.branch_tz()
    last = task.deadline_at or task.due_at
    return is_overdue(last.astimezone(tz).date(), now.astimezone(tz).date())


def _out(task: Task, customer_no: str | None, customer_name: str | None, now: datetime) -> TeamTask:
    assert task.id is not None
    return TeamTask(
        id=task.id,
        kind=task.kind,
        customer_no=customer_no,
        customer_name=customer_name,
        due_at=task.due_at,
        priority=task.priority,
        reason=task.reason,
        overdue=_overdue(task, now),
        version=task.version,
    )


# -- the lead's morning (their Today) ----------------------------------------------------------


def led_members(session: Session, actor: Actor) -> list[Staff]:
    """The managers whose lead ``actor`` is (:func:`~..core.notify.leads_of` the other way
    round): a supervisor's team; for the branch head, the managers in no team or in a team
    without an active supervisor. Nobody else leads anyone."""
    if actor.role == Role.SUPERVISOR:
        return team_members(session, actor)
    if actor.role != Role.BRANCH_HEAD:
        return []
    supervised = select(Staff.team_id).where(
        col(Staff.role) == Role.SUPERVISOR,
        col(Staff.active),
        col(Staff.branch_id) == actor.branch_id,
        col(Staff.team_id).is_not(None),
    )
    query = select(Staff).where(
        members_filter(actor),
        or_(col(Staff.team_id).is_(None), col(Staff.team_id).not_in(supervised)),
    )
    return list(session.exec(query.order_by(col(Staff.login))))


def team_attention(
    *, session: Session, actor: Actor, settings: Settings, day: date | None = None
) -> TeamAttention:
    """The members the lead should look at on ``day``: more overdue tasks than ``[lead]
    overdue_over``; the last working day's log missing once its cut-off has passed (a
    colleague on leave that day owes none); on leave today, with who covers them and how
    many of their customers have no B角. And those customers, the ones with work due first,
    then by class (``[lead] no_backup_rows`` per colleague)."""
    day = day or clock.today()
    members = led_members(session, actor)
    ids = [m.id for m in members if m.id is not None]
    if not ids:
        return TeamAttention([], [])
    overdue = {owner: late for owner, (_due, late, _zz) in _task_counts(session, ids, day).items()}
    log_day = BranchCalendar.from_settings(settings.calendar).previous_workday(day)
    owing: set[int] = set()
    if clock.now() >= log_cutoff(settings, log_day):
        owing = set(ids) - set(submitted_times(session, ids, log_day))
        owing -= on_leave_ids(session, ids, log_day)
    today = cover_on(session, actor.branch_id, day)  # who is away, and who covers them
    away, cover = set(today.away()), today.by_owner
    names = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(cover.values())))}
    uncovered, counts = _uncovered(session, settings, [m for m in members if m.id in away], day)
    staff = []
    for m in members:
        assert m.id is not None
        late = overdue.get(m.id, 0)
        late = late if late > settings.lead.overdue_over else 0
        if not (late or m.id in owing or m.id in away):
            continue
        coverer = names.get(cover.get(m.id)) if m.id in away else None
        staff.append(
            StaffAttention(
                login=m.login,
                name=m.name,
                overdue=late,
                log_missing=log_day if m.id in owing else None,
                on_leave=m.id in away,
                cover_login=coverer.login if coverer else None,
                cover_name=coverer.name if coverer else None,
                no_backup=counts.get(m.id, 0),
            )
        )
    return TeamAttention(staff, uncovered)


def _uncovered(
    session: Session, settings: Settings, away: list[Staff], day: date
) -> tuple[list[Uncovered], dict[int, int]]:
    """The customers of ``away`` without a B角, the first ``no_backup_rows`` of each (work due
    first, then by class), and how many each has in all."""
    if not away:
        return [], {}
    ids = [m.id for m in away if m.id is not None]
    rows = session.execute(
        sa_select(
            col(Customer.id),
            col(Customer.customer_no),
            col(Customer.name),
            col(Customer.cls),
            col(Customer.owner_id),
        ).where(
            col(Customer.owner_id).in_(ids),
            col(Customer.backup_id).is_(None),
            col(Customer.status) != "lost",
        )
    ).all()
    end = clock.day_bounds(day)[1]
    due: dict[int, int] = {}
    for customer_id, n in session.exec(
        select(Task.customer_id, func.count())
        .where(
            col(Task.owner_id).in_(ids),
            col(Task.status) == TaskStatus.OPEN,
            col(Task.due_at) < end,
            col(Task.customer_id).is_not(None),
        )
        .group_by(col(Task.customer_id))
    ).all():
        due[customer_id or 0] = int(n)
    for customer_id, n in session.exec(
        select(Complaint.customer_id, func.count())
        .where(col(Complaint.owner_id).in_(ids), col(Complaint.status).in_(OPEN_COMPLAINT_STATUSES))
        .group_by(col(Complaint.customer_id))
    ).all():
        due[customer_id] = due.get(customer_id, 0) + int(n)
    owners = {m.id: m for m in away}
    counts: dict[int, int] = {}
    by_owner: dict[int, list[Uncovered]] = {}
    for customer_id, number, name, cls, owner_id in rows:
        counts[owner_id] = counts.get(owner_id, 0) + 1
        owner = owners[owner_id]
        by_owner.setdefault(owner_id, []).append(
            Uncovered(number, name, cls, owner.login, owner.name, due.get(customer_id or 0, 0))
        )
    listed = []
    for owner_id in ids:
        mine = sorted(
            by_owner.get(owner_id, []),
            key=lambda u: (u.due_work == 0, CLASS_RANK.get(u.cls or "", 9), u.customer_no),
        )
        listed += mine[: settings.lead.no_backup_rows]
    return listed, counts
