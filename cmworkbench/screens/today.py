"""Today (今日工作): the day's plan a customer manager opens at 08:30 and works top to bottom,
one key per outcome (DESIGN.md, "A day a manager can work").

The list (:class:`TaskTable`) shows first what has a fixed time today (call-backs, the week's
planned visits, complaint deadlines, tasks on their last day), then the highest-priority work
that fits the day's capacity (:mod:`cmworkbench.services.tasks.plan`), with the reason for
each rank. The plan is made at the day's first open and kept: rows leave as they are done,
the rest never reorder. Below the filter bar, the backlog (what did not fit) is counted and
aged by kind; ``b`` shows it by priority, ``p`` pulls its next five into today.

Keys: ``c`` call outcome (``c`` ``1`` = reached; a letter before the digit ticks another open
task of the customer the call also served), ``v`` visit outcome (on a planned visit: record
it), ``s`` snooze, ``d`` done with a note, ``Enter`` the customer 360 view (on a complaint
deadline: the ticket), ``n`` a new task on the customer, ``f`` the next kind filter. Every
database call runs in a thread worker and reports back by message; after an action the list
reloads in place and the cursor keeps its row index.

A first contact owed to a prospect (a referred lead with no customer number yet,
``TodayRow.prospect_id``) takes ``c`` / ``v`` like any task: the outcome is logged on the lead
(``workbench.leads.contact``), and a reached contact closes the task. No other task can be
ticked (a prospect has none) and a call back is logged as such, with no time asked (the lead
keeps its first-contact task until it is reached). ``Enter`` says there is no file to open
yet; ``s`` and ``d`` work on the task as on any other.

A supervisor's or branch head's Today starts with what they act on for the people they lead
(:mod:`cmworkbench.services.tasks.lead`). Each such row takes the keys of the screen it comes
from, and ``Enter`` opens it there: a ticket the Complaints keys (``x`` closes it after the
return call, ``x`` ``Enter``), a waiting plan the Visits keys (``a`` approves, ``b`` returns it
with a comment; ``Enter`` reads it with its warnings on Visits), a colleague the team board,
a customer the 360 view, a market report its reading (``Ctrl+S`` acknowledges), a team the
Dashboard. An opportunity's proposal waiting for the lead's decision takes the same ``a`` and
``b`` as a plan; ``Enter`` opens the opportunity. The line under the list names the row's keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label
from textual.worker import Worker, WorkerState, get_current_worker

from cmworkbench import clock
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.when import parse_moment
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import WorkbenchScreen, error_text
from cmworkbench.screens.complaints import KEY_STEPS, ComplaintsScreen
from cmworkbench.screens.dialogs.complaint_action import ComplaintActionDialog
from cmworkbench.screens.dialogs.contact_outcome import ContactOutcome, ContactOutcomeDialog
from cmworkbench.screens.dialogs.market_report import MarketReadDialog, MarketSubmitDialog
from cmworkbench.screens.dialogs.new_task import NewTaskDialog
from cmworkbench.screens.dialogs.task_actions import (
    PromptDialog,
    SnoozeChoice,
    SnoozeDialog,
    incoming_prompt,
)
from cmworkbench.screens.dialogs.visit_dialogs import RecordVisitDialog
from cmworkbench.screens.holding import running
from cmworkbench.screens.opening import OpensCustomer
from cmworkbench.screens.opportunity import OpensOpportunity, Waiting
from cmworkbench.services.tasks.schemas import PULL
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.counts import CountsPanel
from cmworkbench.widgets.display import local_time
from cmworkbench.widgets.task_table import TaskTable, kind_label

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail
    from cmworkbench.services.pipeline.schemas import OpportunityOut
    from cmworkbench.services.staff.schemas import MarketReportOut
    from cmworkbench.services.tasks.schemas import TodayPlan, TodayRow

ResultT = TypeVar("ResultT")


_key = screen_keys("today")


def _text(value: str) -> str | None:
    return value or None


class TodayScreen(WorkbenchScreen, OpensCustomer, OpensOpportunity):
    """The kind filter, the backlog line, the day's plan (or the backlog), and (on a wide
    terminal) the day's counts."""

    DEFAULT_CSS = """
    TodayScreen #today-filter, TodayScreen #today-backlog, TodayScreen #today-keys {
        height: 1;
        margin: 0 1;
        color: $text-muted;
    }
    TodayScreen #today-filter {
        width: 1fr;
        height: auto;  /* every kind's count, wrapped on a narrow terminal rather than cut */
    }
    TodayScreen #today-keys {
        display: none;
    }
    TodayScreen #today-keys.-shown {
        display: block;
    }
    TodayScreen #today-list {
        margin: 0 1;
    }
    TodayScreen #today-empty {
        margin: 1 2;
        color: $text-muted;
    }
    TodayScreen #today-counts {
        dock: right;
        margin: 1 1 0 1;  /* below the header, which is docked too */
    }
    TodayScreen.-narrow #today-counts {
        display: none;
    }
    """

    MODE = "today"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _key("c", "log('call')", "log_call"),
        _key("v", "log('visit')", "log_visit"),
        _key("s", "snooze", "snooze"),
        _key("d", "done", "task_done"),
        _key("enter", "open", "open", priority=True),
        _key("n", "new_task", "new_task"),
        _key("f", "filter", "filter_kind"),
        _key("p", "pull", "pull"),
        _key("b", "backlog", "backlog"),
        _key("i", "incoming", "incoming"),
        _key("r", "refresh", "refresh_day"),
    ]
    """One key per action; ``Enter`` opens (the same key on every list)."""

    WIDE = 110
    """From this many columns on, the counts panel sits beside the list."""

    KEY_WORKERS = OpensCustomer.KEY_WORKERS | {"today", "action"}
    """Keys typed while an outcome is written and the list read again act on the new list."""

    @dataclass
    class Loaded(Message):
        """The day read again, and the rows to show (the day's, or the backlog's)."""

        day: TodayPlan
        rows: list[TodayRow]

    @dataclass
    class Done(Message):
        """An action succeeded: say so, then reload."""

        text: str

    @dataclass
    class MarketRead(Message):
        """A colleague's market report to read (a lead's row)."""

        report: MarketReportOut

    @dataclass
    class TicketRead(Message):
        """A lead's ticket row read in full, for the step its key asks for."""

        detail: ComplaintDetail
        step: str

    def __init__(self) -> None:
        super().__init__()
        self.kind: str | None = None
        """The kind filter (``None``: every kind)."""
        self.counts: dict[str, int] = {}
        """Rows by kind in the list shown (the day's or the backlog's), for the filter."""
        self.showing_backlog = False
        """``b``: the backlog by priority instead of the day's plan."""
        self.day: TodayPlan | None = None
        self._counts_stale = True
        """The overview counts are to be read once the rows are shown."""
        self._failed_loads = 0
        """Reads of the day that failed in a row (a busy server): the next waits longer."""

    def compose_body(self) -> ComposeResult:
        yield CountsPanel(
            ["tasks_due", "tasks_overdue", "complaints_open", "customers"], id="today-counts"
        )
        yield Label("", id="today-filter", markup=False)
        yield Label("", id="today-backlog", markup=False)
        yield TaskTable(id="today-list")
        yield Label("", id="today-keys", markup=False)

    @property
    def table(self) -> TaskTable:
        """The list."""
        return self.query_one(TaskTable)

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.WIDE, "-narrow")

    OVERVIEW_ON_RESUME = False
    """The day's rows first; the counts once they are shown (:meth:`loaded`). At a million
    customers the two read side by side took the rows from 0.1 s to 0.8 s."""

    def on_screen_resume(self) -> None:
        self._counts_stale = True
        self.load_today()
        self.table.focus()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load_today(self) -> None:
        """Read the day (made and kept at its first open) and, in the backlog view, the
        backlog's first rows, in a thread."""
        if self.showing_backlog:  # the kind's first rows, whatever the other kinds hold
            day = self.workbench.tasks.plan(kind=self.kind, with_backlog=True)
            rows = day.backlog_rows
        else:  # every row: the filter bar counts them all; the kind is kept on screen
            day = self.workbench.tasks.plan()
            rows = day.rows
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(day, rows))

    RETRY_SECONDS: ClassVar[tuple[float, ...]] = (3.0, 10.0, 30.0)
    """A failed read of the day is tried again after these waits (then every last one): the
    first read of a morning on a busy server may wait past the database's busy timeout, and
    a Today left empty for good looks like a day without work."""

    @on(Worker.StateChanged)
    def _retry_failed_day(self, event: Worker.StateChanged) -> None:
        """Say on the filter line that the day could not be read, and read it again soon."""
        if event.worker.group != "today":
            return
        if event.state is WorkerState.SUCCESS:
            self._failed_loads = 0
        elif event.state is WorkerState.ERROR:
            waits = self.RETRY_SECONDS
            wait = waits[min(self._failed_loads, len(waits) - 1)]
            self._failed_loads += 1
            reason = error_text(event.worker.error)
            line = t("tui.today.load_failed", reason=reason, seconds=int(wait))
            self.query_one("#today-filter", Label).update(line)
            self.set_timer(wait, self._read_again)

    def _read_again(self) -> None:
        if self.is_current and not running(self, ("today",)):
            self.load_today()

    def action_refresh(self) -> None:
        """Read the day again (``r``), the counts too."""
        self._counts_stale = True
        self.load_today()

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the rows (of the kind filtered) in place, the filter bar and the backlog line."""
        self.day = message.day
        if self.showing_backlog:
            by_kind = message.day.backlog.by_kind
            self.counts = {kind: count for kind, (count, _age) in by_kind.items()}
        else:
            self.counts = dict(Counter(row.kind for row in message.rows))
        shown = [row for row in message.rows if self.kind is None or row.kind == self.kind]
        self.table.show(shown)
        self._show_filter()
        self._show_row_keys()
        if self._counts_stale:
            self._counts_stale = False
            self.load_overview()

    def _show_filter(self) -> None:
        total = sum(self.counts.values())
        parts: list[tuple[str | None, str, int]] = [(None, t("tui.today.all"), total)]
        parts += [(k, kind_label(k), n) for k, n in sorted(self.counts.items())]
        text = "  ".join(
            f"[{name} {n}]" if kind == self.kind else f"{name} {n}" for kind, name, n in parts
        )
        day = self.day
        if self.showing_backlog:
            text = t("tui.today.backlog_view") + "  " + text
        elif day is not None:
            text += f" · {t('tui.today.done_today', count=day.done_today)}"
            text += f" · {self._capacity_text(day)}"
        if not self.table.rows_shown:
            text += "  " + self._empty_text()
        self.query_one("#today-filter", Label).update(text)
        self.query_one("#today-backlog", Label).update(self._backlog_text())

    @on(DataTable.RowHighlighted, "#today-list")
    def _highlighted(self) -> None:
        self._show_row_keys()

    def _show_row_keys(self) -> None:
        """Under the list, the keys of a lead's row (they are those of the screen the row
        comes from); nothing for a row of one's own day (the footer has those)."""
        row = self.table.current
        shown = row is not None and row.section == "lead"
        hint = self.query_one("#today-keys", Label)
        hint.set_class(shown, "-shown")
        if row is not None and shown:
            hint.update(t(f"tui.today.lead_keys.{row.item}"))

    def _empty_text(self) -> str:
        day = self.day
        if self.showing_backlog:
            return t("tui.today.backlog_empty")
        if day is not None and day.backlog.total:
            return t("tui.today.plan_done", count=PULL)
        return t("tui.today.empty")

    def _backlog_text(self) -> str:
        """The backlog: its total, then by kind (the largest first) with the oldest's age."""
        day = self.day
        if day is None:
            return ""
        if self.showing_backlog:
            return t("tui.today.backlog_view_keys", count=PULL)
        backlog = day.backlog
        if not backlog.total:
            return t("tui.today.backlog_empty")
        kinds = sorted(backlog.by_kind.items(), key=lambda item: -item[1][0])
        by_kind = " · ".join(
            t("tui.today.backlog_kind", kind=label("task_kind", k), count=n, days=age)
            for k, (n, age) in kinds
        )
        return f"{t('tui.today.backlog', total=backlog.total)}: {by_kind}"

    def _capacity_text(self, day: TodayPlan) -> str:
        return t(
            "tui.today.capacity",
            calls=day.planned_calls,
            calls_max=day.calls,
            meetings=day.planned_meetings,
            meetings_max=day.meetings,
        )

    @on(Done)
    def done(self, message: Done) -> None:
        """Confirm an action and reload the list."""
        self.notify(message.text, markup=False)
        self.load_today()
        self.load_overview()

    # -- keys -----------------------------------------------------------------------------

    def _row(self) -> TodayRow | None:
        row = self.table.current
        if row is None:
            self.notify(t("tui.today.no_row"), severity="warning", markup=False)
        return row

    def _task_row(self) -> TodayRow | None:
        """The task under the cursor; a planned visit or a complaint deadline says what to do
        with it instead."""
        row = self._row()
        if row is not None and row.item != "task":
            self.notify(t("tui.today.not_a_task"), severity="warning", markup=False)
            return None
        return row

    def action_backlog(self) -> None:
        """Show the backlog by priority; again: the day's plan."""
        self.showing_backlog = not self.showing_backlog
        self.kind = None
        self.table.move_cursor(row=0)
        self.load_today()

    def action_pull(self) -> None:
        """Pull the next items of the backlog into today's plan."""
        self.pull()

    @work(thread=True, exit_on_error=False, group="action")
    def pull(self) -> None:
        """Write the pull in a thread."""
        count = self.workbench.tasks.pull()
        if count:
            self.post_message(self.Done(t("tui.today.pulled", count=count)))
        else:
            self.post_message(self.Done(t("tui.today.pulled_none")))

    def action_filter(self) -> None:
        """Show the next kind of task only (after the last kind: all of them)."""
        kinds: list[str | None] = [None, *sorted(self.counts)]
        index = kinds.index(self.kind) if self.kind in kinds else 0
        self.kind = kinds[(index + 1) % len(kinds)]
        self.table.move_cursor(row=0)
        self.load_today()

    def _dialog(self, dialog: Screen[ResultT], then: Callable[[ResultT | None], object]) -> None:
        def callback(result: ResultT | None) -> None:
            then(result)

        self.app.push_screen(dialog, callback)

    def action_log(self, kind: str) -> None:
        """The outcome of the call or visit the task asks for; a call back asks the time. On
        a planned visit, ``v`` records how it went."""
        row = self._row()
        if row is None:
            return
        if row.item == "visit" and kind == "visit":
            self._record_visit(row)
            return
        if row.item == "promise" and row.customer_no:
            self._log_for_promise(row, kind)
            return
        if row.item == "task" and row.prospect_id is not None:
            self._log_for_prospect(row.prospect_id, row.customer_name or "", kind)
            return
        if row.item != "task":
            self.notify(t("tui.today.not_a_task"), severity="warning", markup=False)
            return

        def then(result: ContactOutcome | None) -> None:
            if result is None:
                return
            if result.outcome == "call_back":
                self._ask_call_back(row, result)
            else:
                self.log_outcome(row, kind, result, None)

        dialog = ContactOutcomeDialog(
            kind,
            row.customer_name or "",
            row.customer_no,
            row.task_id,
            retention=row.kind == "retention",
            findings=row.kind == "post_loan",
        )
        self._dialog(dialog, then)

    def _log_for_promise(self, row: TodayRow, kind: str) -> None:
        """On a promise's row, ``c`` or ``v`` logs a contact with its customer: the reply or
        the feedback it owes keeps it (services/promises/hooks.py)."""
        customer_no = row.customer_no or ""

        def then(result: ContactOutcome | None) -> None:
            if result is not None:
                self.log_contact(customer_no, kind, result)

        self._dialog(ContactOutcomeDialog(kind, row.customer_name or "", customer_no), then)

    def _log_for_prospect(self, lead_id: int, name: str, kind: str) -> None:
        """On a prospect's first-contact row, ``c`` or ``v`` logs the contact on the lead."""

        def then(result: ContactOutcome | None) -> None:
            if result is not None:
                self.log_prospect_contact(lead_id, kind, result)

        self._dialog(ContactOutcomeDialog(kind, name), then)

    @work(thread=True, exit_on_error=False, group="action")
    def log_prospect_contact(self, lead_id: int, kind: str, result: ContactOutcome) -> None:
        """Write a contact with a prospect (a lead), in a thread."""
        self.workbench.leads.contact(lead_id, kind, result.outcome, result.note)
        outcome = label("outcome", result.outcome)
        self.post_message(self.Done(t(f"tui.c360.logged.{kind}", outcome=outcome)))

    @work(thread=True, exit_on_error=False, group="action")
    def log_contact(self, customer_no: str, kind: str, result: ContactOutcome) -> None:
        """Write a contact not logged from a task, in a thread."""
        self.workbench.tasks.log_contact(
            customer_no, kind, result.outcome, result.note, for_tasks=result.also
        )
        outcome = label("outcome", result.outcome)
        self.post_message(self.Done(t(f"tui.c360.logged.{kind}", outcome=outcome)))

    def action_incoming(self) -> None:
        """The customer of the row under the cursor called or wrote: ``i``, what they want,
        ``Enter``; the reply is owed today and shows here at its deadline."""
        row = self._row()
        if row is None or not row.customer_no:
            return
        customer_no = row.customer_no
        dialog = incoming_prompt(row.customer_name or "")
        self._dialog(dialog, lambda note: note and self.write_incoming(customer_no, note))

    @work(thread=True, exit_on_error=False, group="action")
    def write_incoming(self, customer_no: str, note: str) -> None:
        out = self.workbench.promises.incoming(customer_no, note)
        self.post_message(self.Done(t("tui.promise.made", due=local_time(out.promise_due))))

    def _keep_promise(self, row: TodayRow) -> None:
        dialog = PromptDialog(
            t("tui.promise.keep_title", name=row.customer_name or ""),
            t("tui.promise.keep_placeholder"),
            lambda text: text.strip(),
            "",
        )
        self._dialog(dialog, lambda note: note is not None and self.keep_promise(row, note))

    @work(thread=True, exit_on_error=False, group="action")
    def keep_promise(self, row: TodayRow, note: str) -> None:
        """Record the promise done, in a thread."""
        out = self.workbench.promises.keep(int(row.ref), note or None)
        done = "tui.promise.kept" if out.state == "kept" else "tui.promise.kept_late"
        self.post_message(self.Done(t(done)))

    def _ask_call_back(self, row: TodayRow, result: ContactOutcome) -> None:
        calendar = BranchCalendar.from_settings(self.workbench.settings.calendar)

        def later(text: str) -> datetime | None:
            moment = parse_moment(text, clock.today(), calendar)
            return moment if moment is not None and moment > clock.now() else None

        dialog = PromptDialog(
            t("tui.today.call_back_title", name=row.customer_name or ""),
            t("tui.today.call_back_placeholder"),
            later,
            t("tui.today.call_back_bad_time"),
        )
        self._dialog(dialog, lambda at: at and self.log_outcome(row, "call", result, at))

    @work(thread=True, exit_on_error=False, group="action")
    def log_outcome(
        self, row: TodayRow, kind: str, result: ContactOutcome, at: datetime | None
    ) -> None:
        """Write the outcome in a thread."""
        bench = self.workbench
        if kind == "call":
            bench.tasks.log_call(
                row.task_id,
                result.outcome,
                result.note,
                at,
                row.version,
                also=result.also,
                retention=result.retention,
            )
        else:
            bench.tasks.log_visit(
                row.task_id,
                result.outcome,
                result.note,
                row.version,
                also=result.also,
                retention=result.retention,
            )
        outcome = label("outcome", result.outcome)
        self.post_message(self.Done(t(f"tui.c360.logged.{kind}", outcome=outcome)))

    def _record_visit(self, row: TodayRow) -> None:
        dialog = RecordVisitDialog(int(row.ref), row.customer_name or "")
        self._dialog(dialog, lambda r: r and self.post_message(self.Done(t("tui.visits.recorded"))))

    def action_snooze(self) -> None:
        """Put the task aside: ``1`` +2 h, ``2`` next working day, ``3`` in 2 working days."""
        row = self._task_row()
        if row is not None:
            dialog = SnoozeDialog(row.customer_name or "")
            self._dialog(dialog, lambda choice: choice and self.snooze(row, choice))

    @work(thread=True, exit_on_error=False, group="action")
    def snooze(self, row: TodayRow, choice: SnoozeChoice) -> None:
        """Write the snooze in a thread."""
        change = self.workbench.tasks.snooze(
            row.task_id, choice.until, choice.workdays, row.version
        )
        self.post_message(self.Done(t("tui.today.snoozed", until=local_time(change.snoozed_until))))

    def action_done(self) -> None:
        """Close the task by hand, with a note saying what was done (the monthly market
        report: write and submit it, which closes the task); on a promise's row, the promise
        is done (a note optional)."""
        current = self._row()
        if current is not None and current.item == "promise":
            self._keep_promise(current)
            return
        row = self._task_row()
        if row is None:
            return
        if row.kind == "market_report":
            month = row.due_at.astimezone(clock.branch_tz()).replace(day=1) - timedelta(days=1)
            done = t("tui.market.submitted", month=f"{month:%Y-%m}")
            self._dialog(
                MarketSubmitDialog(f"{month:%Y-%m}"),
                lambda report: report and self.post_message(self.Done(done)),
            )
            return
        dialog = PromptDialog(
            t("tui.today.done_title", name=row.customer_name or ""),
            t("tui.today.done_placeholder"),
            _text,
            t("tui.task.no_note"),
        )
        self._dialog(dialog, lambda note: note and self.complete(row, note))

    @work(thread=True, exit_on_error=False, group="action")
    def complete(self, row: TodayRow, note: str) -> None:
        """Close the task in a thread."""
        self.workbench.tasks.complete(row.task_id, note, row.version)
        self.post_message(self.Done(t("tui.today.closed")))

    def action_new_task(self) -> None:
        """A new task on the customer under the cursor."""
        row = self._row()
        if row is not None and row.customer_no:
            dialog = NewTaskDialog(row.customer_no, row.customer_name or "")
            self._dialog(
                dialog, lambda r: r and self.post_message(self.Done(t("tui.c360.task_added")))
            )

    def action_open(self) -> None:
        """The customer 360 view of the row under the cursor; a complaint deadline opens the
        ticket on the complaints screen; a lead's row opens its record where it lives; an
        opportunity's follow-up opens the opportunity; a prospect has no file yet (it says
        so)."""
        row = self._row()
        if row is None:
            return
        if row.item in ("complaint", "ticket"):
            self.app.run_worker(open_ticket(self.app, row.ref), exit_on_error=False)
        elif row.item == "proposal":
            self.open_opportunity(int(row.ref))
        elif row.opportunity_id is not None:  # a quiet one, or its proposal returned
            self.open_opportunity(row.opportunity_id)
        elif row.item == "plan" and row.plan_week and row.staff_login:
            self.app.run_worker(
                open_plan(self.app, row.plan_week, row.staff_login), exit_on_error=False
            )
        elif row.item == "staff":
            from cmworkbench.screens.team import TeamScreen

            self.app.push_screen(TeamScreen(login=row.staff_login))
        elif row.item == "market" and row.staff_login:
            self.read_market(row.staff_login, row.ref.partition(" ")[2])
        elif row.item == "team":
            self.app.switch_mode("dashboard")
        elif row.customer_no:
            self.open_customer(row.customer_no)
        elif row.prospect_id is not None:
            self.notify(t("tui.today.prospect_no_file"), severity="warning", markup=False)

    # -- a lead's rows: the keys of the screen each comes from ----------------------------

    def on_key(self, event: events.Key) -> None:
        """On a lead's ticket row the Complaints step keys, on a plan or a proposal row ``a``
        and ``b`` (before Today's own meaning of the key: ``s`` is resolve there, not snooze,
        ``b`` returns, not the backlog)."""
        row = self.table.current
        if row is None or row.section != "lead" or self.showing_backlog:
            return
        if row.item == "ticket" and event.key in KEY_STEPS:
            event.stop()
            event.prevent_default()
            self.read_ticket(row.ref, KEY_STEPS[event.key])
        elif row.item == "plan" and event.key in ("a", "b"):
            event.stop()
            event.prevent_default()
            if event.key == "a":
                self.decide_plan(row, None)
            else:
                self._ask_return_comment(row)
        elif row.item == "proposal" and event.key in ("a", "b"):
            event.stop()
            event.prevent_default()
            waiting = Waiting(int(row.ref), row.version, row.customer_name or "")
            if event.key == "a":
                self.approve_proposal(waiting)
            else:
                self.ask_return(waiting)

    def opportunity_changed(self, opportunity: OpportunityOut, text: str) -> None:
        """A proposal decided from its row: say so, and read the day again (the row leaves)."""
        self.post_message(self.Done(text))

    @work(thread=True, exit_on_error=False, group="action")
    def read_market(self, login: str, month: str) -> None:
        """Read the colleague's market report of ``month`` in a thread, to show it."""
        found = [r for r in self.workbench.worklog.market_list(month) if r.login == login]
        if found and found[0].id is not None:
            self.post_message(self.MarketRead(found[0]))

    @on(MarketRead)
    def market_read(self, message: MarketRead) -> None:
        """Show the report; ``Ctrl+S`` acknowledges it and the row leaves Today."""
        done = t("tui.today.market_read", name=message.report.name, month=message.report.month)
        self._dialog(
            MarketReadDialog(message.report),
            lambda report: report and self.post_message(self.Done(done)),
        )

    @work(thread=True, exit_on_error=False, group="action")
    def read_ticket(self, ticket: str, step: str) -> None:
        """Read the ticket in full (what the actor may do to it now) in a thread."""
        detail = self.workbench.complaints.detail(ticket)
        self.post_message(self.TicketRead(detail, step))

    @on(TicketRead)
    def ticket_read(self, message: TicketRead) -> None:
        """Open the step's dialog, as the Complaints screen does; or say why not."""
        detail, step = message.detail, message.step
        if step not in detail.actions:
            why = detail.refusals.get(step, "")
            self.notify(why, severity="warning", markup=False)
            return
        ticket = detail.row.ticket_no
        done = t("tui.ticket.done", ticket=ticket, action=t(f"tui.key.ticket_{step}"))
        self._dialog(
            ComplaintActionDialog(detail, step),
            lambda after: after and self.post_message(self.Done(done)),
        )

    def _ask_return_comment(self, row: TodayRow) -> None:
        dialog = PromptDialog(
            t("tui.visits.return_title"),
            t("tui.visits.return_placeholder"),
            _text,
            t("tui.visits.no_comment"),
        )
        self._dialog(dialog, lambda comment: comment and self.decide_plan(row, comment))

    @work(thread=True, exit_on_error=False, group="action")
    def decide_plan(self, row: TodayRow, comment: str | None) -> None:
        """Approve the plan (no comment) or return it (with one), in a thread."""
        week, owner = row.plan_week or "", row.staff_login or ""
        if comment is None:
            self.workbench.visits.approve(week, owner, row.version)
            text = t("tui.today.plan_approved", name=row.customer_name or owner, week=week)
        else:
            self.workbench.visits.send_back(week, owner, comment, row.version)
            text = t("tui.today.plan_returned", name=row.customer_name or owner, week=week)
        self.post_message(self.Done(text))


async def open_plan(app: App[object], week: str, owner_login: str) -> None:
    """Switch to Visits with ``owner_login``'s plan of ``week`` and its warnings."""
    from cmworkbench.screens.visits import VisitsScreen

    await app.switch_mode("visits")
    for screen in reversed(app.screen_stack):
        if isinstance(screen, VisitsScreen):
            screen.show_plan(week, owner_login)
            return


async def open_ticket(app: App[object], ticket_no: str) -> None:
    """Switch to the complaints screen with ``ticket_no`` under the cursor."""
    await app.switch_mode("complaints")
    for screen in reversed(app.screen_stack):
        if isinstance(screen, ComplaintsScreen):
            screen.show_ticket(ticket_no)
            return
