"""The services as one running session of the workbench sees them.

Screens hold a :class:`Workbench` (``app.workbench``) and call its methods from thread
workers; each call is one unit of work with the logged-in actor, so screens never see a
database session, a query or an ORM row.

Start-up: nothing ``cmw tui`` runs before the first paint imports SQLAlchemy when the
database is a SQLite file or on PostgreSQL: the login is checked through the driver itself
(:func:`tui_login_direct`) and the :class:`Workbench` makes its engine on first use, i.e. in
the first worker. The service modules (and with them the SQLModel tables and pydantic) are
imported by the methods, in the workers too.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from time import sleep
from typing import TYPE_CHECKING, Any, TypeVar

from cmworkbench.config import Settings
from cmworkbench.db.migrate import SCHEMA_HEAD, no_version_table
from cmworkbench.i18n import t
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import InvalidInput, NotFound, Retryable
from cmworkbench.services.login import (
    demo_login_if_demo,
    find_actor,
    first_admin_login,
    rows_of,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from cmworkbench.services.audit import AuditEntry
    from cmworkbench.services.complaint_sla import SweepOut
    from cmworkbench.services.complaints import Change, ComplaintDetail, ComplaintRow
    from cmworkbench.services.customers import (
        ContactOut,
        Customer360,
        CustomerEdit,
        CustomerHit,
        CustomerProfile,
    )
    from cmworkbench.services.handover import HandoverReport
    from cmworkbench.services.notifications import NotificationOut
    from cmworkbench.services.onsite import OnsiteDayOut, OnsiteSummaryRow
    from cmworkbench.services.overview import Overview
    from cmworkbench.services.reports import DrillRow, Report, TrendPoint
    from cmworkbench.services.staff import StaffOut
    from cmworkbench.services.staff_admin import LeaveOut
    from cmworkbench.services.tasks import TaskChange
    from cmworkbench.services.team import ManagerLoad, TeamTask
    from cmworkbench.services.today import TodayRow
    from cmworkbench.services.visit_month import MonthVisits
    from cmworkbench.services.visit_proposals import ProposedVisit
    from cmworkbench.services.visit_records import PlanVsActual, VisitRecorded
    from cmworkbench.services.visits import WeekPlan
    from cmworkbench.services.worklog import StaffLine, WorkLogOut

T = TypeVar("T")

SEARCH_COUNT_CAP = 10_000
"""Matches are counted up to this many; more shows as ``10,000+``."""
RETRY_ATTEMPTS = 10
"""How often a unit of work that lost a race (:class:`Retryable`) is run in all."""
RETRY_PAUSE_SECONDS = 0.005
"""The longest random pause before the n-th retry is n times this."""


class Workbench:
    """The engine, the settings and the actor, with one method per use case."""

    def __init__(self, engine: Engine | str, settings: Settings, actor: Actor) -> None:
        """``engine``, or the URL of the database to make one of on first use."""
        self._engine = None if isinstance(engine, str) else engine
        self._url = engine if isinstance(engine, str) else None
        self._engine_lock = threading.Lock()
        self.settings = settings
        self.actor = actor
        self.retries = 0
        """Units of work run again after losing a race (:class:`Retryable`), for the figures."""

    @property
    def engine(self) -> Engine:
        """The engine; made on first use when the workbench was given a URL (workers may ask
        for it at once, from several threads)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    from cmworkbench.db.engine import make_engine

                    assert self._url is not None
                    self._engine = make_engine(self._url)
        return self._engine

    def run(self, service: Callable[..., T], /, **kwargs: Any) -> T:
        """Call ``service(session=…, actor=…, **kwargs)`` in one unit of work; a unit that
        lost a race with another writer (:class:`Retryable`: rolled back, nothing saved) runs
        again, a few times, after a short random pause so the racers spread out.

        What comes back is made printable (:func:`~cmworkbench.domain.text.printable_all`):
        a control character stored in a name before this release, or written into the
        database by hand, reaches a screen as its ``\\uXXXX`` escape, never as a command to
        the terminal."""
        from cmworkbench.db.engine import unit_of_work
        from cmworkbench.domain.text import UnsafeText, printable_all

        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                with unit_of_work(self.engine) as session:
                    result = service(session=session, actor=self.actor, **kwargs)
                return printable_all(result)
            except UnsafeText as exc:
                raise InvalidInput(str(exc)) from None
            except Retryable:
                if attempt == RETRY_ATTEMPTS:
                    raise
                self.retries += 1
                sleep(random.uniform(0, RETRY_PAUSE_SECONDS * attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def overview(self) -> Overview:
        """Counts for the shell's screens."""
        from cmworkbench.services.overview import overview

        return self.run(overview)

    def staff(self, role: str | None = None) -> list[StaffOut]:
        """Colleagues the actor may see."""
        from cmworkbench.services.staff import list_staff

        return self.run(list_staff, role=role)

    def search(self, query: str, limit: int = 50, offset: int = 0) -> list[CustomerHit]:
        """A window of the customers in scope matching ``query``, best first."""
        from cmworkbench.services.search import search_customers

        return self.run(search_customers, query=query, limit=limit, offset=offset)

    def count(self, query: str, cap: int = SEARCH_COUNT_CAP) -> int:
        """How many customers in scope match ``query``, counted up to ``cap``."""
        from cmworkbench.services.search import count_customers

        return self.run(count_customers, query=query, cap=cap)

    def customer_360(self, customer_no: str) -> Customer360:
        """Everything about one customer in scope (refused with a clear message otherwise)."""
        from cmworkbench.services.customers import get_customer_360

        return self.run(get_customer_360, settings=self.settings, customer_no=customer_no)

    def customer_contacts(self, customer_no: str) -> list[ContactOut]:
        """The contacts of one customer in scope, key persons first (phones masked)."""
        from cmworkbench.services.customers import customer_contacts

        return self.run(customer_contacts, customer_no=customer_no)

    def reveal(self, customer_no: str, field_name: str) -> str:
        """The clear value of a masked field; role-checked and written to the audit log."""
        from cmworkbench.services.customers import reveal

        return self.run(
            reveal, settings=self.settings, customer_no=customer_no, field_name=field_name
        )

    def update_customer(
        self, customer_no: str, version: int, changes: CustomerEdit
    ) -> CustomerProfile:
        """Save ``changes`` unless someone changed the customer since ``version`` was read."""
        from cmworkbench.services.customers import update_customer

        return self.run(
            update_customer,
            settings=self.settings,
            customer_no=customer_no,
            version=version,
            changes=changes,
        )

    def mark_verified(self, customer_no: str) -> CustomerProfile:
        """Record that the customer's basic data was re-verified (信息更新) now."""
        from cmworkbench.services.customers import mark_verified

        return self.run(mark_verified, settings=self.settings, customer_no=customer_no)

    def log_contact(
        self, customer_no: str, kind: str, outcome: str, note: str | None = None
    ) -> int:
        """Log a call or visit with its outcome; returns the interaction id."""
        from cmworkbench.services.interactions import log_contact

        return self.run(
            log_contact,
            settings=self.settings,
            customer_no=customer_no,
            kind=kind,
            outcome=outcome,
            note=note,
        )

    def add_task(self, customer_no: str, due_at: datetime, note: str) -> int:
        """A task on the customer, due at ``due_at``, owned by the actor; returns its id."""
        from cmworkbench.services.tasks import add_task

        return self.run(
            add_task, settings=self.settings, customer_no=customer_no, due_at=due_at, note=note
        )

    def today(
        self, day: date | None = None, kind: str | None = None, limit: int | None = None
    ) -> list[TodayRow]:
        """The actor's open tasks due by the end of ``day`` (default today), ranked, with the
        colleagues' on leave they cover."""
        from cmworkbench.services.today import today_list

        return self.run(today_list, settings=self.settings, day=day, kind=kind, limit=limit)

    def today_counts(self, day: date | None = None) -> dict[str, int]:
        """How many tasks of each kind the Today list holds."""
        from cmworkbench.services.today import today_counts

        return self.run(today_counts, settings=self.settings, day=day)

    def log_task_call(
        self,
        task_id: int,
        outcome: str,
        note: str | None = None,
        call_back_at: datetime | None = None,
        version: int | None = None,
    ) -> TaskChange:
        """Log the outcome of a task's call (closes, puts aside or keeps the task)."""
        from cmworkbench.services.tasks import log_task_call

        return self.run(
            log_task_call,
            settings=self.settings,
            task_id=task_id,
            outcome=outcome,
            note=note,
            call_back_at=call_back_at,
            version=version,
        )

    def log_task_visit(
        self, task_id: int, outcome: str, note: str | None = None, version: int | None = None
    ) -> TaskChange:
        """Log the outcome of a task's visit."""
        from cmworkbench.services.tasks import log_task_visit

        return self.run(
            log_task_visit,
            settings=self.settings,
            task_id=task_id,
            outcome=outcome,
            note=note,
            version=version,
        )

    def snooze_task(
        self,
        task_id: int,
        until: datetime | None = None,
        workdays: int | None = None,
        version: int | None = None,
    ) -> TaskChange:
        """Put a task aside until a time or the opening of the N-th next working day."""
        from cmworkbench.services.tasks import snooze_task

        return self.run(
            snooze_task,
            settings=self.settings,
            task_id=task_id,
            until=until,
            workdays=workdays,
            version=version,
        )

    def complete_task(self, task_id: int, note: str, version: int | None = None) -> TaskChange:
        """Close a task by hand with a note saying what was done."""
        from cmworkbench.services.tasks import complete_task

        return self.run(
            complete_task, settings=self.settings, task_id=task_id, note=note, version=version
        )

    def open_complaint(
        self,
        customer_no: str,
        category: str,
        description: str,
        severity: str = "normal",
        channel: str = "phone",
        kind: str = "normal",
        contact: str | None = None,
    ) -> str:
        """Record a complaint at once (每诉必录); the actor owns it (首问负责). Returns the
        ticket number."""
        from cmworkbench.services.complaints import open_complaint

        return self.run(
            open_complaint,
            settings=self.settings,
            customer_no=customer_no,
            category=category,
            description=description,
            severity=severity,
            channel=channel,
            kind=kind,
            contact=contact,
        )

    def complaints(
        self, team: bool = False, breached_only: bool = False, include_closed: bool = False
    ) -> list[ComplaintRow]:
        """The actor's tickets (``team``: the team's or branch's), nearest deadline first."""
        from cmworkbench.services.complaints import list_complaints

        return self.run(
            list_complaints,
            settings=self.settings,
            team=team,
            breached_only=breached_only,
            include_closed=include_closed,
        )

    def complaint(self, ticket: str) -> ComplaintDetail:
        """One ticket with its deadlines, history and the actions the actor may take."""
        from cmworkbench.services.complaints import complaint_detail

        return self.run(complaint_detail, settings=self.settings, ticket=ticket)

    def complaint_act(
        self, ticket: str, change: Change, version: int | None = None
    ) -> ComplaintDetail:
        """Move a ticket on (respond, wait, hand off, resolve, return call, close, …)."""
        from cmworkbench.services.complaints import act

        return self.run(act, settings=self.settings, ticket=ticket, change=change, version=version)

    def complaint_notices(self, limit: int = 20) -> list[tuple[datetime, str]]:
        """The actor's newest complaint notifications (warnings, escalations)."""
        from cmworkbench.services.complaints import notices

        return self.run(notices, limit=limit)

    def complaints_sweep(self) -> SweepOut:
        """Run the SLA sweep once over the tickets in the actor's scope: warnings,
        escalations, breaches as of now."""
        from cmworkbench.services.complaint_sla import sweep

        return self.run(sweep, settings=self.settings)

    # -- notifications -------------------------------------------------------------------------

    def notifications(self, unread_only: bool = False, limit: int = 50) -> list[NotificationOut]:
        """The actor's own newest notifications, newest first, each with what it opens."""
        from cmworkbench.services.notifications import inbox

        return self.run(inbox, unread_only=unread_only, limit=limit)

    def notifications_unread(self) -> int:
        """How many of the actor's notifications are unread."""
        from cmworkbench.services.notifications import unread_count

        return self.run(unread_count)

    def notifications_since(self, after_id: int) -> list[NotificationOut]:
        """The actor's unread notifications newer than ``after_id``, oldest first (the poll)."""
        from cmworkbench.services.notifications import since

        return self.run(since, after_id=after_id)

    def notifications_latest_id(self) -> int:
        """The id of the actor's newest notification (0 if none): where polling starts."""
        from cmworkbench.services.notifications import latest_id

        return self.run(latest_id)

    def notifications_mark_read(self, ids: list[int] | None = None) -> int:
        """Mark the actor's notifications ``ids`` (``None``: all) read; returns how many."""
        from cmworkbench.services.notifications import mark_read

        return self.run(mark_read, ids=ids)

    def draft_save(self, name: str, fields: dict[str, str]) -> None:
        """Keep a form being typed (a complaint, a visit record) as the actor's draft."""
        from cmworkbench.services.drafts import save_draft

        self.run(save_draft, name=name, fields=fields)

    def draft_load(self, name: str) -> dict[str, str] | None:
        """The actor's draft ``name``, if one was kept."""
        from cmworkbench.services.drafts import load_draft

        return self.run(load_draft, name=name)

    def draft_clear(self, name: str) -> None:
        """Forget the actor's draft ``name`` once the record is saved."""
        from cmworkbench.services.drafts import clear_draft

        self.run(clear_draft, name=name)

    def audit_for_customer(self, customer_no: str, limit: int = 50) -> list[AuditEntry]:
        """The newest audit entries about one customer in scope, newest first."""
        from cmworkbench.services.audit import entries_for_customer

        return self.run(entries_for_customer, customer_no=customer_no, limit=limit)

    def worklog_draft(self, day: date | None = None) -> WorkLogOut:
        """The actor's work log of ``day`` (default today), or a draft pre-filled from the
        day's records."""
        from cmworkbench.services.worklog import draft_for_day

        return self.run(draft_for_day, day=day)

    def worklog_save(self, day: date, content: str, version: int) -> WorkLogOut:
        """Save the actor's work log of ``day`` unless it changed since ``version``."""
        from cmworkbench.services.worklog import save

        return self.run(save, day=day, content=content, version=version)

    def worklog_submit(self, day: date, version: int) -> WorkLogOut:
        """Submit the actor's saved work log of ``day`` to the supervisor."""
        from cmworkbench.services.worklog import submit

        return self.run(submit, day=day, version=version)

    def worklog_missing(self, day: date | None = None) -> list[StaffLine]:
        """Team members without a submitted work log of ``day`` (on leave listed apart)."""
        from cmworkbench.services.worklog import missing_for_team

        return self.run(missing_for_team, day=day)

    def team_board(self, day: date | None = None) -> list[ManagerLoad]:
        """Each manager's load of ``day`` (default today) for a supervisor or branch head."""
        from cmworkbench.services.team import team_board

        return self.run(team_board, day=day)

    def team_tasks(self, login: str) -> list[TeamTask]:
        """A team member's open tasks due today or overdue."""
        from cmworkbench.services.team import team_tasks

        return self.run(team_tasks, staff_login=login)

    def reassign_task(self, task_id: int, to_login: str, version: int) -> TeamTask:
        """Give a team member's task to another member (supervisor only)."""
        from cmworkbench.services.team import reassign_task

        return self.run(reassign_task, task_id=task_id, to_login=to_login, version=version)

    def record_leave(
        self, login: str, starts_on: date, ends_on: date, reason: str | None = None
    ) -> LeaveOut:
        """Record leave for ``login`` (their supervisor, the branch head or the admin); A and
        B are never away at the same time."""
        from cmworkbench.services.staff_admin import add_leave

        return self.run(add_leave, login=login, starts_on=starts_on, ends_on=ends_on, reason=reason)

    def handover(
        self,
        from_login: str,
        to_login: str,
        classes: tuple[str, ...] = (),
        areas: tuple[str, ...] = (),
        dry_run: bool = False,
    ) -> HandoverReport:
        """Move customers of ``from_login`` with their open work to ``to_login`` (客户移交;
        branch head or admin); ``dry_run`` only reports what would move."""
        from cmworkbench.services.handover import handover

        return self.run(
            handover,
            grades=self.settings.grades,
            from_login=from_login,
            to_login=to_login,
            classes=classes,
            areas=areas,
            dry_run=dry_run,
        )

    def record_onsite_day(
        self,
        customer_no: str,
        day: date,
        place: str,
        start: time,
        end: time,
        counts: dict[str, int] | None = None,
        note: str | None = None,
    ) -> int:
        """Record today's on-site service day (驻点) at a group customer; ``counts`` holds the
        consultations/transactions so far. Returns its id."""
        from cmworkbench.services.onsite import record_onsite_day

        return self.run(
            record_onsite_day,
            customer_no=customer_no,
            day=day,
            place=place,
            start=start,
            end=end,
            note=note,
            **(counts or {}),
        )

    def add_onsite_counts(self, onsite_id: int, counts: dict[str, int]) -> OnsiteDayOut:
        """Add consultations/transactions to today's on-site day ``onsite_id``."""
        from cmworkbench.services.onsite import update_onsite_counts

        return self.run(update_onsite_counts, onsite_id=onsite_id, **counts)

    def onsite_summary(self, month: str, owner_login: str | None = None) -> list[OnsiteSummaryRow]:
        """The monthly on-site report (``YYYY-MM``) of the staff in scope, or of one person."""
        from cmworkbench.services.onsite import monthly_summary

        return self.run(monthly_summary, month=month, owner_login=owner_login)

    def export_visits_ical(self, week: str, owner_login: str | None = None) -> bytes:
        """The visit plan of ``week`` (``2026-W48``) as iCalendar bytes for phone calendars."""
        from cmworkbench.services.ical import export_week

        return self.run(export_week, week=week, owner_login=owner_login)

    # -- visit plans ---------------------------------------------------------------------------

    def visit_week(self, week: str, owner_login: str | None = None) -> WeekPlan:
        """The visit plan of ``week``: the actor's, or a team member's for their supervisor."""
        from cmworkbench.services.visits import week_plan

        return self.run(week_plan, settings=self.settings, week=week, owner_login=owner_login)

    def visit_month(self, month: str, owner_login: str | None = None) -> MonthVisits:
        """Every visit of ``month`` (``2026-11``) of the actor or a colleague in scope."""
        from cmworkbench.services.visit_month import month_visits

        return self.run(month_visits, settings=self.settings, month=month, owner_login=owner_login)

    def visit_propose(self, week: str) -> list[ProposedVisit]:
        """Visits proposed for the actor's ``week`` (nothing saved)."""
        from cmworkbench.services.visit_proposals import propose

        return self.run(propose, settings=self.settings, week=week)

    def visit_add_proposals(
        self, week: str, proposals: list[ProposedVisit], version: int | None = None
    ) -> int:
        """Put proposals on the actor's plan of ``week``; returns how many."""
        from cmworkbench.services.visit_proposals import add_proposals

        return self.run(
            add_proposals,
            settings=self.settings,
            week=week,
            proposals=proposals,
            version=version,
        )

    def visit_add(
        self,
        customer_no: str,
        day: date,
        start: time,
        purpose: str,
        contact_id: int | None = None,
        version: int | None = None,
    ) -> int:
        """Plan a visit (with the customer's key person unless ``contact_id``); returns its id."""
        from cmworkbench.services.visits import add_item

        return self.run(
            add_item,
            settings=self.settings,
            customer_no=customer_no,
            day=day,
            start=start,
            purpose=purpose,
            contact_id=contact_id,
            version=version,
        )

    def visit_checklist(self, item_id: int, lines: list[str], version: int | None = None) -> None:
        """Replace a visit's preparation checklist (one point a line)."""
        from cmworkbench.services.visits import set_checklist

        self.run(set_checklist, item_id=item_id, checklist=lines, version=version)

    def visit_shift(
        self, item_id: int, workdays: int = 0, slots: int = 0, version: int | None = None
    ) -> None:
        """Move a visit by working days and/or slots within its week."""
        from cmworkbench.services.visits import shift_item

        self.run(
            shift_item,
            settings=self.settings,
            item_id=item_id,
            workdays=workdays,
            slots=slots,
            version=version,
        )

    def visit_remove(self, item_id: int, version: int | None = None) -> None:
        """Take a visit off the plan."""
        from cmworkbench.services.visits import remove_item

        self.run(remove_item, item_id=item_id, version=version)

    def visit_submit(self, week: str, version: int | None = None) -> str:
        """Send the actor's plan of ``week`` to the supervisor."""
        from cmworkbench.services.visit_approval import submit

        return self.run(submit, week=week, version=version)

    def visit_approve(self, week: str, owner_login: str, version: int | None = None) -> str:
        """Approve a team member's submitted plan (their supervisor only)."""
        from cmworkbench.services.visit_approval import approve

        return self.run(approve, week=week, owner_login=owner_login, version=version)

    def visit_return(
        self, week: str, owner_login: str, comment: str, version: int | None = None
    ) -> str:
        """Return a team member's submitted plan with a comment (their supervisor only)."""
        from cmworkbench.services.visit_approval import return_plan

        return self.run(
            return_plan, week=week, owner_login=owner_login, comment=comment, version=version
        )

    def visit_record(
        self,
        item_id: int,
        outcome: str,
        needs: str | None = None,
        next_step: str | None = None,
        next_step_due: date | None = None,
        duration_minutes: int | None = None,
    ) -> VisitRecorded:
        """Record how a planned visit went; a next step with a due date becomes a task."""
        from cmworkbench.services.visit_records import record_visit

        return self.run(
            record_visit,
            settings=self.settings,
            item_id=item_id,
            outcome=outcome,
            needs=needs,
            next_step=next_step,
            next_step_due=next_step_due,
            duration_minutes=duration_minutes,
        )

    def visit_plan_vs_actual(self, week: str, owner_login: str | None = None) -> list[PlanVsActual]:
        """Planned, done, cancelled and unplanned visits of ``week`` per manager."""
        from cmworkbench.services.visit_records import plan_vs_actual

        return self.run(plan_vs_actual, settings=self.settings, week=week, owner_login=owner_login)

    def report(
        self,
        name: str,
        start: date,
        end: date,
        team: str | None = None,
        staff_login: str | None = None,
    ) -> Report:
        """The report figures per manager, team or branch (``name``) over ``start``–``end``,
        within the actor's scope (narrowed to ``team`` or ``staff_login``)."""
        from cmworkbench.services.reports import report

        return self.run(
            report,
            settings=self.settings,
            name=name,
            start=start,
            end=end,
            team=team,
            staff_login=staff_login,
        )

    def report_drill(
        self,
        figure_key: str,
        start: date,
        end: date,
        team: str | None = None,
        staff_login: str | None = None,
        limit: int | None = None,
    ) -> list[DrillRow]:
        """The records behind one report figure (they sum to it when not limited)."""
        from cmworkbench.services.reports import drill

        return self.run(
            drill,
            settings=self.settings,
            figure_key=figure_key,
            start=start,
            end=end,
            team=team,
            staff_login=staff_login,
            limit=limit,
        )

    def report_trend(
        self,
        weeks: int = 8,
        figure_key: str | None = None,
        end: date | None = None,
        team: str | None = None,
        staff_login: str | None = None,
    ) -> dict[str, list[TrendPoint]]:
        """Each report figure (or one) per week over the ``weeks`` weeks up to ``end``."""
        from cmworkbench.services.reports import weekly_trend

        return self.run(
            weekly_trend,
            settings=self.settings,
            figure_key=figure_key,
            weeks=weeks,
            end=end,
            team=team,
            staff_login=staff_login,
        )


def open_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine on an initialised, current database; refuses an old or empty one (and does
    not create an empty SQLite file on the way)."""
    from cmworkbench.db.engine import make_engine, sqlite_file
    from cmworkbench.db.migrate import schema_is_current

    engine = make_engine(url or settings.database_url)
    path = sqlite_file(engine)
    if (path is not None and not path.exists()) or not schema_is_current(engine):
        engine.dispose()
        raise InvalidInput(t("cli.not_initialised"))
    return engine


def login(engine: Engine, settings: Settings, login_name: str) -> Workbench:
    """A :class:`Workbench` for ``login_name`` (refused if unknown or deactivated)."""
    with engine.connect() as conn:
        return Workbench(engine, settings, find_actor(conn, login_name))


def tui_login(engine: Engine, settings: Settings, login_name: str, *, explicit: bool) -> Workbench:
    """Log in for the TUI: ``--as LOGIN``, else the OS login; a demo database falls back to
    its demo manager so the README's first command needs no login."""
    with engine.connect() as conn:
        return Workbench(engine, settings, _tui_actor(conn, login_name, explicit))


def _tui_actor(db: Any, login_name: str, explicit: bool) -> Actor:
    """Who logs in to the TUI, on a SQLAlchemy, ``sqlite3`` or ``psycopg`` connection."""
    try:
        return find_actor(db, login_name)
    except NotFound:
        if explicit:
            raise
    demo_login = demo_login_if_demo(db)
    if demo_login is None:
        raise InvalidInput(t("cli.unknown_os_login", login=login_name))
    return find_actor(db, demo_login)


def tui_login_direct(settings: Settings, login_name: str, *, explicit: bool) -> Workbench | None:
    """:func:`tui_login` through the database driver itself (``sqlite3``, ``psycopg``), so the
    first paint need not wait for SQLAlchemy (the workbench makes its engine in the first
    worker). The same checks: a database at the schema this release knows, the login (or
    the demo fallback). ``None`` when the URL is not one it knows, or the server cannot be
    reached: the caller then logs in through an engine, which says what is wrong."""
    url = settings.database_url
    db = _direct_connection(url)
    if db is None:
        return None
    try:
        try:
            version = rows_of(db)("SELECT version_num FROM alembic_version", {})
        except Exception as error:  # each driver's own "no such table"
            if not no_version_table(error):
                raise
            version = []
        if not version or version[0][0] != SCHEMA_HEAD:
            raise InvalidInput(t("cli.not_initialised"))
        actor = _tui_actor(db, login_name, explicit)
    finally:
        db.close()
    return Workbench(url, settings, actor)


def _direct_connection(url: str) -> Any:
    """A ``sqlite3`` connection to a SQLite file URL, a ``psycopg`` one (autocommit) to a
    PostgreSQL URL; ``None`` for anything else or a server that does not answer."""
    if url.startswith("sqlite:///") and "?" not in url and url != "sqlite:///:memory:":
        import sqlite3

        path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not path.is_file():  # never create an empty database on the way
            raise InvalidInput(t("cli.not_initialised"))
        return sqlite3.connect(path, timeout=10)  # read-write: read-only WAL opens can fail
    for scheme in ("postgresql+psycopg://", "postgresql://"):
        if url.startswith(scheme):
            import psycopg

            try:
                return psycopg.connect("postgresql://" + url.removeprefix(scheme), autocommit=True)
            except psycopg.Error:
                return None
    return None


def admin_actor(settings: Settings) -> Workbench:
    """A :class:`Workbench` for the service account: the whole branch, as the admin sees it.

    The CLI run without ``--as`` is the branch's IT administrator (only the service account
    can open the database); the first active admin of the database stands for them, so scope
    and audit work exactly as for a person.
    """
    engine = open_engine(settings)
    with engine.connect() as conn:
        admin = first_admin_login(conn)
    if admin is None:
        raise InvalidInput(t("cli.no_admin"))
    return login(engine, settings, admin)


@contextmanager
def admin_session(settings: Settings) -> Iterator[Session]:
    """A unit of work for the service account itself (local administration from the CLI)."""
    from cmworkbench.db.engine import unit_of_work

    engine = open_engine(settings)
    try:
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()
