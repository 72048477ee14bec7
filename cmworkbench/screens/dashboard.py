"""Dashboard: coverage, SLA compliance, freshness and targets, for supervisors and branch heads."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center

from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.team import TeamScreen
from cmworkbench.widgets.counts import CountsPanel


class DashboardScreen(WorkbenchScreen):
    """Every count of the overview, for the actor's scope."""

    MODE = "dashboard"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        Binding("t", "team", "tui.key.team", tooltip="tui.key.team.tip", id="dashboard.team"),
    ]
    """``t`` opens the team board (supervisors and branch heads; others are told why not)."""

    def action_team(self) -> None:
        """Push the team board over the dashboard (Esc comes back)."""
        self.app.push_screen(TeamScreen())

    def compose_body(self) -> ComposeResult:
        with Center(classes="body"):
            yield CountsPanel(
                ["customers", "tasks_due", "tasks_overdue", "complaints_open", "visit_plans"],
                id="dashboard-counts",
            )
