"""The complaint list: one row a ticket, the nearest deadline first (the service sorts them).

Ticket, customer, status, the clock that runs next, when it is due (branch time, ``MM-DD
HH:MM``), the time left on it (``3h20m``; ``-1h05m`` once past, in red; "paused" while the
ticket waits for the customer; ``*`` marks a clock that counts business time), a ``!`` for a
ticket that has missed a deadline (it stays once set), and in the team view the owner.

A :class:`~textual.widgets.DataTable`: a manager holds a handful of open tickets, a branch a
few hundred at most. Text is cut by terminal cells, so CJK names keep the columns in line at
80 columns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from cmworkbench import clock
from cmworkbench.i18n import t
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintRow

COLUMNS = ("ticket", "customer", "status", "clock", "due", "left", "breached", "owner")
"""Left to right (the owner only in the team view); headings are ``tui.ticket.col.<name>``."""

WIDTHS = {
    "ticket": 13,
    "status": 9,
    "clock": 5,
    "due": 11,
    "left": 8,
    "breached": 1,
    "owner": 6,
}
"""Cells per column; the customer takes what is left."""

CUSTOMER_MIN = 8
"""The customer column never gets narrower than this (four CJK characters)."""

CUSTOMER_ROOM = 12
"""Below this many cells for the customer, the clock column makes room for it."""

WARN_LEFT = timedelta(hours=2)
"""Less time left than this shows in the warning colour."""

BUSINESS_MARK = "*"
"""After the time left: the clock counts business time (working hours of the branch calendar)."""

BREACHED_MARK = "!"
"""The ticket has missed a deadline."""


def left_text(left: timedelta, *, business: bool = False) -> str:
    """``3h20m``, ``45m``, ``2d03h``; negative once past: ``-1h05m``. Business time is in
    hours only (``30h00m``): a business "day" is a working day's hours, not 24."""
    sign = "-" if left < timedelta() else ""
    minutes = int(abs(left).total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if business:
        days, hours = 0, hours + 24 * days
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m"


def left_cell(row: ComplaintRow) -> Text:
    """The time-left cell of ``row``: coloured by urgency, "paused", business time marked."""
    if row.paused:
        return Text(t("tui.ticket.paused"), style="italic")
    if row.left is None:
        return Text("")
    text = left_text(row.left, business=row.business) + (BUSINESS_MARK if row.business else "")
    if row.left < timedelta():
        return Text(text, style="bold red")
    return Text(text, style="yellow" if row.left < WARN_LEFT else "")


def short_status(status: str) -> str:
    """The status as the list shows it (a short form of ``enum.complaint_status``)."""
    return t(f"tui.ticket.status.{status}")


class ComplaintTable(DataTable[Text]):
    """The tickets of the actor, or of the team with the owner of each."""

    DEFAULT_CSS = """
    ComplaintTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[ComplaintRow] = []
        """The tickets in the table, in order."""
        self.team = False
        """Whether the owner column is shown."""

    def on_mount(self) -> None:
        self._columns_for(team=False)

    @property
    def columns_shown(self) -> list[str]:
        """The columns for the view and the width: the owner in the team view; the clock's
        name only where the customer's name keeps room (the detail pane names it too)."""
        names = [name for name in COLUMNS if name != "owner" or self.team]
        if self._customer_width(names) < CUSTOMER_ROOM:
            names.remove("clock")
        return names

    def _columns_for(self, *, team: bool) -> None:
        self.clear(columns=True)
        self.team = team
        names = self.columns_shown
        for name in names:
            width = self._customer_width(names) if name == "customer" else self._width(name)
            self.add_column(t(f"tui.ticket.col.{name}"), key=name, width=width)

    def _width(self, name: str) -> int:
        if name == "ticket":
            # numbers imported from an older system may be longer than ``T`` + date + 4 digits
            return max((len(row.ticket_no) for row in self.rows_shown), default=WIDTHS[name])
        return WIDTHS[name]

    def _customer_width(self, names: list[str]) -> int:
        fixed = sum(self._width(name) for name in names if name != "customer")
        # each column is padded by one cell on either side; 2 more for the scrollbar
        rest = self.size.width - fixed - 2 * len(names) - 2
        return max(rest, CUSTOMER_MIN)

    @property
    def current(self) -> ComplaintRow | None:
        """The ticket under the cursor, if any."""
        if not self.rows_shown:
            return None
        return self.rows_shown[min(self.cursor_row, len(self.rows_shown) - 1)]

    def show(self, rows: list[ComplaintRow], *, team: bool, keep: str | None = None) -> None:
        """Replace the rows; the cursor goes to ticket ``keep`` if listed, else keeps its index."""
        index = self.cursor_row
        tickets = [row.ticket_no for row in rows]
        if keep in tickets:
            index = tickets.index(keep)
        self.rows_shown = rows
        self._columns_for(team=team)  # the customer column follows the width
        names = self.columns_shown
        width = self._customer_width(names)
        for row in rows:
            cells = self._cells(row, width)
            self.add_row(*(cells[name] for name in names), key=row.ticket_no)
        if rows:
            self.move_cursor(row=min(max(index, 0), len(rows) - 1), animate=False)

    def on_resize(self) -> None:
        self.show(self.rows_shown, team=self.team)

    def _cells(self, row: ComplaintRow, customer_width: int) -> dict[str, Text]:
        due = row.due_at.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M") if row.due_at else ""
        clock_name = t(f"tui.ticket.clock.{row.clock}") if row.clock else ""
        return {
            "ticket": Text(row.ticket_no),
            "customer": Text(fit(row.customer_name, customer_width)),
            "status": Text(fit(short_status(row.status), WIDTHS["status"])),
            "clock": Text(fit(clock_name, WIDTHS["clock"])),
            "due": Text(due),
            "left": left_cell(row),
            "breached": Text(BREACHED_MARK, style="bold red") if row.breached else Text(""),
            "owner": Text(fit(row.owner_name, WIDTHS["owner"])),
        }
