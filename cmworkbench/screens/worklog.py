"""The work-log editor (工作日志): today's log, pre-filled from the day's records.

Opened from anywhere with the app's work-log key. The text area starts with the saved log, or
with a draft listing the day's calls, visits, complaint steps and closed tasks. ``Ctrl+S``
saves (``Ctrl+O`` too: over SSH some terminals eat ``Ctrl+S`` for XON/XOFF flow control), ``F9``
(or ``Ctrl+T``) saves and submits to the supervisor. ``Esc`` leaves; with unsaved changes the
first ``Esc`` warns and the second leaves without saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Label, TextArea
from textual.worker import Worker, get_current_worker

from cmworkbench.i18n import t
from cmworkbench.screens.base import BaseScreen, report_worker_error
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.staff.schemas import WorkLogOut


_key = screen_keys("worklog")


class WorkLogScreen(BaseScreen):
    """The state line (draft / saved / submitted), the text, and the keys to save and submit."""

    KEY_WORKERS = frozenset({"worklog"})
    """Text typed while the day's log is read (or saved) is not overwritten by it."""

    DEFAULT_CSS = """
    WorkLogScreen #worklog-state {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkLogScreen #worklog-state.-submitted {
        color: $text-success;
    }
    WorkLogScreen #worklog-text {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _key("ctrl+s,ctrl+o", "save", "save_log", priority=True),
        _key("f9,ctrl+t", "submit", "submit_log", priority=True),
        _key("escape", "back", "back_out", priority=True),
    ]
    """Save, submit, back; priority so the text area never swallows them."""

    @dataclass
    class Loaded(Message):
        """The log (or the draft) from the database; ``note`` says what just happened."""

        log: WorkLogOut
        note: str = ""

    def __init__(self) -> None:
        super().__init__(t("tui.worklog.title"))
        self.worklog: WorkLogOut | None = None
        """The log as last read or saved."""
        self._baseline = ""
        self._warned = False

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="worklog-state", markup=False)
        yield TextArea(id="worklog-text", soft_wrap=True, tab_behavior="focus", disabled=True)

    @property
    def editor(self) -> TextArea:
        """The text of the log."""
        return self.query_one("#worklog-text", TextArea)

    @property
    def dirty(self) -> bool:
        """The text differs from what was last read or saved (an untouched draft loses
        nothing when left: it is made again from the records)."""
        return self.editor.text.strip() != self._baseline.strip()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="worklog")
    def load(self) -> None:
        """Read today's log (or draft) in a thread."""
        log = self.workbench.worklog.draft()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(log))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the log; after a save the text typed stays as it is."""
        log = message.log
        first = self.worklog is None
        self.worklog = log
        self._baseline = log.content
        self._warned = False
        if first:
            self.editor.load_text(log.content)
            self.editor.disabled = False
            self.editor.focus()
        self._show_state()
        if message.note:
            self.notify(message.note, markup=False)

    def _show_state(self) -> None:
        log = self.worklog
        if log is None:
            return
        day = log.day.isoformat()
        if log.submitted_at is not None:
            text = t("tui.worklog.submitted", day=day, at=local_time(log.submitted_at)[11:])
        elif log.saved:
            text = t("tui.worklog.saved", day=day)
        else:
            text = t("tui.worklog.draft", day=day)
        if log.saved and self.dirty:
            text += t("tui.worklog.unsaved")
        state = self.query_one("#worklog-state", Label)
        state.update(text)
        state.set_class(log.submitted_at is not None, "-submitted")

    @on(TextArea.Changed)
    def changed(self) -> None:
        """Typing marks the log as changed."""
        self._warned = False
        self._show_state()

    # -- saving ---------------------------------------------------------------------------

    def action_save(self) -> None:
        """Save the text in a worker."""
        if self.worklog is not None:
            self.save(self.worklog, self.editor.text, submit=False)

    def action_submit(self) -> None:
        """Save the text (if changed), then submit it, in one worker."""
        if self.worklog is not None:
            self.save(self.worklog, self.editor.text, submit=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="worklog")
    def save(self, log: WorkLogOut, text: str, *, submit: bool) -> None:
        """Save ``text`` over ``log`` (unless nothing changed), and submit if asked."""
        if not log.saved or text.strip() != log.content.strip():
            log = self.workbench.worklog.save(log.day, text, log.version)
        note = t("tui.worklog.saved_note")
        if submit:
            log = self.workbench.worklog.submit(log.day, log.version)
            note = t("tui.worklog.submitted_note")
        self.post_message(self.Loaded(log, note))

    def action_back(self) -> None:
        """Leave; with unsaved changes, warn first (a second Esc leaves without saving)."""
        if self.worklog is not None and self.dirty and not self._warned:
            self._warned = True
            self.notify(t("tui.worklog.leave_unsaved"), severity="warning", markup=False)
            return
        self.dismiss(None)

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal (too long, a conflict) is a notification; the text typed stays."""
        report_worker_error(self, event)
