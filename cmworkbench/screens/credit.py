"""One credit file (信贷档案) on screen: its checklist as a form, and the keys of both signatures.

Top to bottom: what the loan is and where the file stands (customer, product, amount, term,
purpose, risk grade, state, version, the risk manager), the investigation items (result,
finding, note, document, who checked it and when), the borrower's figures, the guarantors with
how far they cover the loan (marked when short), what keeps the file from being signed, its
history and its post-loan checks.

The manager works a draft or a returned file: ``c`` checks the item under the cursor (the
cursor then moves to the next open one), ``f`` the figures, ``g`` adds a guarantor, ``s``
signs and submits it to a risk manager (a login, or blank for the usual one); ``v`` makes a
new version of an approved file. The risk manager the file was submitted to signs it (``a``)
or returns it with a comment (``b``). A key that cannot act says why in the service's words
(the file is read-only, an item is open, the guarantors are short) instead of opening a form
the service would refuse; a refusal from the service is said the same way. After each change
the screen shows the file as the service returns it and says what happened.

:class:`OpensCreditFile` is mixed into the lists whose rows open a file (a customer's files,
the risk manager's queue): ``Enter`` reads it in a worker and pushes :class:`CreditFileScreen`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label
from textual.worker import Worker, get_current_worker

from cmworkbench.domain.credit import WORKED
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import BaseScreen, error_text, report_worker_error
from cmworkbench.screens.credit_text import (
    blocking_lines,
    check_lines,
    figures_lines,
    file_title,
    guarantor_lines,
    head_lines,
    next_open,
)
from cmworkbench.screens.dialogs.credit import (
    CheckItemDialog,
    FiguresDialog,
    GuarantorDialog,
    ReturnFileDialog,
    SubmitDialog,
    coverage_line,
)
from cmworkbench.screens.dialogs.visit_dialogs import ConfirmDialog
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.display import local_time
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.credit.schemas import CreditFileDetail, CreditFileOut

SIGNER = "risk_manager"
"""The role that gives the second signature (and works no file)."""

MANAGER_ACTIONS = frozenset({"check", "figures", "guarantor", "submit", "revise"})
SIGNER_ACTIONS = frozenset({"sign", "return_file"})

ITEM_COLUMNS = ("item", "result", "finding", "note", "document", "who", "when")
"""The checklist's columns (headings ``tui.credit.col.<name>``)."""
HISTORY_COLUMNS = ("at", "who", "action", "note")

TEXT_CELLS = 18
"""A finding or a note is cut to this many cells in the table (the form shows it whole)."""

RESULT_STYLES = {"pass": "green", "concern": "bold yellow", None: "dim"}


_key = screen_keys("credit", "credit_")

CREDIT_KEYS: list[BindingType] = [
    _key("c", "check", "check"),
    _key("f", "figures", "figures"),
    _key("g", "guarantor", "guarantor"),
    _key("s", "submit", "submit"),
    _key("v", "revise", "revise"),
    _key("a", "sign", "sign"),
    _key("b", "return_file", "return"),
]
"""The manager's keys on a file, then the risk manager's (each sees only their own)."""


class CreditFileScreen(BaseScreen):
    """A credit file whole, and the keys of whoever works or signs it; ``Esc`` back."""

    DEFAULT_CSS = """
    CreditFileScreen #credit-body {
        height: 1fr;
        padding: 0 1;
    }
    CreditFileScreen #credit-body > Label {
        height: auto;
    }
    CreditFileScreen .credit-heading {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    CreditFileScreen #credit-items {
        height: auto;
    }
    CreditFileScreen #credit-history {
        height: auto;
        max-height: 12;
    }
    CreditFileScreen .-short, CreditFileScreen .-blocked {
        color: $text-warning;
        text-style: bold;
    }
    CreditFileScreen #credit-said {
        height: auto;
        padding: 0 1;
        color: $text-success;
    }
    CreditFileScreen #credit-said.-refused {
        color: $text-error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        *CREDIT_KEYS,
        _key("escape", "back", "back"),
    ]

    KEY_WORKERS = frozenset({"action", "detail"})
    """Keys typed while a change is written act on the file as it is afterwards."""

    @dataclass
    class Changed(Message):
        """The file as the service returned it after a change, and what to say."""

        detail: CreditFileDetail
        text: str

    @dataclass
    class Loaded(Message):
        """The file read again."""

        detail: CreditFileDetail

    def __init__(self, detail: CreditFileDetail) -> None:
        super().__init__(file_title(detail.file))
        self.detail = detail
        """The file as last read."""

    @property
    def file(self) -> CreditFileOut:
        return self.detail.file

    @property
    def signs(self) -> bool:
        """The actor is a risk manager: they sign or return, and change nothing."""
        return str(self.workbench.actor.role) == SIGNER

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="credit-body"):
            yield Label("", id="credit-head", markup=False)
            yield self._heading("items")
            yield DataTable(id="credit-items", cursor_type="row", zebra_stripes=True)
            yield self._heading("figures")
            yield Label("", id="credit-figures", markup=False)
            yield self._heading("guarantors")
            yield Label("", id="credit-guarantors", markup=False)
            yield Label("", id="credit-coverage", markup=False)
            yield self._heading("blocking")
            yield Label("", id="credit-blocking", markup=False)
            yield self._heading("history")
            yield DataTable(id="credit-history", cursor_type="row", zebra_stripes=True)
            yield self._heading("checks")
            yield Label("", id="credit-checks", markup=False)
        yield Label(t("tui.credit.hint_signer" if self.signs else "tui.credit.hint"),
                    id="credit-said", markup=False)  # fmt: skip

    @staticmethod
    def _heading(name: str) -> Label:
        return Label(t(f"tui.credit.section.{name}"), classes="credit-heading", markup=False)

    def on_mount(self) -> None:
        items = self.items_table
        for column in ITEM_COLUMNS:
            items.add_column(t(f"tui.credit.col.{column}"), key=column)
        history = self.query_one("#credit-history", DataTable)
        for column in HISTORY_COLUMNS:
            history.add_column(t(f"tui.credit.col.{column}"), key=column)
        self.show(self.detail, next_open(self.detail.items, -1))
        items.focus()

    @property
    def items_table(self) -> DataTable[Text]:
        return self.query_one("#credit-items", DataTable)

    # -- showing --------------------------------------------------------------------------

    def show(self, detail: CreditFileDetail, item_row: int | None = None) -> None:
        """Show ``detail``; the checklist's cursor on ``item_row`` (``None``: where it was)."""
        self.detail = detail
        self.title = file_title(detail.file)  # a new version has a number of its own
        for title in self.query("#header-title").results(Label):
            title.update(self.title)
        self.query_one("#credit-head", Label).update("\n".join(head_lines(detail.file)))
        self._show_items(item_row)
        self.query_one("#credit-figures", Label).update("\n".join(figures_lines(detail)))
        self.query_one("#credit-guarantors", Label).update("\n".join(guarantor_lines(detail)))
        cover = self.query_one("#credit-coverage", Label)
        cover.update(coverage_line(detail))
        cover.set_class(not detail.file.coverage_ok, "-short")
        blocked = self.query_one("#credit-blocking", Label)
        blocked.update("\n".join(blocking_lines(detail)))
        blocked.set_class(bool(detail.blocking), "-blocked")
        self._show_history()
        self.query_one("#credit-checks", Label).update("\n".join(check_lines(detail)))
        self.refresh_bindings()

    def _show_items(self, row: int | None) -> None:
        table = self.items_table
        keep = table.cursor_row if row is None else row
        table.clear()
        for i in self.detail.items:
            result = label("credit_result", i.result) if i.result else t("tui.credit.open_item")
            table.add_row(
                Text(i.label),
                Text(result, style=RESULT_STYLES.get(i.result, "")),
                Text(fit(i.finding or "", TEXT_CELLS)),
                Text(fit(i.note or "", TEXT_CELLS)),
                Text(i.document_ref or ""),
                Text(i.checked_by or ""),
                Text(local_time(i.checked_at)[5:]),
                key=i.item,
            )
        if self.detail.items:
            table.move_cursor(row=min(max(keep, 0), len(self.detail.items) - 1), animate=False)

    def _show_history(self) -> None:
        table = self.query_one("#credit-history", DataTable)
        table.clear()
        for e in self.detail.events:
            table.add_row(
                local_time(e.at)[5:],
                e.staff or t("tui.credit.system"),
                label("credit_action", e.action),
                e.note or "",
            )
        table.move_cursor(row=max(table.row_count - 1, 0), animate=False)

    def say(self, text: str, *, refused: bool = False) -> None:
        """Say ``text`` on the line under the file (and as a notification)."""
        said = self.query_one("#credit-said", Label)
        said.update(text)
        said.set_class(refused, "-refused")
        self.notify(text, severity="warning" if refused else "information", markup=False)

    @on(Changed)
    def changed(self, message: Changed) -> None:
        self.show(message.detail)
        self.say(message.text)

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.show(message.detail)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is said in the service's words, never a traceback; the file is read
        again (someone else may have changed it)."""
        error = report_worker_error(self, event)
        if error is not None:
            said = self.query_one("#credit-said", Label)
            said.update(error_text(error))
            said.set_class(True, "-refused")
            if event.worker.group == "action":
                self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def reload(self) -> None:
        """Read the file again in a thread."""
        detail = self.workbench.credit.show(self.file.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(detail))

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The manager's keys for those who work files, ``a`` / ``b`` for the risk manager."""
        if action in MANAGER_ACTIONS:
            return not self.signs
        if action in SIGNER_ACTIONS:
            return self.signs
        return True

    def dialog(self, dialog: Screen[Any], then: Callable[[Any], object]) -> None:
        """Open ``dialog``; ``then`` gets what it closed with (``None``: cancelled)."""

        def callback(result: Any) -> None:
            if result is not None:
                then(result)

        self.app.push_screen(dialog, callback)

    def _after(
        self,
        text: Callable[[CreditFileDetail], str],
        item_row: Callable[[CreditFileDetail], int] | None = None,
    ) -> Callable[[CreditFileDetail], None]:
        """What a form's result does: show the file as returned (the checklist's cursor on
        ``item_row`` of it), and say ``text`` of it."""

        def then(detail: CreditFileDetail) -> None:
            self.show(detail, item_row(detail) if item_row else None)
            self.say(text(detail))

        return then

    def _refuse(self, text: str) -> None:
        self.say(text, refused=True)

    def _worked(self) -> bool:
        """The file may change (draft or returned); else say why not."""
        f = self.file
        if f.state in WORKED:
            return True
        state = label("credit_state", f.state)
        key = "tui.credit.read_only_approved" if f.state == "approved" else "tui.credit.read_only"
        self._refuse(t(key, id=f.id, state=state))
        return False

    def action_check(self) -> None:
        """Check the item under the cursor: pass or concern, the finding, note, document."""
        if not self._worked():
            return
        row = self.items_table.cursor_row
        items = self.detail.items
        if not 0 <= row < len(items):
            self._refuse(t("tui.credit.no_item"))
            return
        item = items[row]

        def text(detail: CreditFileDetail) -> str:
            done = next((i for i in detail.items if i.item == item.item), item)
            result = label("credit_result", done.result or "")
            return t("tui.credit.checked", item=item.label, result=result)

        self.dialog(
            CheckItemDialog(self.file, item),
            self._after(text, lambda detail: next_open(detail.items, row)),
        )

    def action_figures(self) -> None:
        """The borrower's figures, collateral and risk grade."""
        if self._worked():
            grades = list(self.workbench.settings.credit.check_months)
            then = self._after(lambda d: t("tui.credit.figures_saved", name=d.file.name))
            self.dialog(FiguresDialog(self.detail, grades), then)

    def action_guarantor(self) -> None:
        """Add a guarantor with their net assets."""
        if self._worked():
            self.dialog(GuarantorDialog(self.detail), self._after(coverage_line))

    def action_submit(self) -> None:
        """Sign and submit to a risk manager, unless something keeps the file from it."""
        if not self._worked():
            return
        f = self.file
        if self.detail.blocking:
            reasons = "；".join(self.detail.blocking)
            self._refuse(t("credit.cannot_submit", id=f.id, reasons=reasons))
            return
        self.dialog(
            SubmitDialog(f),
            self._after(lambda d: t("tui.credit.submitted", risk=d.file.risk_manager_name or "")),
        )

    def action_revise(self) -> None:
        """A new version of an approved file, to change it (both sign it again)."""
        f = self.file
        if f.state != "approved":
            self._refuse(t("credit.revise_approved", id=f.id))
            return
        question = t("tui.credit.revise_question", id=f.id, version=f.file_version + 1)
        self.dialog(
            ConfirmDialog(t("tui.credit.revise_title", id=f.id), question),
            lambda yes: yes and self.revise(f.id, f.version),
        )

    @work(thread=True, exit_on_error=False, group="action")
    def revise(self, file_id: int, version: int) -> None:
        """Make the new version in a thread; the screen shows it."""
        detail = self.workbench.credit.revise(file_id, version=version)
        text = t("tui.credit.revised", id=detail.file.id, version=detail.file.file_version)
        self.post_message(self.Changed(detail, text))

    def _waiting(self) -> bool:
        """The file waits for the actor's signature; else say why not."""
        f = self.file
        if f.state == "submitted":
            return True
        state = label("credit_state", f.state)
        self._refuse(t("credit.not_waiting", id=f.id, state=state))
        return False

    def action_sign(self) -> None:
        """The second signature (asked to confirm): the file is approved."""
        if not self._waiting():
            return
        f = self.file
        if self.detail.blocking:
            reasons = "；".join(self.detail.blocking)
            self._refuse(t("credit.cannot_sign", id=f.id, reasons=reasons))
            return
        question = t(
            "tui.credit.sign_question",
            id=f.id,
            name=f.name,
            amount=short_yuan(f.amount),
            owner=f.owner_name,
        )
        self.dialog(
            ConfirmDialog(t("tui.credit.sign_title", id=f.id), question),
            lambda yes: yes and self.sign(f.id, f.version),
        )

    @work(thread=True, exit_on_error=False, group="action")
    def sign(self, file_id: int, version: int) -> None:
        """Sign in a thread."""
        detail = self.workbench.credit.sign(file_id, version=version)
        text = t("tui.credit.signed", id=file_id, name=detail.file.name)
        self.post_message(self.Changed(detail, text))

    def action_return_file(self) -> None:
        """Return the file to its manager with a comment."""
        if self._waiting():
            then = self._after(lambda d: t("tui.credit.returned", owner=d.file.owner_name))
            self.dialog(ReturnFileDialog(self.file), then)

    def action_back(self) -> None:
        """Back to the list it was opened from."""
        self.dismiss()


class OpensCreditFile(BaseScreen):
    """A screen whose rows open a credit file over it (``Esc`` there comes back)."""

    KEY_WORKERS = frozenset({"open"})
    """Keys typed after ``Enter`` go to the file it opens."""

    @dataclass
    class CreditFileLoaded(Message):
        """A credit file in full, ready to show."""

        detail: CreditFileDetail

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_credit_file(self, file_id: int) -> None:
        """Read the file in a thread; it opens once read (a refusal is a message)."""
        detail = self.workbench.credit.show(file_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CreditFileLoaded(detail))

    @on(CreditFileLoaded)
    def show_credit_file(self, message: CreditFileLoaded) -> None:
        """Push the file over this screen."""
        if self.is_current:
            self.app.push_screen(CreditFileScreen(message.detail))
