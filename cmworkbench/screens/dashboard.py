"""Dashboard: the report's figures for the actor's scope, with a weekly trend and targets.

A branch head sees the branch, a supervisor the team, a manager their own book (the scope of
:mod:`cmworkbench.services.reports.report`, the same figures as ``cmw report``). One row per figure:
its value this month so far, the target, a sparkline of the last eight weeks and the records
it counts (for a sum, how many; for the proposals waiting, how long the oldest has waited);
red where it is worse than its target (``[targets]`` in config). ``Enter`` opens the records
behind the highlighted figure, ``[`` / ``]`` step a month back and forth, ``t`` opens the
team board. The figures load in one thread worker, the trend in another (it reads
eight weeks), so the screen paints at once and never waits for the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import get_current_worker

from cmworkbench import clock
from cmworkbench.i18n import t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.report_drill import ReportDrillScreen, figure_value
from cmworkbench.screens.team import TeamScreen
from cmworkbench.services.reports.schemas import SUM_UNITS
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.counts import CountsPanel

if TYPE_CHECKING:
    from cmworkbench.services.reports.schemas import Figure, Report, TrendPoint

_key = screen_keys("dashboard", "dashboard.")
BARS = "▁▂▃▄▅▆▇█"
TREND_WEEKS = 8


def sparkline(points: list[TrendPoint], unit: str) -> Text:
    """The weeks as bars from zero (a rate up to 100 %, an average up to its highest week); a
    week with nothing to count is blank; red below target."""
    values = [p.value for p in points if p.value is not None]
    high = 1.0 if unit == "ratio" else max(values, default=0.0)
    line = Text()
    for point in points:
        if point.value is None:
            line.append(" ")
            continue
        share = min(max(point.value / high, 0.0), 1.0) if high > 0 else 0.0
        bar = BARS[round(share * (len(BARS) - 1))]
        line.append(bar, style="red" if point.below_target else "green")
    return line


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    return first, first + relativedelta(months=1, days=-1)


class DashboardScreen(WorkbenchScreen):
    """The report figures of the actor's scope, their trend, and the overview counts."""

    KEY_WORKERS = frozenset({"report", "trend"})
    """``Enter`` drills into the figures as read."""

    MODE = "dashboard"

    DEFAULT_CSS = """
    DashboardScreen #dashboard-title {
        height: 1;
        padding: 0 1;
        color: $accent;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DashboardScreen #dashboard-figures {
        /* every figure when the terminal has the lines (28: the header and 27 figures); at
           80×24 the space between the title and the counts, scrolling with the cursor */
        height: 1fr;
        max-height: 28;
    }
    DashboardScreen #dashboard-bottom {
        height: auto;
    }
    DashboardScreen #dashboard-hint {
        width: 1fr;
        padding: 1 1 0 2;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        Binding("t", "team", "tui.key.team", tooltip="tui.key.team.tip", id="dashboard.team"),
        _key("enter", "drill", "drill", priority=True),
        _key("left_square_bracket", "month(-1)", "previous_month"),
        _key("right_square_bracket", "month(1)", "next_month"),
    ]
    """``t`` team board, ``Enter`` the records behind a figure, ``[`` / ``]`` month."""

    @dataclass
    class ReportLoaded(Message):
        """The figures arrived from the database."""

        report: Report

    @dataclass
    class TrendLoaded(Message):
        """The weekly trend of every figure arrived."""

        trend: dict[str, list[TrendPoint]]

    def __init__(self) -> None:
        super().__init__()
        self.start, self.end = month_of(clock.today())
        self.report: Report | None = None
        """The figures as last loaded."""
        self.trend: dict[str, list[TrendPoint]] = {}

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="dashboard-title", markup=False)
        table = DataTable[Text](id="dashboard-figures", cursor_type="row", zebra_stripes=True)
        table.add_column(t("tui.dashboard.col.figure"), key="figure", width=18)
        table.add_column(t("tui.dashboard.col.value"), key="value", width=8)
        table.add_column(t("tui.dashboard.col.target"), key="target", width=7)
        table.add_column(t("tui.dashboard.col.trend"), key="trend", width=TREND_WEEKS)
        table.add_column(t("tui.dashboard.col.records"), key="records", width=17)
        yield table
        with Horizontal(id="dashboard-bottom"):
            yield CountsPanel(["tasks_overdue", "complaints_open"], id="dashboard-counts")
            yield Label(t("tui.dashboard.hint"), id="dashboard-hint", markup=False)

    @property
    def table(self) -> DataTable[Text]:
        """One row per figure."""
        return self.query_one("#dashboard-figures", DataTable)

    def on_mount(self) -> None:
        self.table.focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Shown for the first time (Textual may resume a screen twice): load once.
        running = any(w.group == "report" and not w.is_finished for w in self.workers)
        if self.report is None and not running:
            self.load_report()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def load_report(self) -> None:
        """Read the month's figures in a thread, then the trend in another."""
        report = self.workbench.reports.report("manager", self.start, self.end)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReportLoaded(report))

    @work(thread=True, exclusive=True, exit_on_error=False, group="trend")
    def load_trend(self, end: date) -> None:
        """Read the weekly trend up to ``end`` in a thread."""
        trend = self.workbench.reports.trend(weeks=TREND_WEEKS, end=end)
        if not get_current_worker().is_cancelled:
            self.post_message(self.TrendLoaded(trend))

    @on(ReportLoaded)
    def show_report(self, message: ReportLoaded) -> None:
        """Fill the table, keeping the cursor on the same figure; then fetch the trend."""
        self.report = message.report
        total = message.report.total
        shown_end = min(message.report.end, clock.today())
        self.query_one("#dashboard-title", Label).update(
            t("tui.dashboard.title", scope=message.report.scope, start=self.start, end=shown_end)
        )
        table = self.table
        row = table.cursor_row
        table.clear()
        for figure in total.figures:
            table.add_row(*self._cells(figure), key=figure.key)
        table.move_cursor(row=max(0, min(row, len(total.figures) - 1)))
        self.load_trend(shown_end)

    def _cells(self, figure: Figure) -> list[Text]:
        style = "bold red" if figure.below_target else ""
        target = figure_value(figure.target, figure.unit) if figure.target is not None else ""
        points = self.trend.get(figure.key, [])
        records = f"{figure.numerator:,.0f}/{figure.denominator:,.0f}"
        if figure.oldest_days is not None:  # proposals waiting: how long the oldest has
            records = t("tui.dashboard.oldest", days=figure_value(figure.oldest_days, "days"))
        elif figure.unit in SUM_UNITS:  # a sum (the pipeline's value): of how many records
            records = t("tui.dashboard.records_of", n=f"{figure.denominator:,.0f}")
        elif figure.unit != "ratio":
            records = t("tui.dashboard.average_of", n=f"{figure.denominator:,.0f}")
        return [
            Text(t(f"report.figure.{figure.key}"), style=style),
            Text(figure_value(figure.value, figure.unit), style=style, justify="right"),
            Text(target, justify="right"),
            sparkline(points, figure.unit) if points else Text("…", style="dim"),
            Text(records, justify="right"),
        ]

    @on(TrendLoaded)
    def show_trend(self, message: TrendLoaded) -> None:
        """Draw each figure's sparkline."""
        self.trend = message.trend
        units = {f.key: f.unit for f in self.report.total.figures} if self.report else {}
        for key, points in message.trend.items():
            if key in self.table.rows:
                self.table.update_cell(key, "trend", sparkline(points, units.get(key, "")))

    # -- actions --------------------------------------------------------------------------

    def action_team(self) -> None:
        """Push the team board over the dashboard (Esc comes back)."""
        self.app.push_screen(TeamScreen())

    def action_drill(self) -> None:
        """Open the records behind the highlighted figure."""
        if self.report is None or not self.report.total.figures:
            return
        figure = self.report.total.figures[self.table.cursor_row]
        self.app.push_screen(ReportDrillScreen(figure, self.start, self.end, self.report.scope))

    def action_month(self, step: int) -> None:
        """Show the month before or after (never a month that has not begun)."""
        start = self.start + relativedelta(months=step)
        if start > clock.today():
            return
        self.start, self.end = month_of(start)
        self.trend = {}
        self.load_report()
