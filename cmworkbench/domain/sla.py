"""SLA clocks: targets, deadlines, elapsed fraction, warnings and escalation, for complaint
tickets and for promises (承诺: a deadline a manager owes a customer, :func:`promise_clock`).

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
from datetime import UTC, date, datetime, timedelta
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


def steps_due(
    fraction: float, warn_at: Sequence[float], escalate: Sequence[str], target: Target
) -> list[str]:
    """Every step due at ``fraction`` of a clock's target: the warnings and escalations
    (:func:`thresholds_crossed`) and, once the target is used up, ``owner@breach`` (the owner
    is told the deadline passed). The one rule both sweeps apply: complaint tickets' clocks
    and promises' (:mod:`cmworkbench.services.core.escalation`)."""
    steps = thresholds_crossed(fraction, warn_at, escalate, target)
    if fraction + _EPSILON >= 1.0:
        steps.append("owner@breach")
    return steps


def step_point(step: str) -> float:
    """Where a step falls, as a fraction of the target (``owner@breach`` at 1.0; the offset
    of ``branch_head@1.0+4h`` is not counted)."""
    tail = step.split("@", 1)[1]
    return 1.0 if tail == "breach" else float(tail.split("+", 1)[0])


# -- promises (承诺): deadlines counted in working days as well as in hours --------------------

SAME_DAY = "same day"
_WORKDAYS = re.compile(r"^\s*(\d+)\s+workdays?(\s+before)?\s*$")


@dataclass(frozen=True)
class PromiseClock:
    """When a promise falls due, and the clock its warnings are measured on: ``target`` of
    time from ``start`` (business time for a working-day rule), used up exactly at ``due``."""

    start: datetime
    target: Target
    due: datetime


def due_rule_problem(text: str) -> str | None:
    """Why ``text`` is not a promise's due rule, or ``None``: ``same day``, ``<n> workdays``,
    ``<n> workdays before`` (a date the promise names) or a duration like ``2h calendar``."""
    if text.strip() == SAME_DAY:
        return None
    match = _WORKDAYS.match(text)
    if match:
        return None if int(match[1]) >= 1 else f"{text!r}: at least 1 working day"
    try:
        parse_duration(text)
    except ValueError:
        return (
            f"{text!r} is not 'same day', '<n> workdays', '<n> workdays before' or a duration"
            " like '2h calendar'"
        )
    return None


def needs_date(text: str) -> bool:
    """True for a rule counted back from a date the promise names (``2 workdays before`` the
    promised activation)."""
    match = _WORKDAYS.match(text)
    return bool(match and match[2])


def promise_clock(
    rule: str, made: datetime, cal: BranchCalendar, before: date | None = None
) -> PromiseClock:
    """The deadline of a promise made at ``made`` under ``rule`` (:func:`due_rule_problem`):

    - ``same day``: the close of business of the day it was made; made after the close, or on
      a day off, the close of the next working day (当天来电当天回复);
    - ``<n> workdays``: the close of business of the ``n``-th working day after the day it
      was made. The clock counts whole working days from that day's close, so a step at 0.5
      of ``2 workdays`` falls at the close of the first working day after;
    - ``<n> workdays before``: the close of business of the ``n``-th working day before
      ``before`` (tell the customer 2 working days before a promised activation slips);
      already past when made, the promise is late at once;
    - a duration (``2h calendar``, ``4h business``): ``made`` plus the duration.
    """
    local = made.astimezone(cal.tz)
    day = local.date()
    open_today = cal.is_workday(day) and local < cal.closing(day)
    if rule.strip() == SAME_DAY:
        due_at = cal.closing(day if open_today else cal.add_workdays(day, 1))
        return _spanning(local, due_at, cal)
    match = _WORKDAYS.match(rule)
    if match and match[2]:
        if before is None:
            raise ValueError(f"{rule!r} is counted back from a date: none was given")
        return _spanning(local, cal.closing(cal.workdays_before(before, int(match[1]))), cal)
    if match:
        start = cal.closing(day) if open_today else local
        target = Target(workday_length(cal) * int(match[1]), business=True)
        return PromiseClock(start, target, due(start, target, cal))
    target = parse_duration(rule, cal)
    return PromiseClock(local, target, due(local, target, cal))


def _spanning(start: datetime, due_at: datetime, cal: BranchCalendar) -> PromiseClock:
    """A business clock from ``start`` used up at ``due_at`` (one minute long when the
    deadline is not ahead: the promise is late from the first sweep)."""
    length = cal.business_time_between(start, due_at)
    if length <= timedelta():
        return PromiseClock(start, Target(timedelta(minutes=1), business=False), due_at)
    return PromiseClock(start, Target(length, business=True), due_at)
