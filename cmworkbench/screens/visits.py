"""Visits: the weekly visit plan (客户拜访计划表), day by day, with its warnings.

The week shown is this week, or from Friday on the next one; ``[`` and ``]`` go to the
previous and next week. A manager plans: ``p`` proposes visits from the due tasks (one area
a day) and puts them on the plan after a confirmation, ``n`` adds one, ``<`` ``>`` move the
visit under the cursor a working day, ``+`` ``-`` a slot later or earlier, ``x`` removes it,
``k`` edits its preparation checklist, ``r`` records how it went, ``s`` submits the plan. A
supervisor opens the queue of the team's plans waiting for approval with ``w`` (``Enter`` on one
shows it with its warnings), or picks a team member with ``t``, and approves (``a``) or
returns (``b``) the plan shown; after a decision the status line says how many still wait.
``v`` shows plan vs actual. ``M`` switches to the month's visits, day by day (read-only; ``[``
``]`` go a month back or on). Every database call runs in a thread worker and reports back by
message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label
from textual.worker import get_current_worker

from cmworkbench import clock
from cmworkbench.domain.visits import default_week, month_of, shift_month, shift_week, week_monday
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import WorkbenchScreen
from cmworkbench.screens.dialogs.choose_colleague import ChooseColleagueDialog
from cmworkbench.screens.dialogs.task_actions import PromptDialog
from cmworkbench.screens.dialogs.visit_dialogs import (
    AddVisitDialog,
    ChecklistDialog,
    ConfirmDialog,
    RecordVisitDialog,
)
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.counts import CountsPanel
from cmworkbench.widgets.display import local_time
from cmworkbench.widgets.visit_table import VisitTable

if TYPE_CHECKING:
    from cmworkbench.services.visits.schemas import (
        MonthVisits,
        ProposedVisit,
        VisitItemOut,
        WeekPlan,
    )

OWN_PLAN = frozenset({"propose", "add", "shift", "remove", "record", "submit", "checklist"})
"""Actions on one's own plan only."""
LEAD_ONLY = frozenset({"pick", "waiting", "approve", "return_plan"})
"""Actions of a supervisor (or branch head, who only picks)."""
WEEK_ONLY = OWN_PLAN | {"approve", "return_plan", "report"}
"""Actions the month view leaves out: it is read-only."""


_key = screen_keys("visits")


class VisitsScreen(WorkbenchScreen):
    """The plan of one week: a status line, the visits day by day, the changes line."""

    KEY_WORKERS = frozenset({"visits", "action"})
    """Keys typed while the week is read again or a change is written act on the new week."""

    DEFAULT_CSS = """
    VisitsScreen #visits-status, VisitsScreen #visits-changes {
        height: auto;
        margin: 0 1;
        color: $text-muted;
    }
    VisitsScreen #visits-list {
        margin: 0 1;
    }
    VisitsScreen #visits-counts {
        dock: right;
        margin: 0 1;
    }
    VisitsScreen.-narrow #visits-counts {
        display: none;
    }
    """

    WIDE = 110
    """From this many columns on, the counts panel sits beside the plan."""

    MODE = "visits"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _key("left_square_bracket", "week(-1)", "prev_week", show=False),
        _key("right_square_bracket", "week(1)", "next_week", show=False),
        _key("p", "propose", "propose_visits"),
        _key("n", "add", "new_visit"),
        _key("r", "record", "record_visit"),
        _key("k", "checklist", "visit_checklist"),
        _key("s", "submit", "submit_plan"),
        _key("less_than_sign", "shift(-1, 0)", "visit_day_earlier", show=False),
        _key("greater_than_sign", "shift(1, 0)", "visit_day_later", show=False),
        _key("minus", "shift(0, -1)", "visit_slot_earlier", show=False),
        _key("plus", "shift(0, 1)", "visit_slot_later", show=False),
        _key("x", "remove", "remove_visit", show=False),
        _key("t", "pick", "pick_manager"),
        _key("w", "waiting", "plans_waiting"),
        _key("a", "approve", "approve_plan"),
        _key("b", "return_plan", "return_plan"),
        _key("v", "report", "plan_vs_actual"),
        _key("M", "toggle_month", "month_view"),
    ]

    @dataclass
    class Loaded(Message):
        """The week's plan, read again."""

        plan: WeekPlan
        keep: int | None

    @dataclass
    class MonthLoaded(Message):
        """The month's visits, read again."""

        visits: MonthVisits

    @dataclass
    class Done(Message):
        """A change succeeded: say so, then reload (keeping the cursor on ``keep``)."""

        text: str
        keep: int | None = None

    @dataclass
    class Proposed(Message):
        """Proposals to confirm."""

        proposals: list[ProposedVisit]

    @dataclass
    class Waiting(Message):
        """The team's plans waiting for approval: (``week login``, text)."""

        plans: list[tuple[str, str]]

    @dataclass
    class Colleagues(Message):
        """Team members to pick from: (login, text)."""

        people: list[tuple[str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.week = default_week(clock.today())
        """The ISO week shown."""
        self.owner_login: str | None = None
        """Whose plan is shown (``None``: the actor's own)."""
        self.plan: WeekPlan | None = None
        self.month: str | None = None
        """The month shown (``2026-11``), or ``None`` in the week view."""

    def compose_body(self) -> ComposeResult:
        yield CountsPanel(["visit_plans", "tasks_due", "tasks_overdue"], id="visits-counts")
        yield Label("", id="visits-status", markup=False)
        yield VisitTable(id="visits-list")
        yield Label("", id="visits-changes", markup=False)

    @property
    def table(self) -> VisitTable:
        """The visits."""
        return self.query_one(VisitTable)

    @property
    def own(self) -> bool:
        """The plan shown is the actor's own."""
        return self.owner_login in (None, self.workbench.actor.login)

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.WIDE, "-narrow")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Textual may resume a screen twice as it is first shown; one load is enough.
        if not any(
            w.node is self and w.group == "visits" and not w.is_finished for w in self.workers
        ):
            self.load_plan()
        self.table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Own-plan keys on one's own plan; supervisor keys for a lead."""
        role = self.workbench.actor.role
        if self.month is not None and action in WEEK_ONLY:
            return False
        if action in OWN_PLAN:
            return self.own
        if action in ("approve", "return_plan"):
            return role == "supervisor" and not self.own
        if action == "waiting":
            return role == "supervisor"
        if action == "pick":
            return role in ("supervisor", "branch_head")
        return True

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="visits")
    def load_plan(self, keep: int | None = None) -> None:
        """Read the plan of the week (or the visits of the month) shown, in a thread."""
        if self.month is not None:
            visits = self.workbench.visits.month(self.month, self.owner_login)
            if not get_current_worker().is_cancelled:
                self.post_message(self.MonthLoaded(visits))
            return
        plan = self.workbench.visits.week(self.week, self.owner_login)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(plan, keep))

    @on(MonthLoaded)
    def month_loaded(self, message: MonthLoaded) -> None:
        """Show the month's visits, day by day, and the count of each day."""
        visits = message.visits
        if visits.month != self.month:
            return
        text = t(
            "tui.visits.month_status",
            month=visits.month,
            name=visits.owner_name,
            n=len(visits.items),
            days=len(visits.per_day),
        )
        self.query_one("#visits-status", Label).update(text)
        days = [t("tui.visits.month_day", day=f"{d:%m-%d}", n=n) for d, n in visits.per_day]
        self.query_one("#visits-changes", Label).update(" · ".join(days))
        self.table.show(list(visits.items))
        self.refresh_bindings()

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the status line, the visits and the changes since approval."""
        plan = self.plan = message.plan
        if plan.week != self.week or self.month is not None:
            return
        status = label("plan_status", plan.status)
        text = t(
            "tui.visits.status",
            week=plan.week,
            name=plan.owner_name,
            status=status,
            n=len(plan.items),
            warnings=len(plan.warnings),
        )
        if plan.comment:
            text += "  " + t("tui.visits.comment", comment=plan.comment)
        if not plan.items:
            text += "  " + t("tui.visits.empty")
        self.query_one("#visits-status", Label).update(text)
        changes = [
            t(
                f"tui.visits.change.{c.kind}",
                name=c.customer_name,
                before=local_time(c.before)[5:],
                after=local_time(c.after)[5:],
            )
            for c in plan.changes
        ]
        self.query_one("#visits-changes", Label).update("；".join(changes))
        self.table.show(list(plan.items), message.keep)
        self.refresh_bindings()

    @on(Done)
    def done(self, message: Done) -> None:
        """Confirm a change and reload."""
        self.notify(message.text, markup=False)
        self.load_plan(message.keep)

    # -- keys -----------------------------------------------------------------------------

    def _dialog(self, dialog: Screen[Any], then: Callable[[Any], object]) -> None:
        def callback(result: Any) -> None:
            then(result)

        self.app.push_screen(dialog, callback)

    def _item(self) -> VisitItemOut | None:
        item = self.table.current
        if item is None:
            self.notify(t("tui.visits.no_row"), severity="warning", markup=False)
        return item

    def _version(self) -> int | None:
        return self.plan.version if self.plan is not None else None

    def action_week(self, step: int) -> None:
        """The previous or next week (in the month view: month)."""
        if self.month is not None:
            self.month = shift_month(self.month, step)
        else:
            self.week = shift_week(self.week, step)
        self.load_plan()

    def action_toggle_month(self) -> None:
        """Switch between the week's plan and the visits of the month its Monday falls in."""
        self.month = None if self.month is not None else month_of(week_monday(self.week))
        self.refresh_bindings()
        self.load_plan()

    def action_propose(self) -> None:
        """Propose visits for the week (nothing is saved before the confirmation)."""
        self.propose()

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def propose(self) -> None:
        """Read the proposals in a thread."""
        self.post_message(self.Proposed(self.workbench.visits.propose(self.week)))

    @on(Proposed)
    def confirm_proposals(self, message: Proposed) -> None:
        """Ask before putting the proposals on the plan."""
        proposals = message.proposals
        if not proposals:
            self.notify(t("tui.visits.nothing_to_propose"), markup=False)
            return
        areas = len({p.area for p in proposals})
        question = t("tui.visits.propose_question", n=len(proposals), areas=areas)
        dialog = ConfirmDialog(t("tui.visits.propose_title", week=self.week), question)
        self._dialog(dialog, lambda yes: yes and self.add_proposals(proposals))

    @work(thread=True, exit_on_error=False, group="action")
    def add_proposals(self, proposals: list[ProposedVisit]) -> None:
        """Write the proposals in a thread."""
        n = self.workbench.visits.add_proposals(self.week, proposals, self._version())
        self.post_message(self.Done(t("tui.visits.proposed", n=n)))

    def action_add(self) -> None:
        """Add a visit (customer by number or name, day, time, purpose)."""
        days = self.plan.days if self.plan else ()
        day = max(clock.today(), days[0]) if days else clock.today()
        self._dialog(
            AddVisitDialog(day),
            lambda item: item and self.post_message(self.Done(t("tui.visits.added"), item)),
        )

    def action_shift(self, workdays: int, slots: int) -> None:
        """Move the visit under the cursor a working day or a slot."""
        item = self._item()
        if item is not None:
            self.shift(item.id, workdays, slots)

    @work(thread=True, exit_on_error=False, group="action")
    def shift(self, item_id: int, workdays: int, slots: int) -> None:
        """Write the move in a thread."""
        self.workbench.visits.shift(item_id, workdays, slots, self._version())
        self.post_message(self.Done(t("tui.visits.moved"), item_id))

    def action_remove(self) -> None:
        """Take the visit under the cursor off the plan."""
        item = self._item()
        if item is not None:
            self.remove_visit(item.id)

    @work(thread=True, exit_on_error=False, group="action")
    def remove_visit(self, item_id: int) -> None:
        """Write the removal in a thread."""
        self.workbench.visits.remove(item_id, self._version())
        self.post_message(self.Done(t("tui.visits.removed")))

    def action_record(self) -> None:
        """Record how the visit under the cursor went."""
        item = self._item()
        if item is not None:
            dialog = RecordVisitDialog(item.id, item.customer_name)
            self._dialog(
                dialog,
                lambda r: r and self.post_message(self.Done(t("tui.visits.recorded"), item.id)),
            )

    def action_checklist(self) -> None:
        """Edit the preparation checklist of the visit under the cursor."""
        item = self._item()
        if item is not None:
            dialog = ChecklistDialog(item.id, item.customer_name, item.checklist, self._version())
            self._dialog(
                dialog,
                lambda ok: (
                    ok and self.post_message(self.Done(t("tui.visits.checklist_saved"), item.id))
                ),
            )

    def action_submit(self) -> None:
        """Send the plan to the supervisor."""
        self.submit()

    @work(thread=True, exit_on_error=False, group="action")
    def submit(self) -> None:
        """Submit in a thread."""
        self.workbench.visits.submit(self.week, self._version())
        self.post_message(self.Done(t("tui.visits.submitted")))

    def action_pick(self) -> None:
        """Choose whose plan to see (the team's managers)."""
        self.load_colleagues()

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def load_colleagues(self) -> None:
        """Read the team's managers in a thread."""
        people = [(s.login, s.name) for s in self.workbench.staff.directory(role="manager")]
        self.post_message(self.Colleagues(people))

    @on(Colleagues)
    def pick(self, message: Colleagues) -> None:
        """Show the team's managers to choose from."""

        def then(login: str | None) -> None:
            if login:
                self.owner_login = login
                self.load_plan()

        self._dialog(ChooseColleagueDialog(t("tui.visits.pick_title"), message.people), then)

    def show_plan(self, week: str, owner_login: str) -> None:
        """Show ``owner_login``'s plan of ``week`` (opened from Today or the queue)."""
        self.month, self.week, self.owner_login = None, week, owner_login
        self.load_plan()

    def action_waiting(self) -> None:
        """The team's plans waiting for approval, the longest waiting first."""
        self.load_waiting()

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def load_waiting(self) -> None:
        """Read the queue in a thread."""
        plans = [
            (
                f"{p.week} {p.owner_login}",
                t("tui.visits.waiting_line", name=p.owner_name, week=p.week, n=p.visits,
                  warnings=p.warnings),
            )
            for p in self.workbench.visits.waiting()
        ]  # fmt: skip
        self.post_message(self.Waiting(plans))

    @on(Waiting)
    def waiting(self, message: Waiting) -> None:
        """Show the queue to choose from; ``Enter`` shows the plan chosen."""
        if not message.plans:
            self.notify(t("tui.visits.waiting_none"), markup=False)
            return

        def then(key: str | None) -> None:
            if key:
                week, _, login = key.partition(" ")
                self.show_plan(week, login)

        title = t("tui.visits.waiting_title", n=len(message.plans))
        self._dialog(ChooseColleagueDialog(title, message.plans), then)

    def action_approve(self) -> None:
        """Approve the team member's submitted plan."""
        self.decide(None)

    def action_return_plan(self) -> None:
        """Return the team member's plan with a comment."""
        dialog = PromptDialog(
            t("tui.visits.return_title"),
            t("tui.visits.return_placeholder"),
            lambda text: text or None,
            t("tui.visits.no_comment"),
        )
        self._dialog(dialog, lambda comment: comment and self.decide(comment))

    @work(thread=True, exit_on_error=False, group="action")
    def decide(self, comment: str | None) -> None:
        """Approve (no comment) or return (with one) in a thread."""
        owner = self.owner_login or ""
        if comment is None:
            self.workbench.visits.approve(self.week, owner, self._version())
            text = t("tui.visits.approved")
        else:
            self.workbench.visits.send_back(self.week, owner, comment, self._version())
            text = t("tui.visits.returned")
        left = len(self.workbench.visits.waiting())
        if left:
            text += " " + t("tui.visits.waiting_left", n=left)
        self.post_message(self.Done(text))

    def action_report(self) -> None:
        """Plan vs actual of the week."""
        self.report()

    @work(thread=True, exclusive=True, exit_on_error=False, group="action")
    def report(self) -> None:
        """Count in a thread; the result is a notification."""
        owner = None if self.own and self.workbench.actor.role != "manager" else self.owner_login
        rows = self.workbench.visits.plan_vs_actual(self.week, owner)
        lines = [
            t(
                "tui.visits.report_line",
                name=r.name,
                planned=r.planned,
                done=r.done,
                cancelled=r.cancelled,
                open=r.open,
                unplanned=r.unplanned,
            )
            for r in rows
        ]
        text = "\n".join(lines) or t("tui.visits.report_empty")
        self.app.call_from_thread(
            self.notify,
            text,
            title=t("tui.visits.report_title", week=self.week),
            markup=False,
            timeout=15,
        )
