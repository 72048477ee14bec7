"""Today (今日工作): the morning view a customer manager opens at 08:30."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center

from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.widgets.counts import CountsPanel


class TodayScreen(WorkbenchScreen):
    """Tasks due today and overdue, open complaints and the customers in scope, at a glance."""

    MODE = "today"

    def compose_body(self) -> ComposeResult:
        with Center(classes="body"):
            yield CountsPanel(
                ["tasks_due", "tasks_overdue", "complaints_open", "customers"], id="today-counts"
            )
