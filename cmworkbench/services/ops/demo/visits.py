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
    plans: list[Row] = []
    items: list[Row] = []
    monday = stamps.today_ord - stamps.today.weekday()
    seen_in_team: dict[int | None, int] = {}
    for m in members:
        if m.role != Role.MANAGER:
            continue
        supervisor = supervisor_of.get(m.id, m.id)
        visits = held.get(m.id, ())
        for back in range(PAST_WEEKS, 0, -1):
            week = monday - 7 * back
            done = [h for h in visits if week <= h[0] < week + 5]
            if done:
                _past_plan(rng, stamps, ids, m.id, supervisor, week, done, plans, items)
        order = seen_in_team.get(m.team, 0)
        seen_in_team[m.team] = order + 1
        status = ("approved", "submitted")[order] if order < 2 else _THIS_WEEK.pick(rng)
        book = samples.get(m.id, ())
        if book:
            _this_week(rng, stamps, ids, m.id, supervisor, monday, status, book, plans, items)
    return plans, items


def _past_plan(
    rng: random.Random,
    stamps: Stamps,
    ids: dict[str, int],
    owner: int,
    supervisor: int,
    monday: int,
    done: Sequence[Held],
    plans: list[Row],
    items: list[Row],
) -> None:
    plan_id = _next(ids, "visit_plan")
    entries = []
    for _day, interaction, customer, contact, start, minutes, name in done:
        item_id = _next(ids, "visit_plan_item")
        status = "done"
        if rng.random() < _CANCELLED_SHARE:
            status, interaction_ref = "cancelled", None
        else:
            interaction_ref = interaction
        purpose = _PURPOSE.pick(rng)
        items.append((
            item_id, plan_id, customer, contact, stamps.instant(start),
            stamps.instant(start + max(minutes, 30) * 60), purpose, None, status, interaction_ref,
        ))  # fmt: skip
        entries.append(approved_entry(item_id, name, _utc(start), purpose))
    submitted = stamps.midnight(monday - 3) + 57_600 + int(rng.random() * 5400)
    decided = stamps.midnight(monday) + 29_400 + int(rng.random() * 1800)
    plans.append(_plan(stamps, plan_id, owner, monday, "approved", submitted, decided,
                       supervisor, entries))  # fmt: skip


def _this_week(
    rng: random.Random,
    stamps: Stamps,
    ids: dict[str, int],
    owner: int,
    supervisor: int,
    monday: int,
    status: str,
    book: Sequence[tuple[int, str, str]],
    plans: list[Row],
    items: list[Row],
) -> None:
    now = stamps.now_epoch
    slots = [
        stamps.midnight(day) + second
        for day in range(monday, monday + 5)
        for second in _SLOTS
        if stamps.midnight(day) + second > now + 3600
    ]
    count = min(len(slots), len(book), 3 + int(rng.random() * 4))
    if count == 0:
        return
    chosen_slots = sorted(rng.sample(slots, count))
    customers = rng.sample(list(book), count)
    plan_id = _next(ids, "visit_plan")
    entries = []
    for start, (customer, _cls, name) in zip(chosen_slots, customers, strict=True):
        item_id = _next(ids, "visit_plan_item")
        purpose = _PURPOSE.pick(rng)
        items.append((
            item_id, plan_id, customer, None, stamps.instant(start),
            stamps.instant(start + 3600), purpose, None, "planned", None,
        ))  # fmt: skip
        entries.append(approved_entry(item_id, name, _utc(start), purpose))
    friday = stamps.midnight(monday - 3)
    submitted = None if status == "draft" else friday + 57_600 + int(rng.random() * 5400)
    decided = None
    if status == "approved":
        decided = min(friday + 63_000 + int(rng.random() * 1800), now - 600)
    plans.append(_plan(stamps, plan_id, owner, monday, status, submitted, decided,
                       supervisor, entries if status == "approved" else None))  # fmt: skip


def _plan(
    stamps: Stamps,
    plan_id: int,
    owner: int,
    monday: int,
    status: str,
    submitted: int | None,
    decided: int | None,
    supervisor: int,
    entries: list[dict[str, object]] | None,
) -> Row:
    snapshot = None if entries is None else json.dumps(entries, ensure_ascii=False)
    return (
        plan_id, owner, week_of(date.fromordinal(monday)), status, stamps.maybe(submitted),
        stamps.maybe(decided), supervisor if decided else None, None, snapshot, 1,
    )  # fmt: skip


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _next(ids: dict[str, int], table: str) -> int:
    value = ids[table]
    ids[table] = value + 1
    return value
