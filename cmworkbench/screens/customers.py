"""Customers: look a customer up while on the phone, and open the customer 360 view.

Search as you type: each keystroke starts a search in a thread worker (after a short pause
while keys keep coming), a newer keystroke cancels the older search, and results for a query
that is no longer in the box are dropped. The list holds only windows of rows
(:class:`CustomerHitList`); the number of matches comes from a capped ``COUNT``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label
from textual.worker import get_current_worker

from cmworkbench.i18n import t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.holding import is_typing, running
from cmworkbench.screens.opening import OpensCustomer
from cmworkbench.widgets.counts import CountsPanel
from cmworkbench.widgets.customer_hit_list import PAGE_SIZE, CustomerHitList

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import CustomerHit

DEBOUNCE_SECONDS = 0.06
"""While keys come faster than this, the search waits for the typing to pause; the first key
after a pause searches at once."""

COUNT_CAP = 10_000
"""Matches are counted up to this many (``Workbench.count``'s cap); more shows as 10,000+."""

CUSTOMER_NO = re.compile(r"^[A-Za-z]{1,4}\d{3,}$")
"""What a typed customer number looks like (``C00012345``): Enter opens it directly."""


class CustomersScreen(WorkbenchScreen, OpensCustomer):
    """The search box, the number of matches, and the matches in a virtual list."""

    DEFAULT_CSS = """
    CustomersScreen #customer-search {
        margin: 1 1 0 1;
    }
    CustomersScreen #search-status {
        margin: 0 2;
        color: $text-muted;
        height: 1;
    }
    CustomersScreen #customer-hits {
        margin: 0 1;
    }
    CustomersScreen.-searching .body {
        display: none;
    }
    CustomersScreen #customer-hits {
        display: none;
    }
    CustomersScreen.-searching #customer-hits {
        display: block;
    }
    """

    MODE = "customers"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        Binding(
            "slash", "focus_search", "tui.key.search", tooltip="tui.key.search.tip", id="search"
        ),
        Binding("escape", "leave_search", "tui.key.leave_search", show=False, id="search.leave"),
        Binding(
            "down,up",
            "into_results",
            "tui.key.into_results",
            tooltip="tui.key.into_results.tip",
            show=False,
            id="search.results",
        ),
    ]
    """``/`` goes to the search box (the same key on every list); ``Esc`` leaves it (and, out of
    it, clears the search); Up/Down move from the box into the results."""

    @dataclass
    class HitsFound(Message):
        """The first page of hits of ``query``."""

        query: str
        hits: list[CustomerHit]

    @dataclass
    class HitsCounted(Message):
        """How many customers match ``query`` (capped)."""

        query: str
        total: int

    @dataclass
    class RowsFetched(Message):
        """A further window of the hits of ``query``."""

        query: str
        offset: int
        hits: list[CustomerHit]

    def holds_key(self, key: events.Key | events.Paste) -> bool:
        """Typing never waits; a key that acts on the results (``Enter``, ``↓``) waits for the
        results of the text in the box, while they are still coming."""
        if super().holds_key(key) or is_typing(key):
            return bool(super().holds_key(key))
        pending = self._timer is not None or running(self, ("search",))
        return pending and self.hit_list.query_text != self.current_query()

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self._last_key = 0.0
        self._open_when_found = ""

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=t("tui.customers.search_placeholder"), id="customer-search")
        yield Label("", id="search-status", markup=False)
        yield CustomerHitList(id="customer-hits")
        with Center(classes="body"):
            yield CountsPanel(["customers"], id="customers-counts")

    @property
    def search_box(self) -> Input:
        """The search box."""
        return self.query_one("#customer-search", Input)

    @property
    def hit_list(self) -> CustomerHitList:
        """The list of matches."""
        return self.query_one("#customer-hits", CustomerHitList)

    def current_query(self) -> str:
        """What the search box holds now, as searched."""
        return self.search_box.value.strip()

    # -- keys -----------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search_box.focus()

    def action_leave_search(self) -> None:
        """Leave the search box (so number keys switch modes again); from the results, clear
        the search and go back to the box for the next customer."""
        if self.search_box.has_focus or not self.search_box.value:
            self.set_focus(None)
        else:
            self.search_box.value = ""
            self.search_box.focus()

    def action_into_results(self) -> None:
        """Move from the search box into the list of matches."""
        if self.hit_list.row_count:
            self.hit_list.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up/Down only mean "into the results" from the search box."""
        if action == "into_results":
            return self.search_box.has_focus
        return True

    @on(CustomerHitList.LeftAtTop)
    def back_to_search(self) -> None:
        """Up on the first match returns to the search box."""
        self.search_box.focus()

    # -- searching ------------------------------------------------------------------------

    @on(Input.Changed, "#customer-search")
    def query_changed(self, event: Input.Changed) -> None:
        """Search at once after a pause in typing, else once the typing pauses."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = event.value.strip()
        now = time.monotonic()
        quiet = now - self._last_key >= DEBOUNCE_SECONDS
        self._last_key = now
        if not query:
            self.workers.cancel_group(self, "search")
            self._show_results("", [])
            return
        if quiet:
            self.search(query)
        else:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self.search(query))

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search(self, query: str) -> None:
        """The first page of hits, then (if there are more) how many there are."""
        worker = get_current_worker()
        if worker.is_cancelled:
            return
        hits = self.workbench.customers.search(query, PAGE_SIZE, 0)
        if worker.is_cancelled:
            return
        self.post_message(self.HitsFound(query, hits))
        if len(hits) == PAGE_SIZE:
            total = self.workbench.customers.count(query, COUNT_CAP)
            if not worker.is_cancelled:
                self.post_message(self.HitsCounted(query, total))

    @on(HitsFound)
    def show_hits(self, message: HitsFound) -> None:
        """Show the hits if they are for what the box holds now (else a newer search runs)."""
        if message.query == self.current_query():
            self._show_results(message.query, message.hits)
            if message.query == self._open_when_found and message.hits:
                self.open_customer(message.hits[0].customer_no)
            self._open_when_found = ""

    def _show_results(self, query: str, hits: list[CustomerHit]) -> None:
        self.set_class(bool(query), "-searching")
        self.hit_list.show(query, hits)
        self._show_status()

    @on(HitsCounted)
    def show_count(self, message: HitsCounted) -> None:
        """The number of matches, if still for the query shown."""
        self.hit_list.set_total(message.query, message.total)
        self._show_status()

    def _show_status(self) -> None:
        hits = self.hit_list
        status = self.query_one("#search-status", Label)
        if not hits.query_text:
            status.update("")
        elif hits.total is None:
            status.update(t("tui.customers.counting", n=f"{hits.row_count:,}"))
        elif hits.total == 0:
            status.update(t("tui.customers.no_match", query=hits.query_text))
        elif hits.total >= COUNT_CAP:
            status.update(t("tui.customers.found", n=f"{COUNT_CAP:,}+"))
        else:
            status.update(t("tui.customers.found", n=f"{hits.total:,}"))

    @on(CustomerHitList.RowsWanted)
    def rows_wanted(self, message: CustomerHitList.RowsWanted) -> None:
        """The list scrolled to rows it does not hold yet."""
        self.fetch_rows(message.query, message.offset, message.limit)

    @work(thread=True, exit_on_error=False, group="rows")
    def fetch_rows(self, query: str, offset: int, limit: int) -> None:
        """One further window of hits."""
        hits = self.workbench.customers.search(query, limit, offset)
        self.post_message(self.RowsFetched(query, offset, hits))

    @on(RowsFetched)
    def show_rows(self, message: RowsFetched) -> None:
        """Hand a window to the list (it drops windows of an older query)."""
        self.hit_list.add_rows(message.query, message.offset, message.hits)
        self._show_status()

    # -- opening a customer ---------------------------------------------------------------

    @on(Input.Submitted, "#customer-search")
    def open_typed(self, event: Input.Submitted) -> None:
        """Enter in the box: a customer number opens directly, else the highlighted match (the
        best one, if Enter came before the results)."""
        query = event.value.strip()
        if CUSTOMER_NO.match(query):
            self.open_customer(query.upper())
            return
        if self.hit_list.query_text != query:
            self._open_when_found = query  # Enter before the results: open the best match
            return
        hit = self.hit_list.highlighted
        if hit is not None:
            self.open_customer(hit.customer_no)

    @on(CustomerHitList.Opened)
    def open_hit(self, message: CustomerHitList.Opened) -> None:
        """Enter on a match."""
        self.open_customer(message.hit.customer_no)
