"""The Today list: one row a task (or a planned visit, a complaint deadline), with the reason.

Fixed-time rows (a call-back at 14:30, a visit at 10:00) show their time today in the due
column, in bold; the rest show the day and time they fell due.

A :class:`~textual.widgets.DataTable` (a manager's day is at most a few hundred rows). Names
and reasons are cut by terminal cells, so CJK text never pushes a column out of line at 80
columns. :meth:`TaskTable.show` replaces the rows and keeps the cursor on the same index (the
next row slides under it when the row acted on has left the list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import DataTable

from cmworkbench import clock
from cmworkbench.i18n import label, t
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.tasks.schemas import TodayRow

COLUMNS = ("customer", "value", "kind", "due", "reason")
"""Left to right; headings are ``tui.today.col.<name>``."""

WIDTHS = {"customer": 14, "value": 3, "kind": 8, "due": 11}
"""Cells per column; the reason takes what is left."""


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) to at most ``width`` terminal cells."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)).rstrip() + "…"


def kind_label(kind: str) -> str:
    """A row kind's name: a lead's item (``ticket_close`` 待结案) or a task kind."""
    found = label("lead_kind", kind)
    return found if found != kind else label("task_kind", kind)


def row_key(row: TodayRow) -> str:
    """A row's key in the table: a task by its id, a visit or a complaint deadline by its
    reference (they are not tasks); a lead's row by its kind and record (one colleague may
    be on leave and owe a log)."""
    if row.item == "task":
        return str(row.task_id)
    return f"{row.item}:{row.kind}:{row.ref}" if row.section == "lead" else f"{row.item}:{row.ref}"


class TaskTable(DataTable[Text]):
    """Customer, class, kind (and "代 张伟" for a covered colleague), due, reason."""

    DEFAULT_CSS = """
    TaskTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[TodayRow] = []
        """The rows in the table, in order."""

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(t(f"tui.today.col.{name}"), key=name, width=WIDTHS.get(name))

    @property
    def current(self) -> TodayRow | None:
        """The row under the cursor, if any."""
        if not self.rows_shown:
            return None
        return self.rows_shown[min(self.cursor_row, len(self.rows_shown) - 1)]

    def show(self, rows: list[TodayRow]) -> None:
        """Replace the rows; the cursor keeps its index (or goes to the new last row)."""
        index = self.cursor_row
        self.rows_shown = rows
        self.clear()
        reason_width = max(self.size.width - sum(WIDTHS.values()) - 2 * len(COLUMNS) - 2, 16)
        for row in rows:
            self.add_row(*self._cells(row, reason_width), key=row_key(row))
        if rows:
            self.move_cursor(row=min(max(index, 0), len(rows) - 1), animate=False)

    @staticmethod
    def _cells(row: TodayRow, reason_width: int) -> list[Text]:
        kind = kind_label(row.kind)
        if row.covered_for:
            kind = t("tui.today.covered", kind=kind, name=row.covered_for)
        customer = row.customer_name or t("tui.today.no_customer")
        if row.at is not None and local_time(row.at)[:10] == str(clock.today()):
            due = Text(t("tui.today.at_time", time=local_time(row.at)[11:]), style="bold")
        elif row.at is not None:  # a fixed row from an earlier day: a broken promise
            due = Text(local_time(row.at)[5:], style="bold red")
        else:
            due = Text(local_time(row.due_at)[5:])
        return [
            Text(fit(customer, WIDTHS["customer"])),
            Text(row.customer_value or ""),
            Text(fit(kind, WIDTHS["kind"])),
            due,
            Text(fit(row.reason, reason_width)),
        ]
