"""A credit file's rules (DESIGN.md, loans; bank marketing source, essays on the CM system):
what keeps it from being signed, the guarantors' cover of the loan and the post-loan checks'
dates. Pure rules, no I/O.

* **Net assets** are total assets minus total liabilities.
* **Guarantor cover.** The guarantors' net assets together must be at least ``[credit]
  guarantor_coverage`` (2) × the loan; ``0`` turns the rule off.
* **What blocks a signature** (:func:`blocking`): an item not checked yet, a concern without a
  note, guarantor cover under the rule. The manager cannot submit such a file and the risk
  manager cannot sign it: the reasons are named, in this order.
* **Post-loan checks** (:func:`planned_check`, :func:`due_day`): the first
  ``first_check_days`` after the loan's approval, then every ``check_months[grade]`` months
  counted from the previous one's planned date (so a late check does not push the later
  ones), each due on the next working day of the branch calendar when its date is not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cmworkbench.config import CreditSettings
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t

STATES = ("draft", "submitted", "returned", "approved", "superseded")
"""A file's states: a draft (and a returned file) is worked by the manager; a submitted one
waits for the risk manager; an approved one is read-only (a change is a new version, and the
approved version it replaces becomes superseded once the new one is approved)."""
WORKED = ("draft", "returned")
"""The states in which a file's checklist, figures and guarantors may change."""
RESULTS = ("pass", "concern")


@dataclass(frozen=True)
class ItemState:
    """An item as the rules read it."""

    item: str
    result: str | None
    note: str | None


def item_label(credit: CreditSettings, item: str) -> str:
    """An item's name: the branch's own (``[credit.names]``) or the catalog's."""
    return credit.names.get(item) or label("credit_item", item)


def net_assets(total_assets: int | None, total_liabilities: int | None) -> int | None:
    """Total assets minus total liabilities (``None`` until both are known)."""
    if total_assets is None or total_liabilities is None:
        return None
    return total_assets - total_liabilities


def coverage(amount: int, guarantor_nets: Iterable[int]) -> float:
    """The guarantors' net assets together over the loan (``0`` without a loan amount)."""
    return sum(guarantor_nets) / amount if amount > 0 else 0.0


def coverage_needed(credit: CreditSettings, amount: int) -> int:
    """The guarantors' net assets the rule asks for, whole yuan (rounded up)."""
    return -int(-amount * credit.guarantor_coverage // 1)


def coverage_short(credit: CreditSettings, amount: int, guarantor_nets: Iterable[int]) -> bool:
    return credit.guarantor_coverage > 0 and sum(guarantor_nets) < coverage_needed(credit, amount)


def blocking(
    credit: CreditSettings,
    amount: int,
    items: Sequence[ItemState],
    guarantor_nets: Sequence[int],
) -> list[str]:
    """Why the file cannot be signed (by the manager or the risk manager), as sentences for
    people; empty when it can."""
    reasons: list[str] = []
    by_item = {i.item: i for i in items}
    open_items = [k for k in credit.items if by_item.get(k) is None or by_item[k].result is None]
    if open_items:
        names = "、".join(item_label(credit, k) for k in open_items)
        reasons.append(t("credit.block.open_items", n=len(open_items), items=names))
    for key in credit.items:
        found = by_item.get(key)
        if found is not None and found.result == "concern" and not (found.note or "").strip():
            reasons.append(t("credit.block.concern_note", item=item_label(credit, key)))
    if coverage_short(credit, amount, guarantor_nets):
        reasons.append(
            t(
                "credit.block.coverage",
                nets=short_yuan(sum(guarantor_nets)),
                amount=short_yuan(amount),
                times=f"{credit.guarantor_coverage:g}",
                needed=short_yuan(coverage_needed(credit, amount)),
            )
        )
    return reasons


def planned_check(
    credit: CreditSettings, approved_on: date, grade: str, previous: date | None
) -> date:
    """The date the rule gives the next post-loan check of a loan approved on ``approved_on``
    with risk ``grade``: ``first_check_days`` after the approval, then ``check_months[grade]``
    after the previous check's planned date (so a late check or a holiday does not push the
    later ones)."""
    if previous is None:
        return approved_on + timedelta(days=credit.first_check_days)
    return previous + relativedelta(months=checks_every(credit, grade))


def due_day(calendar: BranchCalendar, planned: date) -> date:
    """A check planned on ``planned`` is due that day, or the next working day."""
    return calendar.next_workday(planned)


def checks_every(credit: CreditSettings, grade: str) -> int:
    """Months between checks for ``grade`` (an unknown grade, e.g. one a later config
    dropped, is checked as often as the most frequent one)."""
    return credit.check_months.get(grade) or min(credit.check_months.values())


def maturity(approved_on: date, term_months: int) -> date:
    """The loan's last day, counted from its approval."""
    return approved_on + relativedelta(months=term_months)


def grade_label(grade: str) -> str:
    return label("credit_grade", grade)
