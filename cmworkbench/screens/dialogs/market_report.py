"""The monthly market report (市场信息报告) in the TUI: a manager writes and submits it from
the monthly task on Today (``d`` on the row); a supervisor reads it from the team board
(``m`` on the manager) and acknowledges it with ``Ctrl+S``. The same services as
``cmw market submit|ack``; refusals are shown in place, nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Label, TextArea

from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FormDialog
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.staff.schemas import MarketReportOut


@dataclass(frozen=True)
class MarketSubmission:
    content: str
    groups: tuple[str, ...]


class MarketSubmitDialog(FormDialog["MarketReportOut"]):
    """What was learned of competitors and the market in ``month``, and the groups it
    concerns (customer numbers, separated by spaces or commas)."""

    DEFAULT_CSS = """
    MarketSubmitDialog .form-grid {
        grid-rows: 8 1;
    }
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("content", "groups")

    def __init__(self, month: str) -> None:
        super().__init__(t("tui.market.submit_title", month=month))
        self.month = month

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("content", t("market.field.content"))
        yield TextArea(id="field-content")
        yield self.field_label("groups", t("market.field.groups"))
        yield Input(placeholder="C00012345 C00067890", id="field-groups", compact=True)

    def on_mount(self) -> None:
        self.field("content").focus()

    def collect(self) -> MarketSubmission:
        content = self.query_one("#field-content", TextArea).text
        raw = self.query_one("#field-groups", Input).value.replace(",", " ").replace("，", " ")
        return MarketSubmission(content, tuple(raw.split()))

    def perform(self, request: object) -> MarketReportOut:
        assert isinstance(request, MarketSubmission)
        return self.workbench.worklog.market_submit(
            self.month, request.content, list(request.groups)
        )


class MarketReadDialog(FormDialog["MarketReportOut"]):
    """A manager's report as the supervisor reads it; ``Ctrl+S`` acknowledges it."""

    DEFAULT_CSS = """
    MarketReadDialog .form-grid {
        grid-size: 1;
        grid-columns: 1fr;
        grid-rows: auto;
    }
    """

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, report: MarketReportOut) -> None:
        super().__init__(t("tui.market.read_title", name=report.name, month=report.month))
        self.report = report

    def compose_fields(self) -> ComposeResult:
        r = self.report
        submitted = local_time(r.submitted_at) if r.submitted_at else "—"
        state = label("market_state", r.state)
        yield Label(t("tui.market.line", submitted=submitted, state=state), markup=False)
        yield Label(t("tui.market.groups", groups=", ".join(r.groups) or "—"), markup=False)
        yield Label(r.content, id="market-content", markup=False)
        if r.acknowledged_at is not None:
            read = t("tui.market.read", who=r.acknowledged_by, at=local_time(r.acknowledged_at))
            yield Label(read, markup=False)

    def on_mount(self) -> None:
        self.query_one("#form-hint", Label).update(t("tui.market.read_hint"))

    def collect(self) -> int:
        assert self.report.id is not None
        return self.report.id

    def perform(self, request: object) -> MarketReportOut:
        assert isinstance(request, int)
        return self.workbench.worklog.market_ack(request)
