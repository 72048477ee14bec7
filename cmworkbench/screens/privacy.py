"""The privacy screen: one key blanks the terminal at once, any key brings it back.

The screen must never stay on one customer's record when the next customer sits down.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from cmworkbench.i18n import t
from cmworkbench.screens.holding import HoldsKeys


class PrivacyScreen(HoldsKeys, ModalScreen[None]):
    """An opaque screen with nothing on it but how to come back."""

    KEYS_AT_ONCE = True
    """The key that brings the screen back goes to it at once; keys typed before the screen
    was blanked wait for the screen they were typed for."""

    DEFAULT_CSS = """
    PrivacyScreen {
        background: $background;
        align: center middle;
    }
    PrivacyScreen > Static {
        width: auto;
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(t("tui.privacy.hint"), markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.dismiss()
