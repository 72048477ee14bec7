"""Demo contact history, drawn from each customer's cadence rule, as a branch in steady state.

A branch that works its lists contacts each customer about when the rule says (``[cadence]``):
on the demo's day about 73% of the A/B-class customers were last contacted within the rule's
ideal days, 25% between the ideal and the maximum (due: the rows of Today), and 2% past the
maximum (overdue); of the C-class customers, whom a phone manager reaches soon after they fall
due, 5% are due. Coverage sits a few points above its 95% target. Earlier contacts go
back from the last one at the rhythm's pace over :data:`HISTORY_DAYS`. Phone managers call
and text, managers also visit, and group customers get the odd on-site service day (驻点).
Everything happened on a working day in business hours, before now.

A contact since the first day of the previous month closed the task it served (the done
tasks the Dashboard's task figures count, :mod:`.tasks`), a few of them after the task's
deadline. A telecom product activated in the last months got its after-sale return visit
(售后回访, purpose ``after_sale``) inside the window ``[tasks]`` sets, but for a few.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from cmworkbench.config import Settings
from cmworkbench.domain import after_sale
from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.cadence import applicable_rule
from cmworkbench.services.ops.demo.staff import Books
from cmworkbench.services.ops.demo.stamps import Stamps
from cmworkbench.services.ops.demo.tasks import done_task
from cmworkbench.services.ops.demo.visits import PAST_WEEKS, Held

Row = tuple[object, ...]

INTERACTION_COLUMNS = (
    "id", "customer_id", "staff_id", "contact_id", "kind", "status", "planned_at",
    "happened_at", "purpose", "outcome", "next_step", "duration_minutes", "note", "created_at",
)  # fmt: skip
HISTORY_DAYS = 120
"""How far back the contact history goes (a few months, enough for every cadence but C)."""
# Where the last contact falls in the rule (DESIGN.md, "A day a manager can work"): within
# the ideal days, between the ideal and the maximum (due), or past the maximum (overdue).
_LAST = {
    "A": d.Weighted((("kept", 73), ("due", 25), ("overdue", 2))),
    "B": d.Weighted((("kept", 73), ("due", 25), ("overdue", 2))),
    # A phone manager's 80 calls a day reach a C customer soon after it falls due.
    "C": d.Weighted((("kept", 93), ("due", 5), ("overdue", 2))),
}
LATE_SHARE = 0.04
"""Done tasks that were closed after their deadline (the overdue-task figure is not 0%)."""
MISSED_AFTER_SALE = 0.04
"""After-sale return visits never made (the return-visit figure is not 100%)."""
_BY_PHONE_MANAGER = d.Weighted((("call", 85), ("sms", 15)))
_WITH_INDIVIDUAL = d.Weighted((("call", 60), ("visit", 30), ("sms", 10)))
_WITH_GROUP = d.Weighted((("visit", 50), ("call", 45), ("sms", 5)))
_ONSITE_SHARE = 0.05
"""Group customers who had an on-site service day in the history."""
_CALL_OUTCOME = d.Weighted(
    (("reached", 70), ("no_answer", 18), ("call_back", 9), ("wrong_number", 3))
)
# What a cadence contact was for, and the task it closed (a product talk is a contact).
_PURPOSE = d.Weighted((("routine", 60), ("product", 28), ("care", 12)))
_TASK_OF = {"routine": "contact", "product": "contact", "care": "care"}
# Start of the contact, seconds after local midnight: calls 08:30–17:30, visits 09:00–16:00,
# on-site days from 10:00 (the telecom handbook's usual 10:00–16:00).
_START = {"call": (30_600, 32_400), "sms": (30_600, 32_400), "visit": (32_400, 25_200)}
_CHANNEL_ORDER = ("call", "visit", "sms", "onsite")


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A customer's cadence: ideal and maximum days, and the kinds of contact that keep it."""

    ideal: int
    most: int
    kinds: tuple[str, ...]


@dataclass(slots=True)
class Subject:
    """Whose history is drawn: the customer, its rule's inputs, who serves it, its key
    persons and the days (ordinals) its telecom products were activated lately."""

    cid: int
    name: str
    cls: str
    vip: bool
    government: bool
    owner: int
    backup: int | None
    contact_ids: Sequence[int]
    activations: Sequence[int]


class Interactions:
    """Generates the done contacts of each customer, and the tasks they closed."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        books: Books,
        ids: dict[str, int],
        settings: Settings,
    ):
        self.rng = rng
        self.stamps = stamps
        self.ids = ids
        self._phone = books.phone_ids
        self._cadence = settings.cadence
        self._rhythms: dict[tuple[str, bool, bool], Rhythm] = {}
        tasks = settings.tasks
        self._after_sale = (tasks.after_sale_start_days, tasks.after_sale_months)
        first = stamps.today.replace(day=1) - relativedelta(months=1)
        self.tasks_since = first.toordinal()
        """Contacts from this day on closed a task (the Dashboard's month and the one before)."""
        self.plans_since = stamps.today_ord - stamps.today.weekday() - 7 * PAST_WEEKS
        """Visits from this day on were on a weekly plan (:mod:`.visits`)."""
        self.held: dict[int, list[Held]] = {}
        """Staff id → the visits they made since :attr:`plans_since`."""
        self.oldest_activation = (
            first - relativedelta(months=tasks.after_sale_months, days=1)
        ).toordinal()
        """Telecom products activated from this day on have their after-sale visit drawn."""

    def rhythm(self, cls: str, vip: bool, government: bool) -> Rhythm:
        """The cadence of a customer: the strictest configured rule (domain.cadence); a
        customer no rule covers is drawn as C."""
        key = (cls, vip, government)
        found = self._rhythms.get(key)
        if found is None:
            chosen = applicable_rule(
                cls=cls, tier=None, is_vip=vip, is_government=government, rules=self._cadence
            ) or applicable_rule(
                cls="C", tier=None, is_vip=False, is_government=False, rules=self._cadence
            )
            if chosen is None:
                found = Rhythm(150, 180, ("call", "visit", "sms"))
            else:
                rule = chosen[1]
                kinds = tuple(k for k in _CHANNEL_ORDER if k in rule.channels) or ("call",)
                found = Rhythm(rule.ideal_days, max(rule.max_days, rule.ideal_days), kinds)
            self._rhythms[key] = found
        return found

    def for_customer(self, out: list[Row], tasks: list[Row], who: Subject) -> None:
        """Append the contact history of one customer to ``out`` and the tasks its recent
        contacts closed to ``tasks``."""
        rng, today = self.rng, self.stamps.today_ord
        rhythm = self.rhythm(who.cls, who.vip, who.government)
        where = _LAST.get(who.cls[:1], _LAST["C"]).pick(rng)
        if where == "kept":
            age = 1 + int(rng.random() * (rhythm.ideal - 1))
        elif where == "due":
            age = rhythm.ideal + int(rng.random() * (rhythm.most - rhythm.ideal + 1))
        else:
            age = rhythm.most + 1 + int(rng.random() * max(rhythm.ideal // 2, 3))
        day = _workday(today - age, before=today)
        last = True
        while day >= today - HISTORY_DAYS or last:
            self._contact(out, tasks, who, rhythm, day, last)
            last = False
            gap = rhythm.ideal * 0.6 + rng.random() * (rhythm.most * 0.95 - rhythm.ideal * 0.6)
            day = _workday(day - max(int(gap), 1))
        if who.contact_ids and rng.random() < _ONSITE_SHARE:
            on = _workday(today - 1 - int(rng.random() * HISTORY_DAYS))
            self._row(out, who, who.owner, None, "onsite", on, "routine", "done")
        for activated in who.activations:
            self._after_sale_visit(out, tasks, who, activated)

    def _contact(
        self,
        out: list[Row],
        tasks: list[Row],
        who: Subject,
        rhythm: Rhythm,
        day: int,
        last: bool,
    ) -> None:
        rng = self.rng
        # The B role (AB角) handles some contacts while the A role is away.
        staff = who.owner if who.backup is None or rng.random() < 0.85 else who.backup
        if staff in self._phone:
            kind = _BY_PHONE_MANAGER.pick(rng)
        else:
            kind = (_WITH_GROUP if who.contact_ids else _WITH_INDIVIDUAL).pick(rng)
        if kind not in rhythm.kinds:  # only a contact through the rule's channels keeps it
            kind = rhythm.kinds[0]
        contact = None
        if who.contact_ids and kind != "sms" and rng.random() < 0.7:
            contact = d.pick(rng, who.contact_ids)
        # The contact that set the clock was held; earlier calls sometimes went unanswered.
        outcome = "done" if kind != "call" else "reached" if last else _CALL_OUTCOME.pick(rng)
        purpose = _PURPOSE.pick(rng)
        happened, logged = self._row(out, who, staff, contact, kind, day, purpose, outcome)
        if day >= self.tasks_since and outcome in ("reached", "done"):
            window = (rhythm.most - rhythm.ideal) * 86_400 if purpose != "care" else 0
            self._closed_task(tasks, who, staff, _TASK_OF[purpose], day, happened, logged, window)

    def _closed_task(
        self,
        tasks: list[Row],
        who: Subject,
        staff: int,
        kind: str,
        day: int,
        happened: int,
        logged: int,
        window: int,
    ) -> None:
        """The done task a contact served: due in the morning of the contact's day or, for a
        contact task, somewhere in the rule's window before it (deadline at the maximum); a
        few were closed days after their deadline."""
        rng = self.rng
        slip = 86_400 * (1 + int(rng.random() * 5)) if rng.random() < LATE_SHARE else 0
        if window:
            due = happened - (window + slip if slip else int(rng.random() * window))
            deadline: int | None = due + window
        else:
            due, deadline = self.stamps.midnight(day) + 32_400 - slip, None
        tasks.append(
            done_task(self.stamps, self.ids, kind, who.cid, who.cls, staff, due, deadline, logged)
        )

    def _after_sale_visit(
        self, out: list[Row], tasks: list[Row], who: Subject, activated: int
    ) -> None:
        """The return visit of a product activated on day ``activated``, inside its window
        (:func:`cmworkbench.domain.after_sale.window`, the rule the generation and the report
        apply)."""
        rng, today = self.rng, self.stamps.today_ord
        owed = after_sale.window(date.fromordinal(activated), *self._after_sale)
        opens, closes = owed.opens.toordinal(), owed.closes.toordinal()
        if opens >= today or rng.random() < MISSED_AFTER_SALE:
            return  # not due yet (the generator makes its task), or missed
        day = _workday(opens + int(rng.random() * (min(closes, today - 1) - opens + 1)))
        if day < opens:
            day = opens  # the window opened on a weekend: called that day
        staff = who.owner
        kind = "call" if staff in self._phone or rng.random() < 0.7 else "visit"
        held = "reached" if kind == "call" else "done"  # a held call, a visit that took place
        _, logged = self._row(out, who, staff, None, kind, day, "after_sale", held)
        if day >= self.tasks_since:  # the task was due at the window's end (as generated)
            due = self.stamps.midnight(closes) + 32_400
            tasks.append(
                done_task(
                    self.stamps, self.ids, "after_sale", who.cid, who.cls, staff, due, None, logged
                )
            )

    def _row(
        self,
        out: list[Row],
        who: Subject,
        staff: int,
        contact: int | None,
        kind: str,
        day: int,
        purpose: str,
        outcome: str,
    ) -> tuple[int, int]:
        """Append one done contact on day ``day``; returns when it happened and was logged."""
        rng, stamps = self.rng, self.stamps
        minutes: int | None
        if kind == "onsite":
            start, minutes = 36_000, 240 + int(rng.random() * 120)
        else:
            low, span = _START[kind]
            start = low + int(rng.random() * span)
            minutes = _minutes(rng, kind, outcome)
        happened = stamps.midnight(day) + start
        note, next_step = self._note(kind, outcome)
        happened_text = stamps.instant(happened)
        iid = self.ids["interaction"]
        self.ids["interaction"] = iid + 1
        logged = happened + (minutes or 1) * 60 + int(rng.random() * 1200)
        if kind == "visit" and day >= self.plans_since and staff not in self._phone:
            visit = (day, iid, who.cid, contact, happened, minutes or 60, who.name)
            self.held.setdefault(staff, []).append(visit)
        out.append((
            iid, who.cid, staff, contact, kind, "done",
            happened_text if kind in ("visit", "onsite") else None, happened_text,
            purpose, outcome, next_step, minutes, note, stamps.instant(logged),
        ))  # fmt: skip
        return happened, logged

    def _note(self, kind: str, outcome: str) -> tuple[str | None, str | None]:
        rng = self.rng
        if kind == "onsite":
            asked, done = 5 + int(rng.random() * 30), int(rng.random() * 8)
            return f"驻点服务：咨询 {asked} 人次，办理 {done} 笔", None
        if kind == "visit":
            note: str | None = d.pick(rng, v.VISIT_NOTES)
        elif outcome == "reached":
            note = d.pick(rng, v.CALL_NOTES) if rng.random() < 0.7 else None
        else:
            return None, None
        step = d.pick(rng, v.NEXT_STEPS) if rng.random() < 0.4 else ""
        return note, step or None


def _workday(ordinal: int, before: int | None = None) -> int:
    """``ordinal``, or when it falls on a weekend the Friday before it; given ``before``, the
    Monday after it if that is still before ``before`` (the last contact stays in its band of
    the rule: a weekend moved back could make a due customer overdue)."""
    # Ordinal 1 (0001-01-01) was a Monday, so ordinal % 7 is 0 on Sundays and 6 on Saturdays.
    weekday = ordinal % 7
    if weekday not in (0, 6):
        return ordinal
    monday = ordinal + (1 if weekday == 0 else 2)
    if before is not None and monday < before:
        return monday
    return ordinal - 2 if weekday == 0 else ordinal - 1


def _minutes(rng: random.Random, kind: str, outcome: str) -> int | None:
    """How long a contact took: calls minutes, visits about an hour; SMS has no duration."""
    if kind == "call":
        return 2 + int(rng.random() * 13) if outcome == "reached" else 1
    if kind == "visit":
        return 30 + int(rng.random() * 60)
    return None
