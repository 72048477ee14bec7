"""Dialogs of the Visits screen: add a visit, edit its checklist, record how one went, and a
yes/no question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, TextArea
from textual.worker import get_current_worker

from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.screens.dialogs.new_task import parse_day, parse_time
from cmworkbench.screens.dialogs.task_actions import DIALOG_CSS
from cmworkbench.services.core.errors import NotFound, ServiceError
from cmworkbench.services.visits.schemas import PURPOSES, VISIT_OUTCOMES
from cmworkbench.widgets.bindings import translate_bindings

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import ContactOut


def _choice(text: str, options: tuple[str, ...]) -> str | None:
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return None


class AddVisitDialog(FormDialog[int]):
    """Customer (number or name, the best match is taken), contact person (one of that
    customer's, optional: the key person by default), day, start time, purpose (1–9)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("customer", "contact", "day", "start", "purpose")

    @dataclass
    class Contacts(Message):
        """The contacts of the customer the typed text matches best (``None``: no match)."""

        customer_no: str | None
        contacts: list[ContactOut]

    def __init__(self, default_day: date) -> None:
        super().__init__(t("tui.visits.add_title"))
        self.default_day = default_day
        self.contacts_of: str | None = None
        """The customer whose contacts the contact field offers."""

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("customer", t("tui.visits.field.customer"))
        yield Input(placeholder=t("tui.visits.customer_hint"), id="field-customer", compact=True)
        yield self.field_label("contact", t("tui.visits.field.contact"))
        yield Select[int](
            [], prompt=t("tui.visits.contact_default"), id="field-contact", compact=True
        )
        yield self.field_label("day", t("tui.visits.field.day"))
        yield Input(self.default_day.isoformat(), id="field-day", compact=True)
        yield self.field_label("start", t("tui.visits.field.start"))
        yield Input("09:00", id="field-start", compact=True)
        yield self.field_label("purpose", t("tui.visits.field.purpose"))
        yield Input("3", id="field-purpose", compact=True)
        options = "  ".join(f"{n} {label('visit_purpose', p)}" for n, p in enumerate(PURPOSES, 1))
        yield Label("")
        yield Label(options, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.field("customer").focus()

    def _value(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    @on(Input.Changed, "#field-customer")
    def _customer_changed(self, event: Input.Changed) -> None:
        self.load_contacts(event.value.strip())

    @work(thread=True, exclusive=True, group="contacts")
    def load_contacts(self, query: str) -> None:
        """Find the customer best matching ``query`` and read its contacts, in a thread."""
        try:
            hits = self.workbench.customers.search(query, limit=1) if query else []
            customer_no = hits[0].customer_no if hits else None
            contacts = self.workbench.customers.contacts(customer_no) if customer_no else []
        except ServiceError:  # the refusal shows when saving; the field stays empty
            customer_no, contacts = None, []
        if not get_current_worker().is_cancelled:
            self.post_message(self.Contacts(customer_no, contacts))

    @on(Contacts)
    def _show_contacts(self, message: Contacts) -> None:
        if message.customer_no == self.contacts_of:
            return
        self.contacts_of = message.customer_no
        options = [(self._contact_text(c), c.id) for c in message.contacts]
        self.query_one("#field-contact", Select).set_options(options)

    @staticmethod
    def _contact_text(contact: ContactOut) -> str:
        role = label("contact_role", contact.role)
        key = t("tui.visits.key_person") if contact.is_key_person else ""
        return " · ".join(p for p in (contact.name, contact.title, role, key) if p)

    def collect(self) -> tuple[str, int | None, date, time, str]:
        customer = self._value("customer")
        if not customer:
            raise FieldProblem(t("tui.visits.no_customer"), {"customer": ""})
        day = parse_day(self._value("day"))
        if day is None:
            raise FieldProblem(t("tui.task.bad_date"), {"day": ""})
        start = parse_time(self._value("start"))
        if start is None:
            raise FieldProblem(t("tui.task.bad_time"), {"start": ""})
        purpose = _choice(self._value("purpose"), PURPOSES)
        if purpose is None:
            raise FieldProblem(t("tui.visits.bad_choice", n=len(PURPOSES)), {"purpose": ""})
        chosen = self.query_one("#field-contact", Select).value
        contact = chosen if isinstance(chosen, int) else None
        return customer, contact, day, start, purpose

    def perform(self, request: object) -> int:
        assert isinstance(request, tuple)
        customer, contact, day, start, purpose = request
        hits = self.workbench.customers.search(customer, limit=1)
        if not hits:
            raise NotFound(t("tui.visits.customer_not_found", query=customer))
        customer_no = hits[0].customer_no
        if customer_no != self.contacts_of:
            contact = None  # chosen for another customer: the default contact is taken
        return self.workbench.visits.add(customer_no, day, start, purpose, contact)


class ChecklistDialog(FormDialog[bool]):
    """The preparation checklist of a visit, one point a line (``Ctrl+S`` saves)."""

    DEFAULT_CSS = """
    ChecklistDialog .form-grid {
        grid-size: 1;
        grid-rows: auto;
    }
    ChecklistDialog #field-checklist {
        height: 10;
    }
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("checklist",)

    def __init__(
        self, item_id: int, customer_name: str, lines: tuple[str, ...], version: int | None
    ) -> None:
        super().__init__(t("tui.visits.checklist_title", name=customer_name))
        self.item_id, self.lines, self.version = item_id, lines, version

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("checklist", t("tui.visits.field.checklist"))
        yield TextArea("\n".join(self.lines), id="field-checklist", soft_wrap=True)

    def on_mount(self) -> None:
        self.field("checklist").focus()

    def collect(self) -> list[str]:
        area = self.field("checklist")
        assert isinstance(area, TextArea)
        return area.text.splitlines()

    def perform(self, request: object) -> bool:
        assert isinstance(request, list)
        self.workbench.visits.checklist(self.item_id, request, self.version)
        return True


@dataclass(frozen=True)
class VisitRecord:
    """What the manager typed about a visit."""

    outcome: str
    needs: str | None
    next_step: str | None
    next_step_due: date | None
    duration_minutes: int | None


class RecordVisitDialog(FormDialog[object]):
    """Outcome (1 done, 2 cancelled, 3 rescheduled, 4 incident), needs found, next step and
    its due date (which makes it a task), duration in minutes."""

    FIELDS: ClassVar[tuple[str, ...]] = ("outcome", "needs", "next_step", "due", "minutes")

    def __init__(self, item_id: int, customer_name: str) -> None:
        super().__init__(t("tui.visits.record_title", name=customer_name))
        self.item_id = item_id

    def compose_fields(self) -> ComposeResult:
        options = "  ".join(
            f"{n} {label('visit_status', o)}" for n, o in enumerate(VISIT_OUTCOMES, 1)
        )
        yield self.field_label("outcome", t("tui.visits.field.outcome"))
        yield Input("1", id="field-outcome", compact=True)
        yield Label("")
        yield Label(options, classes="hint", markup=False)
        yield self.field_label("needs", t("tui.visits.field.needs"))
        yield Input(id="field-needs", compact=True)
        yield self.field_label("next_step", t("tui.visits.field.next_step"))
        yield Input(id="field-next_step", compact=True)
        yield self.field_label("due", t("tui.visits.field.due"))
        yield Input(placeholder=t("tui.visits.due_hint"), id="field-due", compact=True)
        yield self.field_label("minutes", t("tui.visits.field.minutes"))
        yield Input("60", id="field-minutes", compact=True)

    def on_mount(self) -> None:
        self.field("needs").focus()

    def _value(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def collect(self) -> VisitRecord:
        outcome = _choice(self._value("outcome"), VISIT_OUTCOMES)
        if outcome is None:
            raise FieldProblem(t("tui.visits.bad_choice", n=len(VISIT_OUTCOMES)), {"outcome": ""})
        due_text = self._value("due")
        due = parse_day(due_text) if due_text else None
        if due_text and due is None:
            raise FieldProblem(t("tui.task.bad_date"), {"due": ""})
        minutes = self._value("minutes")
        if minutes and not minutes.isdigit():
            raise FieldProblem(t("tui.visits.bad_minutes"), {"minutes": ""})
        return VisitRecord(
            outcome,
            self._value("needs") or None,
            self._value("next_step") or None,
            due,
            int(minutes) if minutes else None,
        )

    def perform(self, request: object) -> object:
        assert isinstance(request, VisitRecord)
        return self.workbench.visits.record(
            self.item_id,
            request.outcome,
            request.needs,
            request.next_step,
            request.next_step_due,
            request.duration_minutes,
        )


class ConfirmDialog(ModalScreen[bool]):
    """A question: ``y`` / ``Enter`` yes, ``n`` / ``Esc`` no."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "tui.key.yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "tui.key.no", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.box_title, self.question = title, question

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.box_title
            yield Label(self.question, markup=False)
            yield Label(t("tui.confirm.hint"), classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
