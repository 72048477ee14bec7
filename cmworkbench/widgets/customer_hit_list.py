"""The search results: a virtual list that holds only the windows of rows it was shown.

The list never loads every match. It knows the query, the number of matches (once counted)
and a few pages of rows; a line is rendered on demand (``ScrollView`` + ``render_line``), and a
page that is not loaded yet is asked for with :class:`CustomerHitList.RowsWanted` (the screen
fetches it in a worker and hands it back with :meth:`CustomerHitList.add_rows`). Pages near the
cursor are asked for before the cursor gets there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cmworkbench.i18n import label, t
from cmworkbench.widgets.bindings import translate_bindings

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import CustomerHit

PAGE_SIZE = 100
"""Rows fetched at a time: a few screens' worth, so paging down rarely waits."""

PREFETCH_ROWS = 30
"""Ask for the next page when the cursor comes this close to the end of the loaded rows."""

MATCH_KINDS = ("name", "pinyin", "initials", "contact", "phone", "id", "customer_no")
"""What a hit can have matched on (``CustomerHit.matched``)."""

COLUMNS = ("customer_no", "name", "cls", "owner", "phone", "matched")
"""The columns, left to right; headings are ``tui.customers.col.<name>``."""

GUTTER = 2
"""Blank cells between two columns."""


class CustomerHitList(ScrollView, can_focus=True):
    """Customer number, name, class, owner, masked phone and what matched, one row a hit.

    Row 0 of the widget is a fixed heading; the rows below scroll under it. CJK names are
    padded and cut by terminal cells, so the columns line up.
    """

    DEFAULT_CSS = """
    CustomerHitList {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
    }
    CustomerHitList > .customer-hit-list--heading {
        text-style: bold;
        color: $text-accent;
    }
    CustomerHitList > .customer-hit-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    CustomerHitList:focus > .customer-hit-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    CustomerHitList > .customer-hit-list--pending {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "customer-hit-list--heading",
        "customer-hit-list--cursor",
        "customer-hit-list--pending",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "tui.key.open", tooltip="tui.key.open.tip", id="hits.open"),
        Binding("up", "cursor(-1)", "tui.key.up", show=False),
        Binding("down", "cursor(1)", "tui.key.down", show=False),
        Binding("pageup", "page(-1)", "tui.key.page_up", show=False),
        Binding("pagedown", "page(1)", "tui.key.page_down", show=False),
        Binding("home", "first", "tui.key.first", show=False),
        Binding("end", "last", "tui.key.last", show=False),
    ]
    """``Enter`` opens the customer under the cursor; arrows and paging move the cursor."""

    cursor: reactive[int] = reactive(0, always_update=True)
    """The row under the cursor (0 = the best match)."""

    @dataclass
    class RowsWanted(Message):
        """Rows ``offset`` … ``offset + limit - 1`` of the hits of ``query`` are needed."""

        query: str
        offset: int
        limit: int

    @dataclass
    class Opened(Message):
        """Enter on a hit: open this customer."""

        hit: CustomerHit

    class LeftAtTop(Message):
        """Up on the first row: the cursor wants to go back to the search box."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.query_text = ""
        """The query whose hits are shown (empty: nothing shown)."""
        self.total: int | None = None
        """How many hits there are, once known (counted, or a short last page)."""
        self.painted_query = ""
        """The query whose hits were last painted: what the terminal shows now."""
        self._pages: dict[int, list[CustomerHit]] = {}
        self._wanted: set[int] = set()

    # -- what the screen calls ------------------------------------------------------------

    def show(self, query: str, first_rows: list[CustomerHit]) -> None:
        """Show the first page of hits of a new query (the total may follow)."""
        self.query_text = query
        self._pages = {0: first_rows}
        self._wanted = set()
        self.total = len(first_rows) if len(first_rows) < PAGE_SIZE else None
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self._resize()

    def set_total(self, query: str, total: int) -> None:
        """The number of hits of ``query`` (ignored if another query is shown by now)."""
        if query == self.query_text:
            self.total = total
            self._resize()

    def add_rows(self, query: str, offset: int, rows: list[CustomerHit]) -> None:
        """A page asked for with :class:`RowsWanted` arrived (dropped if the query changed)."""
        if query != self.query_text:
            return
        page = offset // PAGE_SIZE
        self._wanted.discard(page)
        self._pages[page] = rows
        if len(rows) < PAGE_SIZE:
            self.total = offset + len(rows)
        self._resize()

    def clear(self) -> None:
        """Show nothing."""
        self.show("", [])

    @property
    def row_count(self) -> int:
        """Rows the list has: the total once known, else the rows loaded so far."""
        if self.total is not None:
            return self.total
        return max(((page + 1) * PAGE_SIZE for page in self._pages), default=0)

    @property
    def highlighted(self) -> CustomerHit | None:
        """The hit under the cursor, if loaded."""
        return self._row(self.cursor)

    # -- rendering ------------------------------------------------------------------------

    def _row(self, index: int) -> CustomerHit | None:
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None or index % PAGE_SIZE >= len(rows):
            return None
        return rows[index % PAGE_SIZE]

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count + 1)
        self.cursor = min(self.cursor, max(self.row_count - 1, 0))
        self.refresh()

    def _widths(self, width: int) -> list[int]:
        fixed = {
            "customer_no": 10,
            "cls": 4,
            "owner": 8,
            "phone": 11,
            "matched": max(cell_len(t(f"tui.customers.matched.{k}")) for k in MATCH_KINDS),
        }
        widths = {
            name: max(size, cell_len(t(f"tui.customers.col.{name}")))
            for name, size in fixed.items()
        }
        rest = width - sum(widths.values()) - GUTTER * (len(COLUMNS) - 1) - 1
        widths["name"] = max(rest, 8)
        return [widths[name] for name in COLUMNS]

    def _line(self, cells: list[str], width: int) -> str:
        parts = [
            set_cell_size(text, size)
            for text, size in zip(cells, self._widths(width), strict=False)
        ]
        return set_cell_size(" " + (" " * GUTTER).join(parts), width)

    def _cells(self, hit: CustomerHit) -> list[str]:
        return [
            hit.customer_no,
            hit.name,
            hit.cls or label("tier", hit.tier),
            hit.owner_name or "",
            hit.phone,
            t(f"tui.customers.matched.{hit.matched}"),
        ]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            self.painted_query = self.query_text
            headings = [t(f"tui.customers.col.{name}") for name in COLUMNS]
            heading = base + self.get_component_rich_style("customer-hit-list--heading")
            return Strip([Segment(self._line(headings, width), heading)], width)
        index = round(self.scroll_offset.y) + y - 1
        if index >= self.row_count:
            return Strip.blank(width, base)
        hit = self._row(index)
        style: Style = base
        if hit is None:
            self._want(index // PAGE_SIZE)
            text = self._line(["…"], width)
            style += self.get_component_rich_style("customer-hit-list--pending")
        else:
            text = self._line(self._cells(hit), width)
        if index == self.cursor:
            style += self.get_component_rich_style("customer-hit-list--cursor")
        return Strip([Segment(text, style)], width)

    def _want(self, page: int) -> None:
        if page in self._pages or page in self._wanted or not self.query_text:
            return
        if self.total is not None and page * PAGE_SIZE >= self.total:
            return
        self._wanted.add(page)
        self.post_message(self.RowsWanted(self.query_text, page * PAGE_SIZE, PAGE_SIZE))

    # -- the cursor -----------------------------------------------------------------------

    def watch_cursor(self, cursor: int) -> None:
        body = max(self.size.height - 1, 1)
        top = round(self.scroll_offset.y)
        if cursor < top:
            self.scroll_to(y=cursor, animate=False, immediate=True)
        elif cursor >= top + body:
            self.scroll_to(y=cursor - body + 1, animate=False, immediate=True)
        if cursor + PREFETCH_ROWS >= self.row_count:
            self._want((cursor + PREFETCH_ROWS) // PAGE_SIZE)
        self.refresh()

    def _move_to(self, row: int) -> None:
        self.cursor = max(0, min(row, self.row_count - 1))

    def action_cursor(self, step: int) -> None:
        """Move the cursor one row; Up on the first row goes back to the search box."""
        if step < 0 and self.cursor == 0:
            self.post_message(self.LeftAtTop())
            return
        self._move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor one screen up or down."""
        self._move_to(self.cursor + direction * max(self.size.height - 2, 1))

    def action_first(self) -> None:
        """Go to the best match."""
        self._move_to(0)

    def action_last(self) -> None:
        """Go to the last match (its page is fetched on the way)."""
        self._move_to(self.row_count - 1)

    def action_open(self) -> None:
        """Open the customer under the cursor."""
        hit = self.highlighted
        if hit is not None:
            self.post_message(self.Opened(hit))

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on a row; a double click opens it."""
        if event.y < 1:
            return
        self._move_to(round(self.scroll_offset.y) + event.y - 1)
        if event.chain >= 2:
            self.action_open()

    def on_resize(self) -> None:
        self._resize()
