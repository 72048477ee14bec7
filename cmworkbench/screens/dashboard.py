"""Dashboard: coverage, SLA compliance, freshness and targets, for supervisors and branch heads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center

from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.widgets.counts import CountsPanel


class DashboardScreen(WorkbenchScreen):
    """Every count of the overview, for the actor's scope."""

    MODE = "dashboard"

    def compose_body(self) -> ComposeResult:
        with Center(classes="body"):
            yield CountsPanel(
                ["customers", "tasks_due", "tasks_overdue", "complaints_open", "visit_plans"],
                id="dashboard-counts",
            )
