"""The week's planned visits, one row a visit, day by day, warnings marked.

A :class:`~textual.widgets.DataTable` (a week holds a few dozen visits). Names and warnings
are cut by terminal cells, so CJK text keeps the columns in line at 80 columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from cmworkbench import clock
from cmworkbench.i18n import label, t
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.visits.schemas import VisitItemOut

COLUMNS = ("day", "time", "customer", "purpose", "status", "note")
"""Left to right; headings are ``tui.visits.col.<name>``."""

WIDTHS = {"day": 10, "time": 11, "customer": 14, "purpose": 10, "status": 6}
"""Cells per column; warnings (or the area) take what is left."""

WARNING_MARK = "⚠ "


class VisitTable(DataTable[Text]):
    """Day, time, customer, purpose, status, then the warnings (or the area and contact)."""

    DEFAULT_CSS = """
    VisitTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.items: list[VisitItemOut] = []
        """The visits in the table, in order."""

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(t(f"tui.visits.col.{name}"), key=name, width=WIDTHS.get(name))

    @property
    def current(self) -> VisitItemOut | None:
        """The visit under the cursor, if any."""
        if not self.items:
            return None
        return self.items[min(self.cursor_row, len(self.items) - 1)]

    def show(self, items: list[VisitItemOut], keep: int | None = None) -> None:
        """Replace the rows; the cursor goes to visit ``keep`` if shown, else keeps its index."""
        index = self.cursor_row
        ids = [item.id for item in items]
        if keep in ids:
            index = ids.index(keep)
        self.items = items
        self.clear()
        note_width = max(self.size.width - sum(WIDTHS.values()) - 2 * len(COLUMNS) - 2, 12)
        for item in items:
            self.add_row(*self._cells(item, note_width), key=str(item.id))
        if items:
            self.move_cursor(row=min(max(index, 0), len(items) - 1), animate=False)

    @staticmethod
    def _cells(item: VisitItemOut, note_width: int) -> list[Text]:
        tz = clock.branch_tz()
        start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
        day = t(f"tui.visits.weekday.{start.weekday()}") + start.strftime(" %m-%d")
        if item.warnings:
            note = Text(fit(WARNING_MARK + "；".join(item.warnings), note_width), style="bold red")
        else:
            parts = [p for p in (item.area, item.contact_name) if p]
            note = Text(fit(" · ".join(parts), note_width))
        return [
            Text(fit(day, WIDTHS["day"])),
            Text(f"{start:%H:%M}-{end:%H:%M}"),
            Text(fit(item.customer_name, WIDTHS["customer"])),
            Text(fit(label("visit_purpose", item.purpose), WIDTHS["purpose"])),
            Text(fit(label("visit_status", item.status), WIDTHS["status"])),
            note,
        ]
