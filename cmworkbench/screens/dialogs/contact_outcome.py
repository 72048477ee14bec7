"""The outcome of a call or visit, one key each: ``c`` then ``1`` logs "reached".

Below the outcomes, the customer's other open tasks the contact could also be for, none ticked
(DESIGN.md: a contact has a purpose; one call may honestly serve two). A letter ticks one
(``a``, ``b`` …), so ``c`` ``a`` ``1`` logs a reached call for the row *and* its first other
task. The list is read in a worker as the dialog opens; keys typed meanwhile wait for it
(:mod:`cmworkbench.app.keys`).

A contact that reached the customer for a retention task (the row's, or one ticked) must say
how the talk ended: choosing the outcome then offers the three results on the same keys
(``c`` ``1`` ``1``: reached, retained), and the service records it.
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

from cmworkbench.domain.enums import RETENTION_RESULTS
from cmworkbench.domain.task_rules import is_held
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
    retention: str | None = None
    """How a retention talk ended (``retained``, ``at_risk``, ``lost``), when it was one."""


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
        *,
        retention: bool = False,
        findings: bool = False,
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
        self.retention = retention
        """The contact is logged from a retention task."""
        self.findings = findings
        """The contact is logged from a post-loan check: a held visit needs its findings (the
        note), asked here before the service would refuse it."""
        self.pending: str | None = None
        """The outcome chosen while the retention result is asked (second step)."""

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
            note = "tui.outcome.findings" if self._needs_findings() else "tui.outcome.note"
            yield Input(placeholder=t(note), id="outcome-note", compact=True)
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
            if action == "tick":
                limit = 0 if self.pending is not None else len(self.others)
            else:
                limit = len(RETENTION_RESULTS if self.pending else self.outcomes)
            return isinstance(index, int) and index < limit
        return True

    def action_choose(self, index: int) -> None:
        """Log outcome number ``index + 1`` now (a retention talk: ask how it ended first)."""
        note = self.query_one("#outcome-note", Input).value.strip() or None
        also = tuple(task.task_id for task in self.others if task.task_id in self.ticked)
        if self.pending is not None:
            result = RETENTION_RESULTS[index]
            self.dismiss(ContactOutcome(self.pending, note, also, retention=result))
            return
        outcome = self.outcomes[index]
        if note is None and is_held(self.kind, outcome) and self._needs_findings():
            self.query_one(".hint", Label).update(t("credit.findings_required"))
            self.query_one("#outcome-note", Input).focus()
            return
        if is_held(self.kind, outcome) and self._for_retention():
            self._ask_result(outcome)
            return
        self.dismiss(ContactOutcome(outcome, note, also))

    def _needs_findings(self) -> bool:
        """A visit for a post-loan check (logged from it, or one ticked) needs its findings."""
        ticked = (task for task in self.others if task.task_id in self.ticked)
        post_loan = self.findings or any(task.kind == "post_loan" for task in ticked)
        return self.kind == "visit" and post_loan

    def _for_retention(self) -> bool:
        ticked = (task for task in self.others if task.task_id in self.ticked)
        return self.retention or any(task.kind == "retention" for task in ticked)

    def _ask_result(self, outcome: str) -> None:
        """The second step: the same number keys now choose how the retention talk ended."""
        self.pending = outcome
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(f"{n}  {label('retention_result', result)}", id=result)
            for n, result in enumerate(RETENTION_RESULTS, start=1)
        )
        options.highlighted = 0
        box = self.query_one(Vertical)
        box.border_title = t("tui.outcome.retention_title", outcome=label("outcome", outcome))
        hint = self.query_one(".hint", Label)
        hint.update(t("tui.outcome.hint", n=len(RETENTION_RESULTS)))

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
