"""What the form dialogs share: a grid of labelled fields, saving in a worker, errors in place.

A form dialog stays open until its service call succeeds. A refusal (bad input, a conflict,
out of scope) is shown in the dialog, the fields it names are marked, and everything typed
stays in the form, so nothing is lost and nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label
from textual.worker import Worker, WorkerState

from cmworkbench.i18n import t
from cmworkbench.screens.base import error_text, mark_fields
from cmworkbench.screens.holding import HoldsKeys
from cmworkbench.services.core.errors import ServiceError
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, translate_bindings

if TYPE_CHECKING:
    from cmworkbench.services.workbench import Workbench

ResultT = TypeVar("ResultT")


class _HasWorkbench(Protocol):
    workbench: Workbench


class FieldProblem(Exception):
    """Input the dialog itself can tell is wrong (a date that is no date): the message and
    the fields it concerns."""

    def __init__(self, message: str, fields: Mapping[str, str]) -> None:
        super().__init__(message)
        self.fields = dict(fields)


class FormDialog(HoldsKeys, ModalScreen[ResultT | None], Generic[ResultT]):
    """A titled box: the fields from :meth:`compose_fields`, an error line and a key hint.

    Subclasses build the request on the UI thread (:meth:`collect`, raising
    :class:`FieldProblem`) and call the service in a thread (:meth:`perform`); the dialog
    closes with what :meth:`perform` returned.
    """

    DEFAULT_CSS = """
    FormDialog {
        align: center middle;
    }
    FormDialog > #form-box {
        width: 76;
        max-width: 98%;
        height: auto;
        max-height: 98%;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
        padding: 0 1;
    }
    FormDialog .form-grid {
        grid-size: 2;
        grid-columns: auto 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
    }
    FormDialog .form-grid > Input, FormDialog .form-grid > Select {
        background: $boost;
    }
    FormDialog .form-label.-invalid {
        color: $text-error;
        text-style: bold;
    }
    FormDialog #form-error {
        color: $text-error;
        text-style: bold;
        height: auto;
    }
    FormDialog #form-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        Binding("ctrl+s", "save", "tui.key.save", tooltip="tui.key.save.tip", id="dialog.save"),
        Binding("escape", "cancel", "tui.key.cancel", id="dialog.cancel"),
    ]
    """``Ctrl+S`` (or ``Enter`` in a field) saves; ``Esc`` closes without saving."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    """Field names, in order; a field's widget has the id ``field-<name>``."""

    KEY_WORKERS = frozenset({"save"})
    """Keys typed while the form saves go to the form if it is refused (and stays open), or to
    the screen below once it closes."""

    @dataclass
    class Saved(Message):
        """The service accepted the input; ``result`` is what it returned."""

        result: object

    def __init__(self, title: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.box_title = title
        """The dialog's title, on its border."""

    @property
    def workbench(self) -> Workbench:
        """The services of this session."""
        return cast(_HasWorkbench, self.app).workbench

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box") as box:
            box.border_title = self.box_title
            with Grid(classes="form-grid"):
                yield from self.compose_fields()
            yield Label("", id="form-error", markup=False)
            yield Label(t("tui.form.hint"), id="form-hint", markup=False)

    def compose_fields(self) -> ComposeResult:
        """Pairs of ``field_label(name)`` and the field's widget (id ``field-<name>``)."""
        yield from ()

    @staticmethod
    def field_label(name: str, text: str) -> Label:
        """The label in front of field ``name``."""
        return Label(text, id=f"label-{name}", classes="form-label", markup=False)

    def field(self, name: str) -> Widget:
        """The widget of field ``name``."""
        return self.query_one(f"#field-{name}")

    def collect(self) -> object:
        """The request to send, read from the fields (raise :class:`FieldProblem`)."""
        raise NotImplementedError

    def perform(self, request: object) -> ResultT:
        """Call the service with ``request`` (runs in a thread)."""
        raise NotImplementedError

    # -- saving ---------------------------------------------------------------------------

    def action_save(self) -> None:
        """Check the fields, then save in a worker."""
        self.show_problem("", {})
        try:
            request = self.collect()
        except FieldProblem as problem:
            self.show_problem(str(problem), problem.fields)
            return
        self._save(request)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a one-line field saves."""
        self.action_save()

    def action_cancel(self) -> None:
        """Close without saving anything."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _save(self, request: object) -> None:
        self.post_message(self.Saved(self.perform(request)))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(cast(ResultT, message.result))

    @on(Worker.StateChanged)
    def _refused(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, ServiceError):
            self.refused(error)
        else:
            self.log.error(f"{event.worker.name} failed: {error!r}")
            self.show_problem(t("tui.error.save_failed"), {})

    def refused(self, error: ServiceError) -> None:
        """The service said no: show why, and mark the fields it names."""
        fields = getattr(error, "fields", None)
        self.show_problem(error_text(error), fields if isinstance(fields, Mapping) else {})

    def show_problem(self, message: str, fields: Mapping[str, str]) -> None:
        """Show ``message`` and mark ``fields`` (name → what is wrong); empty clears."""
        lines = [message] if message else []
        lines += mark_fields(self, self.FIELDS, fields, message)
        self.query_one("#form-error", Label).update("\n".join(lines))
