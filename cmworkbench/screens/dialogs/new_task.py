"""A task on the customer: when it is due and what is to be done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input

from cmworkbench import clock
from cmworkbench.domain.when import parse_time
from cmworkbench.i18n import t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog

DEFAULT_TIME = "09:00"
"""A task typed without a time is due at the start of the morning."""


@dataclass(frozen=True)
class TaskRequest:
    """A task to add: due instant (aware) and note."""

    due_at: datetime
    note: str


class NewTaskDialog(FormDialog[object]):
    """Due date (``2026-11-25``, ``11-25`` or ``+2`` days), time (``14:30``) and a note."""

    FIELDS: ClassVar[tuple[str, ...]] = ("due_date", "due_time", "note")

    def __init__(self, customer_no: str, customer_name: str) -> None:
        super().__init__(t("tui.task.title", name=customer_name))
        self.customer_no = customer_no

    def compose_fields(self) -> ComposeResult:
        tomorrow = clock.today() + timedelta(days=1)
        yield self.field_label("due_date", t("tui.task.due_date"))
        yield Input(tomorrow.isoformat(), id="field-due_date", compact=True)
        yield self.field_label("due_time", t("tui.task.due_time"))
        yield Input(DEFAULT_TIME, id="field-due_time", compact=True)
        yield self.field_label("note", t("tui.task.note"))
        yield Input(placeholder=t("tui.task.note_placeholder"), id="field-note", compact=True)

    def on_mount(self) -> None:
        self.field("note").focus()

    def _value(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def collect(self) -> TaskRequest:
        day = parse_day(self._value("due_date"))
        if day is None:
            raise FieldProblem(t("tui.task.bad_date"), {"due_date": ""})
        at = parse_time(self._value("due_time") or DEFAULT_TIME)
        if at is None:
            raise FieldProblem(t("tui.task.bad_time"), {"due_time": ""})
        note = self._value("note")
        if not note:
            raise FieldProblem(t("tui.task.no_note"), {"note": ""})
        local = datetime.combine(day, at, tzinfo=clock.branch_tz())
        return TaskRequest(clock.parse_instant(local.isoformat()), note)

    def perform(self, request: object) -> object:
        assert isinstance(request, TaskRequest)
        return self.workbench.tasks.add(self.customer_no, request.due_at, request.note)


def parse_day(text: str) -> date | None:
    """``2026-11-25``, ``11-25`` (this year, or next if passed) or ``+2`` (days from today)."""
    today = clock.today()
    try:
        if re.fullmatch(r"\+\d{1,3}", text):
            return today + timedelta(days=int(text[1:]))
        if re.fullmatch(r"\d{1,2}-\d{1,2}", text):
            month, day = (int(part) for part in text.split("-"))
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None
