"""Dialogs of the team board: record a manager's leave, hand a manager's customers over.

Both are for leads who reach the workbench over SSH and have no shell: the same services
as ``cmw staff leave`` and ``cmw handover``, with the same refusals shown in place.

The handover is two steps on purpose: the first ``Enter`` shows what would move (a dry run:
customers by class, open tasks, planned visits, open complaints); only a second ``Enter``
with the same fields moves it. Changing any field goes back to the first step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from cmworkbench.i18n import t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.screens.dialogs.new_task import parse_day

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import HandoverReport
    from cmworkbench.services.staff.schemas import LeaveOut


@dataclass(frozen=True)
class LeaveRequest:
    starts_on: date
    ends_on: date
    reason: str | None


class LeaveDialog(FormDialog["LeaveOut"]):
    """From, to (``2026-12-01``, ``12-01`` or ``+7``) and a reason, for one manager."""

    FIELDS: ClassVar[tuple[str, ...]] = ("starts_on", "ends_on", "reason")

    def __init__(self, login: str, name: str) -> None:
        super().__init__(t("tui.leave.title", name=name))
        self.login = login

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("starts_on", t("tui.leave.field.from"))
        yield Input(placeholder="2026-12-01 / 12-01 / +1", id="field-starts_on", compact=True)
        yield self.field_label("ends_on", t("tui.leave.field.to"))
        yield Input(placeholder="2026-12-03", id="field-ends_on", compact=True)
        yield self.field_label("reason", t("tui.leave.field.reason"))
        yield Input(id="field-reason", compact=True)

    def on_mount(self) -> None:
        self.field("starts_on").focus()

    def _value(self, name: str) -> str:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def collect(self) -> LeaveRequest:
        days = {name: parse_day(self._value(name)) for name in ("starts_on", "ends_on")}
        wrong = {name: "" for name, day in days.items() if day is None}
        if wrong:
            raise FieldProblem(t("tui.leave.bad_date"), wrong)
        starts, ends = days["starts_on"], days["ends_on"]
        assert starts is not None and ends is not None
        return LeaveRequest(starts, ends, self._value("reason") or None)

    def perform(self, request: object) -> LeaveOut:
        assert isinstance(request, LeaveRequest)
        return self.workbench.staff.record_leave(
            self.login, request.starts_on, request.ends_on, request.reason
        )


@dataclass(frozen=True)
class HandoverRequest:
    to_login: str
    classes: tuple[str, ...]
    areas: tuple[str, ...]
    dry_run: bool


class HandoverDialog(FormDialog["HandoverReport"]):
    """To whom (a manager of the board), which classes and areas (empty: all); Enter shows
    what would move, Enter again moves it."""

    FIELDS: ClassVar[tuple[str, ...]] = ("to_login", "classes", "areas")

    def __init__(self, login: str, name: str, colleagues: list[tuple[str, str]]) -> None:
        """``colleagues``: (text shown, login) of the managers who may receive."""
        super().__init__(t("tui.handover.title", name=name))
        self.login = login
        self.colleagues = colleagues
        self.previewed: HandoverRequest | None = None
        """The request whose dry run is on screen: Enter with the same fields moves it."""

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("to_login", t("tui.handover.field.to"))
        yield Select[str](
            self.colleagues,
            prompt=t("tui.ticket.choose_colleague"),
            id="field-to_login",
            compact=True,
        )
        yield self.field_label("classes", t("tui.handover.field.classes"))
        yield Input(placeholder="A1 A2 B1 B2 C", id="field-classes", compact=True)
        yield self.field_label("areas", t("tui.handover.field.areas"))
        yield Input(id="field-areas", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form-hint", Label).update(t("tui.handover.hint_preview"))
        self.field("to_login").focus()

    def _words(self, name: str) -> tuple[str, ...]:
        widget = self.field(name)
        assert isinstance(widget, Input)
        return tuple(w for w in widget.value.replace(",", " ").replace("，", " ").split() if w)

    def collect(self) -> HandoverRequest:
        chosen = self.query_one("#field-to_login", Select).value
        if not isinstance(chosen, str):
            raise FieldProblem(t("tui.handover.choose"), {"to_login": ""})
        request = HandoverRequest(chosen, self._words("classes"), self._words("areas"), True)
        if self.previewed is not None and request == self.previewed:
            return HandoverRequest(request.to_login, request.classes, request.areas, False)
        return request

    def perform(self, request: object) -> HandoverReport:
        assert isinstance(request, HandoverRequest)
        return self.workbench.customers.handover(
            self.login,
            request.to_login,
            classes=request.classes,
            areas=request.areas,
            dry_run=request.dry_run,
        )

    @on(FormDialog.Saved)
    def _preview_or_done(self, message: FormDialog.Saved) -> None:
        report = message.result
        if getattr(report, "done", True):
            return  # the dialog closes with the report (FormDialog._saved)
        message.prevent_default()
        message.stop()
        assert report is not None
        self.previewed = self.collect()
        self.query_one("#form-error", Label).update(preview_text(report))  # type: ignore[arg-type]
        self.query_one("#form-hint", Label).update(t("tui.handover.hint_confirm"))

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        if self.previewed is not None:
            self.previewed = None
            self.query_one("#form-error", Label).update("")
            self.query_one("#form-hint", Label).update(t("tui.handover.hint_preview"))


def preview_text(report: HandoverReport) -> str:
    """What a handover moves, in two lines."""
    classes = " ".join(f"{cls}×{n}" for cls, n in report.by_class.items())
    return t(
        "tui.handover.preview",
        count=report.customers,
        receiver=report.to_name,
        classes=classes,
        tasks=report.tasks,
        visits=report.visits,
        complaints=report.complaints,
    )
