"""Demo complaint tickets (投诉) with their history, following DESIGN.md's complaint rules.

Whoever receives a complaint owns it to the end (首问负责), so the receiver is the owner:
usually the customer's A role, sometimes the B role. Closed tickets went through the return
call (回访) and carry the customer's satisfaction; the team supervisor closed them. VIP and
major complaints run on the 24-hour clock (telecom handbook); the due times here are
calendar approximations of the configured SLAs, good enough for a demo. A-class complaints
show the supervisor being informed at once.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.complaint_flow import satisfaction_word
from cmworkbench.services.complaints.api import ticket_number
from cmworkbench.services.ops.demo.customers import Complainant
from cmworkbench.services.ops.demo.staff import Books
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

COMPLAINT_COLUMNS = (
    "id", "ticket_no", "customer_id", "contact_id", "channel", "category", "kind", "severity",
    "description", "owner_id", "received_by_id", "status", "triage", "resolution",
    "rejected_solution", "received_at", "first_response_due", "resolution_due",
    "return_call_due", "backoffice_due", "first_response_at", "resolved_at", "return_call_at",
    "return_call_result", "satisfaction", "paused_seconds", "paused_since", "breached",
    "closed_at", "closed_by_id", "version", "backoffice_to", "satisfaction_answer",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "complaint_id", "at", "staff_id", "action", "from_status", "to_status", "note",
)  # fmt: skip

HOUR = 3600
DAY = 86_400
_STATUS = d.Weighted((
    ("closed", 58), ("return_call_done", 5), ("resolved", 10), ("waiting_backoffice", 7),
    ("waiting_customer", 5), ("in_progress", 10), ("received", 5),
))  # fmt: skip
# How old a ticket in each status is, in days: open tickets are recent and inside their SLA
# (a steady branch; the one breached ticket is made on purpose, ``Complaints``), closed ones
# older. VIP and major tickets run on the 24-hour clock, so theirs are younger still.
_AGE_DAYS = {
    "received": (0.02, 0.12), "in_progress": (0.3, 4), "waiting_customer": (1, 5),
    "waiting_backoffice": (1, 4), "resolved": (2, 20), "return_call_done": (5, 30),
    "closed": (8, 90),
}  # fmt: skip
_FAST_AGE_DAYS = {
    "in_progress": (0.05, 0.8), "waiting_customer": (0.1, 0.8), "waiting_backoffice": (0.1, 0.8),
}  # fmt: skip
_BREACHED_AGE_DAYS = 9
"""The demo's one breached ticket: in progress this many days (past its resolution SLA)."""
LATE_SHARE = 0.02
"""Resolved tickets that ran over their resolution SLA (the Dashboard's figure is not 100%)."""
_KIND = d.Weighted((("normal", 75), ("difficult", 10), ("escalated", 10), ("over_level", 5)))
_CHANNEL = d.Weighted((
    ("phone", 35), ("counter", 20), ("hotline", 20), ("online", 12), ("visit", 10), ("letter", 3),
))  # fmt: skip
_CATEGORY = d.Weighted((("fee", 40), ("service", 30), ("business", 30)))
_TRIAGE = d.Weighted((("now", 50), ("shortly", 35), ("cannot_now", 15)))
_SATISFACTION = d.Weighted(((5, 70), (4, 20), (3, 7), (2, 2), (1, 1)))
# A VIP's ticket is handled on the 24-hour clock by the manager who knows them: the branch
# keeps its VIP satisfaction rate over the 95% target.
_VIP_SATISFACTION = d.Weighted(((5, 78), (4, 19), (3, 2), (2, 1)))
_RESOLVED = ("resolved", "return_call_done", "closed")
_EVERY_STATUS = ("in_progress", *(status for status in _STATUS.items if status != "in_progress"))
"""Each status once, for the first tickets (the first of them the breached one, in progress):
a small demo shows every state a ticket goes through (waiting for the return call, for the
supervisor's close …)."""
_WAIT_ACTIONS = {"waiting_backoffice": "hand_off", "waiting_customer": "wait_customer"}
_NOTES = {
    "receive": "受理投诉，已录入（每诉必录）",
    "inform_supervisor": "A类客户投诉，已告知主管",
    "respond": "已联系客户，了解诉求",
    "solution_rejected": "客户不接受处理方案，已告知主管",
    "hand_off": "转后台处理，时限 3 天",
    "wait_customer": "等待客户提供材料",
    "resolve": "问题已解决，已答复客户",
    "return_call": "完成回访",
    "close": "回访完成，主管结单",
}


class Complaints:
    """Turns complainants into complaint rows, their events, and return-call tasks."""

    def __init__(self, rng: random.Random, stamps: Stamps, books: Books, ids: dict[str, int]):
        self.rng = rng
        self.stamps = stamps
        self.books = books
        self.ids = ids
        self.return_calls: list[tuple[int, int, int, int, int, str]] = []
        """(complaint id, customer id, owner id, due epoch, resolved epoch, ticket) of
        resolved tickets still waiting for their return call: they become open tasks."""
        self.breached = False
        """Whether the breached ticket has been drawn (the first one is)."""
        self.drawn = 0
        """Tickets drawn so far."""
        self._per_day: dict[date, int] = {}
        """Tickets received per day so far: the sequence of their numbers."""

    def build(self, complainants: Sequence[Complainant]) -> tuple[list[Row], list[Row]]:
        """Complaint rows and their events for ``complainants``."""
        complaints: list[Row] = []
        events: list[Row] = []
        for who in complainants:
            complaints.append(self._one(who, events))
        return complaints, events

    def _one(self, who: Complainant, events: list[Row]) -> Row:
        rng, stamps, now = self.rng, self.stamps, self.stamps.now_epoch
        cid = self.ids["complaint"]
        self.ids["complaint"] = cid + 1
        status = _STATUS.pick(rng)
        if self.drawn < len(_EVERY_STATUS):  # the first tickets show every state once
            status = _EVERY_STATUS[self.drawn]
        self.drawn += 1
        kind = _KIND.pick(rng)
        major = rng.random() < (0.3 if kind in ("escalated", "over_level") else 0.05)
        fast = major or who.is_vip  # VIP or major: resolved and replied within 24 hours
        low, high = (_FAST_AGE_DAYS if fast else _AGE_DAYS).get(status, _AGE_DAYS[status])
        if not self.breached:  # the first ticket drawn is the one that ran over
            self.breached = True
            status, fast, major = "in_progress", False, False
            low = high = _BREACHED_AGE_DAYS
        received = now - int((low + rng.random() * (high - low)) * DAY)
        owner = who.owner_id if who.backup_id is None or rng.random() < 0.85 else who.backup_id
        t = _timeline(rng, now, received, status, fast)
        day = stamps.local_date(received)
        self._per_day[day] = self._per_day.get(day, 0) + 1
        ticket = ticket_number(day, self._per_day[day])  # as real tickets are numbered
        category = _CATEGORY.pick(rng)
        description = d.pick(rng, v.COMPLAINTS[category])
        resolution_due = received + (DAY if fast else 7 * DAY)
        resolved, return_call, closed = t["resolved"], t["return_call"], t["closed"]
        return_due = stamps.month_end(resolved) if resolved else None
        if status == "resolved" and resolved and return_due:
            self.return_calls.append((cid, who.customer_id, owner, return_due, resolved, ticket))
        breached = (resolved or now) > resolution_due
        answers = _VIP_SATISFACTION if who.is_vip else _SATISFACTION
        satisfaction = answers.pick(rng) if return_call else None
        rejected = status == "in_progress" and rng.random() < 0.1
        supervisor = self.books.supervisor_of[owner]
        contact = d.pick(rng, who.contact_ids) if who.contact_ids and rng.random() < 0.6 else None
        self._events(events, cid, owner, supervisor, who.cls, t, status, rejected)
        paused = int(HOUR + rng.random() * DAY) if closed and rng.random() < 0.1 else 0
        i, opt = stamps.instant, stamps.maybe
        return (
            cid, ticket, who.customer_id, contact, _CHANNEL.pick(rng), category, kind,
            "major" if major else "normal", description, owner, owner, status,
            _TRIAGE.pick(rng) if t["responded"] else None,
            d.pick(rng, v.RESOLUTIONS) if resolved else None, int(rejected), i(received),
            i(received + (2 if fast else 4) * HOUR), i(resolution_due), opt(return_due),
            opt(t["backoffice_due"]), opt(t["responded"]), opt(resolved), opt(return_call),
            d.pick(rng, v.RETURN_CALL_RESULTS) if return_call else None, satisfaction, paused,
            opt(t["paused_since"]), int(breached), opt(closed), supervisor if closed else None, 1,
            d.pick(rng, v.BACK_OFFICES) if t["backoffice_due"] else None,
            satisfaction_word(satisfaction) if satisfaction else None,
        )  # fmt: skip

    def _events(
        self,
        out: list[Row],
        complaint: int,
        owner: int,
        supervisor: int,
        cls: str,
        t: dict[str, int | None],
        status: str,
        rejected: bool,
    ) -> None:
        """The ticket's history, oldest first: each step the status went through."""
        received = t["received"]
        assert received is not None
        steps: list[tuple[int | None, int, str, str | None, str | None]] = [
            (received, owner, "receive", None, "received"),
        ]
        if cls.startswith("A"):
            # A-class complaint: the supervisor is informed at once (telecom handbook).
            steps.append((received + 300, owner, "inform_supervisor", None, None))
        steps.append((t["responded"], owner, "respond", "received", "in_progress"))
        if rejected:
            # The customer rejects the solution: the supervisor is told (DESIGN.md).
            steps.append((t["rejected"], owner, "solution_rejected", None, None))
        if status in ("waiting_backoffice", "waiting_customer"):
            at = t["handed_off"] if status == "waiting_backoffice" else t["paused_since"]
            steps.append((at, owner, _WAIT_ACTIONS[status], "in_progress", status))
        steps.append((t["resolved"], owner, "resolve", "in_progress", "resolved"))
        steps.append((t["return_call"], owner, "return_call", "resolved", "return_call_done"))
        steps.append((t["closed"], supervisor, "close", "return_call_done", "closed"))
        for at, staff, action, before, after in steps:
            if at is None:
                continue
            event_id = self.ids["complaint_event"]
            self.ids["complaint_event"] = event_id + 1
            instant = self.stamps.instant(at)
            out.append((event_id, complaint, instant, staff, action, before, after, _NOTES[action]))


def _timeline(
    rng: random.Random, now: int, received: int, status: str, fast: bool
) -> dict[str, int | None]:
    """When each step of a ticket happened (UTC epochs; ``None``: not reached), all before now."""
    t: dict[str, int | None] = dict.fromkeys(
        ("responded", "rejected", "handed_off", "paused_since", "backoffice_due", "resolved",
         "return_call", "closed"),
    )  # fmt: skip
    t["received"] = received
    if status == "received":
        return t
    responded = min(received + int((10 + rng.random() * (100 if fast else 230)) * 60), now - 60)
    t["responded"] = responded
    t["rejected"] = responded + int(rng.random() * (now - responded) / 2)
    if status == "waiting_backoffice":
        t["handed_off"] = responded + HOUR
        t["backoffice_due"] = responded + HOUR + 3 * DAY
    if status == "waiting_customer":
        t["paused_since"] = responded + int(rng.random() * (now - responded) / 2)
    if status not in _RESOLVED:
        return t
    span = int(((2 + rng.random() * 20) if fast else (4 + rng.random() * 92)) * HOUR)
    if rng.random() < LATE_SHARE:
        span = span * 2 + (DAY if fast else 5 * DAY)  # ran over its SLA
    resolved = max(min(received + span, now - HOUR), responded + 600)
    t["resolved"] = resolved
    if status == "resolved":
        return t
    return_call = min(resolved + int((1 + rng.random() * 96) * HOUR), now - 1800)
    t["return_call"] = return_call
    if status == "closed":
        t["closed"] = min(return_call + int(rng.random() * 2 * DAY), now - 600)
    return t
