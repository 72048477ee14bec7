"""The forms that work an opportunity (商机): a new one, a move to another step, a (revised)
proposal, the next step, won, lost, and the supervisor's return with a comment.

Each is a :class:`~cmworkbench.screens.dialogs.form.FormDialog`: the service parses what was
typed (``120万``, ``12-31``, ``明天 10:00``) and says what is wrong with every field at once;
the form marks those fields and keeps what was typed. A move asks only what the step it goes
to needs: the proposal's cost and expected return when it enters the proposal step
(``[pipeline] proposal_stage``), with the return over cost worked out as it is typed, so the
manager knows before saving whether the supervisor has to approve it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from cmworkbench.domain import pipeline as rules
from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FormDialog

if TYPE_CHECKING:
    from cmworkbench.config import PipelineSettings
    from cmworkbench.services.pipeline.schemas import OpportunityOut

FIELD = "opportunity.field."
"""The field labels are the service's (so its problems name them the same way)."""


def min_ratio(pipeline: PipelineSettings) -> str:
    """The approval threshold as the handbook writes it: ``1:1.5``."""
    return f"1:{pipeline.min_return_ratio:g}"


def ratio_line(pipeline: PipelineSettings, cost: str, expected_return: str) -> str:
    """What the figures typed so far mean: ``1:1.20, below 1:1.5: the supervisor approves``."""
    spent, back = rules.parse_yuan(cost), rules.parse_yuan(expected_return)
    if spent is None or back is None or spent <= 0:
        return t("tui.opportunity.ratio_hint", min=min_ratio(pipeline))
    ratio = rules.ratio_text(spent, back)
    if rules.needs_approval(pipeline, spent, back):
        return t("tui.opportunity.ratio_waits", ratio=ratio, min=min_ratio(pipeline))
    return t("tui.opportunity.ratio_clear", ratio=ratio, min=min_ratio(pipeline))


def _digits(yuan: int | None) -> str:
    return "" if yuan is None else str(yuan)


def _given(text: str) -> str | None:
    return text if text.strip() else None


class OpportunityForm(FormDialog["OpportunityOut"]):
    """A form about one opportunity: text fields read by name, the ratio line kept current."""

    DEFAULT_CSS = """
    OpportunityForm #proposal-ratio {
        color: $text-muted;
    }
    OpportunityForm #proposal-comment {
        color: $text-warning;
    }
    """

    def __init__(self, title: str, pipeline: PipelineSettings) -> None:
        super().__init__(title)
        self.pipeline = pipeline

    def text(self, name: str) -> str:
        """What field ``name`` holds, as typed (the service strips and checks)."""
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value

    def text_field(self, name: str, value: str = "", hint: str = "") -> ComposeResult:
        """The label and the one-line field ``name``."""
        yield self.field_label(name, t(FIELD + name))
        field = Input(value, placeholder=hint, id=f"field-{name}", compact=True)
        field.cursor_blink = False  # a dialog left open over SSH repaints for nothing
        yield field

    def proposal_fields(self, opp: OpportunityOut | None) -> ComposeResult:
        """Cost, expected return and the ratio line under them (class ``proposal``)."""
        figures = {
            "cost": opp.cost if opp else None,
            "expected_return": opp.expected_return if opp else None,
        }
        for name, value in figures.items():
            for widget in self.text_field(name, _digits(value), t("tui.opportunity.yuan_hint")):
                widget.add_class("proposal")
                yield widget
        yield Label("", classes="proposal")
        yield Label("", id="proposal-ratio", classes="proposal hint", markup=False)

    @on(Input.Changed, "#field-cost, #field-expected_return")
    def _figures_changed(self) -> None:
        self.show_ratio()

    def show_ratio(self) -> None:
        """Work the ratio out from the figures as typed."""
        found = self.query("#proposal-ratio")
        if found:
            line = ratio_line(self.pipeline, self.text("cost"), self.text("expected_return"))
            found.first(Label).update(line)


# -- a new opportunity ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    """A new opportunity as typed."""

    product: str
    need: str
    value: str
    expected_close: str
    next_step: str | None
    next_due: str | None


class NewOpportunityDialog(OpportunityForm):
    """Product (a choice of ``[referrals] products``), need, value, expected close, and an
    optional next step with its due moment; the opportunity starts at the first step."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "product",
        "need",
        "value",
        "expected_close",
        "next_step",
        "next_due",
    )

    def __init__(
        self, customer_no: str, name: str, products: list[str], pipeline: PipelineSettings
    ) -> None:
        super().__init__(t("tui.opportunity.new_title", name=name), pipeline)
        self.customer_no = customer_no
        self.products = products

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("product", t(FIELD + "product"))
        yield Select[str](
            [(label("product_kind", p), p) for p in self.products],
            prompt=t("tui.referral.choose"),
            id="field-product",
            compact=True,
        )
        yield from self.text_field("need", hint=t("tui.opportunity.need_hint"))
        yield from self.text_field("value", hint=t("tui.opportunity.yuan_hint"))
        yield from self.text_field("expected_close", hint=t("tui.opportunity.day_hint"))
        yield from self.text_field("next_step", hint=t("tui.opportunity.step_hint"))
        yield from self.text_field("next_due", hint=t("tui.opportunity.when_hint"))

    def on_mount(self) -> None:
        self.field("product").focus()

    def collect(self) -> NewRequest:
        product = self.query_one("#field-product", Select).value
        return NewRequest(
            product=product if isinstance(product, str) else "",
            need=self.text("need"),
            value=self.text("value"),
            expected_close=self.text("expected_close"),
            next_step=_given(self.text("next_step")),
            next_due=_given(self.text("next_due")),
        )

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, NewRequest)
        return self.workbench.opportunities.new(
            customer_no=self.customer_no,
            product=request.product,
            need=request.need,
            value=request.value,
            expected_close=request.expected_close,
            next_step=request.next_step,
            next_due=request.next_due,
        )


# -- moving it on -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveRequest:
    """A move as typed: where to, the proposal's figures (when the step asks), the next step."""

    to_stage: str
    cost: str | None
    expected_return: str | None
    next_step: str | None
    next_due: str | None


class MoveDialog(OpportunityForm):
    """To the next step (or another open step, chosen), with the proposal's cost and expected
    return only when the move enters the proposal step, and an optional next step."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "stage",
        "cost",
        "expected_return",
        "next_step",
        "next_due",
    )

    def __init__(self, opp: OpportunityOut, pipeline: PipelineSettings) -> None:
        title = t("tui.opportunity.move_title", name=opp.name, stage=opp.stage_label)
        super().__init__(title, pipeline)
        self.opp = opp
        self.target = rules.next_stage(pipeline, opp.stage) or opp.stage
        """The step chosen (the next one unless another is picked)."""

    def compose_fields(self) -> ComposeResult:
        choices = [
            (rules.stage_label(self.pipeline, s), s)
            for s in rules.open_stages(self.pipeline)
            if s != self.opp.stage
        ]
        yield self.field_label("stage", t("tui.opportunity.to_stage"))
        yield Select[str](
            choices, value=self.target, allow_blank=False, id="field-stage", compact=True
        )
        yield from self.proposal_fields(self.opp)
        yield from self.text_field("next_step", hint=t("tui.opportunity.step_hint"))
        yield from self.text_field("next_due", hint=t("tui.opportunity.when_hint"))

    @property
    def proposing(self) -> bool:
        """The move chosen enters the proposal step: its figures are asked."""
        return rules.move(self.pipeline, self.opp.stage, self.target).enters_proposal

    def on_mount(self) -> None:
        self._show_proposal()
        self.field("cost" if self.proposing else "next_step").focus()

    @on(Select.Changed, "#field-stage")
    def _target_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.target = event.value
            self._show_proposal()

    def _show_proposal(self) -> None:
        for widget in self.query(".proposal"):
            widget.display = self.proposing
        self.show_ratio()

    def collect(self) -> MoveRequest:
        proposing = self.proposing
        return MoveRequest(
            to_stage=self.target,
            cost=self.text("cost") if proposing else None,
            expected_return=self.text("expected_return") if proposing else None,
            next_step=_given(self.text("next_step")),
            next_due=_given(self.text("next_due")),
        )

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, MoveRequest)
        return self.workbench.opportunities.move(
            self.opp.id,
            to_stage=request.to_stage,
            cost=request.cost,
            expected_return=request.expected_return,
            next_step=request.next_step,
            next_due=request.next_due,
            version=self.opp.version,
        )


class ProposeDialog(OpportunityForm):
    """A revised proposal at the proposal step (after a return, or new figures): cost and
    expected return, the supervisor's comment above them."""

    FIELDS: ClassVar[tuple[str, ...]] = ("cost", "expected_return")

    def __init__(self, opp: OpportunityOut, pipeline: PipelineSettings) -> None:
        super().__init__(t("tui.opportunity.propose_title", name=opp.name), pipeline)
        self.opp = opp

    def compose_fields(self) -> ComposeResult:
        if self.opp.proposal_comment:
            yield Label(t("tui.opportunity.comment_label"), classes="form-label", markup=False)
            yield Label(self.opp.proposal_comment, id="proposal-comment", markup=False)
        yield from self.proposal_fields(self.opp)

    def on_mount(self) -> None:
        self.show_ratio()
        self.field("cost").focus()

    def collect(self) -> tuple[str, str]:
        return self.text("cost"), self.text("expected_return")

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, tuple)
        cost, back = request
        return self.workbench.opportunities.propose(
            self.opp.id, cost, back, version=self.opp.version
        )


class NextStepDialog(OpportunityForm):
    """The next step and when it is due (default: the end of the next working day)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("next_step", "next_due")

    def __init__(self, opp: OpportunityOut, pipeline: PipelineSettings) -> None:
        super().__init__(t("tui.opportunity.step_title", name=opp.name), pipeline)
        self.opp = opp

    def compose_fields(self) -> ComposeResult:
        yield from self.text_field("next_step", hint=t("tui.opportunity.step_hint"))
        yield from self.text_field("next_due", hint=t("tui.opportunity.when_hint"))

    def on_mount(self) -> None:
        self.field("next_step").focus()

    def collect(self) -> tuple[str, str | None]:
        return self.text("next_step"), _given(self.text("next_due"))

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, tuple)
        step, due = request
        return self.workbench.opportunities.next_step(
            self.opp.id, step, due, version=self.opp.version
        )


class WonDialog(OpportunityForm):
    """Won: at the value reached (the expected one unless changed), with an optional note."""

    FIELDS: ClassVar[tuple[str, ...]] = ("value", "reason")

    def __init__(self, opp: OpportunityOut, pipeline: PipelineSettings) -> None:
        super().__init__(t("tui.opportunity.won_title", name=opp.name), pipeline)
        self.opp = opp

    def compose_fields(self) -> ComposeResult:
        yield from self.text_field("value", str(self.opp.value), t("tui.opportunity.yuan_hint"))
        yield from self.text_field("reason", hint=t("tui.opportunity.won_hint"))

    def on_mount(self) -> None:
        self.field("reason").focus()

    def collect(self) -> tuple[str, str | None]:
        return self.text("value"), _given(self.text("reason"))

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, tuple)
        value, reason = request
        return self.workbench.opportunities.won(
            self.opp.id, reason=reason, value=value, version=self.opp.version
        )


class LostDialog(OpportunityForm):
    """Lost, and why (required)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("reason",)

    def __init__(self, opp: OpportunityOut, pipeline: PipelineSettings) -> None:
        super().__init__(t("tui.opportunity.lost_title", name=opp.name), pipeline)
        self.opp = opp

    def compose_fields(self) -> ComposeResult:
        yield from self.text_field("reason", hint=t("tui.opportunity.lost_hint"))

    def on_mount(self) -> None:
        self.field("reason").focus()

    def collect(self) -> str:
        return self.text("reason")

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, str)
        return self.workbench.opportunities.lost(
            self.opp.id, reason=request, version=self.opp.version
        )


@dataclass(frozen=True)
class Waiting:
    """A proposal waiting for the supervisor, as Today's row or the pipeline knows it."""

    opportunity_id: int
    version: int
    customer: str


class ReturnProposalDialog(FormDialog["OpportunityOut"]):
    """The supervisor returns a waiting proposal with a comment (required): it lands on the
    owner's Today."""

    FIELDS: ClassVar[tuple[str, ...]] = ("comment",)

    def __init__(self, waiting: Waiting) -> None:
        super().__init__(t("tui.opportunity.return_title", customer=waiting.customer))
        self.waiting = waiting

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("comment", t(FIELD + "comment"))
        hint = t("tui.opportunity.comment_hint")
        field = Input(placeholder=hint, id="field-comment", compact=True)
        field.cursor_blink = False
        yield field

    def on_mount(self) -> None:
        self.field("comment").focus()

    def collect(self) -> str:
        widget = self.field("comment")
        assert isinstance(widget, Input)
        return widget.value

    def perform(self, request: object) -> OpportunityOut:
        assert isinstance(request, str)
        return self.workbench.opportunities.return_proposal(
            self.waiting.opportunity_id, comment=request, version=self.waiting.version
        )
