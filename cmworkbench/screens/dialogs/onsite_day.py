"""Record today's on-site service day (驻点) at a group customer: place, hours, four counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input

from cmworkbench import clock
from cmworkbench.domain.when import parse_time
from cmworkbench.i18n import t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.services.visits.schemas import COUNT_FIELDS


@dataclass(frozen=True)
class OnsiteEntry:
    """What the manager typed about today's on-site day."""

    place: str
    start: time
    end: time
    counts: dict[str, int]


class OnsiteDayDialog(FormDialog[int]):
    """Place, from, to (10:00–16:00 by default: the usual service day), and the consultations
    and transactions (personal / group) so far; the service checks the 2-hour rule."""

    FIELDS: ClassVar[tuple[str, ...]] = ("place", "start", "end", *COUNT_FIELDS)

    def __init__(self, customer_no: str, customer_name: str) -> None:
        super().__init__(t("tui.onsite.title", name=customer_name))
        self.customer_no = customer_no

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("place", t("onsite.field.place"))
        yield Input(placeholder=t("tui.onsite.place_hint"), id="field-place", compact=True)
        yield self.field_label("start", t("tui.onsite.field.start"))
        yield Input("10:00", id="field-start", compact=True)
        yield self.field_label("end", t("onsite.field.end"))
        yield Input("16:00", id="field-end", compact=True)
        for name in COUNT_FIELDS:
            yield self.field_label(name, t(f"onsite.field.{name}"))
            yield Input("0", id=f"field-{name}", compact=True)

    def on_mount(self) -> None:
        self.field("place").focus()

    def _value(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def collect(self) -> OnsiteEntry:
        start, end = parse_time(self._value("start")), parse_time(self._value("end"))
        wrong = {name: "" for name, at in (("start", start), ("end", end)) if at is None}
        if wrong:
            raise FieldProblem(t("tui.task.bad_time"), wrong)
        assert start is not None and end is not None
        counts = {}
        for name in COUNT_FIELDS:
            text = self._value(name) or "0"
            if not text.isdigit():
                raise FieldProblem(t("tui.onsite.bad_count"), {name: ""})
            counts[name] = int(text)
        return OnsiteEntry(self._value("place"), start, end, counts)

    def perform(self, request: object) -> int:
        assert isinstance(request, OnsiteEntry)
        return self.workbench.visits.onsite_record(
            self.customer_no,
            clock.today(),
            request.place,
            request.start,
            request.end,
            **request.counts,
        )
