"""The Textual app: one mode per area of work, the global keys, and the app factory.

Modes: Today, Customers, Visits, Complaints, Dashboard, switched with F2–F6 or 1–5, and the
Pipeline with F10 or 6 (F9 submits the work log on its screen); number keys only when no input
field has the cursor, so typing a phone number never switches.
F1 lists the keys, F7 / Ctrl+N opens the inbox of notifications, F8 / Ctrl+L opens today's
work log, Ctrl+P searches every action, Ctrl+B / F12 blanks the screen, Ctrl+Q quits. New
notifications show as toasts within a few seconds (:mod:`cmworkbench.app.notices`).

A referrer (a teller or lobby staff member: no book, no customers) gets :class:`ReferrerApp`
instead: one screen, the referral form and their own referrals, and only the keys that work
there (help, privacy, palette, quit); a risk manager gets :class:`RiskApp`, the queue of
credit files to sign and the same keys; :func:`make_app` chooses by the actor's role.

Start-up is kept short: this module imports Textual and the screens only; the database is
first touched by the screens' workers after the first paint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from textual import work
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.screen import Screen

from cmworkbench.app.keys import OrderedKeys
from cmworkbench.app.notices import NoticeToasts
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.screens.commands import BindingCommands
from cmworkbench.screens.privacy import PrivacyScreen
from cmworkbench.screens.today import TodayScreen
from cmworkbench.widgets.bindings import translate_bindings
from cmworkbench.widgets.header import WorkbenchHeader

if TYPE_CHECKING:
    from cmworkbench.services.workbench import Workbench

MODE_KEYS = {
    "today": "f2,1",
    "customers": "f3,2",
    "visits": "f4,3",
    "complaints": "f5,4",
    "dashboard": "f6,5",
    "pipeline": "f10,6",
}
"""Mode → keys: a function key that works everywhere, and a number key for when no field
has the cursor (some SSH clients and terminal multiplexers swallow function keys)."""


def _mode_binding(mode: str, keys: str) -> Binding:
    return Binding(
        keys,
        f"switch_mode('{mode}')",
        f"tui.key.{mode}",
        tooltip=f"tui.key.{mode}.tip",
        id=f"mode.{mode}",
    )


def _pretty_key(part: str) -> str:
    if part.startswith("^"):
        return part.upper()
    return part if len(part) == 1 else part.capitalize()


def _later(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, imported when the mode is first opened."""

    def make() -> Screen[Any]:
        screen_class = getattr(importlib.import_module(f"cmworkbench.screens.{module}"), name)
        return cast("Screen[Any]", screen_class())

    return make


class Candidate(Protocol):
    """The session's part in the scheduler (:class:`cmworkbench.jobs.candidate.
    SessionCandidate`, made by ``cmw tui``): the app starts it after its first paint and stops
    it when it unmounts."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


PRIVACY_KEYS = "ctrl+b,f12"

HELP_BINDING = Binding("f1", "help", "tui.key.help", tooltip="tui.key.help.tip", id="help")
"""F1: the keys of the screen in front and of the app."""

SESSION_BINDINGS: list[Binding] = [
    Binding(
        PRIVACY_KEYS,
        "privacy",
        "tui.key.privacy",
        tooltip="tui.key.privacy.tip",
        priority=True,
        id="privacy",
    ),
    Binding(
        "ctrl+p",
        "command_palette",
        "tui.key.palette",
        tooltip="tui.key.palette.tip",
        show=False,
        priority=True,
        id="palette",
    ),
    Binding(
        "ctrl+q",
        "quit",
        "tui.key.quit",
        tooltip="tui.key.quit.tip",
        show=False,
        priority=True,
        id="quit",
    ),
    Binding("ctrl+c", "help_quit", show=False, system=True),
]
"""Keys of the session itself, whatever the role: privacy, the palette, quitting."""


class WorkbenchApp(NoticeToasts, OrderedKeys, inherit_bindings=False):
    """The workbench for one logged-in staff member (``workbench.actor``).

    Textual's own app keys are not inherited: they are declared below, translated and in the
    order the help screen lists them. Keys are handled in the order typed, each once the one
    before it has settled (:mod:`cmworkbench.app.keys`).
    """

    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "today": TodayScreen,
        "customers": _later("customers", "CustomersScreen"),
        "visits": _later("visits", "VisitsScreen"),
        "complaints": _later("complaints", "ComplaintsScreen"),
        "dashboard": _later("dashboard", "DashboardScreen"),
        "pipeline": _later("pipeline", "PipelineScreen"),
    }
    """One screen stack per area of work; each keeps its place while another is in front.
    Only Today is imported with the app: the others when first opened (together they cost
    about 0.1 s of the first paint)."""

    DEFAULT_MODE: ClassVar[str] = "today"
    """The morning starts on Today."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {BindingCommands}
    """The palette lists the bindings of the current screen and the app, all translated."""

    BINDINGS: ClassVar[list[BindingType]] = [
        HELP_BINDING,
        *(_mode_binding(mode, keys) for mode, keys in MODE_KEYS.items()),
        Binding(
            "f7,ctrl+n",
            "inbox",
            "tui.key.inbox",
            tooltip="tui.key.inbox.tip",
            id="inbox",
        ),
        Binding(
            "f8,ctrl+l",
            "worklog",
            "tui.key.worklog",
            tooltip="tui.key.worklog.tip",
            id="worklog",
        ),
        *SESSION_BINDINGS,
    ]
    """Keys that work on every screen; descriptions are catalog keys, see ``translate_bindings``."""

    AT_ONCE_KEYS = frozenset(PRIVACY_KEYS.split(","))
    """The privacy key blanks the screen at once, whatever keys are still waiting."""

    POLLS_NOTICES: ClassVar[bool] = True
    """New notifications show as toasts (the actor's inbox is polled)."""

    def __init__(self, workbench: Workbench, scheduler: Candidate | None = None) -> None:
        super().__init__()
        self.workbench = workbench
        """The services, settings and logged-in actor of this session."""
        self.scheduler = scheduler
        """The session's scheduler candidate (``scheduler.in_tui``), owned by the app."""
        translate_bindings(self)
        self.title = t("tui.app.title")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Switching to the mode already shown is shown dimmed (and does nothing)."""
        if action == "switch_mode" and parameters and parameters[0] == self.current_mode:
            return None
        return True

    def get_key_display(self, binding: Binding) -> str:
        """Keys as people write them: ``F2``, ``Tab``, ``Shift+Tab``, ``Esc``, ``^P``."""
        display = super().get_key_display(binding)
        if binding.key_display:
            return display
        return "+".join(_pretty_key(part) for part in display.split("+"))

    def action_help(self) -> None:
        """Show the keys of the current screen and of the app."""
        from cmworkbench.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def on_mount(self) -> None:
        if self.scheduler is not None:
            self.call_after_refresh(self.scheduler.start)  # after the first paint
        if self.POLLS_NOTICES:
            self.start_notice_poll()
        if self.workbench.actor.role == "admin":
            self.warn_of_the_calendar()

    def on_unmount(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()  # gives the lease up if this session held it

    @work(thread=True, exclusive=True, group="calendar")
    def warn_of_the_calendar(self) -> None:
        """The admin's banner: a year the branch calendar needs has no holidays yet."""
        missing = self.workbench.calendar_missing()
        if missing:
            years = t("input.choice_joiner").join(str(year) for year in missing)
            self.call_from_thread(
                self.notify, t("tui.calendar.banner", years=years), severity="warning", timeout=60
            )

    def action_inbox(self) -> None:
        """Open the inbox of notifications over the current screen."""
        from cmworkbench.screens.inbox import InboxScreen

        if not isinstance(self.screen, InboxScreen):
            self.push_screen(InboxScreen())

    def action_worklog(self) -> None:
        """Open today's work log (工作日志) over the current screen."""
        from cmworkbench.screens.worklog import WorkLogScreen

        if not isinstance(self.screen, WorkLogScreen):
            self.push_screen(WorkLogScreen())

    def action_privacy(self) -> None:
        """Blank the screen at once; pressed again (or any key) brings it back."""
        if isinstance(self.screen, PrivacyScreen):
            self.pop_screen()
            return
        self.clear_notifications()
        self.push_screen(PrivacyScreen())

    def action_command_palette(self) -> None:
        """Open the command palette, with its prompt in the current language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(placeholder=t("tui.palette.placeholder"), id="--command-palette")
            )

    def show_keys_waiting(self, count: int) -> None:
        """Show in the header of every screen in front how many keys wait (0 hides it)."""
        for screen in self.screen_stack:
            for header in screen.query(WorkbenchHeader):
                header.show_waiting(count)

    def action_help_quit(self) -> None:
        """Ctrl+C copies (it does not quit): say which key quits."""
        for active in self.active_bindings.values():
            if active.binding.action in ("quit", "app.quit"):
                shortcut = self.get_key_display(active.binding)
                self.notify(t("tui.quit_hint", shortcut=shortcut), markup=False)
                return


class ReferrerApp(WorkbenchApp, inherit_bindings=False):
    """A referrer's workbench (柜员、大堂经理): the referral form and their own referrals, and
    nothing else. They have no book and see no customer (their scope is empty), so none of
    the managers' modes, no work log and no inbox: the pipeline notifies the managers, never
    the referrer, so there is nothing to poll either. The session keys work as everywhere."""

    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "referrals": _later("referrals", "ReferralScreen"),
    }
    """The one screen (imported when it opens: the managers' app never loads it)."""

    DEFAULT_MODE: ClassVar[str] = "referrals"

    BINDINGS: ClassVar[list[BindingType]] = [HELP_BINDING, *SESSION_BINDINGS]
    """Help, privacy, palette, quit: no key of a screen a referrer cannot open."""

    POLLS_NOTICES: ClassVar[bool] = False

    NOT_HERE = frozenset({"switch_mode", "inbox", "worklog"})
    """The managers' app actions, refused here whatever asks for them."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The managers' modes, inbox and work log are not part of this app."""
        if action in self.NOT_HERE:
            return False
        return super().check_action(action, parameters)


class RiskApp(WorkbenchApp, inherit_bindings=False):
    """A risk manager's workbench (风险经理): the queue of credit files submitted to them and
    the files it opens, where they sign or return them. Like a referrer they have no book
    (they see only the files submitted to them), so none of the managers' modes, no work log
    and no inbox; the session keys work as everywhere."""

    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "credit_queue": _later("credit_lists", "CreditQueueScreen"),
    }
    """The one screen (imported when it opens: the managers' app never loads it)."""

    DEFAULT_MODE: ClassVar[str] = "credit_queue"

    BINDINGS: ClassVar[list[BindingType]] = [HELP_BINDING, *SESSION_BINDINGS]
    """Help, privacy, palette, quit: no key of a screen a risk manager cannot open."""

    POLLS_NOTICES: ClassVar[bool] = False
    """No inbox to read them in: the queue, read each time it is shown (or ``r``), is where
    a submitted file arrives."""

    NOT_HERE = ReferrerApp.NOT_HERE

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The managers' modes, inbox and work log are not part of this app."""
        if action in self.NOT_HERE:
            return False
        return super().check_action(action, parameters)


def make_app(workbench: Workbench, scheduler: Candidate | None = None) -> WorkbenchApp:
    """The workbench app for ``workbench.actor``; the CLI and the tests build it this way. A
    referrer gets :class:`ReferrerApp`, a risk manager :class:`RiskApp`, everyone else the
    managers' :class:`WorkbenchApp`.

    ``scheduler``: the session's scheduler candidate, which the app owns from its first paint
    to its end (``cmw tui`` passes one when ``scheduler.in_tui``).

    Set the language first (:func:`cmworkbench.i18n.set_language`): every text, key
    descriptions included, is looked up when the app and its screens are built.
    """
    if workbench.actor.role == Role.REFERRER:
        return ReferrerApp(workbench, scheduler)
    if workbench.actor.role == Role.RISK_MANAGER:
        return RiskApp(workbench, scheduler)
    return WorkbenchApp(workbench, scheduler)
