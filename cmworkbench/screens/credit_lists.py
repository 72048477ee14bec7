"""Lists of credit files (信贷档案): a customer's files, and the risk manager's queue.

:class:`CreditFilesScreen` is opened from the customer 360 view: the customer's files, newest
first (the superseded versions left out), each with its state, open items and how far the
guarantors cover the loan. ``Enter`` opens one (:class:`~cmworkbench.screens.credit.
CreditFileScreen`), ``n`` makes a new one and opens it, ``Esc`` goes back to the customer.

:class:`CreditQueueScreen` is the whole of a risk manager's workbench (:class:`~cmworkbench.
app.RiskApp`): the files submitted to them and waiting, the oldest submission first, then
their approved files whose post-loan check is late, marked. ``Enter`` opens one, where ``a``
signs and ``b`` returns it. Both lists are read in a thread worker as they are shown, so a
file signed or submitted over there is in its new place on the way back.
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

from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import WorkbenchScreen, report_worker_error
from cmworkbench.screens.credit import CreditFileScreen, OpensCreditFile
from cmworkbench.screens.dialogs.credit import NewCreditFileDialog
from cmworkbench.screens.holding import running
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.display import local_date, local_time
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.credit.schemas import CreditFileDetail, CreditFileOut

FILE_COLUMNS = ("file", "product", "amount", "term", "state", "open", "cover", "risk", "check")
"""A customer's files, left to right (headings ``tui.credit.col.<name>``)."""

QUEUE_COLUMNS = ("submitted", "customer", "product", "amount", "owner", "cover", "mark")

NAME_CELLS = 16
PRODUCT_CELLS = 14


def cover_cell(f: CreditFileOut) -> Text:
    """``2.10×``, marked when the guarantors are short of the rule."""
    return Text(f"{f.coverage:.2f}×", style="" if f.coverage_ok else "bold yellow")


def check_cell(f: CreditFileOut) -> Text:
    """An approved file's next post-loan check, marked when late."""
    if f.next_check is None:
        return Text("")
    due = local_date(f.next_check)[5:]
    if f.check_overdue:
        return Text(t("tui.credit.check_late_on", due=due), style="bold red")
    return Text(due)


class CreditListScreen(OpensCreditFile):
    """A list of files read in a worker: the rows, ``Enter`` opens the one under the cursor."""

    KEY_WORKERS = frozenset({"files", "open"})
    """Keys typed while the list is read act on its rows as they now are."""

    @dataclass
    class Listed(Message):
        """The files, in the order to show them."""

        files: list[CreditFileOut]

    files: list[CreditFileOut]

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#credit-list", DataTable)

    def read_files(self) -> list[CreditFileOut]:
        """The files to list (runs in a thread)."""
        raise NotImplementedError

    def row_of(self, f: CreditFileOut) -> list[Text]:
        """The cells of ``f``'s row."""
        raise NotImplementedError

    def status(self, files: list[CreditFileOut]) -> str:
        """The line above the list."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        # Textual may resume a screen twice as it is first shown; one read is enough.
        if not running(self, ("files",)):
            self.load_files()
        self.table.focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="files")
    def load_files(self) -> None:
        """Read the files in a thread."""
        found = self.read_files()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(found))

    @on(Listed)
    def listed(self, message: Listed) -> None:
        """Show the files, the cursor on the same file (or row) as before."""
        table = self.table
        row = table.cursor_row
        before = self.files[row].id if 0 <= row < len(self.files) else None
        self.files = message.files
        table.clear()
        for f in self.files:
            table.add_row(*self.row_of(f), key=str(f.id))
        ids = [f.id for f in self.files]
        if before in ids:
            row = ids.index(before)
        if self.files:
            table.move_cursor(row=min(row, len(self.files) - 1), animate=False)
        self.query_one("#credit-status", Label).update(self.status(self.files))

    def action_open(self) -> None:
        """Open the file under the cursor."""
        row = self.table.cursor_row
        if not 0 <= row < len(self.files):
            self.notify(t("tui.credit.no_file"), severity="warning", markup=False)
            return
        self.open_credit_file(self.files[row].id)

    def action_refresh(self) -> None:
        """Read the list again."""
        self.load_files()


_files_key = screen_keys("credit_files", "credit_")


class CreditFilesScreen(CreditListScreen):
    """One customer's credit files; ``n`` a new one."""

    DEFAULT_CSS = """
    CreditFilesScreen #credit-status, CreditFilesScreen #credit-said {
        height: 1;
        margin: 0 1;
        color: $text-muted;
    }
    CreditFilesScreen #credit-list {
        height: 1fr;
        margin: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _files_key("enter", "open", "open", priority=True),
        _files_key("n", "new", "new"),
        _files_key("r", "refresh", "refresh"),
        _files_key("escape", "back", "back"),
    ]

    def __init__(self, customer_no: str, name: str) -> None:
        super().__init__(t("tui.credit.files_title", name=name, customer_no=customer_no))
        self.customer_no = customer_no
        self.customer_name = name
        self.files = []

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="credit-status", markup=False)
        yield DataTable(id="credit-list", cursor_type="row", zebra_stripes=True)
        yield Label(t("tui.credit.files_hint"), id="credit-said", markup=False)

    def on_mount(self) -> None:
        for column in FILE_COLUMNS:
            self.table.add_column(t(f"tui.credit.col.{column}"), key=column)

    def read_files(self) -> list[CreditFileOut]:
        return self.workbench.credit.list(customer_no=self.customer_no)

    def row_of(self, f: CreditFileOut) -> list[Text]:
        return [
            Text(f"#{f.id} v{f.file_version}"),
            Text(fit(f.product, PRODUCT_CELLS)),
            Text(short_yuan(f.amount), justify="right"),
            Text(t("tui.credit.months", n=f.term_months)),
            Text(label("credit_state", f.state)),
            Text(str(f.open_items) if f.open_items else "", style="yellow"),
            cover_cell(f),
            Text(f.risk_manager_name or ""),
            check_cell(f),
        ]

    def status(self, files: list[CreditFileOut]) -> str:
        if not files:
            return t("tui.credit.files_none", name=self.customer_name)
        return t("tui.credit.files_count", name=self.customer_name, n=len(files))

    def action_new(self) -> None:
        """A new file for this customer; it opens once made."""
        credit = self.workbench.settings.credit
        grades = list(credit.check_months)
        dialog = NewCreditFileDialog(
            self.customer_no, self.customer_name, grades, credit.default_grade
        )

        def then(detail: CreditFileDetail | None) -> None:
            if detail is None:
                return
            text = t("tui.credit.created", id=detail.file.id, name=detail.file.name)
            self.notify(text, markup=False)
            self.app.push_screen(CreditFileScreen(detail))

        self.app.push_screen(dialog, then)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is a notification in the service's words, never a traceback."""
        report_worker_error(self, event)

    def action_back(self) -> None:
        """Back to the customer."""
        self.dismiss()


_queue_key = screen_keys("credit_queue", "credit_")


class CreditQueueScreen(WorkbenchScreen, CreditListScreen):
    """The risk manager's queue: files waiting for their signature, then late post-loan
    checks of the files they approved."""

    DEFAULT_CSS = """
    CreditQueueScreen #credit-status, CreditQueueScreen #credit-said {
        height: 1;
        margin: 0 1;
        color: $text-muted;
    }
    CreditQueueScreen #credit-list {
        height: 1fr;
        margin: 0 1;
    }
    """

    MODE = "credit_queue"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _queue_key("enter", "open", "open", priority=True),
        _queue_key("r", "refresh", "refresh"),
    ]

    OVERVIEW_ON_RESUME = False
    """A risk manager has no book: no counts, the queue is the screen."""

    KEY_WORKERS = CreditListScreen.KEY_WORKERS

    def __init__(self) -> None:
        super().__init__()
        self.files = []

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="credit-status", markup=False)
        yield DataTable(id="credit-list", cursor_type="row", zebra_stripes=True)
        yield Label(t("tui.credit.queue_hint"), id="credit-said", markup=False)

    def on_mount(self) -> None:
        for column in QUEUE_COLUMNS:
            self.table.add_column(t(f"tui.credit.col.{column}"), key=column)

    def read_files(self) -> list[CreditFileOut]:
        return self.workbench.credit.queue()

    def row_of(self, f: CreditFileOut) -> list[Text]:
        waiting = f.state == "submitted"
        mark = Text(t("tui.credit.queue_waiting")) if waiting else check_cell(f)
        return [
            Text(local_time(f.submitted_at)[5:]),
            Text(fit(f.name, NAME_CELLS)),
            Text(fit(f.product, PRODUCT_CELLS)),
            Text(short_yuan(f.amount), justify="right"),
            Text(f.owner_name),
            cover_cell(f),
            mark,
        ]

    def status(self, files: list[CreditFileOut]) -> str:
        waiting = sum(1 for f in files if f.state == "submitted")
        late = len(files) - waiting
        if not files:
            return t("tui.credit.queue_empty")
        return t("tui.credit.queue_count", waiting=waiting, late=late)
