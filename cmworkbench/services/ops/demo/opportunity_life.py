"""One opportunity's life in the demo, as the pipeline services would have written it
(:mod:`cmworkbench.services.pipeline.opportunities`): the steps it entered, a week to three at
each (:data:`STEP_DAYS`) on working days, its proposal and the supervisor's decision, its next
step, how it was won or lost; the ``opportunity`` row, its ``opportunity_event`` history
(``new``, each ``move``, the ``propose`` on entering the proposal step, ``approve`` or
``return``, a later ``next_step``, ``won`` or ``lost``) with ``stage_since``,
``last_step_at`` and ``version`` agreeing with it, and a returned proposal's follow-up task.
What to draw (:class:`Plan`) is decided by :mod:`cmworkbench.services.ops.demo.opportunities`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cmworkbench.config import Settings
from cmworkbench.domain import demo_data as d
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import TaskKind
from cmworkbench.domain.pipeline import FOLLOW_UP_RULES, RETURNED_KEY, by_next_workday, ratio_text
from cmworkbench.i18n import t
from cmworkbench.services.ops.demo import opportunity_vocab as v
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

OPPORTUNITY_COLUMNS = (
    "id", "customer_id", "lead_id", "referral_id", "product", "need", "value_yuan",
    "expected_close", "stage", "stage_since", "owner_id", "next_step", "next_due", "status",
    "closed_at", "close_reason", "cost_yuan", "return_yuan", "proposal", "proposal_comment",
    "proposal_at", "decided_at", "decided_by_id", "last_step_at", "created_at",
    "created_by_id", "version",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "opportunity_id", "at", "staff_id", "action", "from_stage", "to_stage", "note",
)  # fmt: skip
"""The returned proposal's follow-up, keyed as ``return_proposal`` keys it."""
DAYS = 30
"""Closed opportunities were closed in this many days before today."""
STEP_DAYS = (5, 21)
"""Days an opportunity spent at each step it passed (a week to three)."""
CLASS_SCALE = {"A1": 2.0, "A2": 1.3, "B1": 0.8, "B2": 0.5, "C": 0.3}
"""A big ticket grows with the group's class; a C-class customer's ticket is small."""
_DAY_START, _DAY_SPAN = 9 * 3600, 8 * 3600 + 1800
"""The working day (09:00–17:30) the demo's steps are taken in."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Where an opportunity is to be drawn: the step it stands at (or was closed at), its
    status and proposal, and whether it is quiet or past its next step's due moment."""

    at: int
    """Position in ``[pipeline] stages``."""
    status: str = "open"
    proposal: str | None = None
    quiet: bool = False
    late: bool = False


@dataclass(frozen=True, slots=True)
class Prospect:
    """A customer an opportunity is with."""

    id: int
    cls: str
    value: int
    """Assets (individual) or yearly revenue (group), yuan."""
    group: bool
    vip: bool


@dataclass
class Written:
    """The rows of the opportunities, in the order they are inserted (parents first)."""

    opportunities: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Proposal:
    """The proposal made on entering the proposal step, and the supervisor's decision."""

    status: str
    cost: int
    back: int
    sent: int
    decided: int | None = None
    comment: str | None = None


Event = tuple[int, int, str, str | None, str | None, str | None]
"""(at, staff, action, from stage, to stage, note) of one history entry."""


@dataclass
class Story:
    """One opportunity's moments (UTC epochs): entering each step from where it was made."""

    entered: dict[int, int]
    """Step position → when it entered that step (the first: when it was made)."""
    last_step: int
    closed: int | None = None
    returned: int | None = None
    """When the supervisor returned its proposal (``None``: not returned)."""


class Lives:
    """Writes opportunities from their plans, with ids from ``ids``."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        settings: Settings,
        calendar: BranchCalendar,
        ids: dict[str, int],
        supervisor_of: Mapping[int, int],
    ) -> None:
        self.rng, self.stamps, self.ids, self.calendar = rng, stamps, ids, calendar
        pipeline = settings.pipeline
        self.stages = list(pipeline.stages)
        self.steps = max(len(self.stages) - 1, 1)
        """Open steps: all but the last (a won opportunity's)."""
        stage = pipeline.proposal_stage
        self.proposal_at = self.stages.index(stage) if stage in self.stages else self.steps - 1
        self.min_ratio = pipeline.min_return_ratio
        self.supervisor_of = supervisor_of
        today = stamps.today_ord
        self._workdays = {
            o for o in range(today - 400, today + 400) if calendar.is_workday(date.fromordinal(o))
        }

    # -- one opportunity --------------------------------------------------------------------

    def story(self, plan: Plan) -> Story:
        """When it entered each step (backwards from where it stands, a week to three each),
        its last step, and when it was closed or its proposal returned."""
        rng, today = self.rng, self.stamps.today_ord
        closed = returned = None
        if plan.status != "open":
            closed = self.back(today - few(rng, 1, DAYS))
            entry = last = self.back(closed - few(rng, 3, STEP_DAYS[1]))
        else:
            ago = (15, 35) if plan.quiet else (6, 12) if plan.late else (1, 12)
            if plan.proposal in ("waiting", "returned"):
                ago = (1, 6) if plan.proposal == "waiting" else (1, 1)
            entry = last = self.back(today - few(rng, *ago))
            if plan.proposal == "returned":  # returned on the last working day
                returned = last
                entry = last = self.back(last - few(rng, 2, 6))
            elif plan.proposal != "waiting" and rng.random() < 0.5:  # a next step since
                entry = self.back(last - few(rng, 2, 10))
        reach = min(plan.at, self.proposal_at - 1, 3)
        start = few(rng, 1, reach) if reach >= 1 and rng.random() >= 0.6 else 0
        days = {plan.at: entry}
        for at in range(plan.at - 1, start - 1, -1):
            days[at] = entry = self.back(entry - few(rng, *STEP_DAYS))
        entered = {at: self.at(day) for at, day in days.items()}
        last_step = entered[plan.at] if last == days[plan.at] else self.at(last)
        if closed is not None:
            last_step = self.at(closed)
        return Story(
            entered,
            last_step,
            last_step if closed is not None else None,
            None if returned is None else self.at(returned),
        )

    def write(
        self,
        out: Written,
        owner: int,
        prospect: Prospect,
        offer: v.Offer,
        plan: Plan,
        story: Story,
        need: str | None = None,
        referral: int | None = None,
    ) -> None:
        """The opportunity, its history and (a returned proposal's) follow-up task."""
        stamps, stages = self.stamps, self.stages
        oid = self.ids["opportunity"]
        self.ids["opportunity"] = oid + 1
        value = self._value(offer, prospect)
        need = (need or self._need(offer, value))[:500]
        start = min(story.entered)
        proposal = None
        if start < self.proposal_at <= plan.at:
            proposal = self._proposal(plan, offer, value, story)
        step = self._step(plan.at, prospect)
        reason = None
        if plan.status == "won":
            reason = v.WON_REASONS.get(offer.product, "客户签约")
        elif plan.status == "lost":
            reason = d.pick(self.rng, v.LOST_REASONS if prospect.group else v.PERSON_LOST_REASONS)
        events = self._history(owner, plan, story, need, proposal, step, reason)
        versions = _versions(events)
        for at, staff, action, came, went, note in events:
            event_id = self.ids["opportunity_event"]
            self.ids["opportunity_event"] = event_id + 1
            out.events.append((event_id, oid, stamps.instant(at), staff, action, came, went, note))
        won = plan.status == "won"
        p = proposal or _Proposal("", 0, 0, 0)
        decider = self.supervisor_of.get(owner, owner) if p.decided is not None else None
        out.opportunities.append((
            oid, prospect.id, None, referral, offer.product, need, value,
            stamps.day(self._expected_close(plan, story)), stages[-1] if won else stages[plan.at],
            stamps.instant(story.last_step if won else story.entered[plan.at]), owner, step,
            stamps.instant(self._next_due(plan, story)), plan.status, stamps.maybe(story.closed),
            reason, p.cost or None, p.back or None, p.status or None, p.comment,
            stamps.maybe(p.sent or None), stamps.maybe(p.decided), decider,
            stamps.instant(story.last_step), stamps.instant(story.entered[start]), owner,
            versions[-1],
        ))  # fmt: skip
        if p.status == "returned" and p.decided is not None and p.comment is not None:
            version = versions[[e[2] for e in events].index("return")]
            self._returned_task(out, oid, version, prospect.id, owner, p.decided, p.comment)

    def _history(
        self,
        owner: int,
        plan: Plan,
        story: Story,
        need: str,
        proposal: _Proposal | None,
        step: str,
        reason: str | None,
    ) -> list[Event]:
        """Its entries in the order they happened (a proposal is written before its move)."""
        stages = self.stages
        start = min(story.entered)
        events: list[Event] = [(story.entered[start], owner, "new", None, stages[start], need)]
        for at in range(start + 1, plan.at + 1):
            moved = story.entered[at]
            if at == self.proposal_at and proposal is not None:
                note = (
                    f"{ratio_text(proposal.cost, proposal.back)} ({proposal.cost}/{proposal.back})"
                )
                events.append((moved, owner, "propose", None, None, note))
            events.append((moved, owner, "move", stages[at - 1], stages[at], None))
        if proposal is not None and proposal.decided is not None:
            supervisor = self.supervisor_of.get(owner, owner)
            if proposal.status == "approved":
                note = ratio_text(proposal.cost, proposal.back)
                events.append((proposal.decided, supervisor, "approve", None, None, note))
            else:
                events.append(
                    (proposal.decided, supervisor, "return", None, None, proposal.comment)
                )
        if story.closed is None and story.last_step > story.entered[plan.at]:
            events.append((story.last_step, owner, "next_step", None, None, step))
        if story.closed is not None:
            went = stages[-1] if plan.status == "won" else None
            events.append((story.closed, owner, plan.status, stages[plan.at], went, reason))
        events.sort(key=lambda e: e[0])  # stable: a proposal stays before its move
        return events

    def _proposal(self, plan: Plan, offer: v.Offer, value: int, story: Story) -> _Proposal:
        """The proposal's cost and return (clear at or above the ratio, else below it) and
        the supervisor's decision, if any."""
        rng, m = self.rng, self.min_ratio
        state = plan.proposal or "clear"
        low, high = offer.cost
        cost = _round_cost(value * (low + rng.random() * (high - low)))
        if state == "clear":
            back = max(int(cost * (m + 0.1 + rng.random() * 1.6)) // 100 * 100, math.ceil(cost * m))
        else:
            back = min(
                int(cost * m * (0.75 + rng.random() * 0.2)) // 100 * 100, math.ceil(cost * m) - 1
            )
        sent = story.entered[self.proposal_at]
        if state == "approved":
            later = [moment for at, moment in story.entered.items() if at > self.proposal_at]
            upper = min([*later, story.closed or self.stamps.now_epoch])
            return _Proposal(state, cost, back, sent, self._decision(sent, upper))
        if state == "returned" and story.returned is not None:
            return _Proposal(
                state, cost, back, sent, story.returned, d.pick(rng, v.RETURN_COMMENTS)
            )
        return _Proposal(state, cost, back, sent)

    def _decision(self, sent: int, upper: int) -> int:
        """When the supervisor approved: a working day or three after it was sent, or the
        same afternoon when the opportunity moved on sooner."""
        rng, stamps = self.rng, self.stamps
        at = self.at(self._ahead(stamps.local_date(sent).toordinal() + few(rng, 1, 3)))
        if at >= upper or at >= stamps.now_epoch:
            at = min(sent + 1800 + int(rng.random() * 5400), upper - 60)
        return at

    def _returned_task(
        self, out: Written, oid: int, version: int, customer: int, owner: int, at: int, comment: str
    ) -> None:
        """The follow-up ``return_proposal`` puts on the owner's Today."""
        task_id = self.ids["task"]
        self.ids["task"] = task_id + 1
        reason = t("opportunity.returned_task", id=oid, comment=comment)
        reason = reason[:199] + "…" if len(reason) > 200 else reason
        when = self.stamps.instant(at)
        answer_by = by_next_workday(self.calendar, self.stamps.local_date(at)).timestamp()
        out.tasks.append((
            task_id, TaskKind.FOLLOW_UP.value, customer, owner, when, 0, reason, "open",
            FOLLOW_UP_RULES[1], RETURNED_KEY.format(id=oid, version=version), None, comment, None,
            when, None, None, 1, self.stamps.instant(int(answer_by)),
        ))  # fmt: skip

    # -- figures and words -----------------------------------------------------------------

    def _value(self, offer: v.Offer, prospect: Prospect) -> int:
        """The expected value, whole yuan, rounded as a manager would put it."""
        rng = self.rng
        if offer.share:
            raw = prospect.value * (offer.low + rng.random() * (offer.high - offer.low)) / 100
        else:
            raw = offer.low * (offer.high / offer.low) ** rng.random()
        if offer.scaled or prospect.cls == "C":
            raw *= CLASS_SCALE.get(prospect.cls, 1.0)
        return _round_value(raw)

    def _need(self, offer: v.Offer, value: int) -> str:
        template = d.pick(self.rng, offer.needs)
        heads = max(value // offer.per_head, 1) if offer.per_head else 0
        return template.format(wan=f"{value / 10_000:g}", n=heads)

    def _step(self, at: int, prospect: Prospect) -> str:
        steps = (v.GROUP_STEPS if prospect.group else v.PERSON_STEPS).get(self.stages[at])
        return d.pick(self.rng, steps or v.ANY_STEPS)

    def _next_due(self, plan: Plan, story: Story) -> int:
        """The next step's due moment: in the coming days; passed for a late or quiet one;
        a closed one's was its closing."""
        rng, today = self.rng, self.stamps.today_ord
        if story.closed is not None:
            return story.closed
        if not (plan.quiet or plan.late):
            return self.at(self._ahead(today + few(rng, 1, 12)))
        day = self._ahead(self.stamps.local_date(story.last_step).toordinal() + few(rng, 2, 5))
        if day >= today:
            day = self.back(today - 1)
        return max(self.at(day), story.last_step + 3600)

    def _expected_close(self, plan: Plan, story: Story) -> int:
        """Weeks away at the late steps, months at the early ones; a won one's is its day."""
        rng, stamps = self.rng, self.stamps
        if story.closed is not None:
            closed = stamps.local_date(story.closed).toordinal()
            return closed if plan.status == "won" else closed + few(rng, 0, 30)
        remaining = self.steps - 1 - plan.at
        return self._ahead(stamps.today_ord + remaining * few(rng, 8, 16) + few(rng, 7, 21))

    # -- days -------------------------------------------------------------------------------

    def at(self, ordinal: int) -> int:
        """A moment of the working day ``ordinal`` (UTC epoch)."""
        return self.stamps.midnight(ordinal) + _DAY_START + int(self.rng.random() * _DAY_SPAN)

    def back(self, ordinal: int) -> int:
        """``ordinal`` or the last working day before it."""
        day = ordinal
        while day not in self._workdays and day > ordinal - 30:
            day -= 1
        return day if day in self._workdays else ordinal

    def _ahead(self, ordinal: int) -> int:
        """``ordinal`` or the first working day after it."""
        day = ordinal
        while day not in self._workdays and day < ordinal + 30:
            day += 1
        return day if day in self._workdays else ordinal


def _versions(events: Sequence[Event]) -> list[int]:
    """The opportunity's version after each entry: every step and decision bumps it (a
    proposal only with the move it came with)."""
    version, out = 1, []
    for event in events:
        version += event[2] not in ("new", "propose")
        out.append(version)
    return out


def few(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def _round_value(raw: float) -> int:
    """Millions to the 100,000, hundreds of thousands to the 10,000, else to the 1,000."""
    unit = 100_000 if raw >= 1_000_000 else 10_000 if raw >= 100_000 else 1_000
    return max(int(raw) // unit * unit, 1_000)


def _round_cost(raw: float) -> int:
    unit = 10_000 if raw >= 100_000 else 1_000
    return max(int(raw) // unit * unit, 1_000)
