"""The records behind one figure of the Dashboard (every figure can be traced, DESIGN.md).

One row per record: whose it is, the breakdown (class, task kind), the customer, ticket or
colleague, its day, whether it counts in the numerator (✓ / ✗, or its hours, days, score or
amount) and one fact that explains it (last contact, deadline…). Misses come first. Under the
title, what the figure counts, where the catalog says (``report.about.<key>``). The first
:data:`DRILL_LIMIT` records are listed (the CLI's ``cmw report … --drill FIGURE`` writes them
all); ``Enter`` on a customer's record opens the customer, ``Esc`` goes back.

:class:`GoalDrillScreen` does the same for a manager's line of the morning leaderboard: their
measures (goal, this month, share, yesterday), then the records behind the month's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import Worker, get_current_worker

from cmworkbench.i18n import t
from cmworkbench.screens.base import report_worker_error
from cmworkbench.screens.opening import OpensCustomer
from cmworkbench.services.goals.schemas import amount_text, measure_label, share_text
from cmworkbench.services.reports.schemas import SUM_UNITS, figure_about
from cmworkbench.services.reports.schemas import format_value as figure_value
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys

if TYPE_CHECKING:
    from cmworkbench.services.goals.schemas import GoalRecord, Leaderboard, LeaderLine
    from cmworkbench.services.reports.schemas import DrillRow, Figure


_key = screen_keys("report_drill", "dashboard.")
DRILL_LIMIT = 1000
"""Records listed on screen; the CLI writes them all."""
COUNTS_WIDTH = 8
"""Cells of what a record counts: ✓ / ✗, hours, days, or an amount (``120.0万``)."""
CUSTOMER_FIGURES = frozenset(
    {"coverage", "freshness", "return_visit", "visits_done", "tasks_done", "tasks_overdue"}
)
"""Figures whose records are customers (``Enter`` opens them)."""
OPPORTUNITY_FIGURES = frozenset(
    {"pipeline_value", "won_value", "win_rate", "stage_days", "proposals_waiting"}
)
"""Figures whose records are opportunities: their number (``#12``) first, then the step or
product (a step's name is long)."""


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


class ReportDrillScreen(OpensCustomer):
    """The records behind one figure."""

    KEY_WORKERS = OpensCustomer.KEY_WORKERS | {"drill"}
    """Keys act on the records as read."""

    DEFAULT_CSS = """
    ReportDrillScreen #drill-title {
        height: 1;
        padding: 0 1;
        color: $accent;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ReportDrillScreen #drill-about {
        width: 100%;
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ReportDrillScreen #drill-rows {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _key("enter", "open", "open_record", priority=True),
        _key("escape", "back", "back"),
    ]

    @dataclass
    class RowsLoaded(Message):
        """The records arrived from the database."""

        rows: list[DrillRow]

    def __init__(
        self, figure: Figure, start: date, end: date, scope: str, as_of: datetime | None = None
    ) -> None:
        super().__init__(t("tui.drill.title", figure=t(f"report.figure.{figure.key}")))
        self.figure = figure
        self.start, self.end = start, end
        self.scope = scope
        self.as_of = as_of
        """The instant the figure stands at: its records are read as they stood then."""
        self.rows: list[DrillRow] = []

    def compose_body(self) -> ComposeResult:
        yield Label(self._summary(), id="drill-title", markup=False)
        if about := figure_about(self.figure.key):  # what the figure counts, when written
            yield Label(about, id="drill-about", markup=False)
        table = DataTable[Text](id="drill-rows", cursor_type="row", zebra_stripes=True)
        table.add_column(t("report.col.owner"), key="owner", width=6)
        table.add_column(t("report.col.ref"), key="ref", width=16)
        table.add_column(t("report.col.name"), key="name", width=14)
        table.add_column(t("report.col.day"), key="day", width=10)
        table.add_column(t("tui.drill.col.counts"), key="counts", width=COUNTS_WIDTH)
        table.add_column(t("report.col.detail"), key="detail")
        yield table

    def _summary(self) -> str:
        f = self.figure
        if f.unit in SUM_UNITS:  # a sum: its value, of how many records
            return t(
                "tui.drill.summary_total",
                scope=self.scope,
                value=figure_value(f.value, f.unit),
                n=f"{f.denominator:,.0f}",
            )
        return t(
            "tui.drill.summary",
            scope=self.scope,
            value=figure_value(f.value, f.unit),
            numerator=f"{f.numerator:,.2f}".rstrip("0").rstrip("."),
            denominator=f"{f.denominator:,.0f}",
        )

    def on_mount(self) -> None:
        self.query_one("#drill-rows", DataTable).focus()
        self.load_rows()

    @work(thread=True, exclusive=True, exit_on_error=False, group="drill")
    def load_rows(self) -> None:
        """Read the records in a thread."""
        rows = self.workbench.reports.drill(
            self.figure.key, self.start, self.end, limit=DRILL_LIMIT, as_of=self.as_of
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    @on(RowsLoaded)
    def show_rows(self, message: RowsLoaded) -> None:
        """Fill the table; say when only the first records are listed."""
        self.rows = message.rows
        table = self.query_one("#drill-rows", DataTable)
        table.clear()
        for i, row in enumerate(self.rows):
            table.add_row(
                Text(_cut(row.owner_name, 6)),
                Text(_cut(self._record(row), 16)),
                Text(_cut(row.name, 14)),
                Text(row.day),
                self._counts(row),
                Text(row.detail),
                key=str(i),
            )
        if len(self.rows) >= DRILL_LIMIT:
            self.notify(t("tui.drill.first_only", n=DRILL_LIMIT), markup=False)

    def _record(self, row: DrillRow) -> str:
        if self.figure.key in OPPORTUNITY_FIGURES:
            return f"{row.ref} {row.group}".strip()
        return f"{row.group} {row.ref}".strip()

    def _counts(self, row: DrillRow) -> Text:
        if self.figure.unit == "yuan":
            return Text(figure_value(row.numerator, "yuan"), justify="right")
        if self.figure.unit == "days":
            return Text(f"{row.numerator:.1f}", justify="right")
        if self.figure.unit != "ratio":
            return Text(f"{row.numerator:g}", justify="right")
        if row.numerator:
            return Text("✓", style="green", justify="center")
        return Text("✗", style="red", justify="center")

    def action_open(self) -> None:
        """Open the customer of the highlighted record (for figures about customers)."""
        table = self.query_one("#drill-rows", DataTable)
        if self.figure.key not in CUSTOMER_FIGURES or not 0 <= table.cursor_row < len(self.rows):
            return
        ref = self.rows[table.cursor_row].ref
        if not ref.startswith("#"):
            self.open_customer(ref)

    def action_back(self) -> None:
        """Back to the Dashboard."""
        self.dismiss(None)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is a notification, never a traceback."""
        report_worker_error(self, event)


_goal_key = screen_keys("goal_drill", "dashboard.")
GOAL_RECORD_COLUMNS = (
    ("measure", 10),
    ("day", 10),
    ("customer_no", 10),
    ("customer", 10),
    ("what", 14),
    ("amount", 8),
)
"""The records' columns and their cells: 74 with the padding, within 80."""


class GoalDrillScreen(OpensCustomer):
    """A manager's line of the morning leaderboard: their measures, and the records behind
    the month's results (the customers opened, products, opportunities won, referrals
    converted, visits held)."""

    KEY_WORKERS = OpensCustomer.KEY_WORKERS | {"drill"}
    """Keys act on the records as read."""

    DEFAULT_CSS = """
    GoalDrillScreen #goal-drill-title {
        height: 1;
        padding: 0 1;
        color: $accent;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    GoalDrillScreen #goal-drill-measures {
        height: auto;
        max-height: 8;
    }
    GoalDrillScreen #goal-drill-rows {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _goal_key("enter", "open", "open_record", priority=True),
        _goal_key("escape", "back", "back"),
    ]

    @dataclass
    class RowsLoaded(Message):
        """The records arrived from the database."""

        rows: list[GoalRecord]

    def __init__(self, line: LeaderLine, board: Leaderboard) -> None:
        super().__init__(t("tui.goal_drill.title", name=line.name))
        self.line = line
        self.board = board
        self.rows: list[GoalRecord] = []

    def compose_body(self) -> ComposeResult:
        board = self.board
        yield Label(
            t(
                "tui.goal_drill.summary",
                name=self.line.name,
                first=board.first,
                through=board.through,
            ),
            id="goal-drill-title",
            markup=False,
        )
        measures = DataTable[Text](id="goal-drill-measures", cursor_type="none")
        for key, width in (
            ("measure", 16),
            ("goal", 9),
            ("month", 9),
            ("share", 8),
            ("yesterday", 9),
        ):
            measures.add_column(t(f"leaderboard.col.{key}"), key=key, width=width)
        for m in self.line.measures:
            if m.goal or m.month:  # a measure without a goal or a result says nothing
                measures.add_row(
                    Text(measure_label(m.measure)),
                    Text(amount_text(m.measure, m.goal) if m.goal else "—", justify="right"),
                    Text(amount_text(m.measure, m.month), justify="right"),
                    Text(share_text(m.share), justify="right"),
                    Text(amount_text(m.measure, m.yesterday), justify="right"),
                )
        yield measures
        rows = DataTable[Text](id="goal-drill-rows", cursor_type="row", zebra_stripes=True)
        for key, width in GOAL_RECORD_COLUMNS:
            rows.add_column(t(f"leaderboard.col.{key}"), key=key, width=width)
        yield rows

    def on_mount(self) -> None:
        self.query_one("#goal-drill-rows", DataTable).focus()
        self.load_rows()

    @work(thread=True, exclusive=True, exit_on_error=False, group="drill")
    def load_rows(self) -> None:
        """Read the records in a thread (a colleague outside one's scope: a refusal)."""
        rows = self.workbench.goals.leaderboard_drill(None, self.line.key, self.board.day)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))

    @on(RowsLoaded)
    def show_rows(self, message: RowsLoaded) -> None:
        """One row per record, by measure and day."""
        self.rows = message.rows
        table = self.query_one("#goal-drill-rows", DataTable)
        table.clear()
        for i, r in enumerate(self.rows):
            table.add_row(
                Text(_cut(measure_label(r.measure), 10)),
                Text(r.day.isoformat() if r.day else ""),
                Text(r.customer_no),
                Text(_cut(r.name, 10)),
                Text(_cut(r.what, 14)),
                Text(amount_text(r.measure, r.amount), justify="right"),
                key=str(i),
            )

    def action_open(self) -> None:
        """Open the customer of the highlighted record."""
        table = self.query_one("#goal-drill-rows", DataTable)
        if 0 <= table.cursor_row < len(self.rows) and self.rows[table.cursor_row].customer_no:
            self.open_customer(self.rows[table.cursor_row].customer_no)

    def action_back(self) -> None:
        """Back to the leaderboard."""
        self.dismiss(None)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal (another's records) is a notification; the measures stay."""
        report_worker_error(self, event)
