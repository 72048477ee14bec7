"""Complaint SLA clocks: targets, deadlines, elapsed fraction, warnings and escalation.

The rules come from ``[sla.*]`` in config (DESIGN.md, rules table): a target is
``<n>h|m|d business`` (a clock that runs only in business hours of the branch's working
days, see :class:`~cmworkbench.domain.calendar.BranchCalendar`) or ``<n>h|m|d calendar``
(wall-clock time, e.g. the 24-hour rule for VIP or major complaints, telecom handbook).
``<n>d business`` is ``n`` working days, i.e. ``n`` times the business hours of one working
day; ``<n>d calendar`` is ``n`` × 24 hours.

The clock does not run while the ticket waits for the customer: every function takes the
paused length, measured in the target's own kind of time (business time for a business
target; :func:`pause_length` measures pause intervals that way).

Pure: no I/O, no database, no config import (rules are duck-typed). Instants are aware
datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from cmworkbench.domain.calendar import BranchCalendar

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hmd])\s+(business|calendar)\s*$")
_STEP = re.compile(r"^([a-z_]+)@(\d+(?:\.\d+)?)(?:\+(\d+(?:\.\d+)?)h)?$")
_EPSILON = 1e-9


@dataclass(frozen=True)
class Target:
    """One SLA target: how much time, and whether it counts business or calendar time."""

    amount: timedelta
    business: bool


class SlaRuleLike(Protocol):
    """What :func:`choose_rule` needs of a rule (``config.SlaRule`` fits)."""

    @property
    def first_response(self) -> str: ...

    @property
    def resolution(self) -> str: ...


R = TypeVar("R", bound=SlaRuleLike)


def workday_length(cal: BranchCalendar) -> timedelta:
    """Business hours of one working day (08:30–12:00 and 13:30–17:30: 7 h 30 min)."""
    total = timedelta()
    for begin, end in cal.hours:
        total += timedelta(hours=end.hour - begin.hour, minutes=end.minute - begin.minute)
    return total


def parse_duration(text: str, cal: BranchCalendar | None = None) -> Target:
    """``"4h business"`` → ``Target(4 h, business=True)``.

    Units: ``m`` minutes, ``h`` hours, ``d`` days: a business day is the length of a working
    day's business hours on ``cal`` (the default calendar when not given), a calendar day 24 h.
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like '4h business' or '24h calendar'")
    number, unit, kind = float(match[1]), match[2], match[3]
    business = kind == "business"
    if unit == "m":
        amount = timedelta(minutes=number)
    elif unit == "h":
        amount = timedelta(hours=number)
    elif business:
        amount = workday_length(cal or BranchCalendar()) * number
    else:
        amount = timedelta(days=number)
    if amount <= timedelta():
        raise ValueError(f"{text!r}: a target must be longer than zero")
    return Target(amount, business)


def _nominal(target: Target, cal: BranchCalendar) -> timedelta:
    """A wall-clock size to compare targets of different kinds: a working day of business
    time counts as a calendar day (a rough bound that ignores weekends and holidays)."""
    if not target.business:
        return target.amount
    return target.amount / workday_length(cal) * timedelta(days=1)


def choose_rule(
    severity: str,
    is_vip: bool,
    rules: dict[str, R],
    cal: BranchCalendar | None = None,
    cls: str | None = None,
) -> tuple[str, R]:
    """The rule that applies: the strictest of ``major`` (a major complaint), ``vip`` (a VIP
    customer) and the customer's class (``A1`` … ``C``, when the branch configures a rule
    for it); with none of them, ``normal``. VIP or major: 24 h (telecom handbook).

    Stricter = the shorter resolution target, then the shorter first response; a business
    target is compared as one calendar day per working day. On a tie the first of major,
    vip, class wins. A missing ``vip`` or ``major`` rule falls back to the other, then to
    the class rule, then to ``normal``.
    """
    calendar = cal or BranchCalendar()
    candidates: list[str] = []
    if severity == "major":
        candidates.append("major")
    if is_vip:
        candidates.append("vip")
    candidates = [name for name in candidates if name in rules]
    if not candidates and (severity == "major" or is_vip):
        candidates = [name for name in ("major", "vip") if name in rules]
    if cls and cls in rules and cls not in candidates:
        candidates.append(cls)
    if not candidates:
        if "normal" not in rules:
            raise KeyError("no 'normal' SLA rule configured")
        return "normal", rules["normal"]

    def strictness(name: str) -> tuple[timedelta, timedelta]:
        rule = rules[name]
        return (
            _nominal(parse_duration(rule.resolution, calendar), calendar),
            _nominal(parse_duration(rule.first_response, calendar), calendar),
        )

    best = min(candidates, key=strictness)  # min keeps the first of equals
    return best, rules[best]


def _add_wall(start: datetime, amount: timedelta, cal: BranchCalendar) -> datetime:
    """Wall-clock addition (absolute time, safe across DST), read in the branch timezone."""
    return (start.astimezone(UTC) + amount).astimezone(cal.tz)


def measure(start: datetime, end: datetime, business: bool, cal: BranchCalendar) -> timedelta:
    """Time from ``start`` to ``end`` in one kind of time: business time on ``cal``, or wall
    time (negative if ``end`` is before ``start``; business time is then zero)."""
    if business:
        return cal.business_time_between(start, end)
    return end.astimezone(UTC) - start.astimezone(UTC)


def pause_length(
    intervals: Iterable[tuple[datetime, datetime]], target: Target, cal: BranchCalendar
) -> timedelta:
    """Total length of pause intervals (waiting for the customer) in ``target``'s kind of
    time: a pause over a night counts nothing against a business clock."""
    total = timedelta()
    for begin, end in intervals:
        total += max(measure(begin, end, target.business, cal), timedelta())
    return total


def due(
    start: datetime, target: Target, cal: BranchCalendar, paused: timedelta = timedelta()
) -> datetime:
    """The deadline: ``start`` plus the target (business time on the branch calendar, or wall
    time) plus the paused time, during which the clock did not run. A business clock started
    outside business hours starts at the next opening. Returned in the branch timezone."""
    amount = target.amount + max(paused, timedelta())
    if target.business:
        return cal.add_business_time(start, amount)
    return _add_wall(start, amount, cal)


def _elapsed(
    start: datetime, now: datetime, target: Target, cal: BranchCalendar, paused: timedelta
) -> timedelta:
    return measure(start, now, target.business, cal) - max(paused, timedelta())


def elapsed_fraction(
    start: datetime,
    now: datetime,
    target: Target,
    cal: BranchCalendar,
    paused: timedelta = timedelta(),
) -> float:
    """Clock time used so far (minus pauses) over the target: 0 at start, 1.0 at the due
    time, above 1 once breached; never below 0."""
    return max(_elapsed(start, now, target, cal, paused) / target.amount, 0.0)


def remaining(
    start: datetime,
    now: datetime,
    target: Target,
    cal: BranchCalendar,
    paused: timedelta = timedelta(),
) -> timedelta:
    """Clock time left before the due time, in the target's own kind of time (business time
    for a business target); negative by how much it is overdue once breached."""
    return target.amount - _elapsed(start, now, target, cal, paused)


def _parse_step(step: str) -> tuple[str, float, timedelta]:
    match = _STEP.match(step.strip())
    if not match:
        raise ValueError(f"{step!r} is not an escalation step like 'supervisor@1.0+4h'")
    offset = timedelta(hours=float(match[3])) if match[3] else timedelta()
    return match[1], float(match[2]), offset


def thresholds_crossed(
    fraction: float,
    warn_at: Sequence[float],
    escalate: Sequence[str],
    target: Target | None = None,
) -> list[str]:
    """The warning and escalation steps due at ``fraction`` of the target, earliest first.

    Each ``warn_at`` fraction is an ``owner@<fraction>`` step (merged with the same step in
    ``escalate``); escalation steps are returned as written (``"branch_head@1.0+4h"``). The
    ``+<n>h`` offset is ``n`` hours past that point in the rule's own kind of time (business
    hours for a business target), so ``target`` is needed for steps with an offset.
    """
    steps: dict[tuple[str, float, timedelta], str] = {}
    for w in warn_at:
        steps[("owner", float(w), timedelta())] = f"owner@{w}"
    for text in escalate:
        steps[_parse_step(text)] = text.strip()
    crossed: list[tuple[float, str]] = []
    for (_, point, offset), text in steps.items():
        at = point
        if offset:
            if target is None:
                raise ValueError(f"{text!r} has an offset: pass the target")
            at += offset / target.amount
        if fraction + _EPSILON >= at:
            crossed.append((at, text))
    return [text for _, text in sorted(crossed, key=lambda pair: pair[0])]


def step_due(
    start: datetime,
    target: Target,
    cal: BranchCalendar,
    step: str,
    paused: timedelta = timedelta(),
) -> datetime:
    """When a warning or escalation step falls due, e.g. ``"branch_head@1.0+4h"``: 4 hours
    (of the target's kind of time) after the due time."""
    _, point, offset = _parse_step(step)
    scaled = Target(target.amount * point + offset, target.business)
    return due(start, scaled, cal, paused)


def return_call_due(resolved_at: datetime, cal: BranchCalendar) -> datetime:
    """The return call (回访) is due within the month of resolution (telecom handbook): the
    last moment of that month in the branch timezone."""
    local = resolved_at.astimezone(cal.tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    next_month = datetime(year, month, 1, tzinfo=cal.tz)
    return next_month - timedelta(microseconds=1)
