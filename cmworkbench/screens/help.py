"""F1: the keys of the current screen and of the whole app, read from their bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label

from cmworkbench.i18n import t
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, KeyAction, key_map, translate_bindings


class HelpScreen(ModalScreen[None]):
    """A dialog listing every key with its description, built from the bindings themselves.

    It reads the bindings of the screen underneath (and the app's) when it opens, so it cannot
    drift from the keys that actually work there.
    """

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-dialog {
        width: 90%;
        max-width: 96;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .help-heading {
        text-style: bold;
        color: $accent;
        margin-top: 1;
    }
    HelpScreen .help-heading.-first {
        margin-top: 0;
    }
    HelpScreen .help-keys {
        grid-size: 3;
        grid-rows: auto;
        grid-gutter: 0 2;
        height: auto;
    }
    HelpScreen .help-key {
        text-style: bold;
    }
    HelpScreen .help-tooltip {
        width: 1fr;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        Binding("escape,f1", "dismiss", "tui.key.close", id="help.close"),
    ]
    """``Esc`` (or ``F1`` again) closes the help."""

    def __init__(self, covered: Screen[Any]) -> None:
        super().__init__()
        translate_bindings(self)
        actions = key_map(covered)
        self.sections: list[tuple[str, list[KeyAction]]] = [
            (
                t("tui.help.screen", title=covered.title or ""),
                [a for a in actions if a.node is not covered.app],
            ),
            (t("tui.help.global"), [a for a in actions if a.node is covered.app]),
        ]
        """(heading, actions) for the covered screen, then for the whole app."""

    def compose(self) -> ComposeResult:
        columns = self._grid_columns()
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = t("tui.help.title")
            for index, (heading, actions) in enumerate(self.sections):
                if not actions:
                    continue
                first = "-first" if index == 0 else ""
                yield Label(heading, classes=f"help-heading {first}", markup=False)
                with Grid(classes="help-keys") as grid:
                    grid.styles.grid_columns = columns
                    for action in actions:
                        yield from _row(action)
        yield Footer(compact=True)

    def _grid_columns(self) -> str:
        """The same key and description widths in both sections (CJK counts double)."""
        actions = [action for _heading, actions in self.sections for action in actions]
        keys = max((cell_len(a.keys_text) for a in actions), default=1)
        descriptions = max((cell_len(a.description) for a in actions), default=1)
        return f"{keys} {descriptions} 1fr"


def _row(action: KeyAction) -> ComposeResult:
    yield Label(action.keys_text, classes="help-key", markup=False)
    yield Label(action.description, classes="help-description", markup=False)
    yield Label(action.tooltip, classes="help-tooltip", markup=False)
