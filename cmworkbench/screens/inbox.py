"""The inbox (通知): the actor's own notifications, newest first, and where each one leads.

Opened from anywhere with the app's inbox key (``F7``, or ``Ctrl+N`` where a terminal eats
function keys). Unread notifications are marked ``●``; below the list, the highlighted one in
full. ``Enter`` marks it read and opens what it is about: a complaint notice switches to the
Complaints mode with that ticket highlighted; a task opens its customer's 360 view over the
inbox (a task without a customer: the Today list); a visit switches to the Visits mode on the
visit's week; a notice about nothing in particular (a reminder, a digest) is only marked read.
``r`` marks all read, ``u`` shows unread ones only (or all again), ``Esc`` closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker, get_current_worker

from cmworkbench import clock
from cmworkbench.i18n import t
from cmworkbench.screens.base import report_worker_error
from cmworkbench.screens.complaints import ComplaintsScreen
from cmworkbench.screens.opening import OpensCustomer
from cmworkbench.screens.visits import VisitsScreen
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.notices import MarkRead, NoticesChanged, kind_label
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.notifications.schemas import NotificationOut, Target

INBOX_LIMIT = 100
"""The newest this many notifications are listed (older ones are read or long past)."""

UNREAD_MARK = "●"

HomeT = TypeVar("HomeT")

WIDTHS = {"mark": 1, "when": 11, "kind": 12}
"""Cells per column (the kind: at most, as wide as its longest label); the title takes what
is left."""

COLUMNS = ("mark", "when", "kind", "title")
"""Left to right; headings are ``tui.inbox.col.<name>``."""


_key = screen_keys("inbox", "inbox_")


class InboxScreen(OpensCustomer):
    """A status line, the notifications, the highlighted one in full."""

    KEY_WORKERS = OpensCustomer.KEY_WORKERS | {"inbox"}
    """Keys act on the notifications as read."""

    DEFAULT_CSS = """
    InboxScreen #inbox-status {
        height: 1;
        margin: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    InboxScreen #inbox-list {
        height: 1fr;
        margin: 0 1;
    }
    InboxScreen #inbox-detail {
        height: auto;
        min-height: 4;
        max-height: 9;
        margin: 0 1;
        padding: 0 1;
        border-top: solid $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _key("enter", "open", "open", priority=True),
        _key("r", "read_all", "read_all"),
        _key("u", "unread_only", "unread_only"),
        _key("escape", "back", "back"),
    ]
    """Open, mark all read, unread only, back."""

    @dataclass
    class Loaded(Message):
        """The notifications and the unread count, read again."""

        notices: list[NotificationOut]
        unread: int

    def __init__(self) -> None:
        super().__init__(t("tui.inbox.title"))
        self.notices: list[NotificationOut] = []
        """The notifications listed, newest first."""
        self.unread = 0
        """The actor's unread notifications (all of them, not only those listed)."""
        self.unread_only = False
        """Only unread notifications are listed."""

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="inbox-status", markup=False)
        yield DataTable[Text](id="inbox-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="inbox-detail", markup=False)

    @property
    def table(self) -> DataTable[Text]:
        """The list."""
        return self.query_one("#inbox-list", DataTable)

    @property
    def current(self) -> NotificationOut | None:
        """The notification under the cursor, if any."""
        if not self.notices:
            return None
        return self.notices[min(self.table.cursor_row, len(self.notices) - 1)]

    def on_screen_resume(self) -> None:
        # Shown (Textual may resume twice as a screen first shows) or back from a 360 view.
        if not any(w.group == "inbox" and not w.is_finished for w in self.workers):
            self.load()
        self.table.focus()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="inbox")
    def load(self) -> None:
        """Read the notifications and the unread count in a thread."""
        bench = self.workbench
        notices = bench.notifications.inbox(self.unread_only, INBOX_LIMIT)
        unread = bench.notifications.unread()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(notices, unread))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the list; the cursor stays on the notification it was on."""
        keep = self.current.id if self.current else None
        self.notices = message.notices
        self.unread = message.unread
        self._show_rows(keep)
        self._show_status()

    def _show_rows(self, keep: int | None) -> None:
        table = self.table
        index = table.cursor_row
        ids = [notice.id for notice in self.notices]
        if keep in ids:
            index = ids.index(keep)
        kinds = [kind_label(notice.kind) for notice in self.notices]
        widths = {**WIDTHS, "kind": min(max(map(cell_len, kinds), default=4), WIDTHS["kind"])}
        fixed = sum(widths.values()) + 2 * len(COLUMNS) + 2  # cell padding, scrollbar
        widths["title"] = max(table.size.width - fixed, 16)
        table.clear(columns=True)
        for name in COLUMNS:
            table.add_column(t(f"tui.inbox.col.{name}"), key=name, width=widths[name])
        for notice, kind in zip(self.notices, kinds, strict=True):
            table.add_row(*self._cells(notice, kind, widths), key=str(notice.id))
        if self.notices:
            table.move_cursor(row=min(max(index, 0), len(self.notices) - 1), animate=False)
        self._show_detail()

    @staticmethod
    def _cells(notice: NotificationOut, kind: str, widths: dict[str, int]) -> list[Text]:
        at = notice.created_at.astimezone(clock.branch_tz())
        style = "bold" if notice.unread else ""
        if notice.stale:  # history: the ticket closed, the task done
            style = "dim"
        return [
            Text(UNREAD_MARK if notice.unread else "", style="bold"),
            Text(f"{at:%m-%d %H:%M}", style=style),
            Text(fit(kind, widths["kind"]), style=style),
            Text(fit(notice.shown_title, widths["title"]), style=style),
        ]

    def _show_status(self) -> None:
        parts = [t("tui.inbox.unread", n=self.unread)]
        if self.unread_only:
            parts.append(t("tui.inbox.unread_only"))
        parts.append(t("tui.inbox.listed", n=len(self.notices)))
        if not self.notices:
            parts.append(t("tui.inbox.empty"))
        self.query_one("#inbox-status", Label).update(" · ".join(parts))

    @on(DataTable.RowHighlighted, "#inbox-list")
    def highlighted(self) -> None:
        """Moving the cursor shows the notification under it in full."""
        self._show_detail()

    def _show_detail(self) -> None:
        notice = self.current
        lines: list[str] = []
        if notice is not None:
            lines.append(notice.shown_title)
            lines.append(t("tui.inbox.enter", what=opens(notice)))
            if notice.body:
                lines.append(notice.body.strip())
        self.query_one("#inbox-detail", Static).update("\n".join(lines))

    # -- keys -----------------------------------------------------------------------------

    def action_open(self) -> None:
        """Mark the highlighted notification read and open what it is about."""
        notice = self.current
        if notice is None:
            return
        if notice.unread:
            self.app.post_message(MarkRead([notice.id]))
            self._mark_shown_read([notice.id])
        target = notice.target
        if target is None:
            if notice.object_type:  # about a record that is gone
                self.notify(t("tui.inbox.gone"), severity="warning", markup=False)
            return
        if target.object_type in ("task", "promise") and target.customer_no:
            self.open_customer(target.customer_no)
            return
        self.dismiss(None)
        self.app.run_worker(go_to(self.app, target), group="inbox-go", exit_on_error=False)

    def action_read_all(self) -> None:
        """Mark every notification read (not only those listed)."""
        if self.unread:
            self.app.post_message(MarkRead(None))
            self._mark_shown_read([notice.id for notice in self.notices])

    def action_unread_only(self) -> None:
        """Unread notifications only ↔ all of them."""
        self.unread_only = not self.unread_only
        self.load()

    def action_back(self) -> None:
        """Close the inbox."""
        self.dismiss(None)

    def _mark_shown_read(self, ids: list[int]) -> None:
        """Show ``ids`` as read at once (the app writes it; :meth:`reload` shows the count)."""
        now = clock.now()
        changed = set(ids)
        self.notices = [
            replace(notice, read_at=now) if notice.id in changed and notice.unread else notice
            for notice in self.notices
        ]
        self._show_rows(self.current.id if self.current else None)

    @on(NoticesChanged)
    def reload(self) -> None:
        """Read again after notifications arrived or were marked read elsewhere."""
        if self.is_mounted:
            self.load()

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal (a customer out of scope) or a fault is a notification, never a traceback."""
        report_worker_error(self, event)


def opens(notice: NotificationOut) -> str:
    """What ``Enter`` does with ``notice``, in words."""
    target = notice.target
    if target is None:
        return t("tui.inbox.opens.nothing")
    if target.object_type == "complaint":
        return t("tui.inbox.opens.complaint", ticket=target.ticket_no)
    if target.object_type in ("task", "promise"):
        if target.customer_no:
            return t("tui.inbox.opens.customer", customer=target.customer_no)
        return t("tui.inbox.opens.today")
    return t("tui.inbox.opens.visit", week=target.week, customer=target.customer_no)


async def go_to(app: App[Any], target: Target) -> None:
    """Switch to the mode that shows ``target`` and put the cursor on it (run by the app, as
    the inbox has closed)."""
    if target.object_type == "complaint" and target.ticket_no:
        await app.switch_mode("complaints")
        complaints = _home(app, ComplaintsScreen)
        if complaints is not None:
            complaints.show_ticket(target.ticket_no)
    elif target.object_type == "visit" and target.week:
        await app.switch_mode("visits")
        visits = _home(app, VisitsScreen)
        if visits is not None:
            own = target.owner_login == visits.workbench.actor.login
            visits.month = None
            visits.week = target.week
            visits.owner_login = None if own else target.owner_login
            visits.load_plan(target.object_id)
            visits.refresh_bindings()
    elif target.object_type == "task":
        await app.switch_mode("today")


def _home(app: App[Any], kind: type[HomeT]) -> HomeT | None:
    """The mode's home screen (a dialog left open there stays in front of it)."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, kind):
            return screen
    return None
