"""Dialogs of the Visits screen: add a visit, record how one went, and a yes/no question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.screens.dialogs.new_task import parse_day, parse_time
from cmworkbench.screens.dialogs.task_actions import DIALOG_CSS
from cmworkbench.services.errors import NotFound
from cmworkbench.widgets.bindings import translate_bindings

PURPOSES = (
    "door_to_door_service",
    "gift",
    "courtesy_call",
    "offer_introduction",
    "event_invitation",
    "needs_discovery",
    "solution_presentation",
    "negotiation",
    "after_sale",
)
"""Visit purposes in key order (1–9); the same as ``services.visits.PURPOSES`` (not imported:
the ORM loads after first paint)."""

OUTCOMES = ("done", "cancelled", "rescheduled", "incident")
"""Visit outcomes in key order (1–4)."""


def _choice(text: str, options: tuple[str, ...]) -> str | None:
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return None


class AddVisitDialog(FormDialog[int]):
    """Customer (number or name, the best match is taken), day, start time, purpose (1–9)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("customer", "day", "start", "purpose")

    def __init__(self, default_day: date) -> None:
        super().__init__(t("tui.visits.add_title"))
        self.default_day = default_day

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("customer", t("tui.visits.field.customer"))
        yield Input(placeholder=t("tui.visits.customer_hint"), id="field-customer", compact=True)
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

    def collect(self) -> tuple[str, date, time, str]:
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
        return customer, day, start, purpose

    def perform(self, request: object) -> int:
        assert isinstance(request, tuple)
        customer, day, start, purpose = request
        hits = self.workbench.search(customer, limit=1)
        if not hits:
            raise NotFound(t("tui.visits.customer_not_found", query=customer))
        return self.workbench.visit_add(hits[0].customer_no, day, start, purpose)


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
        options = "  ".join(f"{n} {label('visit_status', o)}" for n, o in enumerate(OUTCOMES, 1))
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
        outcome = _choice(self._value("outcome"), OUTCOMES)
        if outcome is None:
            raise FieldProblem(t("tui.visits.bad_choice", n=len(OUTCOMES)), {"outcome": ""})
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
        return self.workbench.visit_record(
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
