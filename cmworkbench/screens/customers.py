"""Customers: look a customer up while on the phone."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.widgets import Input

from cmworkbench.i18n import t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.widgets.counts import CountsPanel


class CustomersScreen(WorkbenchScreen):
    """The search box and the number of customers in the actor's scope."""

    DEFAULT_CSS = """
    CustomersScreen #customer-search {
        margin: 1 1 0 1;
    }
    """

    MODE = "customers"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        Binding(
            "slash", "focus_search", "tui.key.search", tooltip="tui.key.search.tip", id="search"
        ),
        Binding("escape", "leave_search", "tui.key.leave_search", show=False, id="search.leave"),
    ]
    """``/`` goes to the search box (the same key on every list); ``Esc`` leaves it."""

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=t("tui.customers.search_placeholder"), id="customer-search")
        with Center(classes="body"):
            yield CountsPanel(["customers"], id="customers-counts")

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#customer-search", Input).focus()

    def action_leave_search(self) -> None:
        """Leave the search box, so number keys switch modes again."""
        self.set_focus(None)
