"""Small dialogs of the Today list: snooze a task (one key each), and a one-line prompt (the
note of a task done by hand, the time of an agreed call back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cmworkbench import clock
from cmworkbench.domain.when import parse_time
from cmworkbench.i18n import t
from cmworkbench.screens.dialogs.new_task import DEFAULT_TIME, parse_day
from cmworkbench.widgets.bindings import translate_bindings

T = TypeVar("T")

LATER_TODAY = timedelta(hours=2)
"""``s`` ``1``: the task comes back in two hours."""

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 60;
    max-width: 95%;
    height: auto;
    border: round $accent;
    border-title-color: $accent;
    background: $surface;
    padding: 0 1;
}}
{name} OptionList {{
    height: auto;
    margin-bottom: 1;
}}
{name} .hint {{
    color: $text-muted;
}}
{name} .error {{
    color: $text-error;
    text-style: bold;
}}
"""


@dataclass(frozen=True)
class SnoozeChoice:
    """Until when: an instant, or the opening of the N-th next working day."""

    until: datetime | None = None
    workdays: int | None = None


def parse_when(text: str) -> datetime | None:
    """``14:30`` (today), ``11-25`` / ``2026-11-25`` / ``+2`` (that day at 09:00), or a day
    and a time (``11-25 14:30``); aware, ``None`` when it is no time."""
    parts = text.split()
    if not 1 <= len(parts) <= 2:
        return None
    day: date | None
    at: time | None
    if len(parts) == 1 and parse_time(parts[0]) is not None:
        day, at = clock.today(), parse_time(parts[0])
    else:
        day = parse_day(parts[0])
        at = parse_time(parts[1] if len(parts) == 2 else DEFAULT_TIME)
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=clock.branch_tz())


class SnoozeDialog(ModalScreen[SnoozeChoice | None]):
    """``1`` later today (+2 h), ``2`` next working day, ``3`` in 2 working days, or a typed
    time or date; ``Esc`` cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SnoozeDialog")

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 4)),
        Binding("escape", "cancel", "tui.key.cancel", id="dialog.cancel"),
    ]

    CHOICES = ("later", "next_workday", "two_workdays")

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t("tui.snooze.title", name=self.customer_name)
            yield OptionList(
                *(
                    Option(f"{n}  {t(f'tui.snooze.{choice}')}", id=choice)
                    for n, choice in enumerate(self.CHOICES, start=1)
                ),
                markup=False,
                compact=True,
            )
            yield Input(placeholder=t("tui.snooze.typed"), id="snooze-when", compact=True)
            yield Label("", classes="error", id="snooze-error", markup=False)
            yield Label(t("tui.snooze.hint"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Number keys choose, except while typing a time."""
        if action == "choose":
            return not self.query_one(Input).has_focus
        return True

    def action_choose(self, index: int) -> None:
        """Snooze by choice ``index + 1``."""
        if index == 0:
            self.dismiss(SnoozeChoice(until=clock.now() + LATER_TODAY))
        else:
            self.dismiss(SnoozeChoice(workdays=index))

    def action_cancel(self) -> None:
        """Close without snoozing."""
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a choice."""
        self.action_choose(event.option_index)

    @on(Input.Submitted)
    def typed(self, event: Input.Submitted) -> None:
        """Enter on a typed time or date."""
        when = parse_when(event.value.strip())
        if when is None:
            self.query_one("#snooze-error", Label).update(t("tui.snooze.bad_time"))
        else:
            self.dismiss(SnoozeChoice(until=when))


class PromptDialog(ModalScreen[T | None], Generic[T]):
    """One line of input, read by ``parse`` (``None``: show ``error`` and stay open)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PromptDialog")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "tui.key.cancel", id="dialog.cancel"),
    ]

    def __init__(
        self, title: str, placeholder: str, parse: Callable[[str], T | None], error: str
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.box_title, self.placeholder = title, placeholder
        self.parse, self.error = parse, error

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.box_title
            yield Input(placeholder=self.placeholder, compact=True)
            yield Label("", classes="error", markup=False)
            yield Label(t("tui.prompt.hint"), classes="hint", markup=False)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Enter: accept what parses, else say what is wrong."""
        value = self.parse(event.value.strip())
        if value is None:
            self.query_one(".error", Label).update(self.error)
        else:
            self.dismiss(value)

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


def incoming_prompt(customer_name: str) -> PromptDialog[str]:
    """``i`` on Today or the 360 view: what the customer who called or wrote wants (a reply
    is owed today: a promise); the text is required."""
    return PromptDialog(
        t("tui.promise.incoming_title", name=customer_name),
        t("tui.promise.incoming_placeholder"),
        lambda text: text or None,  # the dialog strips what was typed
        t("tui.task.no_note"),
    )
