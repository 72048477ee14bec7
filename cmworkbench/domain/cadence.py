"""Contact cadence: how often a customer must be called or visited. Pure rules, no I/O.

A rule (``cadence`` in config) belongs to a value class (``A1`` … ``C``) or to a flag (``vip``,
``government``). A customer to whom several rules apply follows the strictest one, the one
with the smallest ``max_days``: an A1 customer who is also VIP keeps A1's monthly rhythm, a
C customer who is VIP is raised to the VIP rhythm.

Days are counted from the last *logged* contact through one of the rule's channels (a
reminder is not a contact; an SMS is not a contact with an A-class customer), or, for a
customer never contacted, from the day the workbench took them on (their record's creation,
:func:`counted_from`): an account opened years before an import is not overdue the day it is
imported, and a new account's record is made the day it opens. Days are the branch's local
calendar days: a call at 00:30 in Hangzhou belongs to that day, not to the UTC day before.

The 360 view shows the result; the daily task generator uses the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from cmworkbench.config import CadenceRule
from cmworkbench.domain import vip
from cmworkbench.domain.standing import State, standing

VIP_RULE = "vip"
GOVERNMENT_RULE = "government"


@dataclass(frozen=True)
class ContactDue:
    """When the next contact is due and overdue, as branch-local dates."""

    last_contact_on: date
    """The day counting starts from: the last logged contact, or the day the customer joined."""
    due_on: date
    """``ideal_days`` after the last contact: from this day on the contact is due."""
    overdue_on: date
    """``max_days`` after the last contact: the last day that still keeps the rule."""
    due: bool
    """Today is on or after ``due_on``."""
    overdue: bool
    """Today is after ``overdue_on``."""


def rule_keys(*, cls: str | None, tier: str | None, is_vip: bool, is_government: bool) -> list[str]:
    """The cadence keys that may apply to a customer: its class, then its flags."""
    keys = [cls] if cls else []
    if vip.is_vip(is_vip, tier):
        keys.append(VIP_RULE)
    if is_government:
        keys.append(GOVERNMENT_RULE)
    return keys


def applicable_rule(
    *,
    cls: str | None,
    tier: str | None,
    is_vip: bool,
    is_government: bool,
    rules: Mapping[str, CadenceRule],
) -> tuple[str, CadenceRule] | None:
    """The strictest configured rule for the customer (smallest ``max_days``, then smallest
    ``ideal_days``; on a full tie the class wins), or ``None`` when no rule applies."""
    keys = rule_keys(cls=cls, tier=tier, is_vip=is_vip, is_government=is_government)
    candidates = [(key, rules[key]) for key in keys if key in rules]
    if not candidates:
        return None
    # min() keeps the first of equals, and the class comes first in ``rule_keys``.
    return min(candidates, key=lambda item: (item[1].max_days, item[1].ideal_days))


def counts_as_contact(kind: str, rule: CadenceRule) -> bool:
    """Whether a done interaction of ``kind`` (call, visit, sms, onsite) keeps ``rule``."""
    return kind in rule.channels


def local_day(instant: datetime, tz: tzinfo) -> date:
    """The branch-local calendar day of an aware instant."""
    return instant.astimezone(tz).date()


def counted_from(last_contact: datetime | None, created_at: datetime, tz: tzinfo) -> date:
    """The branch-local day a customer's cadence counts from: its last logged contact, else
    the day its record was made. The 360 view, the visit proposal, the daily generation
    (``COALESCE(last contact, created_at)``) and the coverage figure all count from it."""
    return local_day(last_contact or created_at, tz)


def next_contact(last_contact_on: date, rule: CadenceRule, today: date) -> ContactDue:
    """When the next contact is due and overdue under ``rule``, seen from ``today``: due from
    the ideal day, overdue past the maximum, as :func:`~cmworkbench.domain.standing.standing`
    decides for every list and report."""
    due_on = last_contact_on + timedelta(days=rule.ideal_days)
    overdue_on = last_contact_on + timedelta(days=rule.max_days)
    where = standing(due_on, overdue_on, today)
    return ContactDue(
        last_contact_on=last_contact_on,
        due_on=due_on,
        overdue_on=overdue_on,
        due=where.state is not State.UPCOMING,
        overdue=where.overdue,
    )


RULE_CLASSES = ("A1", "A2", "B1", "B2", "C", "")
"""The classes a rule table covers (``""``: a customer without a class yet)."""

CHANNEL_BITS = {"call": 1, "visit": 2, "sms": 4, "onsite": 8}
"""One bit per contact channel, so a rule's channels fit one integer in SQL."""


@dataclass(frozen=True)
class RuleRow:
    """The rule of one (class, VIP, government) combination, for set-based SQL."""

    cls: str
    vip: int
    gov: int
    key: str
    rule: CadenceRule
    channel_mask: int


def rule_table(rules: Mapping[str, CadenceRule]) -> list[RuleRow]:
    """The strictest rule (:func:`applicable_rule`) of every combination of class, VIP and
    government flag that has one: what task generation and the coverage report join their
    customers to instead of deciding customer by customer."""
    table = []
    for cls in RULE_CLASSES:
        for flagged in (0, 1):
            for gov in (0, 1):
                chosen = applicable_rule(
                    cls=cls or None,
                    tier=None,
                    is_vip=bool(flagged),
                    is_government=bool(gov),
                    rules=rules,
                )
                if chosen is not None:
                    key, rule = chosen
                    mask = sum(CHANNEL_BITS.get(ch, 0) for ch in rule.channels)
                    table.append(RuleRow(cls, flagged, gov, key, rule, mask))
    return table
