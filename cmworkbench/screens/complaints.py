"""Complaints (投诉): the actor's tickets, nearest deadline first, one key per step.

Whoever receives a complaint owns it to the end (首问负责), so a manager sees the tickets they
own; a supervisor or branch head starts on the team's (``t`` switches between the two). On
top, the newest warnings and escalations for the actor; then the list (:class:`ComplaintTable`)
and, below it, the highlighted ticket in full (:class:`ComplaintDetailPanel`); ``Enter`` gives
the ticket the whole screen and back.

Each step of the lifecycle has its key: ``r`` respond, ``w`` wait for the customer, ``b`` hand
off to the back office, ``g`` resume, ``s`` resolve, ``j`` solution rejected, ``k`` return
call, ``x`` close (the satisfaction of the return call is filled in: ``x`` ``Enter``), ``o``
reopen, ``a`` reassign, ``m`` note. A key is live only when the service says the actor may take
that step now (``ComplaintDetail.actions``); pressed otherwise it says why. ``n`` takes a new
complaint, ``f`` shows breached tickets only, ``h`` closed tickets too. Every database call
runs in a thread worker and reports back by message; after a step the list reloads in place
and the cursor stays on the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label, Static
from textual.worker import get_current_worker

from cmworkbench.i18n import t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.dialogs.complaint_action import ComplaintActionDialog
from cmworkbench.screens.dialogs.new_complaint import NewComplaintDialog
from cmworkbench.screens.holding import running
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.complaint_detail import ComplaintDetailPanel, short_time
from cmworkbench.widgets.complaint_table import BUSINESS_MARK, ComplaintTable
from cmworkbench.widgets.counts import CountsPanel
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail, ComplaintRow

STEP_KEYS: dict[str, str] = {
    "respond": "r",
    "wait_customer": "w",
    "hand_off": "b",
    "resume": "g",
    "resolve": "s",
    "solution_rejected": "j",
    "return_call": "k",
    "close": "x",
    "reopen": "o",
    "reassign": "a",
    "note": "m",
}
"""Step → its key, in the order of the lifecycle. None of them is an app key (digits and
function keys switch modes)."""

KEY_STEPS = {key: step for step, key in STEP_KEYS.items()}

SUPERVISING = ("supervisor", "branch_head")
"""Roles with a team view of the tickets."""

NOTICES = 2
"""The newest notices shown above the list (the rest are in the tickets' timelines)."""


_key = screen_keys("complaints", "ticket_")


class ComplaintsScreen(WorkbenchScreen):
    """Notices, the ticket list, the highlighted ticket, (on a wide terminal) the counts."""

    DEFAULT_CSS = """
    ComplaintsScreen #complaints-filter {
        height: 1;
        margin: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ComplaintsScreen #complaints-notices {
        height: auto;
        max-height: 2;
        margin: 0 1;
        color: $text-warning;
        display: none;
    }
    ComplaintsScreen #complaints-notices.-shown {
        display: block;
    }
    ComplaintsScreen #complaints-list {
        height: 1fr;
        min-height: 4;
        margin: 0 1;
    }
    ComplaintsScreen #complaints-detail {
        height: 1fr;
        margin: 0 1;
    }
    ComplaintsScreen.-zoomed #complaints-list {
        display: none;
    }
    ComplaintsScreen #complaints-counts {
        dock: right;
        margin: 1 1 0 1;  /* below the header, which is docked too */
    }
    ComplaintsScreen.-narrow #complaints-counts {
        display: none;
    }
    """

    MODE = "complaints"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _key("enter", "zoom", "open", priority=True),
        _key("escape", "unzoom", "back"),
        _key("n", "new", "new"),
        _key("t", "team", "team"),
        _key("f", "breached", "breached"),
        _key("h", "closed", "closed"),
        *(_key(key, f"step('{step}')", step, show=False) for step, key in STEP_KEYS.items()),
    ]
    """List keys in the footer; the step keys are listed under the ticket (only those that
    apply) and in the help."""

    WIDE = 110
    """From this many columns on, the counts panel sits beside the list."""

    KEY_WORKERS = frozenset({"complaints", "detail"})
    """A step key acts on the ticket under the cursor as read, and the list as reloaded."""

    @dataclass
    class Loaded(Message):
        """The list and the newest notices, read again."""

        rows: list[ComplaintRow]
        notices: list[tuple[datetime, str]]

    @dataclass
    class DetailLoaded(Message):
        """One ticket in full."""

        detail: ComplaintDetail

    def __init__(self) -> None:
        super().__init__()
        self.team = False
        """The team's tickets (else the actor's own); a supervisor starts on the team's."""
        self.breached_only = False
        """Only tickets that missed a deadline."""
        self.include_closed = False
        """Closed tickets too (to reopen one, or to look one up)."""
        self.detail: ComplaintDetail | None = None
        """The highlighted ticket in full, once read."""
        self.wanted: str | None = None
        """The ticket whose detail is shown or being read."""
        self.keep: str | None = None
        """The ticket the cursor goes to when the list is read again."""
        self.seeking: str | None = None
        """A ticket asked for by :meth:`show_ticket`; a list without it widens once."""

    def workbench_role(self) -> str:
        """The actor's role."""
        return self.workbench.actor.role

    def on_mount(self) -> None:
        self.team = self.workbench_role() in SUPERVISING

    def compose_body(self) -> ComposeResult:
        yield CountsPanel(["complaints_open"], id="complaints-counts")
        yield Label("", id="complaints-filter", markup=False)
        yield Static("", id="complaints-notices", markup=False)
        yield ComplaintTable(id="complaints-list")
        yield ComplaintDetailPanel(id="complaints-detail")

    @property
    def table(self) -> ComplaintTable:
        """The ticket list."""
        return self.query_one(ComplaintTable)

    @property
    def panel(self) -> ComplaintDetailPanel:
        """The highlighted ticket."""
        return self.query_one(ComplaintDetailPanel)

    @property
    def zoomed(self) -> bool:
        """Whether the ticket has the whole screen."""
        return self.has_class("-zoomed")

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.WIDE, "-narrow")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Shown for the first time, Textual may resume a screen twice; back from a step's
        # dialog, its callback has started the reload already (with the cursor to keep).
        if not running(self, ("complaints",)):
            self.load_list()
        (self.panel if self.zoomed else self.table).focus()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="complaints")
    def load_list(self) -> None:
        """Read the list (for the filters) and the newest notices in a thread."""
        bench = self.workbench
        rows = bench.complaints.tickets(self.team, self.breached_only, self.include_closed)
        notices = bench.complaints.notices(NOTICES)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(rows, notices))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the list in place (the cursor stays on its ticket), the notices, the filter."""
        if self._widen_for(message.rows):
            return
        keep = self.keep or self.wanted
        self.keep = None
        self.table.show(message.rows, team=self.team, keep=keep)
        self._show_notices(message.notices)
        self._show_filter()
        self._follow_cursor(force=True)

    def _show_filter(self) -> None:
        parts = [t("tui.ticket.team_view" if self.team else "tui.ticket.my_view")]
        if self.breached_only:
            parts.append(t("tui.ticket.breached_only"))
        if self.include_closed:
            parts.append(t("tui.ticket.with_closed"))
        parts.append(t("tui.ticket.count", n=len(self.table.rows_shown)))
        if any(row.business for row in self.table.rows_shown):
            parts.append(t("tui.ticket.business_legend", mark=BUSINESS_MARK))
        self.query_one("#complaints-filter", Label).update(" · ".join(parts))

    def _show_notices(self, notices: list[tuple[datetime, str]]) -> None:
        width = max(self.size.width - 4, 20)
        lines = [fit(f"{short_time(at)}  {title}", width) for at, title in notices]
        box = self.query_one("#complaints-notices", Static)
        box.update(Text("\n".join(lines)))
        box.set_class(bool(lines), "-shown")

    @on(DataTable.RowHighlighted, "#complaints-list")
    def highlighted(self) -> None:
        """Moving the cursor shows the ticket under it."""
        self._follow_cursor()

    def _follow_cursor(self, *, force: bool = False) -> None:
        row = self.table.current
        ticket = row.ticket_no if row else None
        if ticket == self.wanted and not force:
            return
        self.wanted = ticket
        if ticket is None:
            self.workers.cancel_group(self, "detail")
            self._show_detail(None)
        else:
            if self.detail is None or self.detail.row.ticket_no != ticket:
                self.panel.show_loading()
            self.load_detail(ticket)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load_detail(self, ticket: str) -> None:
        """Read one ticket in full in a thread (a newer highlight cancels this)."""
        detail = self.workbench.complaints.detail(ticket)
        if not get_current_worker().is_cancelled:
            self.post_message(self.DetailLoaded(detail))

    @on(DetailLoaded)
    def detail_loaded(self, message: DetailLoaded) -> None:
        """Show the ticket, if the cursor is still on it."""
        if message.detail.row.ticket_no == self.wanted:
            self._show_detail(message.detail)

    def _show_detail(self, detail: ComplaintDetail | None) -> None:
        self.detail = detail
        keys = [
            (STEP_KEYS[action], t(f"tui.key.ticket_{action}"))
            for action in (detail.actions if detail else [])
            if action in STEP_KEYS
        ]
        self.panel.show(detail, keys)
        self.refresh_bindings()

    # -- which keys apply -----------------------------------------------------------------

    def _may(self, step: str) -> bool:
        detail = self.detail
        return detail is not None and detail.row.ticket_no == self.wanted and step in detail.actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A step key is live when the service allows the step now (else dimmed); ``Esc``
        only while the ticket has the whole screen."""
        if action == "step":
            return True if self._may(str(parameters[0])) else None
        if action == "unzoom":
            return self.zoomed
        return True

    def on_key(self, event: events.Key) -> None:
        """A step key that does not apply now says why (its binding is dimmed and does
        nothing)."""
        step = KEY_STEPS.get(event.key)
        if step is None or self._may(step):
            return
        event.stop()
        self.notify(self.why_not(step), severity="warning", markup=False)

    def why_not(self, step: str) -> str:
        """Why ``step`` cannot be taken on the highlighted ticket now, in the service's words."""
        detail = self.detail
        if self.wanted is None:
            return t("tui.ticket.none")
        if detail is None or detail.row.ticket_no != self.wanted:
            return t("tui.loading")  # the highlighted ticket is still being read
        return detail.refusals.get(step, "")

    # -- keys -----------------------------------------------------------------------------

    def action_step(self, step: str) -> None:
        """Open the step's dialog on the highlighted ticket; the list reloads when it closes."""
        detail = self.detail
        if detail is None:
            return
        ticket = detail.row.ticket_no

        def then(after: ComplaintDetail | None) -> None:
            if after is None:
                return
            self.keep = ticket
            self._show_detail(after)
            text = t("tui.ticket.done", ticket=ticket, action=t(f"tui.key.ticket_{step}"))
            self.notify(text, markup=False)
            self.load_list()
            self.load_overview()

        self.app.push_screen(ComplaintActionDialog(detail, step), then)

    def action_new(self) -> None:
        """Take a new complaint: find the customer, then what they said."""

        def then(ticket: object) -> None:
            if ticket is None:
                return
            self.keep = str(ticket)
            self.notify(t("tui.ticket.taken", ticket=ticket), markup=False)
            self.load_list()
            self.load_overview()

        self.app.push_screen(NewComplaintDialog(), then)

    def show_ticket(self, ticket_no: str) -> None:
        """Put the cursor on ``ticket_no`` (opened from a notification). The breached-only
        filter is lifted; should the ticket still be missing (closed, or a team member's), the
        list widens once to closed tickets and, for a supervisor, the team's."""
        self.seeking = self.keep = ticket_no
        self.breached_only = False
        self.load_list()

    def _widen_for(self, rows: list[ComplaintRow]) -> bool:
        """Read the list again, wider, when it lacks the ticket sought; True if it does."""
        ticket, self.seeking = self.seeking, None
        if ticket is None or any(row.ticket_no == ticket for row in rows):
            return False
        team = self.workbench_role() in SUPERVISING
        if self.include_closed and self.team == team:
            return False
        self.include_closed, self.team, self.keep = True, team, ticket
        self.load_list()
        return True

    def action_team(self) -> None:
        """My tickets ↔ the team's (a supervisor's or branch head's)."""
        if self.workbench_role() not in SUPERVISING:
            self.notify(t("tui.ticket.team_refused"), severity="warning", markup=False)
            return
        self.team = not self.team
        self.load_list()

    def action_breached(self) -> None:
        """Breached tickets only ↔ every ticket."""
        self.breached_only = not self.breached_only
        self.load_list()

    def action_closed(self) -> None:
        """Closed tickets too ↔ open tickets only."""
        self.include_closed = not self.include_closed
        self.load_list()

    def action_zoom(self) -> None:
        """Give the highlighted ticket the whole screen, or give the list its place back."""
        if self.zoomed:
            self.action_unzoom()
        elif self.table.current is not None:
            self.add_class("-zoomed")
            self.panel.focus()
            self.refresh_bindings()

    def action_unzoom(self) -> None:
        """Back to the list."""
        self.remove_class("-zoomed")
        self.table.focus()
        self.refresh_bindings()
