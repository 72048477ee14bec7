"""One step on a complaint ticket: respond, wait for the customer, hand off, resume, resolve,
record a rejected solution, the return call, close, reopen, reassign, or a note.

One dialog for every step: its fields are the ones the service requires for the step
(``services.complaints.REQUIRED``), then the optional ones it takes (:data:`OPTIONAL`). The
change is sent with the version of the ticket the dialog was opened on, so a ticket changed
meanwhile is refused by the service with who changed it; the dialog stays open with the input
(:class:`~cmworkbench.screens.dialogs.form.FormDialog`) and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select
from textual.worker import get_current_worker

from cmworkbench.domain.complaint_flow import TRIAGES
from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.screens.dialogs.task_actions import parse_when

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail

OPTIONAL: dict[str, tuple[str, ...]] = {
    "respond": ("note",),
    "hand_off": ("backoffice_due", "note"),
    "resume": ("note",),
    "return_call": ("satisfaction",),
    "close": ("note",),
    "reassign": ("note",),
}
"""Fields a step takes besides the required ones (the back office's deadline has a default;
the satisfaction can wait for the close)."""

ALL_FIELDS = (
    "triage",
    "resolution",
    "backoffice_to",
    "backoffice_due",
    "result",
    "satisfaction",
    "to_login",
    "note",
)
"""Every field a step may show; the service names them the same way when it refuses one."""


def parse_triage(text: str) -> str | None:
    """``1`` / ``2`` / ``3`` (or the value itself) → ``now`` / ``shortly`` / ``cannot_now``."""
    if text.isdigit() and 1 <= int(text) <= len(TRIAGES):
        return TRIAGES[int(text) - 1]
    return text if text in TRIAGES else None


class ComplaintActionDialog(FormDialog["ComplaintDetail"]):
    """The fields of one step; closes with the ticket as it is after the step."""

    DEFAULT_CSS = """
    ComplaintActionDialog .field-hint {
        color: $text-muted;
    }
    """

    FIELDS: ClassVar[tuple[str, ...]] = ALL_FIELDS

    KEY_WORKERS = FormDialog.KEY_WORKERS | {"colleagues"}
    """A colleague is chosen from the list as read."""

    @dataclass
    class Colleagues(Message):
        """Who the ticket may be given to: (text shown, login) pairs."""

        choices: list[tuple[str, str]]

    def __init__(self, detail: ComplaintDetail, action: str) -> None:
        # The service module is loaded by now (the list was read through it); importing it
        # here keeps the ORM out of the app's start-up.
        from cmworkbench.services.complaints.schemas import REQUIRED

        row = detail.row
        super().__init__(
            t(
                "tui.ticket.action_title",
                action=t(f"tui.key.ticket_{action}"),
                ticket=row.ticket_no,
                name=row.customer_name,
            )
        )
        self.detail = detail
        """The ticket as it was when the dialog opened (its version is sent with the step)."""
        self.action = action
        self.required = REQUIRED[action]
        self.fields = (*self.required, *OPTIONAL.get(action, ()))
        """The fields shown, required first."""

    def compose_fields(self) -> ComposeResult:
        for name in self.fields:
            text = t(f"complaint.field.{name}")
            if name not in self.required:
                text = t("tui.ticket.optional", field=text)
            yield self.field_label(name, text)
            yield self._widget(name)
            hint = self._hint(name)
            if hint:
                yield Label("")
                yield Label(hint, classes="field-hint", markup=False)

    def _widget(self, name: str) -> Widget:
        ident = f"field-{name}"
        if name == "to_login":
            return Select[str]([], prompt=t("tui.ticket.choose_colleague"), id=ident, compact=True)
        if name == "satisfaction":
            known = self.detail.satisfaction
            value = str(known) if known is not None and self.action == "close" else ""
            return Input(
                value, placeholder=t("tui.ticket.satisfaction_hint"), id=ident, compact=True
            )
        placeholder = {
            "triage": "1 / 2 / 3",
            "backoffice_due": t("tui.ticket.backoffice_due_hint"),
        }.get(name, "")
        return Input(placeholder=placeholder, id=ident, compact=True)

    @staticmethod
    def _hint(name: str) -> str:
        if name == "triage":
            return "  ".join(f"{n} {label('triage', v)}" for n, v in enumerate(TRIAGES, 1))
        return ""

    def on_mount(self) -> None:
        if self.fields:
            self.field(self.fields[0]).focus()
        if "to_login" in self.fields:
            self.load_colleagues()

    @work(thread=True, exclusive=True, exit_on_error=False, group="colleagues")
    def load_colleagues(self) -> None:
        """The colleagues the actor may give the ticket to, in a thread."""
        owner = self.detail.row.owner_login
        choices = [
            (f"{s.name} ({s.login})", s.login)
            for s in self.workbench.staff.directory()
            if s.active and s.role != "admin" and s.login != owner
        ]
        if not get_current_worker().is_cancelled:
            self.post_message(self.Colleagues(choices))

    @on(Colleagues)
    def _show_colleagues(self, message: Colleagues) -> None:
        self.query_one("#field-to_login", Select).set_options(message.choices)

    def _text(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def collect(self) -> dict[str, object]:
        """The step's values; a triage or deadline that cannot be read is refused here."""
        values: dict[str, object] = {}
        for name in self.fields:
            if name == "to_login":
                chosen = self.query_one("#field-to_login", Select).value
                values[name] = chosen if isinstance(chosen, str) else None
            elif name == "triage":
                triage = parse_triage(self._text(name))
                if triage is None:
                    raise FieldProblem(t("tui.ticket.bad_triage"), {"triage": ""})
                values[name] = triage
            elif name == "backoffice_due":
                typed = self._text(name)
                due = parse_when(typed) if typed else None
                if typed and due is None:
                    raise FieldProblem(t("tui.ticket.bad_due"), {"backoffice_due": ""})
                values[name] = due
            else:
                values[name] = self._text(name)
        return values

    def perform(self, request: object) -> ComplaintDetail:
        from cmworkbench.services.complaints.schemas import Change

        assert isinstance(request, dict)
        row = self.detail.row
        change = Change(self.action, **request)
        return self.workbench.complaints.act(row.ticket_no, change, row.version)
