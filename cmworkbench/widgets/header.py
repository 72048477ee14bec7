"""The top line of every screen: where you are, who is logged in, and which day it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from cmworkbench import clock
from cmworkbench.i18n import label, t

if TYPE_CHECKING:
    from cmworkbench.services.core.schemas import Actor

DATE_REFRESH_SECONDS = 60.0
"""How often the date is looked at again, so a session left open overnight shows the new day."""


class WorkbenchHeader(Horizontal):
    """The screen's title on the left; branch, staff member, role and today's date on the right.

    The date comes from :mod:`cmworkbench.clock`, so ``--now`` / ``CMW_NOW`` show on screen too.
    """

    DEFAULT_CSS = """
    WorkbenchHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    WorkbenchHeader > #header-title {
        width: 1fr;
        padding: 0 1;
        text-style: bold;
        color: $accent;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorkbenchHeader > #header-who {
        width: auto;
        padding: 0 1;
        text-wrap: nowrap;
    }
    WorkbenchHeader > #header-waiting {
        width: auto;
        padding: 0 1;
        background: $warning;
        color: $text;
        text-style: bold;
        display: none;
    }
    WorkbenchHeader > #header-waiting.-shown {
        display: block;
    }
    """

    def __init__(self, title: str, actor: Actor, branch_name: str) -> None:
        super().__init__()
        self._title = title
        self._actor = actor
        self._branch_name = branch_name

    def compose(self) -> ComposeResult:
        yield Label(self._title, id="header-title", markup=False)
        yield Label("", id="header-waiting", markup=False)
        yield Label(self.who_text(), id="header-who", markup=False)

    def on_mount(self) -> None:
        self.set_interval(DATE_REFRESH_SECONDS, self._refresh_who)

    def who_text(self) -> str:
        """``branch │ name (login) role │ date weekday`` in the current language."""
        actor = self._actor
        who = t(
            "tui.header.who", name=actor.name, login=actor.login, role=label("role", actor.role)
        )
        today = clock.today()
        day = f"{today.isoformat()} {t(f'tui.weekday.{today.weekday()}')}"
        return " │ ".join((self._branch_name, who, day))

    def show_waiting(self, count: int) -> None:
        """``⏳ 3 keys waiting`` while the screen is busy with what they act on; 0 hides it."""
        waiting = self.query_one("#header-waiting", Label)
        waiting.update(t("tui.keys_waiting", n=count) if count else "")
        waiting.set_class(count > 0, "-shown")

    def _refresh_who(self) -> None:
        self.query_one("#header-who", Label).update(self.who_text())
