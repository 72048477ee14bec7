"""Demo weekly visit plans (客户拜访计划表): the last three weeks' held, this week's in review.

Each relationship manager's plan for each of the last :data:`PAST_WEEKS` weeks was approved by
the team supervisor on the Monday morning and holds the visits the manager made that week
(the visit contacts of :mod:`.activity`, done) and now and then one that was called off. This
week's plan holds a few visits to customers of the manager's book from today's afternoon to
Friday; in each team the first manager's plan is approved (the demo login's, so Today shows
its visits), the second's waits for the supervisor, and the rest are one or the other, with
the odd draft not yet submitted. An approved plan records what was approved
(:func:`cmworkbench.domain.visits.approved_entry`), as the approval does.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

from cmworkbench.domain import demo_data as d
from cmworkbench.domain.enums import Role
from cmworkbench.domain.visits import approved_entry, week_of
from cmworkbench.services.ops.demo.staff import Member
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

PLAN_COLUMNS = (
    "id", "owner_id", "week", "status", "submitted_at", "decided_at", "decided_by_id",
    "comment", "approved_snapshot", "version",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "plan_id", "customer_id", "contact_id", "starts_at", "ends_at", "purpose",
    "checklist", "status", "interaction_id",
)  # fmt: skip
PAST_WEEKS = 3
_THIS_WEEK = d.Weighted((("approved", 55), ("submitted", 35), ("draft", 10)))
_PURPOSE = d.Weighted((
    ("courtesy_call", 40), ("offer_introduction", 20), ("needs_discovery", 15),
    ("door_to_door_service", 10), ("solution_presentation", 10), ("negotiation", 5),
))  # fmt: skip
_SLOTS = (36_000, 52_200, 57_600)
"""Visit start times, seconds after local midnight: 10:00, 14:30, 16:00."""
_CANCELLED_SHARE = 0.08
"""Planned visits of a past week that were called off (the visits-done figure is not 100%)."""
Held = tuple[int, int, int, int | None, int, int, str]
"""A visit made: (day ordinal, interaction id, customer id, key person id, start epoch,
minutes, customer name)."""


class _Visit(NamedTuple):
    """One visit of a plan, as planned (and how it went)."""

    customer: int
    contact: int | None
    start: int
    end: int
    name: str
    status: str = "planned"
    interaction: int | None = None


def visit_plans(
    rng: random.Random,
    stamps: Stamps,
    members: Sequence[Member],
    supervisor_of: Mapping[int, int],
    held: Mapping[int, Sequence[Held]],
    samples: Mapping[int, Sequence[tuple[int, str, str]]],
    ids: dict[str, int],
) -> tuple[list[Row], list[Row]]:
    """The plans and their visits: (plan rows, item rows)."""
    out = _Plans(rng, stamps, ids)
    monday = stamps.today_ord - stamps.today.weekday()
    seen_in_team: dict[int | None, int] = {}
    for m in members:
        if m.role != Role.MANAGER:
            continue
        supervisor = supervisor_of.get(m.id, m.id)
        visits = held.get(m.id, ())
        for back in range(PAST_WEEKS, 0, -1):
            week = monday - 7 * back
            done = [_held(rng, h) for h in visits if week <= h[0] < week + 5]
            if done:
                # Submitted on the Friday before, approved on the Monday morning.
                submitted = stamps.midnight(week - 3) + 57_600 + int(rng.random() * 5400)
                decided = stamps.midnight(week) + 29_400 + int(rng.random() * 1800)
                out.add(m.id, supervisor, week, "approved", done, submitted, decided)
        order = seen_in_team.get(m.team, 0)
        seen_in_team[m.team] = order + 1
        status = ("approved", "submitted")[order] if order < 2 else _THIS_WEEK.pick(rng)
        coming = _coming(rng, stamps, monday, samples.get(m.id, ()), today=order == 0)
        if coming:
            friday = stamps.midnight(monday - 3)
            sent = None if status == "draft" else friday + 57_600 + int(rng.random() * 5400)
            approved = None
            if status == "approved":
                approved = min(friday + 63_000 + int(rng.random() * 1800), stamps.now_epoch - 600)
            out.add(m.id, supervisor, monday, status, coming, sent, approved)
    return out.plans, out.items


def _held(rng: random.Random, visit: Held) -> _Visit:
    """A visit made, as its plan's item: done (linked to the logged visit), or now and then
    called off."""
    _day, interaction, customer, contact, start, minutes, name = visit
    end = start + max(minutes, 30) * 60
    if rng.random() < _CANCELLED_SHARE:
        return _Visit(customer, contact, start, end, name, "cancelled")
    return _Visit(customer, contact, start, end, name, "done", interaction)


def _coming(
    rng: random.Random,
    stamps: Stamps,
    monday: int,
    book: Sequence[tuple[int, str, str]],
    *,
    today: bool = False,
) -> list[_Visit]:
    """3–6 visits to customers of the book in the free slots from an hour from now to Friday;
    ``today``: one of them in today's first free slot (the demo login's Today shows a visit of
    the approved plan among its fixed-time rows)."""
    now = stamps.now_epoch
    slots = [
        stamps.midnight(day) + second
        for day in range(monday, monday + 5)
        for second in _SLOTS
        if stamps.midnight(day) + second > now + 3600
    ]
    count = min(len(slots), len(book), 3 + int(rng.random() * 4))
    chosen = sorted(rng.sample(slots, count))
    first_today = [s for s in slots if stamps.local_date(s).toordinal() == stamps.today_ord][:1]
    if today and first_today and first_today[0] not in chosen and chosen:
        chosen = sorted([*first_today, *chosen[1:]])
    customers = rng.sample(list(book), count)
    return [
        _Visit(customer, None, start, start + 3600, name)
        for start, (customer, _cls, name) in zip(chosen, customers, strict=True)
    ]


class _Plans:
    """The plan and item rows written so far."""

    def __init__(self, rng: random.Random, stamps: Stamps, ids: dict[str, int]) -> None:
        self.rng, self.stamps, self.ids = rng, stamps, ids
        self.plans: list[Row] = []
        self.items: list[Row] = []

    def add(
        self,
        owner: int,
        supervisor: int,
        monday: int,
        status: str,
        visits: Sequence[_Visit],
        submitted: int | None,
        decided: int | None,
    ) -> None:
        """A plan of ``owner`` for the week of ``monday`` and its visits; an approved plan
        records what was approved, as the approval does."""
        i = self.stamps.instant
        plan_id = _next(self.ids, "visit_plan")
        entries = []
        for v in visits:
            item_id = _next(self.ids, "visit_plan_item")
            purpose = _PURPOSE.pick(self.rng)
            self.items.append((
                item_id, plan_id, v.customer, v.contact, i(v.start), i(v.end), purpose, None,
                v.status, v.interaction,
            ))  # fmt: skip
            entries.append(approved_entry(item_id, v.name, _utc(v.start), purpose))
        snapshot = json.dumps(entries, ensure_ascii=False) if status == "approved" else None
        self.plans.append((
            plan_id, owner, week_of(date.fromordinal(monday)), status,
            self.stamps.maybe(submitted), self.stamps.maybe(decided),
            supervisor if decided else None, None, snapshot, 1,
        ))  # fmt: skip


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _next(ids: dict[str, int], table: str) -> int:
    value = ids[table]
    ids[table] = value + 1
    return value
