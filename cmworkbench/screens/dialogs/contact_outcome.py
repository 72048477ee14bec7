"""The outcome of a call or visit, one key each: ``c`` then ``1`` logs "reached".

Below the outcomes, the customer's other open tasks the contact could also be for, none ticked
(DESIGN.md: a contact has a purpose; one call may honestly serve two). A letter ticks one
(``a``, ``b`` …), so ``c`` ``a`` ``1`` logs a reached call for the row *and* its first other
task. The list is read in a worker as the dialog opens; keys typed meanwhile wait for it
(:mod:`cmworkbench.app.keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cmworkbench.i18n import label, t
from cmworkbench.screens.holding import HoldsKeys
from cmworkbench.services.tasks.schemas import OUTCOMES, OpenTask
from cmworkbench.widgets.bindings import translate_bindings
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.workbench import Workbench


class _HasWorkbench(Protocol):
    workbench: Workbench


TICK_KEYS = "abdefghi"
"""Letters that tick the other tasks, in order (no ``c``: it is the key that opened the
dialog, and a double press must not tick anything)."""


@dataclass(frozen=True)
class ContactOutcome:
    """What the manager chose: the outcome, an optional note, and the other tasks ticked."""

    outcome: str
    note: str | None
    also: tuple[int, ...] = ()


class ContactOutcomeDialog(HoldsKeys, ModalScreen[ContactOutcome | None]):
    """A list of outcomes with a number key each, a note field, and the other open tasks.

    A number key logs that outcome at once (with whatever note was typed and the tasks
    ticked); ``Enter`` logs the highlighted one; a letter ticks another task; ``Tab`` goes to
    the note; ``Esc`` cancels.
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
    ContactOutcomeDialog .others {
        margin-bottom: 1;
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 5)),
        *(Binding(key, f"tick({n})", show=False) for n, key in enumerate(TICK_KEYS)),
        Binding("escape", "cancel", "tui.key.cancel", id="dialog.cancel"),
    ]
    """Number keys choose (and log) an outcome; letters tick other tasks; ``Esc`` cancels."""

    KEY_WORKERS = frozenset({"others"})
    """A letter typed as the dialog opens ticks the task it names once the list is read."""

    @dataclass
    class OthersFound(Message):
        """The customer's other open tasks."""

        tasks: list[OpenTask]

    def __init__(
        self,
        kind: str,
        customer_name: str,
        customer_no: str | None = None,
        exclude_task: int | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.kind = kind
        """``call`` or ``visit``."""
        self.outcomes = OUTCOMES[kind]
        """The outcomes offered, in key order."""
        self.customer_name = customer_name
        self.customer_no = customer_no
        """Whose other open tasks to offer (``None``: none)."""
        self.exclude_task = exclude_task
        """The task the contact is logged from (not offered: it is served anyway)."""
        self.others: list[OpenTask] = []
        """The other open tasks offered, in letter order."""
        self.ticked: set[int] = set()
        """Ids of the tasks ticked."""

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
            yield Label("", id="outcome-others", classes="others", markup=False)
            yield Input(placeholder=t("tui.outcome.note"), id="outcome-note", compact=True)
            yield Label(t("tui.outcome.hint", n=len(self.outcomes)), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        if self.customer_no is not None:
            self.load_others(self.customer_no)

    @work(thread=True, exclusive=True, exit_on_error=False, group="others")
    def load_others(self, customer_no: str) -> None:
        """The customer's other open tasks this contact could also be for, in a thread."""
        workbench = cast(_HasWorkbench, self.app).workbench
        tasks = workbench.tasks.open_tasks(customer_no, self.kind, self.exclude_task)
        self.post_message(self.OthersFound(tasks[: len(TICK_KEYS)]))

    @on(OthersFound)
    def _others_found(self, message: OthersFound) -> None:
        self.others = message.tasks
        self._show_others()

    def _show_others(self) -> None:
        box = self.query_one("#outcome-others", Label)
        if not self.others:
            box.display = False
            return
        lines = [t("tui.outcome.also")]
        for key, task in zip(TICK_KEYS, self.others, strict=False):
            mark = "☑" if task.task_id in self.ticked else "☐"
            what = label("task_kind", task.kind)
            due = local_time(task.due_at)[5:10]
            lines.append(f"{key} {mark} {what} · {due}  {task.reason or ''}".rstrip())
        box.update("\n".join(lines))
        box.display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only as many number keys as there are outcomes, letters as other tasks."""
        if action in ("choose", "tick") and parameters:
            index = parameters[0]
            limit = len(self.outcomes) if action == "choose" else len(self.others)
            return isinstance(index, int) and index < limit
        return True

    def action_choose(self, index: int) -> None:
        """Log outcome number ``index + 1`` now."""
        note = self.query_one("#outcome-note", Input).value.strip() or None
        also = tuple(task.task_id for task in self.others if task.task_id in self.ticked)
        self.dismiss(ContactOutcome(self.outcomes[index], note, also))

    def action_tick(self, index: int) -> None:
        """Tick (or untick) other task number ``index``: the contact is for it too."""
        task_id = self.others[index].task_id
        self.ticked ^= {task_id}
        self._show_others()

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
