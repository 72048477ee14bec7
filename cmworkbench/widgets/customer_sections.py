"""The lower part of the customer 360 view: one tab each for contacts, holdings, the timeline,
open tasks, open complaints and the promises owed.

Each tab is a ``DataTable`` (it scrolls, and pads CJK text by terminal cells so columns line
up). :meth:`CustomerSections.show` refills the tables in place, keeping each table's cursor
and scroll position and the open tab, so reloading after an action does not lose the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, TabbedContent, TabPane

from cmworkbench import clock
from cmworkbench.i18n import label, t
from cmworkbench.widgets.display import days_until, local_date, local_time, money

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import (
        ComplaintLine,
        ContactOut,
        Customer360,
        HoldingOut,
        TaskLine,
        TimelineEntry,
    )
    from cmworkbench.services.promises.schemas import PromiseOut

SECTIONS: dict[str, tuple[str, ...]] = {
    "contacts": ("name", "role", "title", "phone", "birthday", "preferences"),
    "holdings": ("product", "kind", "amount", "opened", "matures", "days", "promised"),
    "timeline": ("at", "kind", "staff", "summary"),
    "tasks": ("due", "kind", "owner", "reason"),
    "complaints": ("ticket", "category", "severity", "status", "received", "owner"),
    "promises": ("due", "kind", "state", "owner", "what"),
}
"""Tab → its columns (free text last: it may run past the edge, the rest stays in view);
headings are ``tui.c360.col.<tab>.<column>``, tab titles ``tui.c360.tab.<tab>``."""


class CustomerSections(Vertical):
    """Tabs of tables about one customer; the tab titles carry the number of rows."""

    DEFAULT_CSS = """
    CustomerSections {
        height: 1fr;
    }
    CustomerSections TabbedContent {
        height: 1fr;
    }
    CustomerSections TabPane {
        padding: 0;
    }
    CustomerSections DataTable {
        height: 1fr;
    }
    """

    _shown = False

    def compose(self) -> ComposeResult:
        with TabbedContent(id="c360-tabs"):
            for section in SECTIONS:
                with TabPane(t(f"tui.c360.tab.{section}"), id=f"tab-{section}"):
                    yield DataTable(id=f"table-{section}", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for section, columns in SECTIONS.items():
            table = self.table(section)
            for column in columns:
                table.add_column(t(f"tui.c360.col.{section}.{column}"), key=column)

    def table(self, section: str) -> DataTable[Any]:
        """The table of one tab."""
        return self.query_one(f"#table-{section}", DataTable)

    def show(self, data: Customer360) -> None:
        """Fill every tab from ``data``, keeping cursors, scroll positions and the open tab.

        The first time, the first tab with rows is opened (an individual has no contacts).
        """
        warning = self.app.get_css_variables().get("text-warning", "yellow")
        rows: dict[str, list[list[Text]]] = {
            "contacts": [_contact(c) for c in data.contacts],
            "holdings": [_holding(h, warning, data.maturity_lead_days) for h in data.holdings],
            "timeline": [_timeline(e) for e in data.timeline],
            "tasks": [_task(task, warning) for task in data.open_tasks],
            "complaints": [_complaint(c) for c in data.open_complaints],
            "promises": [_promise(p, warning) for p in data.promises],
        }
        tabs = self.query_one(TabbedContent)
        for section, section_rows in rows.items():
            _refill(self.table(section), section_rows)
            title = t(f"tui.c360.tab.{section}")
            tabs.get_tab(f"tab-{section}").label = f"{title} {len(section_rows)}"
        if not self._shown:
            self._shown = True
            first = next((section for section, found in rows.items() if found), "contacts")
            tabs.active = f"tab-{first}"


def _refill(table: DataTable[Any], rows: Sequence[Sequence[Text]]) -> None:
    row, scroll_y = table.cursor_row, table.scroll_y
    table.clear()
    for cells in rows:
        table.add_row(*cells)
    if rows:
        table.move_cursor(row=min(row, len(rows) - 1), animate=False, scroll=False)
    table.scroll_to(y=scroll_y, animate=False, immediate=True)


def _cells(*values: str | Text | None) -> list[Text]:
    """Plain text cells: data is never read as markup."""
    return [v if isinstance(v, Text) else Text(v or "", end="") for v in values]


def _warn_if(condition: bool, text: str, warning: str) -> Text:
    return Text(text, style=f"bold {warning}" if condition else "", end="")


def _contact(c: ContactOut) -> list[Text]:
    star = "★ " if c.is_key_person else ""
    birthday = ""
    if c.birthday is not None:
        birthday = f"{c.birthday:%m-%d}"
    return _cells(
        star + c.name,
        label("contact_role", c.role),
        c.title,
        c.phone,
        birthday,
        c.preferences,
    )


def _holding(h: HoldingOut, warning: str, lead_days: int) -> list[Text]:
    """A holding; one maturing within the maturity call's window (config) in the warning
    colour."""
    soon = h.days_to_maturity is not None and 0 <= h.days_to_maturity <= lead_days
    return _cells(
        h.product,
        label("product_kind", h.product_kind),
        Text(money(h.amount_yuan), justify="right", end=""),
        local_date(h.opened_on),
        local_date(h.matures_on),
        _warn_if(soon, days_until(h.matures_on), warning),
        _warn_if(h.at_risk, _promised(h), warning),
    )


def _promised(h: HoldingOut) -> str:
    if h.promised_on is None:
        return ""
    day = local_date(h.promised_on)
    return t("tui.c360.at_risk", day=day) if h.at_risk else day


def _promise(p: PromiseOut, warning: str) -> list[Text]:
    """A promise owed; a broken one in the warning colour."""
    return _cells(
        _warn_if(p.state == "broken", local_time(p.promise_due), warning),
        label("promise_kind", p.kind),
        label("promise_state", p.state),
        p.owner_name,
        p.what,
    )


def _timeline(e: TimelineEntry) -> list[Text]:
    return _cells(local_time(e.at), label("interaction", e.kind), e.staff_name, e.summary)


def _task(task: TaskLine, warning: str) -> list[Text]:
    overdue = task.due_at < clock.now()
    return _cells(
        _warn_if(overdue, local_time(task.due_at), warning),
        label("task_kind", task.kind),
        task.owner_name,
        task.reason,
    )


def _complaint(c: ComplaintLine) -> list[Text]:
    return _cells(
        c.ticket_no,
        label("complaint_category", c.category),
        label("severity", c.severity),
        label("complaint_status", c.status),
        local_time(c.received_at),
        c.owner_name,
    )
