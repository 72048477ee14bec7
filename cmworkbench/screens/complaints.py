"""Complaints: the tickets the actor owns (首问负责: whoever receives one owns it to the end)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center

from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.widgets.counts import CountsPanel


class ComplaintsScreen(WorkbenchScreen):
    """The actor's open complaint tickets."""

    MODE = "complaints"

    def compose_body(self) -> ComposeResult:
        with Center(classes="body"):
            yield CountsPanel(["complaints_open"], id="complaints-counts")
