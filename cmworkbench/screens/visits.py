"""Visits: the weekly visit plans (客户拜访计划表) and the visits recorded against them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center

from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.widgets.counts import CountsPanel


class VisitsScreen(WorkbenchScreen):
    """The actor's visit plans."""

    MODE = "visits"

    def compose_body(self) -> ComposeResult:
        with Center(classes="body"):
            yield CountsPanel(["visit_plans"], id="visits-counts")
