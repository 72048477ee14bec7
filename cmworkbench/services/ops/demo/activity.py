"""Demo contact history: calls, visits, SMS and on-site days over the last months.

A-class customers are contacted most (core customers at least monthly, DESIGN.md), C-class
least; phone managers call and text, managers also visit, and group customers get on-site
service days (驻点). Everything happened on a working day in business hours, before now.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.services.ops.demo.staff import Books
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

INTERACTION_COLUMNS = (
    "id", "customer_id", "staff_id", "contact_id", "kind", "status", "planned_at",
    "happened_at", "purpose", "outcome", "next_step", "duration_minutes", "note", "created_at",
)  # fmt: skip
HISTORY_DAYS = 120
"""How far back the contact history goes (a few months, enough for every cadence but C)."""
# Contacts per customer by class letter: about 2 on average over all customers.
_COUNT = {
    "A": d.Weighted(((3, 20), (4, 25), (5, 25), (6, 20), (8, 10))),
    "B": d.Weighted(((1, 15), (2, 35), (3, 35), (4, 15))),
    "C": d.Weighted(((0, 25), (1, 35), (2, 25), (3, 15))),
}
_BY_PHONE_MANAGER = d.Weighted((("call", 85), ("sms", 15)))
_WITH_INDIVIDUAL = d.Weighted((("call", 60), ("visit", 30), ("sms", 10)))
_WITH_GROUP = d.Weighted((("visit", 45), ("call", 45), ("onsite", 5), ("sms", 5)))
_CALL_OUTCOME = d.Weighted(
    (("reached", 70), ("no_answer", 18), ("call_back", 9), ("wrong_number", 3))
)
_PURPOSE = d.Weighted((
    ("routine", 40), ("product", 20), ("care", 12), ("verify_info", 12), ("maturity", 6),
    ("after_sale", 5), ("post_loan", 3), ("retention", 2),
))  # fmt: skip
# Start of the contact, seconds after local midnight: calls 08:30–17:30, visits 09:00–16:00,
# on-site days from 10:00 (the telecom handbook's usual 10:00–16:00).
_START = {"call": (30_600, 32_400), "sms": (30_600, 32_400), "visit": (32_400, 25_200)}


class Interactions:
    """Generates the done contacts of each customer."""

    def __init__(self, rng: random.Random, stamps: Stamps, books: Books, ids: dict[str, int]):
        self.rng = rng
        self.stamps = stamps
        self.ids = ids
        self._phone = books.phone_ids
        days = range(stamps.today_ord - HISTORY_DAYS, stamps.today_ord)
        self._days = list(days)
        # Ordinal 1 (0001-01-01) was a Monday, so ordinal % 7 is 0 on Sundays and 6 on Saturdays.
        self._workdays = [o for o in days if o % 7 not in (0, 6)]

    def for_customer(
        self,
        out: list[Row],
        cid: int,
        cls: str,
        owner: int,
        backup: int | None,
        contact_ids: Sequence[int],
    ) -> None:
        """Append the contact history of one customer to ``out``."""
        rng = self.rng
        for _ in range(_COUNT[cls[0]].pick(rng)):
            # The B role (AB角) handles some contacts while the A role is away.
            staff = owner if backup is None or rng.random() < 0.85 else backup
            if staff in self._phone:
                kind = _BY_PHONE_MANAGER.pick(rng)
            else:
                kind = (_WITH_GROUP if contact_ids else _WITH_INDIVIDUAL).pick(rng)
            contact = None
            if contact_ids and kind != "sms" and rng.random() < 0.7:
                contact = d.pick(rng, contact_ids)
            out.append(self._one(cid, staff, contact, kind))

    def _one(self, cid: int, staff: int, contact: int | None, kind: str) -> Row:
        rng, stamps = self.rng, self.stamps
        day = d.pick(rng, self._workdays if rng.random() < 0.95 else self._days)
        outcome = _CALL_OUTCOME.pick(rng) if kind == "call" else "done"
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
        return (
            iid, cid, staff, contact, kind, "done",
            happened_text if kind in ("visit", "onsite") else None, happened_text,
            _PURPOSE.pick(rng), outcome, next_step, minutes, note,
            stamps.instant(happened + (minutes or 1) * 60 + int(rng.random() * 1200)),
        )  # fmt: skip

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


def _minutes(rng: random.Random, kind: str, outcome: str) -> int | None:
    """How long a contact took: calls minutes, visits about an hour; SMS has no duration."""
    if kind == "call":
        return 2 + int(rng.random() * 13) if outcome == "reached" else 1
    if kind == "visit":
        return 30 + int(rng.random() * 60)
    return None
