"""The demo's opportunities (商机): each manager's pipeline on the Monday morning the demo is,
and the deals won and lost in the month before, as the pipeline services would have written
them (:mod:`cmworkbench.services.pipeline.opportunities`).

**Whose.** Every customer manager works a handful of open opportunities (:data:`OPEN`, 5–9),
mostly with their own group customers (:data:`GROUP_SHARE`), otherwise with their A/B-class
individuals; a phone manager, who sells by phone, now and then one small ticket
(:data:`PHONE_SHARE`). The figures are the product's (:mod:`.opportunity_vocab`): loans and
cash management in the millions, bigger for an A1 group, cards and insurance in tens of
thousands; expected to close in the coming weeks (late steps) or months (early ones).

**Where they stand.** A funnel: each step holds :data:`FUNNEL_DECAY` times the one before.
Each opportunity was made at the first step (or, a customer already well known, at a later
one before the proposal step) and moved a step at a time, a week to three at each, with its
history (:mod:`.opportunity_life`). Next steps are due in the coming days; :data:`LATE` of
them passed their due moment and :data:`QUIET` had no step for more than ``[pipeline]
stale_days``: the daily generation brings those back to their owners' Today.

**Proposals.** Entering the proposal step set the proposal's cost and expected return: most
clear the ``min_return_ratio``; :data:`WAITING` of those at the step are below it and wait
for the supervisor (on the supervisor's Today), :data:`APPROVED` were approved below it (as
were :data:`APPROVED_PAST` of those further on).

**Closed.** Over the last month (:data:`~.opportunity_life.DAYS` days) each manager won or
lost a few (:data:`CLOSED`); a win rate of :data:`WIN_RATE`, held within :data:`SLACK`
whatever the seed, as the referrals' conversion is. A won one stays at the last step
(``stage_since`` its win), a lost one at the step it was lost at, with the reason.

**From referrals.** :data:`REFERRAL_SHARE` of the managers with an open referral they reached
(an A/B-class customer's) made an opportunity of it (``referral_id``, its product and need).
They are all still open, so the referral board's figures stay the referrals' own; no other
opportunity is with a customer referred this month (winning it would convert the referral).

**The demo login** (``zhangwei``) has a fixed book (:func:`demo_book`): two opportunities at
the first step and at least one at every other open step, one of them quiet and one past its
next step's due moment; at the proposal step one proposal waiting for 王芳 and one she
returned on the last working day with a comment, whose follow-up (rule
``proposal_returned``, as the service makes it) is on his Today; one won and one lost.

No audit rows, as for the rest of the demo. Everything is drawn from the build's own
opportunity stream, after every other part of the demo: adding it left every other row as it
was. The cost does not grow with the branch beyond a scan of the first customers of each book.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import cast

from cmworkbench.config import Settings
from cmworkbench.domain import demo_data as d
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.services.ops.demo import opportunity_vocab as v
from cmworkbench.services.ops.demo.customers import CUSTOMER_COLUMNS, Chunk
from cmworkbench.services.ops.demo.opportunity_life import (
    EVENT_COLUMNS,
    OPPORTUNITY_COLUMNS,
    Lives,
    Plan,
    Prospect,
    Row,
    Story,
    Written,
    few,
)
from cmworkbench.services.ops.demo.referrals import CANDIDATES, REFERRAL_COLUMNS
from cmworkbench.services.ops.demo.staff import DEMO_LOGIN, Member
from cmworkbench.services.ops.demo.stamps import Stamps

__all__ = ["EVENT_COLUMNS", "OPPORTUNITY_COLUMNS", "Opportunities", "Plan", "demo_book"]

OPEN = d.Weighted(((5, 15), (6, 25), (7, 25), (8, 20), (9, 15)))
"""Open opportunities a manager works."""
CLOSED = d.Weighted(((0, 10), (1, 30), (2, 35), (3, 20), (4, 5)))
"""Opportunities a manager won or lost in the last month."""
FUNNEL_DECAY = 0.8
GROUP_SHARE = 0.75
WAITING, APPROVED = 0.3, 0.15
"""Of the proposals at the proposal step: waiting for the supervisor, approved below ratio."""
APPROVED_PAST = 0.25
"""Of the opportunities past the proposal step: their proposal was approved below ratio."""
QUIET, LATE = 0.08, 0.06
"""Open opportunities with no step for over ``stale_days``; past their next step's due."""
WIN_RATE, SLACK = 0.38, 0.05
WON_AT_LAST_OPEN = 0.8
"""Won opportunities won at the last open step (the rest right after the proposal)."""
REFERRAL_SHARE = 0.5
PHONE_SHARE = 0.3
KEPT = (12, 6)
"""Candidates kept per manager: groups, individuals (the first of each book)."""
PHONE_KEPT = 4
_C = {name: i for i, name in enumerate(CUSTOMER_COLUMNS)}
_R = {name: i for i, name in enumerate(REFERRAL_COLUMNS)}


def demo_book(steps: int, proposal_at: int) -> list[Plan]:
    """The demo login's opportunities, for ``steps`` open steps with the proposal step at
    ``proposal_at`` (see the module)."""
    plans = [Plan(0)]
    for at in range(steps):
        if at == proposal_at:
            plans += [Plan(at, proposal="returned"), Plan(at, proposal="waiting")]
        elif at > proposal_at:
            plans.append(Plan(at, proposal="approved"))
        else:
            plans.append(Plan(at, quiet=at == 1, late=at == 2))
    plans.append(Plan(steps - 1, "won", "clear"))
    plans.append(Plan(max(min(3, proposal_at - 1), 0), "lost"))
    return plans


class Opportunities:
    """Collects the first customers of each book, then draws the pipelines."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        settings: Settings,
        calendar: BranchCalendar,
        ids: dict[str, int],
        members: Sequence[Member],
        supervisor_of: Mapping[int, int],
    ) -> None:
        self.rng, self.lives = rng, Lives(rng, stamps, settings, calendar, ids, supervisor_of)
        self.stamps, self.steps, self.proposal_at = stamps, self.lives.steps, self.lives.proposal_at
        self.members = [m for m in members if m.role in (Role.MANAGER, Role.PHONE_MANAGER)]
        self._funnel = d.Weighted((at, FUNNEL_DECAY**at) for at in range(self.steps))
        self._lost_at = d.Weighted((at, min(at + 1, self.steps - at)) for at in range(self.steps))
        self._offers = {
            True: d.Weighted((o, o.weight) for o in v.GROUP_OFFERS),
            False: d.Weighted((o, o.weight) for o in v.PERSON_OFFERS),
        }
        self._wanting = {
            m.id: [0, PHONE_KEPT] if m.role == Role.PHONE_MANAGER else list(KEPT)
            for m in self.members
        }
        """Owner → candidates still wanted: [groups, individuals]."""
        self._books: dict[int, tuple[list[Prospect], list[Prospect]]] = {}
        self._referable: dict[int, Prospect] = {}
        """A/B-class individuals a referral may be about (among the referrals' candidates)."""
        self._bound = ids["customer"] + CANDIDATES
        self._won = self._closed = 0

    # -- candidates -------------------------------------------------------------------------

    def collect(self, chunk: Chunk) -> None:
        """Keep the first customers of each book (:data:`KEPT`) and the A/B individuals among
        the referrals' candidates (whatever the chunk size)."""
        wanting, bound = self._wanting, self._bound
        owner_at, kind_at, cls_at, status_at = _C["owner_id"], _C["kind"], _C["cls"], _C["status"]
        assets_at, revenue_at, vip_at = _C["assets_yuan"], _C["revenue_yuan"], _C["is_vip"]
        for row in chunk.customers:
            cid = cast(int, row[0])
            if not wanting and cid >= bound:
                return
            owner = row[owner_at]
            want = wanting.get(cast(int, owner))
            if owner is None or (want is None and cid >= bound) or row[status_at] == "lost":
                continue
            group = row[kind_at] == "group"
            cls = cast(str, row[cls_at])
            value = cast(int, row[revenue_at] if group else row[assets_at])
            if not group and cls != "C" and cid < bound:
                self._referable[cid] = Prospect(cid, cls, value, group, bool(row[vip_at]))
            if want is None or want[not group] <= 0:
                continue
            self._books.setdefault(cast(int, owner), ([], []))[not group].append(
                Prospect(cid, cls, value, group, bool(row[vip_at]))
            )
            want[not group] -= 1
            if want[0] <= 0 and want[1] <= 0:
                del wanting[cast(int, owner)]

    # -- the pipelines ----------------------------------------------------------------------

    def build(self, referrals: Sequence[Row]) -> Written:
        """Every book's opportunities (``referrals``: the month's rows, as written)."""
        out = Written()
        referred = {r[_R["customer_id"]] for r in referrals}
        linked = self._linked(referrals)
        for m in self.members:
            groups, people = (
                [p for p in found if p.id not in referred]
                for found in self._books.get(m.id, ([], []))
            )
            if m.role == Role.PHONE_MANAGER:
                self._by_phone(out, m.id, people)
                continue
            for plan in self._demo() if m.login == DEMO_LOGIN else self._drawn():
                big = plan.proposal == "returned"
                use_group = bool(groups) and (big or self.rng.random() < GROUP_SHARE or not people)
                pool = groups if use_group else people
                if not pool:
                    break
                at = int(self.rng.random() * len(pool))
                if big:  # the branch's big deal, the one the supervisor looks hard at
                    at = pool.index(min(pool, key=lambda p: (p.cls, not p.vip, -p.value)))
                prospect = pool.pop(at)
                offer = self._offers[prospect.group].pick(self.rng)
                if big and prospect.group:  # a loan: the figures a supervisor weighs
                    offer = next((o for o in v.GROUP_OFFERS if o.product == "loan"), offer)
                self.lives.write(out, m.id, prospect, offer, plan, self.lives.story(plan))
            if m.id in linked:
                self._from_referral(out, m.id, linked[m.id])
        return out

    def _demo(self) -> list[Plan]:
        plans = demo_book(self.steps, self.proposal_at)
        for plan in plans:
            if plan.status != "open":
                self._closed += 1
                self._won += plan.status == "won"
        return plans

    def _drawn(self) -> list[Plan]:
        """A manager's book: the open funnel, then the month's closed ones."""
        rng, p = self.rng, self.proposal_at
        plans = []
        for _ in range(OPEN.pick(rng)):
            at = self._funnel.pick(rng)
            proposal: str | None = self._passed() if at > p else None
            if at == p:
                u = rng.random()
                proposal = "waiting" if u < WAITING else "clear"
                if WAITING <= u < WAITING + APPROVED:
                    proposal = "approved"
            u = rng.random()
            calm = proposal == "waiting"  # a proposal sent lately: neither quiet nor late
            quiet, late = u < QUIET and not calm, u >= 1 - LATE and not calm
            plans.append(Plan(at, proposal=proposal, quiet=quiet, late=late))
        for _ in range(CLOSED.pick(rng)):
            won = self._wins()
            at = self._lost_at.pick(rng) if not won else self.steps - 1
            if won and rng.random() >= WON_AT_LAST_OPEN:
                at = p
            plans.append(Plan(at, "won" if won else "lost", self._passed() if at >= p else None))
        return plans

    def _passed(self) -> str:
        """The proposal of one that went past the proposal step (or was won there)."""
        return "approved" if self.rng.random() < APPROVED_PAST else "clear"

    def _wins(self) -> bool:
        """Whether the next closed opportunity was won (see :data:`WIN_RATE`)."""
        rate = self._won / self._closed if self._closed else WIN_RATE
        if rate > WIN_RATE + SLACK:
            won = False
        elif rate < WIN_RATE - SLACK:
            won = True
        else:
            won = self.rng.random() < WIN_RATE
        self._closed += 1
        self._won += won
        return won

    def _by_phone(self, out: Written, owner: int, people: list[Prospect]) -> None:
        """Now and then a phone manager's small ticket, in the early steps."""
        rng = self.rng
        if not people or rng.random() >= PHONE_SHARE:
            return
        prospect = d.pick(rng, people)
        offer = d.pick(rng, [o for o in v.PERSON_OFFERS if o.product in v.PHONE_PRODUCTS])
        plan = Plan(max(min(2 + (rng.random() < 0.5), self.proposal_at - 1), 0))
        self.lives.write(out, owner, prospect, offer, plan, self.lives.story(plan))

    def _linked(self, referrals: Sequence[Row]) -> dict[int, Row]:
        """Manager → an open referral they reached and made an opportunity of."""
        managers = {m.id for m in self.members if m.role == Role.MANAGER}
        chosen: dict[int, Row] = {}
        for r in referrals:
            to, cid = cast("int | None", r[_R["to_id"]]), r[_R["customer_id"]]
            if r[_R["status"]] != "open" or r[_R["contacted_at"]] is None or to in chosen:
                continue
            if to in managers and cid in self._referable and self.rng.random() < REFERRAL_SHARE:
                chosen[cast(int, to)] = r
        return chosen

    def _from_referral(self, out: Written, owner: int, referral: Row) -> None:
        """An opportunity made of a referral just after its first contact, at the needs step
        (its product and need, as ``new_opportunity`` takes them)."""
        rng, stamps = self.rng, self.stamps
        offer = next((o for o in v.PERSON_OFFERS if o.product == referral[_R["product"]]), None)
        contacted = datetime.fromisoformat(cast(str, referral[_R["contacted_at"]]))
        made = int(contacted.replace(tzinfo=UTC).timestamp()) + 600 + int(rng.random() * 3600)
        if offer is None or made >= stamps.midnight(stamps.today_ord):
            return
        at = max(min(3, self.proposal_at - 1), 0)
        last = made
        if stamps.today_ord - stamps.local_date(made).toordinal() > 10:  # a step taken since
            last = self.lives.at(self.lives.back(stamps.today_ord - few(rng, 1, 8)))
        prospect = self._referable[cast(int, referral[_R["customer_id"]])]
        need = cast(str, referral[_R["need"]])
        story = Story({at: made}, last)
        self.lives.write(out, owner, prospect, offer, Plan(at), story, need, cast(int, referral[0]))
