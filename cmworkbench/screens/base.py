"""What every mode's screen shares: header, footer, and the overview counts loaded in a worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label
from textual.worker import Worker, WorkerState, get_current_worker

from cmworkbench.domain.text import printable
from cmworkbench.i18n import t
from cmworkbench.screens.holding import HoldsKeys, running
from cmworkbench.services.core.errors import ServiceError
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, translate_bindings
from cmworkbench.widgets.counts import CountsPanel
from cmworkbench.widgets.header import WorkbenchHeader

if TYPE_CHECKING:
    from cmworkbench.services.reports.schemas import Overview
    from cmworkbench.services.workbench import Workbench


class _HasWorkbench(Protocol):
    workbench: Workbench


def error_text(error: BaseException | None) -> str:
    """What to tell people about ``error``: a service's own message, or a generic one.

    Anything that is not a :class:`ServiceError` is a fault, not a refusal; its details are
    for the log, never for the screen.
    """
    if isinstance(error, ServiceError):
        return printable(str(error))  # it may quote what was typed or pasted
    return t("tui.error.load_failed")


def mark_fields(
    form: Widget, names: Sequence[str], fields: Mapping[str, str], shown: str = ""
) -> list[str]:
    """Mark the fields of ``form`` named in ``fields`` (``#label-NAME``, ``#field-NAME``: class
    ``-invalid``) and clear the others; the lines that say what is wrong with each, in the
    order of ``names`` (``Phone: not a valid phone number``), but for a problem ``shown``
    already says."""
    lines = []
    for name in names:
        wrong = name in fields
        for node in form.query(f"#label-{name}, #field-{name}"):
            node.set_class(wrong, "-invalid")
        if wrong and fields[name] and fields[name] not in shown:
            label = form.query_one(f"#label-{name}", Label)
            lines.append(f"{label.content}: {fields[name]}")
    return lines


def report_worker_error(node: Widget, event: Worker.StateChanged) -> BaseException | None:
    """Show a worker's failure as a notification on ``node`` (a service's refusal in its own
    words, a fault as a generic line, its details in the log); the error, or ``None`` when
    the worker did not fail."""
    if event.state is not WorkerState.ERROR:
        return None
    error = event.worker.error
    if not isinstance(error, ServiceError):
        node.log.error(f"{event.worker.name} failed: {error!r}")
    node.notify(error_text(error), title=t("tui.error.title"), severity="error", markup=False)
    return error


class BaseScreen(HoldsKeys, Screen[None]):
    """Every full screen of the workbench: its title in the header (who is logged in, the
    branch, the day), the body from :meth:`compose_body`, the footer with its keys, and the
    session's services as :attr:`workbench`."""

    def __init__(self, title: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.title = title

    @property
    def workbench(self) -> Workbench:
        """The services of this session (``app.workbench``)."""
        return cast(_HasWorkbench, self.app).workbench

    def compose(self) -> ComposeResult:
        workbench = self.workbench
        yield WorkbenchHeader(
            self.title or "", workbench.actor, workbench.settings.general.branch_name
        )
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        """The widgets between header and footer."""
        yield from ()


class WorkbenchScreen(BaseScreen):
    """The home screen of one mode: header, a body from :meth:`compose_body`, footer.

    Each time it is shown it loads the overview counts in a thread worker and fills every
    :class:`CountsPanel` in the body; a refusal from a service becomes an error notification.
    """

    DEFAULT_CSS = """
    WorkbenchScreen .body {
        height: auto;
        margin: 1 0;
    }
    """

    MODE: ClassVar[str] = ""
    """The app mode this screen is the home of; its title is ``tui.mode.<MODE>``."""

    BINDINGS: ClassVar[list[BindingType]] = [*FOCUS_BINDINGS]
    """Focus and copy keys; screens add their own actions."""

    @dataclass
    class OverviewLoaded(Message):
        """The overview counts arrived from the database."""

        overview: Overview

    def __init__(self) -> None:
        super().__init__(t(f"tui.mode.{self.MODE}"))

    OVERVIEW_ON_RESUME: ClassVar[bool] = True
    """Load the overview counts as the screen is shown. A screen whose own rows come first
    turns this off and loads them once its rows are shown (read side by side in two threads,
    the two share one interpreter and the rows arrive later)."""

    def on_screen_resume(self) -> None:
        # Textual may resume a screen twice as it is first shown; one load is enough.
        if self.OVERVIEW_ON_RESUME and not self._loading():
            self.load_overview()

    def _loading(self) -> bool:
        return running(self, ("load",))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load_overview(self) -> None:
        """Count in a thread; the result comes back as :class:`OverviewLoaded`."""
        overview = self.workbench.reports.overview()
        if not get_current_worker().is_cancelled:
            self.post_message(self.OverviewLoaded(overview))

    @on(OverviewLoaded)
    def show_overview(self, message: OverviewLoaded) -> None:
        """Fill every counts panel of this screen."""
        for panel in self.query(CountsPanel):
            panel.overview = message.overview

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A failed load is a notification, never a traceback."""
        report_worker_error(self, event)
