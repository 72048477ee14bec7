"""Dashboard: the report's figures for the actor's scope, with a weekly trend and targets.

A branch head sees the branch, a supervisor the team, a manager their own book (the scope of
:mod:`cmworkbench.services.reports.report`, the same figures as ``cmw report``). One row per figure:
its value this month so far, the target, a sparkline of the last eight weeks and the records
it counts (for a sum, how many; for the proposals waiting, how long the oldest has waited);
red where it is worse than its target (``[targets]`` in config). ``Enter`` opens the records
behind the highlighted figure, ``[`` / ``]`` step a month back and forth, ``t`` opens the
team board. The figures load in one thread worker, the trend in another (it reads
eight weeks), so the screen paints at once and never waits for the database.

``l`` turns the table into the morning leaderboard (晨会排行榜, and back): the managers ranked
by their share of the month's goal, the teams, then the referrers
(:mod:`cmworkbench.services.goals.leaderboard`), one line each, read aloud at the morning
meeting; the cursor starts on the actor's own line (marked ``*``), and ``Enter`` on a
manager's line opens their measures and the records behind them.
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
from cmworkbench.screens.report_drill import GoalDrillScreen, ReportDrillScreen, figure_value
from cmworkbench.screens.team import TeamScreen
from cmworkbench.services.goals.schemas import change_text, share_text
from cmworkbench.services.reports.schemas import SUM_UNITS, month_of, total_only
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.counts import CountsPanel

if TYPE_CHECKING:
    from cmworkbench.services.goals.schemas import Leaderboard, LeaderLine, ReferrerRank
    from cmworkbench.services.reports.schemas import Figure, Report, TrendPoint

_key = screen_keys("dashboard", "dashboard.")
BARS = "▁▂▃▄▅▆▇█"
TREND_WEEKS = 8
BOARD_COLUMNS = (
    ("rank", 4),
    ("change", 4),
    ("manager", 8),
    ("team", 14),
    ("share", 8),
    ("yesterday", 8),
)
"""The leaderboard's columns and their cells: 70 with the padding, within 80."""


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


class DashboardScreen(WorkbenchScreen):
    """The report figures of the actor's scope, their trend, and the overview counts."""

    KEY_WORKERS = frozenset({"report", "trend", "leaderboard"})
    """``Enter`` drills into the figures (or the leaderboard) as read."""

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
        /* every figure when the terminal has the lines (31: the header and 30 figures); at
           80×24 the space between the title and the counts, scrolling with the cursor */
        height: 1fr;
        max-height: 31;
    }
    DashboardScreen #dashboard-leaderboard {
        height: 1fr;
        display: none;
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
        _key("l", "leaderboard", "leaderboard"),
    ]
    """``t`` team board, ``Enter`` the records behind a figure, ``[`` / ``]`` month, ``l``
    the morning leaderboard."""

    @dataclass
    class ReportLoaded(Message):
        """The figures arrived from the database."""

        report: Report

    @dataclass
    class TrendLoaded(Message):
        """The weekly trend of every figure arrived."""

        trend: dict[str, list[TrendPoint]]

    @dataclass
    class BoardLoaded(Message):
        """The morning leaderboard arrived."""

        board: Leaderboard

    def __init__(self) -> None:
        super().__init__()
        self.start, self.end = month_of(clock.today())
        self.report: Report | None = None
        """The figures as last loaded."""
        self.trend: dict[str, list[TrendPoint]] = {}
        self.board: Leaderboard | None = None
        """The leaderboard as last loaded."""
        self.showing_board = False
        """The leaderboard is shown instead of the figures."""

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="dashboard-title", markup=False)
        table = DataTable[Text](id="dashboard-figures", cursor_type="row", zebra_stripes=True)
        table.add_column(t("tui.dashboard.col.figure"), key="figure", width=18)
        table.add_column(t("tui.dashboard.col.value"), key="value", width=8)
        table.add_column(t("tui.dashboard.col.target"), key="target", width=7)
        table.add_column(t("tui.dashboard.col.trend"), key="trend", width=TREND_WEEKS)
        table.add_column(t("tui.dashboard.col.records"), key="records", width=17)
        yield table
        yield self._board_table()
        with Horizontal(id="dashboard-bottom"):
            yield CountsPanel(["tasks_overdue", "complaints_open"], id="dashboard-counts")
            yield Label(t("tui.dashboard.hint"), id="dashboard-hint", markup=False)

    @staticmethod
    def _board_table() -> DataTable[Text]:
        board = DataTable[Text](id="dashboard-leaderboard", cursor_type="row", zebra_stripes=True)
        for key, width in BOARD_COLUMNS:
            board.add_column(t(f"leaderboard.col.{key}"), key=key, width=width)
        return board

    @property
    def table(self) -> DataTable[Text]:
        """One row per figure."""
        return self.query_one("#dashboard-figures", DataTable)

    @property
    def board_table(self) -> DataTable[Text]:
        """The leaderboard: one row per manager, team and referrer."""
        return self.query_one("#dashboard-leaderboard", DataTable)

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
        name = total_only(self.workbench.actor.role)  # the total is all it shows
        report = self.workbench.reports.report(name, self.start, self.end)
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
        shown_end = self._figures_title(message.report)
        table = self.table
        row = table.cursor_row
        table.clear()
        for figure in total.figures:
            table.add_row(*self._cells(figure), key=figure.key)
        table.move_cursor(row=max(0, min(row, len(total.figures) - 1)))
        self.load_trend(shown_end)

    def _figures_title(self, report: Report) -> date:
        """Title the figures (unless the leaderboard is shown); the last day they count."""
        shown_end = min(report.end, clock.today())
        if not self.showing_board:
            title = t("tui.dashboard.title", scope=report.scope, start=self.start, end=shown_end)
            if report.taken_ahead:  # the scheduler's snapshot
                stands = report.as_of.astimezone(clock.branch_tz())
                title += t("tui.dashboard.as_of", time=f"{stands:%H:%M}")
            self.query_one("#dashboard-title", Label).update(title)
        return shown_end

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
        """Open the records behind the highlighted figure (or the leaderboard's manager)."""
        if self.showing_board:
            self._drill_board()
            return
        if self.report is None or not self.report.total.figures:
            return
        figure = self.report.total.figures[self.table.cursor_row]
        self.app.push_screen(
            ReportDrillScreen(
                figure, self.start, self.end, self.report.scope, as_of=self.report.as_of
            )
        )

    def action_month(self, step: int) -> None:
        """Show the month before or after (never a month that has not begun)."""
        if self.showing_board:
            return  # the leaderboard is the meeting's: yesterday and this month
        start = self.start + relativedelta(months=step)
        if start > clock.today():
            return
        self.start, self.end = month_of(start)
        self.trend = {}
        self.load_report()

    # -- the morning leaderboard -------------------------------------------------------------

    def action_leaderboard(self) -> None:
        """Show the morning leaderboard instead of the figures, or the figures again."""
        self.showing_board = not self.showing_board
        self.table.display = not self.showing_board
        self.board_table.display = self.showing_board
        self.query_one("#dashboard-hint", Label).update(
            t("tui.leaderboard.hint" if self.showing_board else "tui.dashboard.hint")
        )
        if self.showing_board:
            self.board_table.focus()
            if self.board is None:
                self.load_board()
            else:
                self._board_title(self.board)
        else:
            self.table.focus()
            if self.report is not None:
                self._figures_title(self.report)

    @work(thread=True, exclusive=True, exit_on_error=False, group="leaderboard")
    def load_board(self) -> None:
        """Read the leaderboard in a thread."""
        board = self.workbench.goals.leaderboard()
        if not get_current_worker().is_cancelled:
            self.post_message(self.BoardLoaded(board))

    def _board_title(self, board: Leaderboard) -> None:
        self.query_one("#dashboard-title", Label).update(
            t(
                "tui.leaderboard.title",
                yesterday=board.yesterday,
                first=board.first,
                through=board.through,
            )
        )

    @on(BoardLoaded)
    def show_board(self, message: BoardLoaded) -> None:
        """Fill the leaderboard: the managers, the teams, the referrers (each section under
        a line naming its columns); the cursor on the actor's own line."""
        self.board = board = message.board
        if self.showing_board:
            self._board_title(board)
        table = self.board_table
        table.clear()
        for line in board.managers:
            table.add_row(*_leader_cells(line, line.team), key=f"m:{line.key}")
        if board.teams:
            table.add_row(*_heading("", "team", "share", "yesterday"), key="h:teams")
            for line in board.teams:  # the team's name in the team's column
                table.add_row(*_leader_cells(line, line.name, name=""), key=f"t:{line.key}")
        table.add_row(*_heading("referrer", "team", "converted", "made"), key="h:referrers")
        for r in board.referrers:
            table.add_row(*_referrer_cells(r), key=f"r:{r.login}")
        own = [f"m:{m.key}" for m in board.managers if m.mine]
        own += [f"r:{r.login}" for r in board.referrers if r.mine]
        table.move_cursor(row=table.get_row_index(own[0]) if own else 0)

    def _drill_board(self) -> None:
        """A manager's line: their measures and the records behind them."""
        if self.board is None:
            return
        row = self.board_table.cursor_row
        if 0 <= row < len(self.board.managers):
            self.app.push_screen(GoalDrillScreen(self.board.managers[row], self.board))


def _heading(*keys: str) -> list[Text]:
    """A section's line naming its columns (after the rank and the change)."""
    cells = [t(f"leaderboard.col.{k}") if k else "" for k in keys]
    return [Text(""), Text(""), *(Text(c, style="bold") for c in cells)]


def _rank(rank: int | None, mine: bool) -> Text:
    text = ("*" if mine else "") + ("—" if rank is None else str(rank))
    return Text(text, style="bold" if mine else "", justify="right")


def _leader_cells(line: LeaderLine, team: str | None, name: str | None = None) -> list[Text]:
    """rank, change, name, team, share, yesterday's share gained."""
    style = "bold" if line.mine else ""
    gained = "" if line.gained is None else f"+{line.gained * 100:.1f}%"
    change = change_text(line.change)
    color = "green" if change.startswith("↑") else "red" if change.startswith("↓") else ""
    return [
        _rank(line.rank, line.mine),
        Text(change, style=color),
        Text(line.name if name is None else name, style=style),
        Text(team or "", style=style),
        Text(share_text(line.share), style=style, justify="right"),
        Text(gained, justify="right"),
    ]


def _referrer_cells(r: ReferrerRank) -> list[Text]:
    """rank, change, name, team, converted, made."""
    style = "bold" if r.mine else ""
    return [
        _rank(r.rank, r.mine),
        Text(change_text(r.change)),
        Text(r.name, style=style),
        Text(r.team or ""),
        Text(str(r.converted), style=style, justify="right"),
        Text(str(r.made), justify="right"),
    ]
