"""The figures of the management report, as one table of definitions (data, not code).

Every figure is a ratio ``Σ numerator / Σ denominator`` over *records*: each definition is
one SQL ``SELECT`` that yields one row per record behind the figure, with the columns of
:data:`ROW_COLUMNS`:

``owner_id``     whose record it is (the customer's owner, the ticket's or task's owner,
                 the visit plan's owner, the log's writer, the manager a referral went
                 to): groups and scope use it
``grp``          a breakdown inside the figure (the customer class for coverage and
                 freshness, the referrer for referrals), or NULL
``ref``          what identifies the record for people (customer number, ticket, login…)
``name``         the customer's or colleague's name
``day``          the branch-local day the record belongs to (YYYY-MM-DD)
``num``          the record's share of the numerator (1/0 for a rate, hours, a score)
``den``          its share of the denominator (1 for every record that counts)
``detail``       one short fact that explains the row (last contact, deadline…)

The report sums ``num`` and ``den`` per owner and breakdown (``GROUP BY``, no record is
loaded); the drill-down lists the same rows, so the list always sums to the figure.

A figure in ``yuan`` or ``count`` (the pipeline's value, the proposals waiting) is a sum, not a
ratio: its value is ``Σ num``, and ``den`` (1 a record) counts the records.

A *rate* counts a record once it is **decided**: its target was met, or its deadline has
passed by the report's end (or now, whichever is first). A complaint received on the last
evening of a month with its first-response clock still running is in neither numerator nor
denominator of that month; it counts in the month it was received once it is decided.

Parameters every SQL receives: ``:start`` / ``:end`` (the period as stored UTC instants,
half-open; ``:end`` is never later than now), ``:start_day`` / ``:end_day`` (the same as
branch-local dates, ``:end_day`` inclusive), ``:shift`` (``'+480 minutes'``: UTC → branch
local), and per definition the small ``VALUES`` tables built from config (cadence rules,
freshness, working days, product and pipeline step names: ``rep_product``, ``rep_stage``), and
the words of the drill-downs (``rf_…``, ``op_…``, and the credit files' ``cs_…``, ``pl_…``).
Scope is the ``{owners}`` placeholder: a list of staff ids.

A figure may also define ``weekly``: the same records over several consecutive periods in
one statement (the Dashboard's trend), one row per record with the columns ``owner_id``,
``num_0``, ``den_0``, ``num_1``, ``den_1``, … The parameters of period *n* carry the suffix
``_n`` (``:end_2``, ``:judge_day_2``…), and the config tables one column per period
(``rep_rule.since_2``). A figure without it is computed period by period; only the figures
that read every customer or holding need it.

The SQL differs between SQLite (date functions on the stored ISO strings) and PostgreSQL
(``timestamptz`` and ``date`` with intervals) in a few fragments only: a :class:`Dialect` holds
them, and each definition is written once, given the dialect of the connection (as the task
generation does). The parameters are the same, as the strings SQLite stores or as typed values
for PostgreSQL. A month added to the 31st stays in its month on both (31 August + 3 months is
30 November, :attr:`Dialect.plus_months`), so the same records give the same figures on
either database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cmworkbench.config import COMPLIANCE_RULES, Settings, TargetSettings
from cmworkbench.db import after_sale, file_checks
from cmworkbench.db.dialect import Dialect
from cmworkbench.db.vip import vip_case
from cmworkbench.domain.complaint_flow import SATISFIED
from cmworkbench.domain.file_quality import accuracy_target
from cmworkbench.domain.pipeline import stage_label
from cmworkbench.services.reports import credit_figures as credit
from cmworkbench.services.reports import pipeline_figures as pipeline

if TYPE_CHECKING:
    from cmworkbench.services.reports.query import Query

ROW_COLUMNS = ("owner_id", "grp", "ref", "name", "day", "num", "den", "detail")
"""The columns every figure's SELECT yields, in this order."""


@dataclass(frozen=True)
class FigureDef:
    """One figure of the report."""

    key: str
    """Stable key: ``coverage``, ``sla_first_response``… (labels: ``report.figure.<key>``)."""
    unit: str
    """``ratio`` (shown as a percentage), ``hours``, ``days`` or ``score`` (an average), or
    ``yuan`` or ``count``: a sum (the figure is its numerator; its denominator counts the
    records)."""
    target: str | None
    """The field of ``[targets]`` in config that holds its target, if it has one."""
    higher_is_better: bool
    rows: Callable[..., str]
    """SQL of the records behind the figure, given the dialect and the SQL list of owner ids
    in scope (and the settings, when ``configured``)."""
    weekly: Callable[..., str] | None = None
    """SQL of the same records over ``n`` consecutive periods at once (see the module), given
    the dialect, the owners and ``n`` (and the settings, when ``configured``); ``None``:
    computed one period at a time."""
    worst_first: str | None = None
    """How the drill-down orders its rows before the misses-first order: SQL over a column
    the rows add (``failed DESC``: the files failing most checks first)."""
    part_target: Callable[[TargetSettings, str], float] | None = None
    """The target of each breakdown value (accuracy: per class) when they differ: the figure
    is below target when any part is, and its target is theirs weighted by the records."""
    configured: bool = False
    """Its SQL is written for the settings (the data-quality rules: a file's required fields
    as plain SQL per kind and class, ten times faster than a rule table joined per row)."""
    oldest: str | None = None
    """A column of its rows (days) whose largest value the report shows as well: how long the
    oldest record has waited (the proposals waiting for approval)."""
    part_order: Callable[[Settings], Sequence[str]] | None = None
    """The breakdown values in the order reports list them (the pipeline's steps), given the
    settings; without it they are sorted."""

    def __post_init__(self) -> None:
        # The one-pass trend sums the whole scope; parts with targets of their own need the
        # breakdown, which only the period-by-period sums keep.
        assert self.part_target is None or self.weekly is None, self.key

    def select(self, query: Query, owners: str) -> str:
        """SQL of the records behind the figure for ``query``'s period and dialect."""
        if self.configured:
            return self.rows(query.dialect, owners, query.settings)
        return self.rows(query.dialect, owners)

    def select_weekly(self, query: Query, owners: str, weeks: int) -> str:
        """SQL of the records over ``weeks`` consecutive periods (:attr:`weekly`)."""
        assert self.weekly is not None
        if self.configured:
            return self.weekly(query.dialect, owners, weeks, query.settings)
        return self.weekly(query.dialect, owners, weeks)


def _owned_by(d: Dialect, column: str, owners: str) -> str:
    """SQL: ``column`` is one of ``owners``.

    With many owners (a team, the branch) the table is read in row order: one index look-up
    per row in owner order means random reads, about 1.5× slower at a million customers. One
    or two books are found at least as fast through the owner index.
    """
    unary = d.unary if owners.count(",") >= 2 else ""
    return f"{unary}{column} IN ({owners})"


def _active_customer(d: Dialect, owners: str, end: str = ":end") -> str:
    """SQL: customer ``c`` is in scope, not lost, and a customer before ``end``."""
    return f"{_owned_by(d, 'c.owner_id', owners)} AND c.status <> 'lost' AND c.created_at < {end}"


_KIND_BIT = "(CASE i.kind WHEN 'call' THEN 1 WHEN 'visit' THEN 2 WHEN 'sms' THEN 4 ELSE 8 END)"


def _last_contact(end: str, customer: str = "c.id", mask: str = "r.mask") -> str:
    """SQL: the last logged contact of ``customer`` before ``end`` through a channel of the
    rule's ``mask``."""
    return (
        f"(SELECT MAX(i.happened_at) FROM interaction i WHERE i.customer_id = {customer}"
        f" AND i.status = 'done' AND i.happened_at < {end} AND ({mask} & {_KIND_BIT}) <> 0)"
    )


def _rule_join(d: Dialect) -> str:
    """SQL: FROM the customers, each with its cadence rule (one pass over the book, the rule
    looked up per customer)."""
    return (
        f" FROM customer c {d.fixed_join} rep_rule r ON r.cls = COALESCE(c.cls, '')"
        f" AND r.vip = {vip_case()} AND r.gov = (CASE WHEN c.is_government THEN 1 ELSE 0 END)"
    )


def _coverage(d: Dialect, owners: str) -> str:
    # Covered = not overdue at the end of the period: the last logged contact through a
    # channel of the customer's strictest cadence rule (or, never contacted, the day they
    # became a customer) lies within the rule's max_days (domain/cadence.py).
    return (
        "SELECT owner_id, grp, ref, name, :end_day AS day,"
        " CASE WHEN COALESCE(last, created_at) >= since THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" COALESCE({d.day_text.format('last')}, '—') AS detail FROM ("
        "SELECT c.owner_id, COALESCE(c.cls, r.rule) AS grp, c.customer_no AS ref, c.name,"
        f" c.created_at, r.since, {_last_contact(':end')} AS last"
        # The fence keeps the last-contact lookup from running once per use of ``last``.
        f"{_rule_join(d)} WHERE {_active_customer(d, owners)}{d.fence}){d.alias}"
    )


def _coverage_weekly(d: Dialect, owners: str, weeks: int) -> str:
    # The last contact before the last period's end is looked up once per customer; only
    # when it falls after an earlier period's end is that period's own last contact looked
    # up (about half the customers at a million, those contacted within the periods).
    columns = []
    for n in range(weeks):
        own = _last_contact(f":end_{n}", customer="cid", mask="mask")
        last_n = f"CASE WHEN last IS NULL OR last < :end_{n} THEN last ELSE {own} END"
        active = f"created_at < :end_{n}"
        columns.append(
            f"CASE WHEN {active} AND COALESCE({last_n}, created_at) >= since_{n}"
            f" THEN 1 ELSE 0 END AS num_{n}, CASE WHEN {active} THEN 1 ELSE 0 END AS den_{n}"
        )
    end = f":end_{weeks - 1}"
    return (
        f"SELECT owner_id, {', '.join(columns)} FROM ("
        "SELECT c.id AS cid, c.owner_id, c.created_at, r.mask,"
        f" {', '.join(f'r.since_{n}' for n in range(weeks))}, {_last_contact(end)} AS last"
        f"{_rule_join(d)} WHERE {_active_customer(d, owners, end)}{d.fence}){d.alias}"
    )


def _freshness(d: Dialect, owners: str) -> str:
    # Fresh = basic data re-verified within the class's max_days (信息更新). Only the latest
    # verification is stored: a past period counts the verifications still on record.
    return (
        "SELECT c.owner_id, c.cls AS grp, c.customer_no AS ref, c.name, :end_day AS day,"
        " CASE WHEN c.info_verified_at >= f.since AND c.info_verified_at < :end"
        " THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" COALESCE({d.day_text.format('c.info_verified_at')}, '—') AS detail"
        " FROM customer c JOIN rep_fresh f ON f.cls = c.cls"
        f" WHERE {_active_customer(d, owners)}"
    )


def _freshness_weekly(d: Dialect, owners: str, weeks: int) -> str:
    columns = []
    for n in range(weeks):
        active = f"c.created_at < :end_{n}"
        fresh = f"c.info_verified_at >= f.since_{n} AND c.info_verified_at < :end_{n}"
        columns.append(
            f"CASE WHEN {active} AND {fresh} THEN 1 ELSE 0 END AS num_{n},"
            f" CASE WHEN {active} THEN 1 ELSE 0 END AS den_{n}"
        )
    return (
        f"SELECT c.owner_id, {', '.join(columns)}"
        " FROM customer c JOIN rep_fresh f ON f.cls = c.cls"
        f" WHERE {_active_customer(d, owners, f':end_{weeks - 1}')}"
    )


def _deadline(d: Dialect) -> str:
    """SQL: the last day of a holding's return-visit window (its deadline)."""
    return after_sale.closes(d, "h.activated_on", ":after_sale_months")


def _after_sale_done(d: Dialect, customer: str, activated: str, end: str, unshift: str) -> str:
    # 售后回访: 100% within after_sale_months of activation (telecom handbook). Done = the
    # return visit made, by the one rule the generation and the closing of its task apply
    # (domain/after_sale.py): a held call or visit *for* it (its purpose, or logged from its
    # task) inside its window, before the report's end. A task ticked done without a contact
    # is no visit; a maturity call is none either (DESIGN.md).
    return after_sale.made(
        d, customer=customer, activated=activated, start_days=":after_sale_start_days",
        months=":after_sale_months", unshift=unshift, before=end,
    )  # fmt: skip


def _holdings_due(d: Dialect, owners: str, first_day: str, last_day: str) -> str:
    """SQL: FROM … WHERE of the holdings in scope whose return visit is due in the days."""
    return (
        " FROM holding h JOIN customer c ON c.id = h.customer_id"
        f" WHERE {_owned_by(d, 'c.owner_id', owners)} AND h.activated_on IS NOT NULL"
        # A cheap bound on the stored day first (no deadline falls in the days without it;
        # a week's slack covers month ends), so date() runs for a few holdings only.
        f" AND h.activated_on BETWEEN {d.after_sale_bound.format(first_day)}"
        f" AND {last_day} AND {_deadline(d)} BETWEEN {first_day} AND {last_day}"
    )


def _return_visit(d: Dialect, owners: str) -> str:
    done = _after_sale_done(d, "h.customer_id", "h.activated_on", ":end", ":unshift")
    return (
        "SELECT owner_id, NULL AS grp, ref, name, deadline AS day, done AS num, 1 AS den,"
        " product || ' · ' || activated_on AS detail FROM ("
        f"SELECT c.owner_id, c.customer_no AS ref, c.name, h.product, h.activated_on,"
        f" {_deadline(d)} AS deadline, CASE WHEN {done} THEN 1 ELSE 0 END AS done"
        # A window closing later this month counts once the visit is made (decided early).
        f"{_holdings_due(d, owners, ':start_day', ':period_end_day')}){d.alias}"
        " WHERE done = 1 OR deadline < :judge_day"
    )


def _period_of(weeks: int, value: Callable[[int], str]) -> str:
    """SQL: ``value(n)`` of the period *n* whose days hold ``deadline``."""
    if weeks == 1:
        return value(0)
    whens = " ".join(
        f"WHEN deadline <= :period_end_day_{n} THEN {value(n)}" for n in range(weeks - 1)
    )
    return f"CASE {whens} ELSE {value(weeks - 1)} END"


def _return_visit_weekly(d: Dialect, owners: str, weeks: int) -> str:
    # Each holding is due in one period at most: judged once, against that period's end.
    days = _holdings_due(d, owners, ":start_day_0", f":period_end_day_{weeks - 1}")
    due = (
        "SELECT c.owner_id, h.id AS hid, h.customer_id AS cust, h.activated_on AS act,"
        f" {_deadline(d)} AS deadline{days}"
    )
    period = (
        f"SELECT *, {_period_of(weeks, str)} AS wk, {_period_of(weeks, lambda n: f':end_{n}')}"
        f" AS wend, {_period_of(weeks, lambda n: f':unshift_{n}')} AS wunshift,"
        f" {_period_of(weeks, lambda n: f':judge_day_{n}')} AS wjudge"
        f" FROM ({due}{d.fence}){d.alias}"
    )
    done = _after_sale_done(d, "cust", "act", "wend", "wunshift")
    judged = (
        f"SELECT owner_id, wk, deadline, wjudge, CASE WHEN {done} THEN 1 ELSE 0 END AS done"
        f" FROM ({period}{d.fence}){d.alias}"
    )
    columns = ", ".join(
        f"CASE WHEN wk = {n} THEN done ELSE 0 END AS num_{n},"
        f" CASE WHEN wk = {n} THEN 1 ELSE 0 END AS den_{n}"
        for n in range(weeks)
    )
    return (
        f"SELECT owner_id, {columns} FROM ({judged}{d.fence}){d.alias}"
        " WHERE done = 1 OR deadline < wjudge"
    )


def _complaint_clock(done: str, due: str) -> Callable[[Dialect, str], str]:
    """An SLA clock of tickets received in the period: met when ``done`` came by ``due``."""

    def rows(d: Dialect, owners: str) -> str:
        met = f"CASE WHEN p.{done} IS NOT NULL AND p.{done} <= COALESCE(p.{due}, p.{done})"
        return (
            "SELECT p.owner_id, NULL AS grp, p.ticket_no AS ref, c.name,"
            f" {d.local_day.format('p.received_at')} AS day, {met} THEN 1 ELSE 0 END AS num,"
            f" 1 AS den, COALESCE({d.day_text.format(f'p.{done}')}, '—') || ' / '"
            f" || COALESCE({d.minute_text.format(f'p.{due}')}, '—') AS detail"
            " FROM complaint p JOIN customer c ON c.id = p.customer_id"
            f" WHERE p.owner_id IN ({owners}) AND p.received_at >= :start"
            f" AND p.received_at < :end AND ((p.{done} IS NOT NULL AND p.{done} < :end)"
            f" OR p.{due} < :end)"
        )

    return rows


def _promises_kept(d: Dialect, owners: str) -> str:
    """Promises (承诺) whose deadline fell in the period, by kind: kept when done by it. A
    promise's deadline passed by the report's end decides it; cancelled ones do not count."""
    return (
        "SELECT p.owner_id, p.kind AS grp, c.customer_no AS ref, c.name,"
        f" {d.local_day.format('p.due_at')} AS day,"
        " CASE WHEN p.state = 'kept' THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" p.kind || ' ' || {d.minute_text.format('p.due_at')} || ' / '"
        f" || COALESCE({d.minute_text.format('p.done_at')}, '—') AS detail"
        " FROM promise p JOIN customer c ON c.id = p.customer_id"
        f" WHERE p.owner_id IN ({owners}) AND p.state <> 'cancelled'"
        " AND p.due_at >= :start AND p.due_at < :end"
    )


def _resolution_hours(d: Dialect, owners: str) -> str:
    # Average calendar hours from receipt to resolution, over tickets resolved in the period.
    hours = d.hours_between.format("p.resolved_at", "p.received_at")
    return (
        "SELECT p.owner_id, NULL AS grp, p.ticket_no AS ref, c.name,"
        f" {d.local_day.format('p.resolved_at')} AS day, {hours} AS num, 1 AS den,"
        f" {d.minute_text.format('p.received_at')} AS detail"
        " FROM complaint p JOIN customer c ON c.id = p.customer_id"
        f" WHERE p.owner_id IN ({owners}) AND p.resolved_at >= :start AND p.resolved_at < :end"
    )


def _answers(num: str, vip_only: bool = False) -> Callable[[Dialect, str], str]:
    """The customers' satisfaction answers (the sources' 1–5 scale) recorded at the return
    call or the closing in the period; ``num`` of each; a breakdown ``old_scale`` holds the
    answers recorded before the sources' scale (满意 was 5), so a report says how many the
    figure includes."""

    def rows(d: Dialect, owners: str) -> str:
        at = "COALESCE(p.closed_at, p.return_call_at)"
        vip = f" AND {vip_case()} = 1" if vip_only else ""
        return (
            "SELECT p.owner_id, CASE WHEN p.satisfaction_old_scale THEN 'old_scale' END AS grp,"
            f" p.ticket_no AS ref, c.name, {d.local_day.format(at)} AS day, {num} AS num,"
            " 1 AS den, COALESCE(p.satisfaction_answer, CAST(p.satisfaction AS text)) || ' · '"
            " || COALESCE(p.return_call_result, '') AS detail"
            " FROM complaint p JOIN customer c ON c.id = p.customer_id"
            f" WHERE p.owner_id IN ({owners}) AND p.satisfaction IS NOT NULL"
            f" AND {at} >= :start AND {at} < :end{vip}"
        )

    return rows


_SATISFIED = f"CASE WHEN p.satisfaction >= {SATISFIED} THEN 1 ELSE 0 END"


def _visits(d: Dialect, owners: str) -> str:
    # Planned visits of the weekly plans that fell in the period (up to now), against those
    # held; a rescheduled visit lives on as its new item.
    return (
        "SELECT p.owner_id, NULL AS grp, c.customer_no AS ref, c.name,"
        f" {d.local_day.format('v.starts_at')} AS day,"
        " CASE WHEN v.status IN ('done', 'incident') THEN 1 ELSE 0 END AS num, 1 AS den,"
        " v.status AS detail"
        " FROM visit_plan_item v JOIN visit_plan p ON p.id = v.plan_id"
        " JOIN customer c ON c.id = v.customer_id"
        f" WHERE p.owner_id IN ({owners}) AND v.starts_at >= :start AND v.starts_at < :end"
        " AND v.status <> 'rescheduled'"
    )


def _tasks(
    numerator: str | Callable[[Dialect], str], decided: str | Callable[[Dialect], str] = ""
) -> Callable[[Dialect, str], str]:
    """Tasks due in the period (up to now), not cancelled; ``numerator`` marks the counted,
    ``decided`` (given the dialect, if it needs one) keeps only the records it holds for."""

    def rows(d: Dialect, owners: str) -> str:
        num = numerator(d) if callable(numerator) else numerator
        keep = decided(d) if callable(decided) else decided
        return (
            "SELECT k.owner_id, k.kind AS grp, COALESCE(c.customer_no, '#' || k.id) AS ref,"
            f" COALESCE(c.name, k.reason, k.kind) AS name, {d.local_day.format('k.due_at')} AS day,"
            f" CASE WHEN {num} THEN 1 ELSE 0 END AS num, 1 AS den,"
            f" COALESCE({d.minute_text.format('k.closed_at')}, '—') AS detail"
            " FROM task k LEFT JOIN customer c ON c.id = k.customer_id"
            f" WHERE k.owner_id IN ({owners}) AND k.due_at >= :start AND k.due_at < :end"
            " AND NOT (k.status = 'cancelled' AND k.closed_at < :end)"
            + (f" AND ({keep})" if keep else "")
        )

    return rows


def _past_deadline(d: Dialect) -> str:
    # Overdue (逾期) = still open on a branch-local day after the task's deadline (else its due
    # day), as on Today and the team board (domain/standing.py): a contact task is due at
    # the cadence's ideal day and overdue only past its maximum.
    last_day = d.local_day.format("COALESCE(k.deadline_at, k.due_at)")
    open_until = "CASE WHEN k.closed_at < :end THEN k.closed_at ELSE :end END"
    return f"{d.local_day.format(open_until)} > {last_day}"


def _overdue_decided(d: Dialect) -> str:
    # A rate counts a record once it is decided (the module): closed by the period's end,
    # or its deadline passed by then.
    last_day = d.local_day.format("COALESCE(k.deadline_at, k.due_at)")
    return f"k.closed_at < :end OR {d.local_day.format(':end')} > {last_day}"


def _worklog(d: Dialect, owners: str) -> str:
    # Every working day of the branch calendar in the period, for each active manager and
    # phone manager in scope not on leave that day: was the day's log submitted by its
    # cut-off (domain/worklog.py, rep_day.cutoff)? The breakdown says on time, late or
    # missing; a day counts once decided: its log in on time, or its cut-off passed (now,
    # not the period's end: the last day of a month is judged the next morning).
    on_time = "w.submitted_at <= d.cutoff"
    return (
        "SELECT s.id AS owner_id, CASE WHEN w.submitted_at IS NULL THEN 'missing'"
        f" WHEN {on_time} THEN 'on_time' ELSE 'late' END AS grp, s.login AS ref, s.name, d.day,"
        f" CASE WHEN {on_time} THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" COALESCE({d.minute_text.format('w.submitted_at')}, '—') AS detail"
        f" FROM staff s {d.every_join} rep_day d LEFT JOIN work_log w ON w.staff_id = s.id"
        " AND w.day = d.day AND w.submitted_at IS NOT NULL"
        f" WHERE s.id IN ({owners}) AND s.active AND s.role IN ('manager', 'phone_manager')"
        f" AND {d.local_day.format('s.created_at')} <= d.day AND (d.cutoff <= :now OR {on_time})"
        " AND NOT EXISTS (SELECT 1 FROM staff_leave l WHERE l.staff_id = s.id"
        " AND l.starts_on <= d.day AND l.ends_on >= d.day)"
    )


def _directories(d: Dialect, owners: str) -> str:
    # Each manager collects or refreshes at least ``[directories] per_month`` groups' staff
    # directories (通讯录) a month (telecom handbook): a record per group refreshed in the
    # period (by hand, a contact edit or an import of its contacts; services/customers/
    # group_directory.py), for its owner, against each manager's target for the period
    # (per_month, pro rata for a part of a month: ``:directory_target``).
    return (
        "SELECT c.owner_id, NULL AS grp, c.customer_no AS ref, c.name,"
        f" MIN({d.local_day.format('r.at')}) AS day, 1 AS num, 0 AS den,"
        " MIN(r.source) AS detail FROM directory_refresh r JOIN customer c ON c.id = r.customer_id"
        f" WHERE c.owner_id IN ({owners}) AND r.at >= :start AND r.at < :end"
        " GROUP BY c.owner_id, c.customer_no, c.name"
        " UNION ALL"
        " SELECT s.id AS owner_id, NULL AS grp, s.login AS ref, s.name, :end_day AS day,"
        " 0 AS num, :directory_target AS den, s.role AS detail"
        f" FROM staff s WHERE s.id IN ({owners}) AND s.active AND s.role = 'manager'"
    )


def _retention(d: Dialect, owners: str) -> str:
    # How the retention talks of the period ended (挽留: a held call or visit for a retention
    # task records retained, still at risk or lost; services/tasks/retention.py): the share
    # retained, with each result apart. Found through the partial index of results.
    return (
        "SELECT c.owner_id, i.retention_result AS grp, c.customer_no AS ref, c.name,"
        f" {d.local_day.format('i.happened_at')} AS day,"
        " CASE WHEN i.retention_result = 'retained' THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" {d.minute_text.format('i.happened_at')} || ' · ' || i.kind AS detail"
        # the few contacts with a result first (their partial index), then their customers:
        # read from the customers' side, every book's contacts would be scanned
        f" FROM interaction i {d.fixed_join} customer c ON c.id = i.customer_id"
        " WHERE i.retention_result IS NOT NULL AND i.happened_at >= :start"
        f" AND i.happened_at < :end AND {d.unary}c.owner_id IN ({owners})"
    )


def _workload(d: Dialect, owners: str) -> str:
    # Each book against its rule ([workload]): a record per customer held (the numerator) and
    # one per manager or phone manager in scope with the households the rule gives their role
    # (the denominator): the figure is the book's size as a share of the rule (100%: full),
    # and the drill-down lists the book, by class or tier.
    return (
        "SELECT c.owner_id, COALESCE(c.cls, c.tier, '') AS grp, c.customer_no AS ref, c.name,"
        " :end_day AS day, 1 AS num, 0 AS den, '' AS detail"
        f" FROM customer c WHERE {_active_customer(d, owners)}"
        " UNION ALL"
        " SELECT s.id AS owner_id, '' AS grp, s.login AS ref, s.name, :end_day AS day,"
        " 0 AS num, CASE s.role WHEN 'manager' THEN :manager_households"
        " ELSE :phone_manager_households END AS den, s.role AS detail"
        f" FROM staff s WHERE s.id IN ({owners}) AND s.active"
        " AND s.role IN ('manager', 'phone_manager')"
    )


def _workload_weekly(d: Dialect, owners: str, weeks: int) -> str:
    # The book at each period's end (customers become customers, none leave the table), in
    # one pass over it; the rule's households per period from the staff in scope now.
    held = ", ".join(
        f"CASE WHEN c.created_at < :end_{n} THEN 1 ELSE 0 END AS num_{n}, 0 AS den_{n}"
        for n in range(weeks)
    )
    rule = ", ".join(
        f"0 AS num_{n}, CASE s.role WHEN 'manager' THEN :manager_households_{n}"
        f" ELSE :phone_manager_households_{n} END AS den_{n}"
        for n in range(weeks)
    )
    end = f":end_{weeks - 1}"
    return (
        f"SELECT c.owner_id, {held} FROM customer c WHERE {_active_customer(d, owners, end)}"
        f" UNION ALL SELECT s.id AS owner_id, {rule} FROM staff s WHERE s.id IN ({owners})"
        " AND s.active AND s.role IN ('manager', 'phone_manager')"
    )


_REFERRAL_FROM = (
    " FROM referral r JOIN staff s ON s.id = r.referrer_id"
    " LEFT JOIN customer c ON c.id = r.customer_id LEFT JOIN lead l ON l.id = r.lead_id"
)
"""FROM the referrals with their referrer, customer and lead."""

_REFERRAL_WHO = (
    "r.to_id AS owner_id, s.name AS grp, COALESCE(c.customer_no, 'L' || r.lead_id) AS ref,"
    " COALESCE(c.name, l.name) AS name"
)
"""The receiving manager, the referrer (the breakdown: who brings business), and the
customer's number and name (a lead's ``L<id>`` and name while it is no customer)."""

_IN_TIME = "r.contacted_at <= r.contact_due"
"""A referral first contacted by its deadline (NULL, so false, when not contacted)."""


def _referral_contacted(d: Dialect, owners: str) -> str:
    # Referrals that reached a manager in scope (services/pipeline/first_contact.py), counted
    # in the period they were decided: contacted by the deadline (then), or the deadline
    # passed without it (at the deadline). A referral received on a month's last evening
    # and contacted the next morning, before its deadline, counts in the next month; one
    # contacted late counts once, in the month of its deadline.
    decided = f"CASE WHEN {_IN_TIME} THEN r.contacted_at ELSE r.contact_due END"
    return (
        f"SELECT {_REFERRAL_WHO}, {d.local_day.format('r.contact_due')} AS day,"
        f" CASE WHEN {_IN_TIME} THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" {d.minute_text.format('r.contact_due')} || ' / '"
        f" || COALESCE({d.minute_text.format('r.contacted_at')}, '—') AS detail{_REFERRAL_FROM}"
        f" WHERE r.to_id IN ({owners}) AND r.contact_due IS NOT NULL"
        f" AND {decided} >= :start AND {decided} < :end"
    )


def _referral_conversion(d: Dialect, owners: str) -> str:
    # Referrals received by managers in scope, decided in the period (services/pipeline/
    # board.py): converted or marked lost in it, or still open when their window's last
    # day, in the period, is over by the report's end (lapsed). One still in its window
    # counts nowhere yet: a young month is not read as a bad one.
    outcome = d.local_day.format("r.outcome_at")
    lapsed = "r.status = 'open'"
    return (
        f"SELECT {_REFERRAL_WHO},"
        f" CASE WHEN {lapsed} THEN r.window_ends ELSE {outcome} END AS day,"
        " CASE WHEN r.status = 'converted' THEN 1 ELSE 0 END AS num, 1 AS den,"
        " COALESCE(p.label, r.product) || ' · ' || CASE r.status"
        f" WHEN 'converted' THEN :rf_converted || ' ' || {d.day_text.format('r.outcome_at')}"
        f" WHEN 'lost' THEN :rf_lost || ' ' || {d.day_text.format('r.outcome_at')}"
        " || COALESCE(' · ' || r.lost_reason, '')"
        " ELSE :rf_lapsed || ' ' || CAST(r.window_ends AS text) END AS detail"
        f"{_REFERRAL_FROM} LEFT JOIN rep_product p ON p.kind = r.product"
        f" WHERE r.to_id IN ({owners}) AND ((r.status IN ('converted', 'lost')"
        " AND r.outcome_at >= :start AND r.outcome_at < :end)"
        f" OR ({lapsed} AND r.window_ends >= :start_day AND r.window_ends < :judge_day))"
    )


_FILE = "COALESCE(c.cls, c.tier)"
"""The breakdown of the data-quality figures: the customer's class (an individual without
one: their tier)."""


_OWNER_JOIN = " FROM customer c LEFT JOIN staff o ON o.id = c.owner_id"
"""FROM the customers with their owner (the grade and team of the compliance checks)."""


def _completeness(d: Dialect, owners: str, settings: Settings) -> str:
    # Complete = every required field of the kind and class filled ([data_quality.required]),
    # for the file as it stands (no history of field values is kept: a past period counts the
    # customers of then with their files as they are now, as freshness does).
    required = settings.data_quality.required
    return (
        "SELECT owner_id, grp, ref, name, :end_day AS day,"
        " CASE WHEN missing = 0 THEN 1 ELSE 0 END AS num, 1 AS den, detail, missing FROM ("
        f"SELECT c.owner_id, {_FILE} AS grp, c.customer_no AS ref, c.name,"
        f" {file_checks.missing_count(required)} AS missing,"
        f" {file_checks.missing_names(required)} AS detail"
        f" FROM customer c WHERE {_active_customer(d, owners)}){d.alias}"
    )


def _completeness_weekly(d: Dialect, owners: str, weeks: int, settings: Settings) -> str:
    columns = ", ".join(
        f"CASE WHEN created_at < :end_{n} AND missing = 0 THEN 1 ELSE 0 END AS num_{n},"
        f" CASE WHEN created_at < :end_{n} THEN 1 ELSE 0 END AS den_{n}"
        for n in range(weeks)
    )
    missing = file_checks.missing_count(settings.data_quality.required)
    return (
        f"SELECT owner_id, {columns} FROM (SELECT c.owner_id, c.created_at, {missing} AS missing"
        f" FROM customer c WHERE {_active_customer(d, owners, f':end_{weeks - 1}')}){d.alias}"
    )


def _accuracy(d: Dialect, owners: str) -> str:
    # Each verification of the period (by hand, or an authoritative import: the
    # ``verification`` table): its fields checked and those found right; a correction is a
    # field found wrong. Through the index of their times.
    return (
        f"SELECT c.owner_id, {_FILE} AS grp, c.customer_no AS ref, c.name,"
        f" {d.local_day.format('v.at')} AS day, v.confirmed AS num, v.checked AS den,"
        f" {d.minute_text.format('v.at')} || ' ' || CASE v.source WHEN 'hand' THEN :dq_by_hand"
        " ELSE v.source END || ' · ' || v.fields"
        " || COALESCE(' · ' || v.detail, '') AS detail"
        f" FROM verification v {d.fixed_join} customer c ON c.id = v.customer_id"
        f" WHERE v.at >= :start AND v.at < :end AND {d.unary}c.owner_id IN ({owners})"
    )


def _accuracy_target(targets: TargetSettings, grp: str) -> float:
    return accuracy_target(grp, targets.data_accuracy, targets.data_accuracy_c)


def _failed(d: Dialect, since: str, end: str) -> dict[str, str]:
    return {rule: file_checks.fails(d, rule, since, end) for rule in COMPLIANCE_RULES}


def _compliance(d: Dialect, owners: str) -> str:
    # Compliant = passes every check of [data_quality.checks] (db/file_checks.py), the file
    # as it stands; its re-verification judged at the period's end.
    failed = _failed(d, "since", ":end")
    columns = ", ".join(f"{sql} AS f_{rule}" for rule, sql in failed.items())
    return (
        "SELECT owner_id, grp, ref, name, :end_day AS day,"
        " CASE WHEN failed = 0 THEN 1 ELSE 0 END AS num, 1 AS den, detail, failed FROM ("
        f"SELECT *, {' + '.join(f'f_{rule}' for rule in failed)} AS failed,"
        f" {file_checks.failed_names({rule: f'f_{rule}' for rule in failed})} AS detail FROM ("
        f"SELECT c.owner_id, {_FILE} AS grp, c.customer_no AS ref, c.name, {columns}"
        f"{_OWNER_JOIN} WHERE {_active_customer(d, owners)}{d.fence}){d.alias}){d.alias}"
    )


def _compliance_weekly(d: Dialect, owners: str, weeks: int) -> str:
    static = " + ".join(file_checks.fails(d, rule) for rule in file_checks.STATIC_RULES)
    fresh = ", ".join(
        f"{file_checks.fails(d, 'verified_fresh', f'since_{n}', f':end_{n}')} AS fresh_{n}"
        for n in range(weeks)
    )
    columns = ", ".join(
        f"CASE WHEN created_at < :end_{n} AND failed + fresh_{n} = 0 THEN 1 ELSE 0 END"
        f" AS num_{n}, CASE WHEN created_at < :end_{n} THEN 1 ELSE 0 END AS den_{n}"
        for n in range(weeks)
    )
    return (
        f"SELECT owner_id, {columns} FROM (SELECT c.owner_id, c.created_at, {static} AS failed,"
        f" {fresh}{_OWNER_JOIN} WHERE {_active_customer(d, owners, f':end_{weeks - 1}')}"
        f"{d.fence}){d.alias}"
    )


def _stages(settings: Settings) -> list[str]:
    """The pipeline's steps by name, in order: the breakdown of its figures by step."""
    return [stage_label(settings.pipeline, key) for key in settings.pipeline.stages]


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("coverage", "ratio", "coverage", True, _coverage, _coverage_weekly),
    FigureDef("freshness", "ratio", "freshness", True, _freshness, _freshness_weekly),
    FigureDef("return_visit", "ratio", "return_visit", True, _return_visit, _return_visit_weekly),
    FigureDef(
        "sla_first_response",
        "ratio",
        "sla_first_response",
        True,
        _complaint_clock("first_response_at", "first_response_due"),
    ),
    FigureDef(
        "sla_resolution",
        "ratio",
        "sla_resolution",
        True,
        _complaint_clock("resolved_at", "resolution_due"),
    ),
    FigureDef("resolution_hours", "hours", None, False, _resolution_hours),
    FigureDef("promises_kept", "ratio", "promises_kept", True, _promises_kept),
    FigureDef("satisfaction", "score", "satisfaction", True, _answers("p.satisfaction")),
    FigureDef("satisfaction_rate", "ratio", None, True, _answers(_SATISFIED)),
    FigureDef(
        "vip_satisfaction_rate",
        "ratio",
        "vip_satisfaction_rate",
        True,
        _answers(_SATISFIED, vip_only=True),
    ),
    FigureDef("visits_done", "ratio", None, True, _visits),
    FigureDef(
        "tasks_done", "ratio", None, True, _tasks("k.status = 'done' AND k.closed_at < :end")
    ),
    FigureDef(
        "tasks_overdue",
        "ratio",
        None,
        False,
        _tasks(_past_deadline, _overdue_decided),
    ),
    FigureDef("worklog", "ratio", "worklog", True, _worklog),
    FigureDef("retention", "ratio", None, True, _retention),
    FigureDef("directories", "ratio", "directories", True, _directories),
    FigureDef("workload", "ratio", "workload", False, _workload, _workload_weekly),
    FigureDef(
        "data_completeness",
        "ratio",
        "data_completeness",
        True,
        _completeness,
        _completeness_weekly,
        worst_first="missing DESC",
        configured=True,
    ),
    FigureDef(
        "data_accuracy",
        "ratio",
        "data_accuracy",
        True,
        _accuracy,
        part_target=_accuracy_target,
    ),
    FigureDef(
        "data_compliance",
        "ratio",
        "data_compliance",
        True,
        _compliance,
        _compliance_weekly,
        worst_first="failed DESC",
    ),
    FigureDef("referral_contacted", "ratio", "referral_contacted", True, _referral_contacted),
    FigureDef("referral_conversion", "ratio", None, True, _referral_conversion),
    # The pipeline (pipeline_figures.py): no targets, the branch sets none in the sources.
    FigureDef(
        "pipeline_value",
        "yuan",
        None,
        True,
        pipeline.pipeline_value,
        worst_first="num DESC",  # the biggest deals first
        part_order=_stages,
    ),
    FigureDef("won_value", "yuan", None, True, pipeline.won_value, worst_first="num DESC"),
    FigureDef("win_rate", "ratio", None, True, pipeline.win_rate),
    FigureDef("stage_days", "days", None, False, pipeline.stage_days, part_order=_stages),
    FigureDef(
        "proposals_waiting",
        "count",
        None,
        False,
        pipeline.proposals_waiting,
        worst_first="waited DESC",  # the oldest first
        oldest="waited",
    ),
    # The credit files (credit_figures.py): no targets in [targets] either.
    FigureDef(
        "credit_files",
        "count",
        None,
        True,
        credit.credit_files,
        worst_first="st_rank",  # in the order a file goes: drafts first
        part_order=credit.state_order,
    ),
    FigureDef("credit_sign_days", "days", None, False, credit.credit_sign_days),
    FigureDef(
        "post_loan_on_time",
        "ratio",
        None,
        True,
        credit.post_loan_on_time,
        part_order=credit.check_order,
    ),
)
"""Every figure of the report, in the order reports show them."""

BY_KEY = {figure.key: figure for figure in FIGURES}
