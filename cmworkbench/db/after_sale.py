"""The after-sale return visit rule (:mod:`cmworkbench.domain.after_sale`) as SQL, for the
set-based statements that apply it: the daily generation (a task while the visit is owed),
the closing of that task, and the report's return-visit figure. One builder, so the three
cannot drift apart."""

from __future__ import annotations

from cmworkbench.db.dialect import Dialect
from cmworkbench.domain import after_sale
from cmworkbench.domain.task_rules import HELD_OUTCOMES


def opens(d: Dialect, activated: str, start_days: str) -> str:
    """SQL: the first day of the window of a product activated on the date ``activated``."""
    return d.plus_days.format(activated, start_days)


def closes(d: Dialect, activated: str, months: str) -> str:
    """SQL: the last day of the window."""
    return d.plus_months.format(activated, months)


def _held(alias: str) -> str:
    kinds = []
    for kind in after_sale.KINDS:
        outcomes = ", ".join(f"'{o}'" for o in sorted(HELD_OUTCOMES[kind]))
        kinds.append(f"({alias}.kind = '{kind}' AND {alias}.outcome IN ({outcomes}))")
    return f"{alias}.status = 'done' AND ({' OR '.join(kinds)})"


def made(
    d: Dialect,
    *,
    customer: str,
    activated: str,
    start_days: str,
    months: str,
    unshift: str,
    before: str | None = None,
) -> str:
    """SQL: the return visit of the product activated on ``activated`` of ``customer`` was
    made (a held call or visit for it inside its window; ``before``: an instant it must
    precede, the report's end). ``unshift``: the shift from branch time back to UTC (a
    parameter or a quoted literal, ``'-480 minutes'``)."""
    first = d.at_midnight.format(opens(d, activated, start_days), unshift)
    after = d.at_midnight.format(d.next_day.format(closes(d, activated, months)), unshift)
    purpose = after_sale.PURPOSE
    return (
        f"EXISTS (SELECT 1 FROM interaction i WHERE i.customer_id = {customer}"
        f" AND {_held('i')}"
        f" AND (i.purpose = '{purpose}' OR EXISTS (SELECT 1 FROM interaction_purpose ip"
        f" WHERE ip.interaction_id = i.id AND ip.task_kind = '{purpose}'))"
        f" AND i.happened_at >= {first} AND i.happened_at < {after}"
        + (f" AND i.happened_at < {before})" if before else ")")
    )
