"""What each kind of task the daily generation makes selects: one ``SELECT`` per rule (contact
cadence, data verification, care moments, after-sale return visits, maturities, post-loan
checks, complaint return calls, retention), each row a task to insert (scored once all are in,
:mod:`cmworkbench.db.scoring`). The rules' numbers come from config through the generation's context
(:mod:`.generate`).

A task's deadline (``deadline_at``, :mod:`cmworkbench.domain.standing`): a contact is due at the
cadence's ideal day and overdue only past its maximum, a maturity is due
``tasks.maturity_due_days`` (a week) ahead and overdue past the maturity day; every other kind
is overdue once its due day has passed (``NULL``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from cmworkbench.db import after_sale
from cmworkbench.db.vip import vip_case

if TYPE_CHECKING:
    from cmworkbench.services.tasks.generate import Context


def rule_join() -> str:
    """SQL: JOIN each customer ``c`` to its cadence rule in ``gen_rule`` (class, VIP, flag)."""
    return (
        f"JOIN gen_rule r ON r.cls = COALESCE(c.cls, '') AND r.vip = {vip_case()}"
        " AND r.gov = (CASE WHEN c.is_government THEN 1 ELSE 0 END)"
    )


def _select(
    kind: str, rule: str, due: str, key: str, owner: str = "", deadline: str = "NULL"
) -> str:
    """The SELECT list every rule shares, in the order of :data:`TASK_COLUMNS` (``deadline``:
    ``NULL`` when the due day is the last)."""
    owner = owner or _OWNER
    return f"SELECT '{kind}', c.id, {owner}, {due}, 0, 'open', {rule}, {key}, :now, 1, {deadline}"


_OWNER = (
    "COALESCE(c.owner_id, (SELECT k.staff_id FROM gen_keeper k"
    " WHERE k.area = COALESCE(c.area, '') OR k.area = '*' ORDER BY (k.area = '*') LIMIT 1))"
)
"""Who a customer's task is for: the owner, or for a customer in the branch pool its keeper
(``gen_keeper``: area → keeper, ``*`` for every other area; :mod:`.generate`), so nothing
generated for a pooled customer is lost."""

_ACTIVE = f"{_OWNER} IS NOT NULL AND c.status <> 'lost'"


def rule_selects(ctx: Context) -> list[tuple[str, str]]:
    """(kind, SELECT) per rule; each SELECT yields rows in :data:`TASK_COLUMNS` order."""
    return [
        ("contact", _contact(ctx)),
        ("verify_info", _verify(ctx)),
        ("care", _birthdays(ctx)),
        ("care", _festivals(ctx)),
        ("after_sale", _after_sale(ctx)),
        ("maturity", _maturity(ctx)),
        ("post_loan", _post_loan(ctx)),
        ("post_loan", _post_loan_checks(ctx)),
        ("return_call", _return_call(ctx)),
        ("retention", _retention(ctx)),
        ("directory_update", _directory(ctx)),
    ]


def _contact(ctx: Context) -> str:
    # Due at the ideal day, overdue past the maximum (DESIGN.md, "A day a manager can work").
    base = "COALESCE(l.at, c.created_at)"
    due = ctx.plus_days(base, "r.ideal")
    deadline = ctx.plus_days(base, "r.maxd")
    key = f"'contact:' || c.id || ':' || {ctx.seconds_text(base)}"
    return (
        _select("contact", "'cadence.' || r.rule", due, key, deadline=deadline)
        + f" FROM customer c {rule_join()} LEFT JOIN gen_last l ON l.customer_id = c.id"
        f" WHERE {_ACTIVE} AND {due} < :tomorrow"
    )


def _verify(ctx: Context) -> str:
    due = (
        f"CASE WHEN c.info_verified_at IS NULL THEN {ctx.at_opening(':day')}"
        f" ELSE {ctx.plus_days('c.info_verified_at', 'f.max_days')} END"
    )
    verified = ctx.seconds_text("c.info_verified_at")
    key = f"'verify:' || c.id || ':' || COALESCE({verified}, 'never')"
    return (
        _select("verify_info", "'freshness.' || c.cls", due, key)
        + " FROM customer c JOIN gen_fresh f ON f.cls = c.cls"
        f" WHERE {_ACTIVE} AND ({due}) < :tomorrow"
    )


def _care_window(ctx: Context) -> list[date]:
    lead = ctx.settings.tasks.care_lead_days
    return [ctx.day + timedelta(days=i) for i in range(lead + 1)]


def _birthdays(ctx: Context) -> str:
    """Birthdays of key persons (关键人) of a customer and of individual customers: a group's
    other contacts (a whole imported staff directory) get none, so Today is not flooded."""
    window = _care_window(ctx)
    month_days = ", ".join(f"'{d:%m-%d}'" for d in window)
    on_day = " ".join(f"WHEN '{d:%m-%d}' THEN '{d}'" for d in window)
    due = ctx.at_opening(f"(CASE {ctx.month_day('b.birthday')} {on_day} END)")
    key = "'care:birthday:' || b.who || ':' || b.year"
    people = (
        f"SELECT k.customer_id AS customer_id, 'contact' || k.id AS who, k.birthday AS birthday,"
        f" '{ctx.day.year}' AS year FROM contact k"
        f" WHERE k.is_key_person AND {ctx.month_day('k.birthday')} IN ({month_days})"
        " UNION ALL SELECT id, 'customer' || id, birthday, "
        f"'{ctx.day.year}' FROM customer WHERE kind = 'individual'"
        f" AND {ctx.month_day('birthday')} IN ({month_days})"
    )
    return (
        _select("care", "'care.birthday'", due, key)
        + f" FROM ({people}) AS b JOIN customer c ON c.id = b.customer_id WHERE {_ACTIVE}"
    )


def _festivals(ctx: Context) -> str:
    """Festivals within the lead time: A/B-class and VIP customers get a care task."""
    window = set(_care_window(ctx))
    festivals = []
    for entry in ctx.settings.tasks.festivals:
        day, _, _name = entry.partition(" ")
        if date.fromisoformat(day) in window:
            festivals.append(day)
    if not festivals:
        return ""
    days = " UNION ALL ".join(f"SELECT '{d}' AS day" for d in festivals)
    due = ctx.at_opening("fd.day")
    key = "'care:festival:' || fd.day || ':' || c.id"
    return (
        _select("care", "'care.festival'", due, key) + f" FROM customer c CROSS JOIN ({days}) AS fd"
        f" WHERE {_ACTIVE} AND (c.cls IN ('A1', 'A2', 'B1', 'B2') OR {vip_case()} = 1)"
    )


def _after_sale(ctx: Context) -> str:
    """The return visit (售后回访) of each product whose window is open and who has not had it
    (:mod:`cmworkbench.domain.after_sale`, the same rule as the report's), due at the
    window's last day."""
    rules = ctx.settings.tasks
    d = ctx.dialect
    start_days, months = str(rules.after_sale_start_days), str(rules.after_sale_months)
    closes = after_sale.closes(d, "h.activated_on", months)
    made = after_sale.made(
        d, customer="h.customer_id", activated="h.activated_on", start_days=start_days,
        months=months, unshift=ctx.unshift,
    )  # fmt: skip
    return (
        _select("after_sale", "'after_sale'", ctx.at_opening(closes), "'after_sale:' || h.id")
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.activated_on IS NOT NULL"
        f" AND {after_sale.opens(d, 'h.activated_on', start_days)} <= :day"
        f" AND {closes} >= :day AND NOT {made}"
    )


def _maturity(ctx: Context) -> str:
    until = ctx.day + timedelta(days=ctx.settings.tasks.maturity_lead_days)
    # Due ``maturity_due_days`` (a week) before the maturity day, overdue past it.
    due = ctx.at_opening(ctx.minus_days("h.matures_on", ctx.settings.tasks.maturity_due_days))
    key = "'maturity:' || h.id || ':' || h.matures_on"
    deadline = ctx.at_opening("h.matures_on")
    return (
        _select("maturity", "'maturity'", due, key, deadline=deadline)
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.matures_on >= :day AND h.matures_on <= '{until}'"
    )


def _post_loan(ctx: Context) -> str:
    """The imported post-loan dates of loans without an approved credit file (a file's
    checks are its own: :func:`_post_loan_checks`)."""
    until = ctx.day + timedelta(days=ctx.settings.tasks.post_loan_lead_days)
    key = "'post_loan:' || h.id || ':' || h.next_check_on"
    return (
        _select("post_loan", "'post_loan'", ctx.at_opening("h.next_check_on"), key)
        + " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_ACTIVE} AND h.product_kind = 'loan' AND h.next_check_on <= '{until}'"
        " AND NOT EXISTS (SELECT 1 FROM credit_file f"
        " WHERE f.holding_id = h.id AND f.state = 'approved')"
    )


_CHECK_KEY = "'post_loan:check:' || pc.id"
"""The key of a credit file's check's task (``credit.api.TASK_KEY`` and the check's id)."""


def _post_loan_checks(ctx: Context) -> str:
    """The scheduled checks of approved credit files (:mod:`cmworkbench.services.credit.
    post_loan`), due on their working day; closed only by a held visit with findings."""
    until = ctx.day + timedelta(days=ctx.settings.tasks.post_loan_lead_days)
    return (
        _select(
            "post_loan", "'post_loan'", ctx.at_opening("pc.due_on"), "'post_loan:check:' || pc.id"
        )
        + " FROM post_loan_check pc JOIN credit_file f ON f.id = pc.file_id"
        " JOIN customer c ON c.id = f.customer_id"
        f" WHERE {_ACTIVE} AND f.state = 'approved' AND pc.done_at IS NULL"
        f" AND pc.due_on <= '{until}'"
    )


def _return_call(ctx: Context) -> str:
    """One-to-one return call within the month of resolution (telecom handbook)."""
    month_end = ctx.month_end(ctx.local_date("cp.resolved_at"))
    return (
        _select(
            "return_call",
            "'return_call'",
            ctx.at_opening(month_end),
            "'return_call:' || cp.id",
            owner="cp.owner_id",
        )
        + " FROM complaint cp JOIN customer c ON c.id = cp.customer_id"
        " WHERE cp.status = 'resolved' AND cp.return_call_at IS NULL"
    )


def _retention(ctx: Context) -> str:
    """At-risk customers, and assets or revenue down month on month past the threshold."""
    first = ctx.day.replace(day=1)
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    before = ((first - timedelta(days=1)).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    drop = 1 - ctx.settings.tasks.churn_asset_drop
    value = "COALESCE(m.assets_yuan, m.revenue_yuan)"
    fell = (
        f"SELECT 1 FROM customer_metric m JOIN customer_metric p ON p.customer_id = m.customer_id"
        f" AND p.month = '{before}' WHERE m.customer_id = c.id AND m.month = '{last_month}'"
        f" AND COALESCE(p.assets_yuan, p.revenue_yuan) > 0"
        f" AND {value} < COALESCE(p.assets_yuan, p.revenue_yuan) * {drop}"
    )
    key = "'retention:' || c.id || '/' || :month"
    return (
        _select("retention", "'churn'", ctx.at_opening(":day"), key)
        + f" FROM customer c WHERE {_ACTIVE} AND (c.status = 'at_risk' OR EXISTS ({fell}))"
    )


_DIRECTORY_FLAGS = {
    "government": "c.is_government",
    "dual_span": "c.is_dual_span",
    "benchmark": "c.is_benchmark",
}
"""``[directories] flags`` → the customer's column."""


def _directory(ctx: Context) -> str:
    """Important groups whose staff directory (通讯录) was last refreshed (never: since they
    became customers) before ``:directory_since``: a refresh task each, once per refresh."""
    rules = ctx.settings.directories
    important = [f"c.cls IN ({', '.join(repr(c) for c in rules.classes)})"] if rules.classes else []
    important += [_DIRECTORY_FLAGS[flag] for flag in rules.flags]
    if not important:
        return ""
    since = "COALESCE(c.directory_refreshed_at, c.created_at)"
    key = f"'directory:' || c.id || ':' || {ctx.seconds_text(since)}"
    return (
        _select("directory_update", "'directory'", ctx.at_opening(":day"), key)
        + f" FROM customer c WHERE {_ACTIVE} AND c.kind = 'group'"
        f" AND ({' OR '.join(important)}) AND {since} < :directory_since"
    )
