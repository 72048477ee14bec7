"""The outcome of a call or visit, one key each: ``c`` then ``1`` logs "reached"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cmworkbench.i18n import label, t
from cmworkbench.services.tasks.schemas import OUTCOMES
from cmworkbench.widgets.bindings import translate_bindings


@dataclass(frozen=True)
class ContactOutcome:
    """What the manager chose: the outcome and an optional note."""

    outcome: str
    note: str | None


class ContactOutcomeDialog(ModalScreen[ContactOutcome | None]):
    """A list of outcomes with a number key each, and a note field.

    A number key logs that outcome at once (with whatever note was typed); ``Enter`` logs the
    highlighted one; ``Tab`` goes to the note; ``Esc`` cancels.
    """

    DEFAULT_CSS = """
    ContactOutcomeDialog {
        align: center middle;
    }
    ContactOutcomeDialog > Vertical {
        width: 56;
        max-width: 95%;
        height: auto;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
        padding: 0 1;
    }
    ContactOutcomeDialog OptionList {
        height: auto;
        margin-bottom: 1;
    }
    ContactOutcomeDialog .hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 5)),
        Binding("escape", "cancel", "tui.key.cancel", id="dialog.cancel"),
    ]
    """Number keys choose (and log) an outcome; ``Esc`` cancels."""

    def __init__(self, kind: str, customer_name: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.kind = kind
        """``call`` or ``visit``."""
        self.outcomes = OUTCOMES[kind]
        """The outcomes offered, in key order."""
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t(f"tui.outcome.title.{self.kind}", name=self.customer_name)
            yield OptionList(
                *(
                    Option(f"{n}  {label('outcome', outcome)}", id=outcome)
                    for n, outcome in enumerate(self.outcomes, start=1)
                ),
                id="outcomes",
                markup=False,
                compact=True,
            )
            yield Input(placeholder=t("tui.outcome.note"), id="outcome-note", compact=True)
            yield Label(t("tui.outcome.hint", n=len(self.outcomes)), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only as many number keys as there are outcomes."""
        if action == "choose" and parameters:
            index = parameters[0]
            return isinstance(index, int) and index < len(self.outcomes)
        return True

    def action_choose(self, index: int) -> None:
        """Log outcome number ``index + 1`` now."""
        note = self.query_one("#outcome-note", Input).value.strip() or None
        self.dismiss(ContactOutcome(self.outcomes[index], note))

    def action_cancel(self) -> None:
        """Close without logging anything."""
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on an outcome logs it."""
        self.action_choose(event.option_index)

    @on(Input.Submitted, "#outcome-note")
    def note_done(self) -> None:
        """Enter in the note logs the highlighted outcome."""
        self.action_choose(self.query_one(OptionList).highlighted or 0)
