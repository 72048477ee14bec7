"""One opportunity (商机) in full, and the keys that work an opportunity wherever it is shown.

:class:`OpensOpportunity` is mixed into a screen whose rows open an opportunity (the pipeline,
Today's waiting proposals, the customer 360 view): ``Enter`` reads it in a worker and pushes
:class:`OpportunityScreen` over the list (``Esc`` comes back); it also carries the supervisor's
two decisions, ``a`` approve and ``b`` return with a comment, which Today's proposal rows use.

:class:`WorksOpportunities` adds the keys on the opportunity under the cursor, the same on the
pipeline and on the opportunity itself: ``m`` moves it to the next step (asking only what that
step needs; on a returned proposal: the revised proposal), ``p`` a new or revised proposal at
the proposal step, ``n`` the next step, ``w`` won, ``l`` lost, and ``a`` / ``b`` for the
supervisor. A key that cannot act says why (the proposal still waits, the step after this one
is the deal) instead of opening a form the service would refuse. After each change the screen
shows the opportunity as it now is and says what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label
from textual.worker import Worker, get_current_worker

from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import BaseScreen, report_worker_error
from cmworkbench.screens.dialogs.opportunity import (
    LostDialog,
    MoveDialog,
    NextStepDialog,
    ProposeDialog,
    ReturnProposalDialog,
    Waiting,
    WonDialog,
    min_ratio,
)
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.display import local_date, local_time

if TYPE_CHECKING:
    from cmworkbench.config import PipelineSettings
    from cmworkbench.services.pipeline.schemas import OpportunityDetail, OpportunityOut

DECIDERS = ("supervisor", "branch_head")
"""Roles that decide proposals (of the people they lead)."""


def proposal_text(opp: OpportunityOut) -> str:
    """``待审批 1:1.20`` as a list shows it, the state in a word (empty without a proposal)."""
    if opp.proposal is None:
        return ""
    return f"{t(f'tui.pipeline.proposal.{opp.proposal}')} {opp.ratio}".strip()


def next_text(opp: OpportunityOut) -> str:
    """``11-25 17:30 报价`` (its due, then the step), or that there is none."""
    if not opp.next_step:
        return t("tui.opportunity.no_next_step")
    return f"{local_time(opp.next_due)[5:]} {opp.next_step}".strip()


def waiting_of(opp: OpportunityOut) -> Waiting:
    """The waiting proposal of ``opp``, as the decision dialogs take it."""
    return Waiting(opp.id, opp.version, opp.name)


def moved_text(pipeline: PipelineSettings, after: OpportunityOut) -> str:
    """What a move did: sent for approval and stopped at the proposal step, or moved."""
    if after.proposal == "waiting" and after.stage == pipeline.proposal_stage:
        return t(
            "tui.opportunity.moved_waiting",
            stage=after.stage_label,
            ratio=after.ratio,
            min=min_ratio(pipeline),
        )
    return t("tui.opportunity.moved", name=after.name, stage=after.stage_label)


def proposed_text(pipeline: PipelineSettings, after: OpportunityOut) -> str:
    """What a revised proposal did: it waits for the supervisor again, or it is clear."""
    if after.proposal == "waiting":
        return t("tui.opportunity.proposed_waiting", ratio=after.ratio, min=min_ratio(pipeline))
    return t("tui.opportunity.proposed_clear", ratio=after.ratio)


class OpensOpportunity(BaseScreen):
    """A screen whose rows open an opportunity over it, and where a supervisor decides a
    waiting proposal (``a`` approves at once, ``b`` asks for the comment)."""

    KEY_WORKERS = frozenset({"open", "action"})
    """Keys typed after ``Enter`` go to the opportunity it opens; after ``a``, to the list as
    it is once the decision is written."""

    @dataclass
    class OpportunityLoaded(Message):
        """An opportunity in full, ready to show."""

        detail: OpportunityDetail

    @dataclass
    class OpportunityChanged(Message):
        """An opportunity was changed: what it is now, and what to say."""

        opportunity: OpportunityOut
        text: str

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_opportunity(self, opportunity_id: int) -> None:
        """Read the opportunity in a thread; it opens once read (a refusal is a message)."""
        detail = self.workbench.opportunities.show(opportunity_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.OpportunityLoaded(detail))

    @on(OpportunityLoaded)
    def show_opportunity(self, message: OpportunityLoaded) -> None:
        """Push the opportunity over this screen."""
        if self.is_current:
            self.app.push_screen(OpportunityScreen(message.detail))

    def opportunity_changed(self, opportunity: OpportunityOut, text: str) -> None:
        """Say what happened (screens also show the opportunity as it now is)."""
        self.notify(text, markup=False)

    @on(OpportunityChanged)
    def _changed(self, message: OpportunityChanged) -> None:
        self.opportunity_changed(message.opportunity, message.text)

    def dialog(self, dialog: Screen[Any], then: Callable[[Any], object]) -> None:
        """Open ``dialog``; ``then`` gets what it closed with."""

        def callback(result: Any) -> None:
            then(result)

        self.app.push_screen(dialog, callback)

    def changed_by(self, text: Callable[[OpportunityOut], str]) -> Callable[[Any], None]:
        """The dialog callback that reports the opportunity it saved (nothing if cancelled)."""

        def then(result: OpportunityOut | None) -> None:
            if result is not None:
                self.post_message(self.OpportunityChanged(result, text(result)))

        return then

    @work(thread=True, exit_on_error=False, group="action")
    def approve_proposal(self, waiting: Waiting) -> None:
        """Approve the waiting proposal in a thread."""
        out = self.workbench.opportunities.approve(waiting.opportunity_id, version=waiting.version)
        name, ratio = out.owner_name, out.ratio
        text = t("tui.opportunity.approved", name=name, customer=out.name, ratio=ratio)
        self.post_message(self.OpportunityChanged(out, text))

    def ask_return(self, waiting: Waiting) -> None:
        """Return the waiting proposal with a comment (asked in a form)."""
        self.dialog(
            ReturnProposalDialog(waiting),
            self.changed_by(
                lambda out: t("tui.opportunity.returned", name=out.owner_name, customer=out.name)
            ),
        )


class WorksOpportunities(OpensOpportunity):
    """The keys on the opportunity under the cursor (:meth:`chosen_opportunity`)."""

    @property
    def pipeline(self) -> PipelineSettings:
        """The steps and the proposal rule (``[pipeline]``)."""
        return self.workbench.settings.pipeline

    @property
    def decides(self) -> bool:
        """The actor decides proposals (of the people they lead)."""
        return str(self.workbench.actor.role) in DECIDERS

    def chosen_opportunity(self) -> OpportunityOut | None:
        """The opportunity the keys act on (``None``: none under the cursor)."""
        return None

    def may_decide(self, opp: OpportunityOut) -> bool:
        """Whether the actor may decide ``opp``'s proposal (it waits for them)."""
        return False

    def _warn(self, text: str) -> None:
        self.notify(text, severity="warning", markup=False)

    def _open_one(self) -> OpportunityOut | None:
        """The opportunity under the cursor if it is still open (else why not)."""
        opp = self.chosen_opportunity()
        if opp is None:
            self._warn(t("tui.pipeline.no_row"))
        elif opp.status != "open":
            status = label("opportunity_status", opp.status)
            self._warn(t("opportunity.closed", id=opp.id, status=status))
            return None
        return opp

    def _proposal_unsettled(self, opp: OpportunityOut) -> bool:
        """Its proposal waits or was returned (said); it may not go on yet."""
        if opp.proposal == "waiting":
            stage = rules.stage_label(self.pipeline, self.pipeline.proposal_stage)
            self._warn(t("tui.opportunity.still_waiting", stage=stage))
            return True
        if opp.proposal == "returned":
            self._warn(t("tui.opportunity.revise_first", comment=opp.proposal_comment or ""))
            return True
        return False

    def action_move(self) -> None:
        """To the next step, asking what it needs; a returned proposal: send a revised one."""
        opp = self._open_one()
        if opp is None:
            return
        at_proposal = opp.stage == self.pipeline.proposal_stage
        if at_proposal and opp.proposal == "returned":
            self.action_propose()
            return
        if at_proposal and self._proposal_unsettled(opp):
            return
        if rules.next_stage(self.pipeline, opp.stage) is None:
            self._warn(t("opportunity.last_open_stage", stage=opp.stage_label))
            return
        pipeline = self.pipeline
        self.dialog(MoveDialog(opp, pipeline), self.changed_by(lambda o: moved_text(pipeline, o)))

    def action_propose(self) -> None:
        """A new or revised proposal at the proposal step."""
        opp = self._open_one()
        if opp is None:
            return
        if opp.stage != self.pipeline.proposal_stage:
            stage = rules.stage_label(self.pipeline, self.pipeline.proposal_stage)
            self._warn(t("opportunity.not_at_proposal", id=opp.id, stage=stage))
            return
        pipeline = self.pipeline
        then = self.changed_by(lambda o: proposed_text(pipeline, o))
        self.dialog(ProposeDialog(opp, pipeline), then)

    def action_next_step(self) -> None:
        """Record the next step and when it is due."""
        opp = self._open_one()
        if opp is not None:
            then = self.changed_by(lambda o: t("tui.opportunity.step_set", next=next_text(o)))
            self.dialog(NextStepDialog(opp, self.pipeline), then)

    def action_won(self) -> None:
        """Mark it won (its proposal must be settled)."""
        opp = self._open_one()
        if opp is not None and not self._proposal_unsettled(opp):
            then = self.changed_by(
                lambda o: t("tui.opportunity.won", name=o.name, value=short_yuan(o.value))
            )
            self.dialog(WonDialog(opp, self.pipeline), then)

    def action_lost(self) -> None:
        """Mark it lost, with the reason."""
        opp = self._open_one()
        if opp is not None:
            then = self.changed_by(lambda o: t("tui.opportunity.lost", name=o.name))
            self.dialog(LostDialog(opp, self.pipeline), then)

    def _waiting_here(self) -> OpportunityOut | None:
        opp = self.chosen_opportunity()
        if opp is None:
            self._warn(t("tui.pipeline.no_row"))
        elif not self.may_decide(opp):
            self._warn(t("tui.opportunity.nothing_to_decide", customer=opp.name))
            return None
        return opp

    def action_approve(self) -> None:
        """Approve the proposal under the cursor (it waits for the actor)."""
        opp = self._waiting_here()
        if opp is not None:
            self.approve_proposal(waiting_of(opp))

    def action_return_proposal(self) -> None:
        """Return the proposal under the cursor with a comment."""
        opp = self._waiting_here()
        if opp is not None:
            self.ask_return(waiting_of(opp))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``a`` and ``b`` for those who decide proposals only."""
        if action in ("approve", "return_proposal"):
            return self.decides
        return True


_key = screen_keys("opportunity", "pipeline_")

OPPORTUNITY_KEYS: list[BindingType] = [
    _key("m", "move", "move"),
    _key("p", "propose", "propose"),
    _key("n", "next_step", "next_step"),
    _key("w", "won", "won"),
    _key("l", "lost", "lost"),
    _key("a", "approve", "approve"),
    _key("b", "return_proposal", "return"),
]
"""The keys on an opportunity, the same on the pipeline and on the opportunity itself."""

HISTORY = ("at", "who", "action", "stage", "note")


class OpportunityScreen(WorksOpportunities):
    """An opportunity in full: what it is, where it stands, its proposal, its history and its
    negotiation feedback promises; the same keys as on the pipeline, ``Esc`` back."""

    DEFAULT_CSS = """
    OpportunityScreen #opp-body {
        height: 1fr;
        padding: 0 1;
    }
    OpportunityScreen #opp-summary {
        height: auto;
    }
    OpportunityScreen .opp-heading {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    OpportunityScreen #opp-history {
        height: auto;
        max-height: 12;
    }
    OpportunityScreen #opp-said {
        height: auto;
        padding: 0 1;
        color: $text-success;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        *OPPORTUNITY_KEYS,
        _key("escape", "back", "back"),
    ]

    KEY_WORKERS = frozenset({"open", "action", "detail"})
    """Keys wait for the opportunity as it is after a change."""

    @dataclass
    class Loaded(Message):
        """The opportunity read again."""

        detail: OpportunityDetail

    def __init__(self, detail: OpportunityDetail) -> None:
        super().__init__(t("tui.opportunity.title", id=detail.opportunity.id))
        self.detail = detail

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="opp-body"):
            yield Label("", id="opp-summary", markup=False)
            yield Label(t("tui.opportunity.history"), classes="opp-heading", markup=False)
            yield DataTable(id="opp-history", cursor_type="row", zebra_stripes=True)
            yield Label(t("tui.opportunity.promises"), classes="opp-heading", markup=False)
            yield Label("", id="opp-promises", markup=False)
        yield Label("", id="opp-said", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#opp-history", DataTable)
        for column in HISTORY:
            table.add_column(t(f"tui.opportunity.col.{column}"), key=column)
        self._show()
        table.focus()

    def chosen_opportunity(self) -> OpportunityOut | None:
        return self.detail.opportunity

    def may_decide(self, opp: OpportunityOut) -> bool:
        return self.detail.can_decide

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``a`` and ``b`` for a decider, dimmed while nothing waits for them here."""
        allowed = super().check_action(action, parameters)
        if allowed and action in ("approve", "return_proposal") and not self.detail.can_decide:
            return None
        return allowed

    def opportunity_changed(self, opportunity: OpportunityOut, text: str) -> None:
        """Say it, and read the opportunity again (its history has a new line)."""
        super().opportunity_changed(opportunity, text)
        self.query_one("#opp-said", Label).update(text)
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def reload(self) -> None:
        """Read the opportunity again in a thread."""
        detail = self.workbench.opportunities.show(self.detail.opportunity.id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(detail))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.detail = message.detail
        self._show()

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is a notification in the service's words, never a traceback."""
        report_worker_error(self, event)

    def _show(self) -> None:
        self.query_one("#opp-summary", Label).update("\n".join(summary_lines(self.detail)))
        table = self.query_one("#opp-history", DataTable)
        table.clear()
        for e in self.detail.events:
            stages = " → ".join(
                rules.stage_label(self.pipeline, s) for s in (e.from_stage, e.to_stage) if s
            )
            table.add_row(
                local_time(e.at)[5:],
                e.who or t("tui.opportunity.workbench"),
                label("opportunity_action", e.action),
                stages,
                e.note or "",
            )
        table.move_cursor(row=max(table.row_count - 1, 0), animate=False)
        promises = [
            t(
                "tui.opportunity.promise_line",
                made=local_time(p.made_at)[5:],
                due=local_time(p.due_at)[5:],
                state=label("promise_state", p.state),
            )
            for p in self.detail.promises
        ]
        self.query_one("#opp-promises", Label).update(
            "\n".join(promises) or t("tui.opportunity.no_promises")
        )
        self.refresh_bindings()

    def action_back(self) -> None:
        """Back to the list it was opened from."""
        self.dismiss()


def summary_lines(detail: OpportunityDetail) -> list[str]:
    """What the opportunity is and where it stands, a line a fact."""
    o = detail.opportunity
    lines = [
        t(
            "tui.opportunity.what",
            name=o.name,
            product=label("product_kind", o.product),
            need=o.need,
        ),
        t(
            "tui.opportunity.where",
            stage=o.stage_label,
            since=local_date(o.stage_since),
            status=label("opportunity_status", o.status),
            owner=o.owner_name,
        ),
        t(
            "tui.opportunity.value_line",
            value=short_yuan(o.value),
            close=local_date(o.expected_close),
        ),
        t("tui.opportunity.next_line", next=next_text(o)),
    ]
    if o.proposal is not None:
        lines.append(
            t(
                "tui.opportunity.proposal_line",
                state=label("proposal_state", o.proposal),
                cost=short_yuan(o.cost),
                back=short_yuan(o.expected_return),
                ratio=o.ratio,
            )
        )
    if o.proposal_comment:
        lines.append(t("tui.opportunity.comment_line", comment=o.proposal_comment))
    if o.close_reason:
        lines.append(t("tui.opportunity.reason_line", reason=o.close_reason))
    if o.quiet:
        lines.append(t("tui.opportunity.quiet_line", since=local_date(o.last_step_at)))
    if o.feedback_breached:
        lines.append(t("tui.opportunity.breached_line", n=o.feedback_breached))
    if detail.can_decide:
        lines.append(t("tui.opportunity.decide_line"))
    return lines
