"""New notifications as toasts, without a restart: the app asks the database every few seconds.

Jobs (the SLA sweep, reminders) write notifications from another process or thread; a running
TUI learns of them by polling. Each poll is one thread worker calling
``workbench.notifications.since(last_id)``: one index range scan of the actor's unread rows
newer than the last one seen (see :func:`cmworkbench.services.notifications.inbox.since`), nothing
at all to read on a quiet day. The first poll only records where to start, so a session
opened in the morning does not replay the night as a flood of toasts; it says once how many
are unread instead. Polls never overlap (a slow database skips a beat), and a failed one is
logged and forgotten: the next one tries again.

Marking read runs here too, on the app, so it completes even when the screen that asked
(the inbox) has already closed to show the notice's ticket or visit; the inbox asks by
message, and is told of changes by message (:mod:`cmworkbench.widgets.notices`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from cmworkbench.i18n import t
from cmworkbench.screens.privacy import PrivacyScreen
from cmworkbench.widgets.notices import MarkRead, NoticesChanged, kind_label
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.notifications.schemas import NotificationOut
    from cmworkbench.services.workbench import Workbench

POLL_SECONDS = 3.0
"""How often a running TUI looks for new notifications (read when the app starts)."""
CALENDAR_EVERY = 100
"""Every this many polls (5 minutes) a session reloads the years' holidays the admin entered
(``cmw calendar set``), so a session left open does not keep a stale calendar."""

TOASTS_AT_ONCE = 3
"""A poll that brings more shows the newest ones and a line saying how many more."""

TOAST_SECONDS = 10.0
"""How long a notification's toast stays up."""

TOAST_CELLS = 120
"""A toast's text is cut to this many terminal cells (the inbox shows it in full)."""

LOUD_KINDS = frozenset({"sla_breach", "sla_escalate", "complaint_rejected", "complaint_a_class"})
"""Kinds shown as warnings: a deadline missed, a supervisor pulled in."""


class NoticeToasts(App[None]):
    """The app's part in notifications: the poll, the toasts, marking read, the unread count."""

    workbench: Workbench
    """Set by the app (see :class:`cmworkbench.app.WorkbenchApp`)."""
    polls_done = 0
    """Polls run so far (every :data:`CALENDAR_EVERY`-th also reloads the calendar)."""

    @dataclass
    class Polled(Message):
        """One poll's answer."""

        after: int | None
        """The id the poll started from (``None``: the first poll)."""
        latest: int
        """The id the next poll starts from."""
        arrived: list[NotificationOut] = field(default_factory=list)
        """New unread notifications, oldest first."""
        unread: int | None = None
        """The actor's unread count, read when anything changed."""

    @dataclass
    class MarkedRead(Message):
        """Notifications were marked read; ``unread`` is what is left."""

        changed: int
        unread: int

    def __init__(self) -> None:
        super().__init__()
        self.last_notice_id: int | None = None
        """The newest notification seen; ``None`` until the first poll answered."""
        self.unread_notices: int | None = None
        """The actor's unread notifications, as last counted."""

    def start_notice_poll(self) -> None:
        """Poll every :data:`POLL_SECONDS`, the first time (which learns where to start)
        after one interval: at start-up the first paint and the first screen's data come
        first."""
        self.set_interval(POLL_SECONDS, self._poll_tick, name="notices")

    def _poll_tick(self) -> None:
        if any(w.group == "notices" and not w.is_finished for w in self.workers):
            return  # the last poll still waits for the database: never pile them up
        self.poll_notices(self.last_notice_id)

    @work(thread=True, exit_on_error=False, group="notices")
    def poll_notices(self, after: int | None) -> None:
        """Read what arrived since ``after`` in a thread; report by :class:`Polled`."""
        bench = self.workbench
        try:
            self.polls_done += 1
            if self.polls_done % CALENDAR_EVERY == 0:  # the years the admin entered since
                bench.calendar_missing()
            if after is None:
                self.post_message(
                    self.Polled(
                        None, bench.notifications.latest_id(), [], bench.notifications.unread()
                    )
                )
                return
            arrived = bench.notifications.since(after)
            if arrived:
                latest = max(notice.id for notice in arrived)
                self.post_message(self.Polled(after, latest, arrived, bench.notifications.unread()))
        except Exception as error:  # a locked or unreachable database must not end the session
            self.log.error(f"notification poll failed: {error!r}")

    @on(Polled)
    def notices_polled(self, message: Polled) -> None:
        """Remember where the next poll starts; show what is new."""
        if message.after != self.last_notice_id or not self.screen_stack:
            return  # an answer to an older question, or the app is closing
        self.last_notice_id = message.latest
        if message.unread is not None:
            self.unread_notices = message.unread
        if message.arrived:
            self.notices_changed()
        if isinstance(self.screen, PrivacyScreen):
            return  # nothing shows on a blanked screen; the inbox keeps them
        if message.after is not None:
            self.toast(message.arrived)
        elif message.unread:
            text = t("tui.notices.unread_at_start", n=message.unread, shortcut=self.inbox_key())
            self.notify(text, title=t("tui.notices.title"), markup=False)

    def toast(self, arrived: list[NotificationOut]) -> None:
        """One toast per new notification, newest last; a burst is cut short with a count."""
        shown = arrived if len(arrived) <= TOASTS_AT_ONCE else arrived[-(TOASTS_AT_ONCE - 1) :]
        for notice in shown:
            self.notify(
                toast_text(notice),
                title=kind_label(notice.kind),
                severity=toast_severity(notice),
                timeout=TOAST_SECONDS,
                markup=False,
            )
        if len(arrived) > len(shown):
            more = t("tui.notices.more", n=len(arrived) - len(shown), shortcut=self.inbox_key())
            self.notify(more, title=t("tui.notices.title"), timeout=TOAST_SECONDS, markup=False)

    def inbox_key(self) -> str:
        """The key that opens the inbox, as the footer shows it (``F7``)."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == "inbox":
                    return self.get_key_display(binding)
        return ""

    @work(thread=True, exit_on_error=False, group="notices-read")
    def mark_notices_read(self, ids: list[int] | None) -> None:
        """Mark the actor's notifications ``ids`` (``None``: all) read, in a thread."""
        bench = self.workbench
        try:
            changed = bench.notifications.mark_read(ids)
            self.post_message(self.MarkedRead(changed, bench.notifications.unread()))
        except Exception as error:
            self.log.error(f"marking notifications read failed: {error!r}")
            self.call_from_thread(
                self.notify,
                t("tui.notices.mark_failed"),
                title=t("tui.error.title"),
                severity="error",
                markup=False,
            )

    @on(MarkedRead)
    def notices_marked(self, message: MarkedRead) -> None:
        """Keep the count, and the inbox if it is shown, up to date."""
        self.unread_notices = message.unread
        self.notices_changed()

    def notices_changed(self) -> None:
        """Something arrived or was marked read: every screen is told (the inbox, if open,
        reads again)."""
        for screen in self.screen_stack:
            screen.post_message(NoticesChanged())

    @on(MarkRead)
    def mark_read_asked(self, message: MarkRead) -> None:
        """A screen (the inbox) asks for notifications to be marked read."""
        self.mark_notices_read(message.ids)


def toast_text(notice: NotificationOut) -> str:
    """The notification's title, and the first line of its body, cut to fit a toast."""
    text = notice.title
    if notice.body:
        text += "\n" + notice.body.strip().splitlines()[0]
    return "\n".join(fit(line, TOAST_CELLS) for line in text.splitlines())


def toast_severity(notice: NotificationOut) -> SeverityLevel:
    """Missed deadlines and escalations warn; everything else informs."""
    return "warning" if notice.kind in LOUD_KINDS else "information"
