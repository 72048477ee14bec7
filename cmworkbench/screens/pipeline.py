"""The pipeline (商机): the open opportunities step by step, and one key per move.

The steps of ``[pipeline] stages`` in order, each a heading with how many opportunities stand
there and their value, then its opportunities: the customer, the product, the value, the
proposal's state and return over cost, a mark when it is quiet (no step for ``stale_days``, or
its next step past due) or a negotiation feedback promise about it was broken, the owner (on a
team's pipeline), and the next step with its due. A supervisor's (or the branch head's) view
starts with the proposals waiting for their decision.

Keys on the opportunity under the cursor (the cursor skips the headings): ``Enter`` opens it
(its history and promises, the same keys there), ``m`` moves it to the next step, asking only
what that step needs (entering the proposal step: the cost and the expected return), ``p`` a
revised proposal, ``n`` the next step, ``w`` won, ``l`` lost; a supervisor's ``a`` approves the
waiting proposal and ``b`` returns it with a comment; ``r`` reads the pipeline again. After a
change the list is read again with the cursor on the same opportunity, and the line under it
says what happened. Every database call runs in a thread worker and reports back by message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.worker import get_current_worker

from cmworkbench.domain import pipeline as rules
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.opportunity import (
    DECIDERS,
    OPPORTUNITY_KEYS,
    WorksOpportunities,
    next_text,
    proposal_text,
    short_yuan,
)
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.pipeline.schemas import OpportunityOut, PipelineView

_key = screen_keys("pipeline", "pipeline_")

COLUMNS = ("name", "product", "value", "proposal", "mark", "owner", "next")
"""Left to right (the next step last: it may run past the edge); headings are
``tui.pipeline.col.<name>``. The owner is named on a team's pipeline, and on a manager's for
the colleague's opportunities they see as a B角."""

WIDTHS = {"name": 18, "product": 6, "proposal": 15, "owner": 6}
"""Cells a column's text is cut to (CJK counts double); the name column widens to the longest
step's name, up to :data:`NAME_MOST`."""

NAME_MOST = 24

PROPOSAL_STYLES = {"waiting": "bold yellow", "returned": "bold red", "approved": "green"}


class PipelineTable(DataTable[Text]):
    """The rows: step headings and opportunities; the cursor moves over opportunities only."""

    DEFAULT_CSS = """
    PipelineTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.lines: list[OpportunityOut | None] = []
        """What each row shows: an opportunity, or ``None`` for a heading."""
        self.keys: list[str] = []
        """Each row's key (``wait:12``, ``opp:12``, ``stage:solution``)."""

    @property
    def current(self) -> OpportunityOut | None:
        """The opportunity under the cursor (``None``: on a heading, or nothing shown)."""
        if not self.lines or not 0 <= self.cursor_row < len(self.lines):
            return None
        return self.lines[self.cursor_row]

    def _skip(self, step: int) -> None:
        row = self.cursor_row
        while 0 <= row + step < len(self.lines) and self.lines[row] is None:
            row += step
        if self.lines and self.lines[row] is not None:
            self.move_cursor(row=row, animate=False)

    def action_cursor_down(self) -> None:
        start = self.cursor_row
        super().action_cursor_down()
        self._skip(1)
        if self.current is None:  # only headings below: stay
            self.move_cursor(row=start, animate=False)

    def action_cursor_up(self) -> None:
        start = self.cursor_row
        super().action_cursor_up()
        self._skip(-1)
        if self.current is None:
            self.move_cursor(row=start, animate=False)

    def place(self, key: str | None, opportunity_id: int | None, index: int) -> None:
        """The cursor on the row ``key``, else on that opportunity's row, else near ``index``
        (on the first opportunity at or after it)."""
        if key in self.keys:
            row = self.keys.index(key)
        else:
            ids = [o.id if o is not None else None for o in self.lines]
            row = ids.index(opportunity_id) if opportunity_id in ids else index
        row = min(max(row, 0), max(len(self.lines) - 1, 0))
        self.move_cursor(row=row, animate=False)
        self._skip(1)
        if self.current is None:
            self._skip(-1)


class PipelineScreen(WorkbenchScreen, WorksOpportunities):
    """The status line, the steps with their opportunities, and the line saying what the last
    key did."""

    DEFAULT_CSS = """
    PipelineScreen #pipeline-status, PipelineScreen #pipeline-said {
        height: 1;
        margin: 0 1;
        color: $text-muted;
    }
    PipelineScreen #pipeline-said {
        color: $text-success;
    }
    PipelineScreen #pipeline-list {
        margin: 0 1;
    }
    """

    MODE = "pipeline"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _key("enter", "open", "open", priority=True),
        *OPPORTUNITY_KEYS,
        _key("r", "refresh", "refresh"),
    ]
    """``Enter`` opens (the same key on every list); the opportunity keys; ``r`` reads again."""

    KEY_WORKERS = frozenset({"pipeline", "action", "open"})
    """Keys typed while the pipeline is read (or a change is written) act on it as it is."""

    OVERVIEW_ON_RESUME = False
    """No counts panel here: the status line counts the pipeline itself."""

    @dataclass
    class Loaded(Message):
        """The pipeline read again; the cursor goes to ``keep`` (a row key or an opportunity)."""

        view: PipelineView
        keep: str | None
        keep_id: int | None

    def __init__(self) -> None:
        super().__init__()
        self.view: PipelineView | None = None
        self.waiting_ids: set[int] = set()
        """The opportunities whose proposal waits for the actor's decision."""
        self.name_width = WIDTHS["name"]
        """Cells of the name column: a step's name fits whole (headings are never cut)."""

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.loading"), id="pipeline-status", markup=False)
        yield PipelineTable(id="pipeline-list")
        hint = "tui.pipeline.hint_lead" if self.decides else "tui.pipeline.hint"
        yield Label(t(hint), id="pipeline-said", markup=False)

    @property
    def table(self) -> PipelineTable:
        return self.query_one(PipelineTable)

    @property
    def team_view(self) -> bool:
        """A lead's or the admin's view: every row names its owner (a manager's names only a
        colleague's, for the customers they back up)."""
        return str(self.workbench.actor.role) in (*DECIDERS, "admin")

    def on_mount(self) -> None:
        names = [rules.stage_label(self.pipeline, s) for s in rules.open_stages(self.pipeline)]
        longest = max(cell_len(n) for n in [*names, t("tui.pipeline.waiting")])
        self.name_width = min(max(WIDTHS["name"], longest), NAME_MOST)
        table = self.table
        for column in COLUMNS:
            table.add_column(t(f"tui.pipeline.col.{column}"), key=column)

    def on_screen_resume(self) -> None:
        # Textual may resume a screen twice as it is first shown; one load is enough.
        if not any(
            w.node is self and w.group == "pipeline" and not w.is_finished for w in self.workers
        ):
            self.load_pipeline()
        self.table.focus()

    # -- loading --------------------------------------------------------------------------

    def _keep(self) -> tuple[str | None, int | None]:
        table = self.table
        current = table.current
        key = table.keys[table.cursor_row] if current is not None else None
        return key, current.id if current is not None else None

    @work(thread=True, exclusive=True, exit_on_error=False, group="pipeline")
    def load_pipeline(self, keep: str | None = None, keep_id: int | None = None) -> None:
        """Read the pipeline in a thread."""
        view = self.workbench.opportunities.board()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(view, keep, keep_id))

    def action_refresh(self) -> None:
        """Read the pipeline again."""
        self.load_pipeline(*self._keep())

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the steps and their opportunities, the cursor where it was."""
        view = self.view = message.view
        self.waiting_ids = {o.id for o in view.waiting}
        table = self.table
        keep, keep_id = message.keep, message.keep_id
        if keep is None and keep_id is None and table.lines:
            keep, keep_id = self._keep()
        index = table.cursor_row
        table.clear()
        table.lines, table.keys = [], []
        if view.waiting:
            value = sum(o.value for o in view.waiting)
            self._heading("waiting", t("tui.pipeline.waiting"), len(view.waiting), value)
            for opp in view.waiting:
                self._row(f"wait:{opp.id}", opp)
        for group in view.stages:
            self._heading(f"stage:{group.stage}", group.label, group.count, group.value)
            for opp in group.rows:
                self._row(f"opp:{opp.id}", opp)
        table.place(keep, keep_id, index)
        status = t("tui.pipeline.status", n=view.count, value=short_yuan(view.value))
        if view.waiting:
            status += " · " + t("tui.pipeline.status_waiting", n=len(view.waiting))
        if not view.count:
            status += " · " + t("tui.pipeline.empty")
        self.query_one("#pipeline-status", Label).update(status)

    def _heading(self, key: str, name: str, count: int, value: int) -> None:
        cells = {
            "name": Text(fit(name, self.name_width), style="bold"),
            "product": Text(t("tui.pipeline.count", n=count), style="bold"),
            "value": Text(short_yuan(value) if count else "", style="bold", justify="right"),
        }
        self._add(key, None, cells)

    def _row(self, key: str, opp: OpportunityOut) -> None:
        marks = []
        if opp.quiet:
            marks.append(Text(t("tui.pipeline.mark.quiet"), style="yellow"))
        if opp.feedback_breached:
            marks.append(Text(t("tui.pipeline.mark.breached"), style="bold red"))
        due_style = "bold red" if opp.quiet and opp.next_due is not None else ""
        if not opp.next_step:
            due_style = "dim"
        cells = {
            "name": Text(" " + fit(opp.name, self.name_width - 1)),
            "product": Text(fit(label("product_kind", opp.product), WIDTHS["product"])),
            "value": Text(short_yuan(opp.value), justify="right"),
            "proposal": Text(
                fit(proposal_text(opp), WIDTHS["proposal"]),
                style=PROPOSAL_STYLES.get(opp.proposal or "", ""),
            ),
            "mark": Text(" ").join(marks),
            "owner": Text(fit(self._owner(opp), WIDTHS["owner"])),
            "next": Text(next_text(opp), style=due_style),
        }
        self._add(key, opp, cells)

    def _owner(self, opp: OpportunityOut) -> str:
        """The owner, on a team's view; on a manager's, only a colleague's (a customer they
        back up): their own need no name."""
        if self.team_view or opp.owner != self.workbench.actor.login:
            return opp.owner_name
        return ""

    def _add(self, key: str, opp: OpportunityOut | None, cells: dict[str, Text]) -> None:
        table = self.table
        table.add_row(*(cells.get(c, Text("")) for c in COLUMNS), key=key)
        table.lines.append(opp)
        table.keys.append(key)

    # -- keys -----------------------------------------------------------------------------

    def chosen_opportunity(self) -> OpportunityOut | None:
        return self.table.current

    def may_decide(self, opp: OpportunityOut) -> bool:
        return opp.id in self.waiting_ids

    def action_open(self) -> None:
        """Open the opportunity under the cursor: what it is, its history, its promises."""
        opp = self.table.current
        if opp is None:
            self.notify(t("tui.pipeline.no_row"), severity="warning", markup=False)
        else:
            self.open_opportunity(opp.id)

    def opportunity_changed(self, opportunity: OpportunityOut, text: str) -> None:
        """Say what happened, and read the pipeline again with the cursor on it."""
        super().opportunity_changed(opportunity, text)
        self.query_one("#pipeline-said", Label).update(text)
        if opportunity.id in self.waiting_ids and opportunity.proposal != "waiting":
            self.load_pipeline("", None)  # decided: the next one waiting slides under the cursor
            return
        key = "wait" if opportunity.proposal == "waiting" and self.decides else "opp"
        self.load_pipeline(f"{key}:{opportunity.id}", opportunity.id)
