"""The demo's referrals (转介): a month of tellers and lobby staff handing customers and
prospects to the managers, and what came of it, as a branch in steady state has it.

**Who refers.** The branch's front line, six people with the role ``referrer`` and stable
logins (:data:`REFERRERS`): two lobby managers (大堂经理) and four tellers (柜员), two of them
with each of the three named manager teams. A real branch's tellers answer to its
operations side, not to a manager team; but the referral board counts each referrer under
their team, and a team's supervisor sees the referrals of the referrers in her team. So each
one is in the manager team they work with at the counter (对口): ``wangfang`` sees and coaches
罗燕 and 高欣, and the branch head's board reads "客户经理一组 brought N" rather than one line
"—" for the whole front line. (The README's own example puts a teller in a team, too.)

**What they refer.** On each working day of the branch calendar in the :data:`DAYS` days
before today, a lobby manager makes 0–3 referrals (1.6 on average), a teller 0–3 (1.0): about
seven a day, 140 a month, whatever the number of customers. A third of the lobby's and a
quarter of the tellers' are prospects without an account (a lead, :data:`PROSPECT_SHARE`); the
rest are individual customers (a counter's walk-ins; about half of them A/B-class, though most
customers are C), each referred once, for a wealth product, a deposit, a fund, a card,
insurance or a loan (never a product the customer opened since: that would have converted at
once).

**What came of it**, with the services' rules (:mod:`cmworkbench.services.pipeline`):

* a customer's referral reaches their owner at once; a lead waits in the branch pool until the
  branch head allocates it to a manager, most within hours, some a day or two later, and a few
  of the last working day's are still waiting (to_id ``None``, no clock yet);
* the first contact is owed by ``[promises.first_contact]`` (the close of the next working
  day): about 90% were reached by it, 7% after it, the rest not yet. Reaching a customer is a
  held call (an ``interaction`` with purpose ``first_contact``), a lead's a ``lead_contact``;
  it closes the ``first_contact`` task (status ``done``, ``closed_at`` the contact);
* the older a referral, the likelier it is decided (a day's age adds :data:`DECIDED_PER_DAY`,
  up to :data:`DECIDED_MOST`): a customer's converts when a product of its category opens, a
  ``holding`` written here with ``opened_on`` between the contact and yesterday and converted
  that evening (by the workbench: ``outcome_by_id`` empty), or the manager marks it lost with
  a reason; a lead becomes a customer (:data:`MERGE_SHARE`: one of the accounts opened lately,
  the lead with its name and phone, merged the evening the account opened, and converted by
  the product it opened with) or is dropped with a reason, its referral lost (one never
  reached: "多次联系未接通", its task cancelled). Decisions go the way of :data:`CONVERSION`;
* over the month that is about 10% of the referrals converted and 20% lost, the rest open: a
  conversion rate of about 30% of the decided ones (the board's rate: converted over converted
  and lost, none past its 90-day window yet; with only a tenth lost, a 30% rate would leave
  four conversions a month), and first contacts in time about 90% of those due (below the
  report's 95% target: the figure has something to say).

Open first-contact tasks stay few: at most :data:`OPEN_TASKS_MOST` per manager (a referral
that would be a third goes to another manager's customer, or was reached already), so Today
stays a day's work: about five in the branch, whatever its size; the demo login
has one, from the last working day, so a first run shows what a referral looks like.

Candidates are the individual customers among the first :data:`CANDIDATES`
(:meth:`Referrals.collect`): the cost does not grow with the branch. Everything is drawn from
the build's own referral stream, after every other part of the demo: adding it left every
other row as it was. No audit rows, as for the rest of the demo.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from cmworkbench.config import Settings
from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role, TaskKind
from cmworkbench.i18n import t
from cmworkbench.services.ops.demo.customers import CUSTOMER_COLUMNS, HOLDING_COLUMNS, Chunk
from cmworkbench.services.ops.demo.staff import DEMO_LOGIN, Member
from cmworkbench.services.ops.demo.stamps import Stamps
from cmworkbench.services.ops.demo.tasks import TASK_COLUMNS
from cmworkbench.services.pipeline import api as pipeline

Row = tuple[object, ...]

REFERRERS: tuple[tuple[str, str, str, int], ...] = (
    # (login, name, post, index of the manager team they work with)
    ("luoyan", "罗燕", "lobby", 0),
    ("gaoxin", "高欣", "teller", 0),
    ("songjie", "宋杰", "teller", 1),
    ("tangwen", "唐雯", "teller", 1),
    ("fengyu", "冯宇", "lobby", 2),
    ("hanxue", "韩雪", "teller", 2),
)
"""The front line: lobby managers (大堂经理) and tellers (柜员), role ``referrer``."""
DAYS = 30
"""Referrals of the working days in this many days before today."""
PER_DAY = {
    "lobby": d.Weighted(((0, 15), (1, 30), (2, 35), (3, 20))),
    "teller": d.Weighted(((0, 35), (1, 35), (2, 22), (3, 8))),
}
"""Referrals a day, by post: the lobby manager meets every customer who walks in."""
PROSPECT_SHARE = {"lobby": 0.35, "teller": 0.25}
"""Referrals of people without an account (leads), by post."""
AB_SHARE = 0.45
"""Customer referrals of A/B-class customers (a counter refers the promising ones)."""
IN_TIME, LATE = 0.90, 0.07
"""First contacts by the deadline, and after it; the rest not made (yet)."""
EARLY = 0.35
"""Referrals whose deadline has not passed that were contacted already."""
OLD_OPEN_DAYS = 5
"""A customer's referral whose deadline passed longer ago than this was contacted, late."""
DECIDED_PER_DAY, DECIDED_MOST = 1 / 50, 0.5
CONVERSION, SLACK = 0.30, 0.04
"""Of the decided referrals, converted (the rest lost): each decision is drawn at this rate,
unless the month so far has strayed more than ``SLACK`` from it (then it goes the other way),
so the board reads about 30% for every seed and size, not 20% or 45% by luck."""
MERGE_SHARE = 0.15
"""Leads that became customers (an account opened since, the lead merged into it)."""
DROP_FACTOR = 0.8
"""A lead's chance to be dropped, against a customer referral's to be decided."""
SLOW_ALLOCATION = 0.15
"""Leads allocated a working day or two after they came, not within hours."""
POOLED_LAST_DAY = 0.5
"""The last working day's leads still waiting in the pool."""
OPEN_TASKS_MOST = 2
"""Open first-contact tasks a manager may have (Today stays a day's work)."""
CANDIDATES = 25_000
"""The first this many customers are the ones who walk in (the cost stays flat with size)."""
MERGE_WITHIN = 14
"""A merged lead's account opened within this many days of the referral."""

REFERRAL_COLUMNS = (
    "id", "at", "referrer_id", "customer_id", "lead_id", "need", "product", "to_id",
    "received_at", "contact_due", "contacted_at", "window_ends", "status", "outcome_at",
    "outcome_by_id", "holding_id", "lost_reason", "task_id", "version",
)  # fmt: skip
LEAD_COLUMNS = (
    "id", "name", "phone", "id_number", "need", "product", "source", "referrer_id", "owner_id",
    "status", "customer_id", "match_customer_id", "created_at", "allocated_at", "closed_at",
    "drop_reason", "version",
)  # fmt: skip
LEAD_CONTACT_COLUMNS = (
    "id", "lead_id", "staff_id", "at", "kind", "outcome", "note", "interaction_id",
)  # fmt: skip
FIRST_CONTACT_COLUMNS = (*TASK_COLUMNS, "lead_id")

_KINDS = d.Weighted(v.REFERRAL_KINDS)
_PRODUCTS = {
    kind: [
        d.Product(name, k, term, low, high, k in ("deposit", "wealth", "fund"))
        for name, k, term, low, high in v.REFERRAL_PRODUCTS
        if k == kind
    ]
    for kind, _ in v.REFERRAL_KINDS
}
_C = {name: i for i, name in enumerate(CUSTOMER_COLUMNS)}
_H = {name: i for i, name in enumerate(HOLDING_COLUMNS)}
_OPEN_SECONDS, _CLOSE_SECONDS = 9 * 3600, 17 * 3600 + 1800
"""The counter's day (09:00–17:30)."""
_POST_LOAN_DAYS = 90
"""A new loan's first post-loan check (not due within the demo's weeks)."""


@dataclass(frozen=True, slots=True)
class Referrer:
    """One of the front line, as written."""

    id: int
    login: str
    name: str
    post: str


@dataclass
class Written:
    """The rows of the referrals, in the order they are inserted (parents first)."""

    leads: list[Row] = field(default_factory=list)
    holdings: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)
    referrals: list[Row] = field(default_factory=list)
    lead_contacts: list[Row] = field(default_factory=list)


def referrer_rows(
    rng: random.Random, stamps: Stamps, ids: dict[str, int], branch_id: int, first_team: int
) -> tuple[list[Referrer], list[Row]]:
    """The front line's staff rows (``STAFF_COLUMNS`` order) from the next staff id."""
    people: list[Referrer] = []
    rows: list[Row] = []
    for login, name, post, team in REFERRERS:
        staff_id = ids["staff"]
        ids["staff"] = staff_id + 1
        hired = stamps.at(stamps.today_ord - 365 - int(rng.random() * 3000), 32_400)
        people.append(Referrer(staff_id, login, name, post))
        rows.append((
            staff_id, login, name, str(Role.REFERRER), None, branch_id, first_team + team,
            None, d.mobile(rng), 1, hired, 1,
        ))  # fmt: skip
    return people, rows


@dataclass
class _Case:
    """One referral as it is drawn: where it went and what came of it."""

    day: int
    at: int
    referrer: Referrer
    kind: str
    need: str
    received: int | None = None
    due: int | None = None
    contacted: int | None = None
    status: str = "open"
    outcome_at: int | None = None
    reason: str | None = None
    opened: int | None = None
    """The day (ordinal) the converting product opened."""


class Referrals:
    """Collects the candidates among the first customers, then draws the month."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        settings: Settings,
        calendar: BranchCalendar,
        ids: dict[str, int],
        members: Sequence[Member],
        referrers: Sequence[Referrer],
    ) -> None:
        self.rng, self.stamps, self.ids = rng, stamps, ids
        self.calendar = calendar
        self.referrers = list(referrers)
        self.window = settings.referrals.window_days
        self.settings = settings
        today = stamps.today_ord
        self._workdays = {
            o
            for o in range(today - DAYS - 10, today + 10)
            if calendar.is_workday(date.fromordinal(o))
        }
        self._managers = [m.id for m in members if m.role == Role.MANAGER]
        self._demo = next((m.id for m in members if m.login == DEMO_LOGIN), None)
        self._ab: list[Row] = []
        self._c: list[Row] = []
        self._new: list[tuple[int, int, Row]] = []
        """Individuals whose account opened lately: (opened day, created epoch, row)."""
        self._recent: dict[int, list[tuple[str, int]]] = {}
        """Customer → (product kind, opened day) of their holdings opened lately."""
        self._used: set[int] = set()
        self._open: Counter[int] = Counter()
        """Staff id → their open first-contact tasks."""
        self._phones: set[str] = set()
        self._bound = ids["customer"] + CANDIDATES
        """Customer ids below this are candidates."""
        self._last_day: int | None = None
        self._decided = self._won = 0
        self._demo_owed = self._demo is not None

    # -- candidates -------------------------------------------------------------------------

    def collect(self, chunk: Chunk) -> None:
        """Keep the chunk's individual customers with an owner among the first
        :data:`CANDIDATES` as candidates (whatever the chunk size)."""
        bound = self._bound
        if not chunk.customers or cast(int, chunk.customers[0][0]) >= bound:
            return
        stamps = self.stamps
        since = stamps.day(stamps.today_ord - DAYS - 1)
        kind_at, owner_at, status_at = _C["kind"], _C["owner_id"], _C["status"]
        cls_at, opened_at, created_at = _C["cls"], _C["opened_on"], _C["created_at"]
        for row in chunk.customers:
            if cast(int, row[0]) >= bound:
                break
            if row[kind_at] != "individual" or row[owner_at] is None or row[status_at] == "lost":
                continue
            (self._c if row[cls_at] == "C" else self._ab).append(row)
            opened = cast(str, row[opened_at])
            if opened >= since:
                created = datetime.fromisoformat(cast(str, row[created_at])).replace(tzinfo=UTC)
                day = date.fromisoformat(opened).toordinal()
                self._new.append((day, int(created.timestamp()), row))
        h_customer, h_kind, h_opened = _H["customer_id"], _H["product_kind"], _H["opened_on"]
        for h in chunk.holdings:
            held = cast("str | None", h[h_opened])
            if held is not None and held >= since and cast(int, h[h_customer]) < bound:
                ordinal = date.fromisoformat(held).toordinal()
                self._recent.setdefault(cast(int, h[h_customer]), []).append(
                    (cast(str, h[h_kind]), ordinal)
                )

    # -- the month --------------------------------------------------------------------------

    def build(self) -> Written:
        """The referrals of the working days before today, with their leads, tasks, contacts
        and the products that converted them."""
        rng, stamps = self.rng, self.stamps
        today = stamps.today_ord
        days = sorted(o for o in self._workdays if today - DAYS <= o < today)
        plans: list[tuple[int, int, int, Referrer]] = []
        for day in days:
            for person in self.referrers:
                for _ in range(PER_DAY[person.post].pick(rng)):
                    second = _OPEN_SECONDS + int(rng.random() * (8 * 3600))
                    plans.append((day, second, person.id, person))
        plans.sort(key=lambda p: p[:3])
        out = Written()
        self._last_day = days[-1] if days else None
        for day, second, _, person in plans:
            at = stamps.midnight(day) + second
            if at >= stamps.now_epoch:
                continue
            kind = _KINDS.pick(rng)
            case = _Case(day, at, person, kind, d.pick(rng, v.REFERRAL_NEEDS[kind]))
            if rng.random() < PROSPECT_SHARE[person.post]:
                self._lead(out, case)
            else:
                self._customer(out, case)
        return out

    def _customer(self, out: Written, case: _Case) -> None:
        """A customer referred: to their owner at once."""
        case.received = case.at
        case.due = self._due(case.at)
        self._contact(case)
        if case.contacted is None and case.due < self.stamps.now_epoch - OLD_OPEN_DAYS * 86_400:
            case.contacted = self._late(case.due)
        row = self._walk_in(case, open_task=case.contacted is None)
        if row is None and case.contacted is None:  # everyone has enough waiting: reached
            case.contacted = self._soon(case.received, case.due, anyway=True)
            row = self._walk_in(case, open_task=False)
        if row is None:
            return
        cid, owner = cast(int, row[0]), cast(int, row[_C["owner_id"]])
        self._used.add(cid)
        self._decide(case, can_convert=True)
        if case.status == "lost":
            reasons = v.LOST_REASONS_BY_KIND.get(case.kind, v.LOST_REASONS)
            case.reason = d.pick(self.rng, reasons)
        holding = None
        if case.status == "converted":
            holding = self._holding(out, cid, case, cast(int, row[_C["assets_yuan"]]))
        task_note = case.need
        if case.contacted is not None:
            iid = self._call(out, cid, owner, case.contacted, case.contacted + 300)
            task_note = f"closed by logged call #{iid}"
        else:
            self._open[owner] += 1
        task = self._task(out, case, owner, cid, None, task_note)
        self._referral(out, case, cid, None, owner, holding, task)

    def _lead(self, out: Written, case: _Case) -> None:
        """A prospect referred: a lead in the pool until the branch head allocates it."""
        rng, stamps = self.rng, self.stamps
        merging = rng.random() < MERGE_SHARE and self._rate() <= CONVERSION
        merged = self._merged(case) if merging else None
        cid: int | None = None
        closed: int | None = None
        holding: int | None = None
        owner: int | None
        if merged is None:
            name, phone = self._prospect(), self._lead_phone()
            owner = self._allocated(case)
        else:
            opened, row = merged
            cid, owner = cast(int, row[0]), cast(int, row[_C["owner_id"]])
            name, phone = cast(str, row[_C["name"]]), cast(str, row[_C["phone"]])
            self._used.add(cid)
            closed = stamps.midnight(opened) + 20 * 3600 + int(rng.random() * 1200)
            case.status, case.outcome_at, case.opened = "converted", closed, opened
            holding = self._holding(out, cid, case, cast("int | None", row[_C["assets_yuan"]]))
        if case.status == "lost":
            closed = case.outcome_at
        lead_id = self.ids["lead"]
        self.ids["lead"] = lead_id + 1
        status = {"converted": "merged", "lost": "dropped"}.get(case.status, "open")
        out.leads.append((
            lead_id, name, phone, None, case.need, case.kind, "referral", case.referrer.id,
            owner, status, cid, None, stamps.instant(case.at), stamps.maybe(case.received),
            stamps.maybe(closed), case.reason if status == "dropped" else None,
            1 + (owner is not None) + (closed is not None),
        ))  # fmt: skip
        if owner is None:  # waiting in the pool: no manager, no clock
            self._referral(out, case, None, lead_id, None, None, None)
            return
        note = case.need
        if case.contacted is not None:
            interaction = None
            if cid is not None:  # the lead's contacts became the customer's on the merge
                interaction = self._call(out, cid, owner, case.contacted, cast(int, closed))
            contact_id = self.ids["lead_contact"]
            self.ids["lead_contact"] = contact_id + 1
            out.lead_contacts.append((
                contact_id, lead_id, owner, stamps.instant(case.contacted), "call", "reached",
                d.pick(rng, v.FIRST_CONTACT_NOTES), interaction,
            ))  # fmt: skip
            note = "call reached"  # as leads.close_first_contacts closes it
        elif case.status == "open":
            self._open[owner] += 1
        task = self._task(out, case, owner, cid, lead_id, note)
        self._referral(out, case, cid, lead_id, owner, holding, task)

    def _merged(self, case: _Case) -> tuple[int, Row] | None:
        """The account a lead became (its opening day and customer row), allocated at once to
        the manager who opened it and reached before it opened; ``None``: no such account."""
        rng = self.rng
        found = self._merge_candidate(case)
        if found is None:
            return None
        opened, created, row = found
        received = case.at + 1200 + int(rng.random() * 3600)
        due = self._due(received)
        reached = min(self._soon(received, due, anyway=True), created - 1800)
        if reached <= received:
            return None
        case.received, case.due, case.contacted = received, due, reached
        return opened, row

    def _allocated(self, case: _Case) -> int | None:
        """The manager a new lead went to, with its first contact and outcome so far; ``None``:
        still in the pool."""
        allocated = self._allocation(case.at)
        pooled = case.day == self._last_day and self.rng.random() < POOLED_LAST_DAY
        if pooled or allocated >= self.stamps.now_epoch or not self._managers:
            return None
        case.received, case.due = allocated, self._due(allocated)
        self._contact(case)
        self._drop(case)
        owner = self._manager(open_task=case.contacted is None and case.status == "open")
        if owner is None:  # every manager has enough waiting: this one was reached
            case.contacted = self._soon(allocated, case.due, anyway=True)
            owner = self._manager(open_task=False)
        return owner

    # -- what happened ----------------------------------------------------------------------

    def _due(self, received: int) -> int:
        """The first-contact deadline of a referral received at ``received``, as the services
        set it."""
        moment = datetime.fromtimestamp(received, UTC)
        return int(pipeline.deadline(self.settings, moment, self.calendar).timestamp())

    def _contact(self, case: _Case) -> None:
        """When the manager first reached them (``None``: not yet)."""
        rng, now = self.rng, self.stamps.now_epoch
        received, due = cast(int, case.received), cast(int, case.due)
        if due > now:
            reached = self._soon(received, due) if rng.random() < EARLY else None
        else:
            u = rng.random()
            if u < IN_TIME:
                reached = self._soon(received, due)
            elif u < IN_TIME + LATE:
                reached = self._late(due)
            else:
                reached = None
        case.contacted = reached if reached is not None and reached < now else None

    def _soon(self, received: int, due: int, *, anyway: bool = False) -> int:
        """A first contact by the deadline: within hours, or the next morning when the
        referral came late in the day (``anyway``: before now, even if past the deadline)."""
        rng, stamps = self.rng, self.stamps
        day = stamps.local_date(received).toordinal()
        at = received + 900 + int(rng.random() * 3 * 3600)
        if at > stamps.midnight(day) + _CLOSE_SECONDS - 600:
            at = stamps.midnight(self._next_workday(day + 1)) + 32_400 + int(rng.random() * 9000)
        at = min(at, due - 600)
        if anyway:
            at = min(at, stamps.now_epoch - 3600)
        return max(at, received + 300)

    def _late(self, due: int) -> int:
        """A first contact after the deadline: a working morning or two after it."""
        rng, stamps = self.rng, self.stamps
        day = self._next_workday(stamps.local_date(due).toordinal() + 1)
        if rng.random() < 0.3:
            day = self._next_workday(day + 1)
        return stamps.midnight(day) + 32_400 + int(rng.random() * 10_800)

    def _decide(self, case: _Case, *, can_convert: bool) -> None:
        """A contacted referral's outcome so far: converted (a product opened: ``opened``),
        lost, or open; the older it is, the likelier decided."""
        rng, stamps = self.rng, self.stamps
        if case.contacted is None:
            return
        age = stamps.today_ord - case.day
        if rng.random() >= min(age * DECIDED_PER_DAY, DECIDED_MOST):
            return
        reached = stamps.local_date(case.contacted).toordinal()
        day = self._workday_between(reached, stamps.today_ord - 1)
        if day is None:
            return
        if can_convert and self._converts():  # the evening's holdings import finds it
            case.status, case.opened = "converted", day
            case.outcome_at = stamps.midnight(day) + 19 * 3600 + int(rng.random() * 1800)
            return
        if not can_convert and self._rate() < CONVERSION - SLACK:
            return  # enough lost for now: it stays open
        at = max(
            case.contacted + 1800, stamps.midnight(day) + _OPEN_SECONDS + int(rng.random() * 28_800)
        )
        if at < stamps.now_epoch:
            case.status, case.outcome_at = "lost", at

    def _drop(self, case: _Case) -> None:
        """A lead given up: never reached after days of trying, or reached with no business."""
        rng, stamps = self.rng, self.stamps
        if case.contacted is None:
            due = cast(int, case.due)
            day = self._next_workday(stamps.local_date(due).toordinal() + 2)
            at = stamps.midnight(day) + 36_000 + int(rng.random() * 21_600)
            if at < stamps.now_epoch:
                case.status, case.outcome_at, case.reason = "lost", at, v.UNREACHABLE
            return
        self._decide(case, can_convert=False)
        if case.status == "lost" and rng.random() < DROP_FACTOR:
            case.reason = d.pick(rng, v.DROP_REASONS)
        elif case.status == "lost":
            case.status, case.outcome_at = "open", None

    def _rate(self) -> float:
        """The conversion rate of the referrals decided so far."""
        return self._won / self._decided if self._decided else CONVERSION

    def _converts(self) -> bool:
        """Whether the next decided referral converts (see :data:`CONVERSION`)."""
        rate = self._rate()
        if rate > CONVERSION + SLACK:
            return False
        return rate < CONVERSION - SLACK or self.rng.random() < CONVERSION

    # -- who ------------------------------------------------------------------------------

    def _walk_in(self, case: _Case, *, open_task: bool) -> Row | None:
        """A customer to refer, not referred before, whose owner has room for one more open
        first contact when it stays open, and who opened no product of the kind lately. The
        demo login gets the first still open on the last working day."""
        rng = self.rng
        if open_task and self._demo_owed and case.day == self._last_day:
            mine = [r for r in self._ab if r[_C["owner_id"]] == self._demo]
            row = self._fitting(mine, case, open_task, tries=len(mine))
            if row is not None:
                self._demo_owed = False
                return row
        for _ in range(40):
            pool = self._ab if (rng.random() < AB_SHARE and self._ab) or not self._c else self._c
            if not pool:
                return None
            row = self._fitting(pool, case, open_task, tries=1)
            if row is not None:
                return row
        return None

    def _fitting(self, pool: list[Row], case: _Case, open_task: bool, tries: int) -> Row | None:
        for _ in range(tries):
            row = d.pick(self.rng, pool)
            cid, owner = cast(int, row[0]), cast(int, row[_C["owner_id"]])
            if cid in self._used or (open_task and self._open[owner] >= OPEN_TASKS_MOST):
                continue
            if any(k == case.kind and o >= case.day for k, o in self._recent.get(cid, ())):
                continue
            return row
        return None

    def _manager(self, *, open_task: bool) -> int | None:
        """The manager the branch head gives a lead to (room for it when it stays open)."""
        for _ in range(40):
            staff = d.pick(self.rng, self._managers) if self._managers else None
            if staff is None or not open_task or self._open[staff] < OPEN_TASKS_MOST:
                return staff
        return None

    def _merge_candidate(self, case: _Case) -> tuple[int, int, Row] | None:
        """An account opened a few days after the referral, not referred otherwise, holding
        no product of the kind opened lately: the lead that became it."""
        fitting = [
            (opened, created, row)
            for opened, created, row in self._new
            if case.day + 2 <= opened <= min(case.day + MERGE_WITHIN, self.stamps.today_ord - 1)
            and cast(int, row[0]) not in self._used
            and not any(k == case.kind for k, _ in self._recent.get(cast(int, row[0]), ()))
        ]
        return d.pick(self.rng, fitting) if fitting else None

    def _prospect(self) -> str:
        return d.person_name(self.rng, self.rng.random() < 0.5)

    def _lead_phone(self) -> str:
        """A number on a prefix no customer's uses, unique among the leads."""
        while True:
            phone = d.pick(self.rng, v.LEAD_MOBILE_PREFIXES) + f"{int(self.rng.random() * 1e8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _allocation(self, at: int) -> int:
        """When the branch head allocates a lead that came at ``at``: within hours, the next
        morning when it came late, now and then a working day or two later."""
        rng, stamps = self.rng, self.stamps
        day = stamps.local_date(at).toordinal()
        if rng.random() < SLOW_ALLOCATION:
            later = self._next_workday(self._next_workday(day + 1) + (rng.random() < 0.5))
            return stamps.midnight(later) + 32_400 + int(rng.random() * 25_200)
        if at - stamps.midnight(day) < 15 * 3600:
            return at + 1800 + int(rng.random() * 7200)
        return stamps.midnight(self._next_workday(day + 1)) + 31_500 + int(rng.random() * 3600)

    # -- rows -----------------------------------------------------------------------------

    def _holding(self, out: Written, cid: int, case: _Case, assets: int | None) -> int:
        """The product of the referred kind that opened on ``case.opened``."""
        rng, stamps = self.rng, self.stamps
        opened = cast(int, case.opened)
        product = d.pick(rng, _PRODUCTS[case.kind])
        holding_id = self.ids["holding"]
        self.ids["holding"] = holding_id + 1
        matures = stamps.day(opened + product.term_days) if product.term_days else None
        check = stamps.day(opened + _POST_LOAN_DAYS) if product.kind == "loan" else None
        out.holdings.append((
            holding_id, cid, product.name, product.kind, stamps.day(opened), None, matures,
            product.amount(rng, assets or 100_000), check,
        ))  # fmt: skip
        return holding_id

    def _call(self, out: Written, cid: int, staff: int, at: int, logged: int) -> int:
        """The held call that was the first contact (logged at ``logged``)."""
        rng, stamps = self.rng, self.stamps
        iid = self.ids["interaction"]
        self.ids["interaction"] = iid + 1
        out.interactions.append((
            iid, cid, staff, None, "call", "done", None, stamps.instant(at),
            TaskKind.FIRST_CONTACT.value, "reached", None, 3 + int(rng.random() * 10),
            d.pick(rng, v.FIRST_CONTACT_NOTES), stamps.instant(max(logged, at + 60)),
        ))  # fmt: skip
        return iid

    def _task(
        self,
        out: Written,
        case: _Case,
        owner: int,
        cid: int | None,
        lead_id: int | None,
        note: str,
    ) -> int:
        """The first-contact task: done at the contact, cancelled with a lead dropped before
        it, open otherwise."""
        stamps = self.stamps
        task_id = self.ids["task"]
        self.ids["task"] = task_id + 1
        received = cast(int, case.received)
        closed, status = case.contacted, "done"
        if closed is None and case.status == "lost":
            closed, status = case.outcome_at, "cancelled"
        elif closed is None:
            status = "open"
        reason = t("referral.task_reason", referrer=case.referrer.name, need=case.need)[:200]
        out.tasks.append((
            task_id, TaskKind.FIRST_CONTACT.value, cid, owner, stamps.instant(received), 0,
            reason, status, TaskKind.FIRST_CONTACT.value, None, None,
            note if status != "cancelled" else case.need, None, stamps.instant(received),
            stamps.maybe(closed), owner if closed is not None else None,
            1 if status == "open" else 2, stamps.maybe(case.due), lead_id,
        ))  # fmt: skip
        return task_id

    def _referral(
        self,
        out: Written,
        case: _Case,
        cid: int | None,
        lead_id: int | None,
        to: int | None,
        holding: int | None,
        task: int | None,
    ) -> None:
        stamps = self.stamps
        referral_id = self.ids["referral"]
        self.ids["referral"] = referral_id + 1
        decided = case.status != "open"
        self._decided += decided
        self._won += case.status == "converted"
        version = 1 + (to is not None) + (case.contacted is not None) + decided
        by = to if case.status == "lost" else None
        out.referrals.append((
            referral_id, stamps.instant(case.at), case.referrer.id, cid, lead_id, case.need,
            case.kind, to, stamps.maybe(case.received), stamps.maybe(case.due),
            stamps.maybe(case.contacted), stamps.day(case.day + self.window), case.status,
            stamps.maybe(case.outcome_at), by, holding, case.reason if decided else None, task,
            version,
        ))  # fmt: skip

    # -- days -----------------------------------------------------------------------------

    def _next_workday(self, ordinal: int) -> int:
        """``ordinal`` or the first working day after it."""
        day = ordinal
        while day not in self._workdays and day < ordinal + 30:
            day += 1
        if day in self._workdays:
            return day
        return self.calendar.next_workday(date.fromordinal(ordinal)).toordinal()

    def _workday_between(self, first: int, last: int) -> int | None:
        """A working day from ``first`` to ``last`` (at most ten days on), or ``None``."""
        days = [o for o in range(first, min(last, first + 10) + 1) if o in self._workdays]
        return d.pick(self.rng, days) if days else None
