"""Choose a colleague of the team (to give a task to): a short list, Enter chooses, Esc cancels."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from cmworkbench.i18n import t
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, translate_bindings


class ChooseColleagueDialog(ModalScreen[str | None]):
    """A titled list of colleagues; dismisses with the chosen login, or ``None``."""

    DEFAULT_CSS = """
    ChooseColleagueDialog {
        align: center middle;
    }
    ChooseColleagueDialog > #choose-box {
        width: 48;
        max-width: 98%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
        padding: 0 1;
    }
    ChooseColleagueDialog OptionList {
        height: auto;
        max-height: 14;
    }
    ChooseColleagueDialog #choose-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        Binding("escape", "cancel", "tui.key.cancel", id="choose.cancel"),
    ]
    """``Enter`` chooses (the list's own key); ``Esc`` closes without choosing."""

    def __init__(self, title: str, colleagues: list[tuple[str, str]]) -> None:
        """``colleagues``: (login, text shown) pairs, in the order shown."""
        super().__init__()
        translate_bindings(self)
        self.box_title = title
        self.colleagues = colleagues

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box") as box:
            box.border_title = self.box_title
            yield OptionList(
                *(Option(text, id=login) for login, text in self.colleagues),
                id="choose-list",
                markup=False,
            )
            yield Label(t("tui.team.reassign_hint"), id="choose-hint", markup=False)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a colleague."""
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
