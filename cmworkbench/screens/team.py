"""The team board: a supervisor's (or branch head's) view of each manager's work today.

On top, one row per manager: their day as Today plans it (rows of the day: fixed items and
the plan within capacity; tasks done today; the backlog beyond the plan, with the oldest's
age in days), tasks due today, overdue and snoozed, open complaints, on leave and who covers,
and whether today's work log is submitted (the day's figures come from the one planner and
are never stored: :mod:`cmworkbench.services.staff.board`). Below, the highlighted manager's
open due and overdue tasks. ``r`` gives the highlighted task to a colleague; ``Enter`` on a
manager moves into their tasks, on a task opens the customer 360 view. Pushed from the
Dashboard with ``t``; a manager is refused with the service's message and the screen closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import Worker, get_current_worker

from cmworkbench.i18n import label, t
from cmworkbench.screens.base import report_worker_error
from cmworkbench.screens.dialogs.choose_colleague import ChooseColleagueDialog
from cmworkbench.screens.dialogs.market_report import MarketReadDialog
from cmworkbench.screens.dialogs.staff_dialogs import HandoverDialog, LeaveDialog, preview_text
from cmworkbench.screens.opening import OpensCustomer
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import HandoverReport
    from cmworkbench.services.staff.schemas import (
        LeaveOut,
        ManagerLoad,
        MarketReportOut,
        TeamTask,
    )


_key = screen_keys("team")

BOARD_COLUMNS = (
    "name",
    "plan",
    "done",
    "backlog",
    "due",
    "overdue",
    "snoozed",
    "complaints",
    "promises",
    "leave",
    "log",
    "market",
)
"""The board's columns: who, their day (plan size, done, backlog · oldest), then the load."""


def _promises(load: ManagerLoad) -> Text:
    """Promises owed; the broken ones (past their deadline) in red: ``3 · 1 超时``."""
    if not load.promises_broken:
        return Text(str(load.promises_owed), justify="right")
    broken = t("tui.team.promises_broken", n=load.promises_broken)
    return Text(f"{load.promises_owed} · {broken}", style="bold red", justify="right")


_MARKET_CELLS = {
    "on_time": ("✓", "green"),
    "late": ("迟", "yellow"),
    "missing": ("✗", "red"),
    "pending": ("…", "dim"),
}
"""Last month's market report on the board: on time, late, missing, not due yet."""


def _cut(text: str | None, most: int) -> str:
    """``text`` cut to ``most`` characters with an ellipsis (the table cuts by cell width)."""
    text = text or ""
    return text if len(text) <= most else text[: most - 1] + "…"


class TeamScreen(OpensCustomer):
    """The board of the team's managers and the highlighted manager's task list."""

    KEY_WORKERS = OpensCustomer.KEY_WORKERS | {"board", "tasks", "reassign"}
    """Keys act on the board and the task list as read."""

    DEFAULT_CSS = """
    TeamScreen #team-board {
        height: auto;
        max-height: 12;
    }
    TeamScreen #team-logs, TeamScreen #team-tasks-title {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TeamScreen #team-tasks-title {
        color: $accent;
        text-style: bold;
    }
    TeamScreen #team-tasks {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _key("enter", "open", "open_task", priority=True),
        _key("r", "reassign", "reassign"),
        _key("l", "leave", "record_leave"),
        _key("h", "handover", "handover"),
        _key("m", "market", "market_report"),
        _key("escape", "back", "back_out"),
    ]
    """``Enter`` open, ``r`` reassign, ``l`` record the highlighted manager's leave, ``h``
    hand their customers over (branch head), ``Esc`` back; Tab moves between board and
    tasks."""

    @dataclass
    class BoardLoaded(Message):
        """The board arrived from the database."""

        board: list[ManagerLoad]

    @dataclass
    class TasksLoaded(Message):
        """A manager's open due and overdue tasks."""

        login: str
        tasks: list[TeamTask]

    @dataclass
    class MarketFound(Message):
        """The highlighted manager's market report of last month (``None``: none)."""

        name: str
        month: str
        report: MarketReportOut | None

    @dataclass
    class Reassigned(Message):
        """A task was given to ``name``."""

        name: str

    def __init__(self, login: str | None = None) -> None:
        """``login``: the manager to put the cursor on (opened from a lead's Today row)."""
        super().__init__(t("tui.team.title"))
        self.board: list[ManagerLoad] = []
        """The board as last loaded."""
        self.tasks: list[TeamTask] = []
        """The task list shown (of :attr:`login`)."""
        self.login: str | None = login
        """The manager whose tasks are shown."""

    def compose_body(self) -> ComposeResult:
        board = DataTable[Text](id="team-board", cursor_type="row", zebra_stripes=True)
        for name in BOARD_COLUMNS:
            board.add_column(t(f"tui.team.col.{name}"), key=name)
        yield board
        yield Label("", id="team-logs", markup=False)
        yield Label("", id="team-tasks-title", markup=False)
        tasks = DataTable[Text](id="team-tasks", cursor_type="row")
        tasks.add_column(t("tui.team.col.due_at"), key="due", width=11)
        tasks.add_column(t("tui.team.col.kind"), key="kind", width=8)
        tasks.add_column(t("tui.team.col.customer"), key="customer", width=16)
        tasks.add_column(t("tui.team.col.reason"), key="reason")
        yield tasks

    @property
    def board_table(self) -> DataTable[Text]:
        """One row per manager."""
        return self.query_one("#team-board", DataTable)

    @property
    def task_table(self) -> DataTable[Text]:
        """The highlighted manager's tasks."""
        return self.query_one("#team-tasks", DataTable)

    def on_mount(self) -> None:
        self.board_table.focus()
        self.load_board()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="board")
    def load_board(self) -> None:
        """Read the board in a thread."""
        board = self.workbench.staff.board()
        if not get_current_worker().is_cancelled:
            self.post_message(self.BoardLoaded(board))

    @work(thread=True, exclusive=True, exit_on_error=False, group="tasks")
    def load_tasks(self, login: str) -> None:
        """Read one manager's tasks in a thread (a newer highlight cancels this)."""
        tasks = self.workbench.staff.tasks_of(login)
        if not get_current_worker().is_cancelled:
            self.post_message(self.TasksLoaded(login, tasks))

    @on(BoardLoaded)
    def show_board(self, message: BoardLoaded) -> None:
        """Fill the board, keeping the cursor on the same manager."""
        self.board = message.board
        table = self.board_table
        keep = self.login
        table.clear()
        for load in self.board:
            table.add_row(*self._board_cells(load), key=load.login)
        self._show_logs()
        logins = [load.login for load in self.board]
        if keep in logins:
            table.move_cursor(row=logins.index(keep))
        if logins:
            self.load_tasks(logins[table.cursor_row])

    def _board_cells(self, load: ManagerLoad) -> list[Text]:
        late = Text(str(load.overdue), style="bold red" if load.overdue else "", justify="right")
        leave = t("tui.team.on_leave", cover=load.cover_name or "—") if load.on_leave else ""
        market = _MARKET_CELLS.get(load.market_report, _MARKET_CELLS["pending"])
        if not load.log_submitted:
            log = Text("✗", style="red")
        elif load.log_late:
            log = Text(t("tui.team.log_late"), style="yellow")
        else:
            log = Text("✓", style="green")
        backlog = (
            t("tui.team.backlog", count=load.backlog, days=load.backlog_oldest_days)
            if load.backlog
            else "0"
        )
        return [
            Text(_cut(load.name, 8)),
            Text(str(load.plan_size), justify="right"),
            Text(str(load.done_today), justify="right"),
            Text(backlog, justify="right"),
            Text(str(load.due_today), justify="right"),
            late,
            Text(str(load.snoozed), justify="right"),
            Text(str(load.complaints_open), justify="right"),
            _promises(load),
            Text(leave),
            log,
            Text(market[0], style=market[1]),
        ]

    def _show_logs(self) -> None:
        missing = [b.name for b in self.board if not b.log_submitted and not b.on_leave]
        late = [b.name for b in self.board if b.log_late and not b.on_leave]
        away = [b.name for b in self.board if b.on_leave]
        joiner = t("input.choice_joiner")
        day = self.board[0].log_day if self.board else None
        shown = f"{day:%m-%d}" if day else ""
        parts = [
            t("tui.team.missing", names=joiner.join(missing), day=shown)
            if missing
            else t("tui.team.missing_none", day=shown)
        ]
        if late:
            parts.append(t("tui.team.late", names=joiner.join(late)))
        if away:
            parts.append(t("tui.team.away", names=joiner.join(away)))
        self.query_one("#team-logs", Label).update(" · ".join(parts))

    @on(DataTable.RowHighlighted, "#team-board")
    def manager_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Moving over a manager shows their tasks."""
        if event.row_key.value is not None and event.row_key.value != self.login:
            self.load_tasks(event.row_key.value)

    @on(TasksLoaded)
    def show_tasks(self, message: TasksLoaded) -> None:
        """Fill the task list, keeping the cursor where it was for the same manager."""
        if message.login != self.highlighted_login:
            return  # the cursor has moved on; a newer load is running
        same = message.login == self.login
        row = self.task_table.cursor_row if same else 0
        self.login, self.tasks = message.login, message.tasks
        table = self.task_table
        table.clear()
        for task in self.tasks:
            style = "red" if task.overdue else ""
            customer = _cut(task.customer_name or task.customer_no or "—", 15)
            table.add_row(
                Text(local_time(task.due_at)[5:], style=style),
                Text(label("task_kind", task.kind)),
                Text(customer),
                Text(task.reason or ""),
                key=str(task.id),
            )
        if self.tasks:
            table.move_cursor(row=min(row, len(self.tasks) - 1))
        name = next((b.name for b in self.board if b.login == self.login), message.login)
        title = self.query_one("#team-tasks-title", Label)
        if self.tasks:
            title.update(t("tui.team.tasks_of", name=name, n=len(self.tasks)))
        else:
            title.update(t("tui.team.no_tasks", name=name))

    @property
    def highlighted_login(self) -> str | None:
        """The manager under the board's cursor."""
        row = self.board_table.cursor_row
        return self.board[row].login if 0 <= row < len(self.board) else None

    @property
    def highlighted_task(self) -> TeamTask | None:
        """The task under the task list's cursor."""
        table = self.task_table
        if not self.tasks or not 0 <= table.cursor_row < len(self.tasks):
            return None
        return self.tasks[table.cursor_row]

    # -- actions --------------------------------------------------------------------------

    def action_open(self) -> None:
        """On the board: go into the manager's tasks; on a task: open its customer."""
        if not self.task_table.has_focus:
            if self.tasks:
                self.task_table.focus()
            return
        task = self.highlighted_task
        if task is None:
            return
        if task.customer_no is None:
            self.notify(t("tui.team.no_customer"), markup=False)
            return
        self.open_customer(task.customer_no)

    def action_reassign(self) -> None:
        """Choose a colleague for the highlighted task, then give it to them."""
        task = self.highlighted_task
        if task is None:
            return
        actor = self.workbench.actor
        choices = [(b.login, f"{b.name} ({b.login})") for b in self.board if b.login != self.login]
        if actor.login != self.login:
            choices.append((actor.login, f"{actor.name} ({actor.login})"))

        def then(login: str | None) -> None:
            if login is not None:
                self.reassign(task, login)

        self.app.push_screen(ChooseColleagueDialog(t("tui.team.reassign_title"), choices), then)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reassign")
    def reassign(self, task: TeamTask, login: str) -> None:
        """Give ``task`` to ``login`` in a thread."""
        self.workbench.staff.reassign_task(task.id, login, task.version)
        name = next((b.name for b in self.board if b.login == login), login)
        self.post_message(self.Reassigned(name))

    @on(Reassigned)
    def reassigned(self, message: Reassigned) -> None:
        """Say so, and show the new counts and list."""
        self.notify(t("tui.team.reassigned", name=message.name), markup=False)
        self.load_board()

    def _highlighted_manager(self) -> ManagerLoad | None:
        row = self.board_table.cursor_row
        return self.board[row] if 0 <= row < len(self.board) else None

    def action_market(self) -> None:
        """Read the highlighted manager's market report of last month, and acknowledge it."""
        manager = self._highlighted_manager()
        if manager is not None:
            self.load_market(manager.login, manager.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="market")
    def load_market(self, login: str, name: str) -> None:
        """The team's reports of last month, in a thread; the manager's is shown."""
        rows = self.workbench.worklog.market_list()
        mine = next((r for r in rows if r.login == login), None)
        month = mine.month if mine is not None else ""
        found = mine if mine is not None and mine.id is not None else None
        self.post_message(self.MarketFound(name, month, found))

    @on(MarketFound)
    def _market_found(self, message: MarketFound) -> None:
        if message.report is None:
            self.notify(t("tui.market.none", name=message.name, month=message.month), markup=False)
            return

        def then(report: MarketReportOut | None) -> None:
            if report is not None:
                self.notify(t("tui.market.acknowledged", name=report.name), markup=False)
                self.load_board()

        self.app.push_screen(MarketReadDialog(message.report), then)

    def action_leave(self) -> None:
        """Record leave for the highlighted manager; the board shows it (and who covers)."""
        manager = self._highlighted_manager()
        if manager is None:
            return

        def then(leave: LeaveOut | None) -> None:
            if leave is not None:
                self.notify(
                    t(
                        "tui.leave.recorded",
                        name=manager.name,
                        starts=leave.starts_on,
                        ends=leave.ends_on,
                    ),
                    markup=False,
                )
                self.load_board()

        self.app.push_screen(LeaveDialog(manager.login, manager.name), then)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Handing customers over is the branch head's; the key is not offered to others."""
        if action == "handover":
            return self.workbench.actor.role == "branch_head"
        return True

    def action_handover(self) -> None:
        """Hand the highlighted manager's customers (all, or some classes or areas) over."""
        manager = self._highlighted_manager()
        if manager is None:
            return
        colleagues = [(f"{b.name} ({b.login})", b.login) for b in self.board if b is not manager]

        def then(report: HandoverReport | None) -> None:
            if report is not None:
                self.notify(preview_text(report), title=t("tui.handover.done"), markup=False)
                self.load_board()

        self.app.push_screen(HandoverDialog(manager.login, manager.name, colleagues), then)

    def action_back(self) -> None:
        """Back to the Dashboard."""
        self.dismiss(None)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is a notification; a refused board closes the screen; a refused
        reassignment reloads the list (someone else may have changed it)."""
        error = report_worker_error(self, event)
        if error is None:
            return
        if event.worker.group == "board" and isinstance(error, OutOfScope) and self.is_current:
            self.dismiss(None)
        elif event.worker.group == "reassign":
            self.load_board()
