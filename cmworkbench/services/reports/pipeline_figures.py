"""The figures of the big-customer pipeline (商机, issue 27): what is in it, what it won, how
fast it moves, what waits for a supervisor. Each is one SELECT of the records behind it with
the columns of :data:`~cmworkbench.services.reports.figures.ROW_COLUMNS`, as every figure
(:mod:`.figures` holds the table of definitions and explains the columns and parameters).

An opportunity belongs to its owner (``opportunity.owner_id``), as a customer does: the
report's scope is the owners in it (a manager's own, a team's, the branch's). The record is
``#id`` (as the opportunity commands name it), its customer's name (or the lead's), and a
detail that starts with the customer's number (``L<id>`` for a lead).

Every statement starts from the owners' index (``ix_opportunity_owner_status``: owner,
status, step) or, for the moves, from the history's index of times (``ix_opportunity_event_at``);
customers, leads and steps are looked up per opportunity by their keys, never scanned.
"""

from __future__ import annotations

from cmworkbench.db.dialect import Dialect

_PEOPLE = (
    " LEFT JOIN customer c ON c.id = o.customer_id LEFT JOIN lead l ON l.id = o.lead_id"
    " LEFT JOIN rep_product p ON p.kind = o.product"
)
"""The opportunity's customer or lead, and its product's name (``o`` is the opportunity)."""

_WHO = "COALESCE(c.customer_no, 'L' || o.lead_id, '')"
"""The customer's number, or ``L<id>`` of the lead while it is no customer."""

_RECORD = "'#' || o.id AS ref, COALESCE(c.name, l.name) AS name"
"""The opportunity (``#12``) and its customer's (or lead's) name."""

_OPEN_AT_END = "o.created_at < :end AND (o.status = 'open' OR o.closed_at >= :end)"
"""Opportunity ``o`` was open at the report's end: made before it, not won or lost by then."""


def _days(d: Dialect, later: str, earlier: str) -> str:
    """SQL: calendar days from the instant ``earlier`` to ``later`` (hours / 24)."""
    return f"({d.hours_between.format(later, earlier)} / 24.0)"


def _stage_at_end() -> str:
    """SQL: the step opportunity ``o`` stood at at the report's end: its step now, unless it
    moved since, then the last step its history records before the end."""
    return (
        "CASE WHEN o.stage_since < :end THEN o.stage ELSE COALESCE((SELECT e.to_stage"
        " FROM opportunity_event e WHERE e.opportunity_id = o.id AND e.to_stage IS NOT NULL"
        " AND e.at < :end ORDER BY e.at DESC, e.id DESC LIMIT 1), o.stage) END"
    )


def pipeline_value(d: Dialect, owners: str) -> str:
    # The pipeline (商机储备): the expected value of the opportunities open at the period's end
    # (now, for the running month), by the step each stood at then; a stock, as coverage is.
    # The value is the one on record: no history of values is kept, so a deal won since at a
    # value other than the expected counts in a past month at the value it was won at.
    return (
        "SELECT o.owner_id, COALESCE(s.label, o.at_stage) AS grp, "
        f"{_RECORD}, :end_day AS day, o.value_yuan AS num, 1 AS den,"
        f" {_WHO} || ' · ' || COALESCE(p.label, o.product) || ' · ' || :op_close || ' '"
        " || CAST(o.expected_close AS text) AS detail"
        f" FROM (SELECT o.*, {_stage_at_end()} AS at_stage FROM opportunity o"
        f" WHERE o.owner_id IN ({owners}) AND {_OPEN_AT_END}{d.fence}) AS o"
        f"{_PEOPLE} LEFT JOIN rep_stage s ON s.kind = o.at_stage"
    )


def won_value(d: Dialect, owners: str) -> str:
    # The value of the opportunities won in the period (the value reached, asked when it is
    # marked won; the expected when none was given), by product; the detail says how long the
    # deal took (made → won) and why it was won.
    return (
        f"SELECT o.owner_id, COALESCE(p.label, o.product) AS grp, {_RECORD},"
        f" {d.local_day.format('o.closed_at')} AS day, o.value_yuan AS num, 1 AS den,"
        f" {_WHO} || ' · ' || {d.day_text.format('o.created_at')} || ' → '"
        f" || {d.day_text.format('o.closed_at')} || COALESCE(' · ' || o.close_reason, '')"
        f" AS detail FROM opportunity o{_PEOPLE}"
        f" WHERE o.owner_id IN ({owners}) AND o.status = 'won'"
        " AND o.closed_at >= :start AND o.closed_at < :end"
    )


def win_rate(d: Dialect, owners: str) -> str:
    # Of the opportunities closed in the period (won or lost), the share won, by product. One
    # still open counts nowhere: a deal is decided when it is won or lost.
    return (
        f"SELECT o.owner_id, COALESCE(p.label, o.product) AS grp, {_RECORD},"
        f" {d.local_day.format('o.closed_at')} AS day,"
        " CASE WHEN o.status = 'won' THEN 1 ELSE 0 END AS num, 1 AS den,"
        f" {_WHO} || ' · ' || CASE o.status WHEN 'won' THEN :op_won ELSE :op_lost END"
        f" || ' ' || {d.day_text.format('o.closed_at')} || COALESCE(' · ' || o.close_reason, '')"
        f" AS detail FROM opportunity o{_PEOPLE}"
        f" WHERE o.owner_id IN ({owners}) AND o.status IN ('won', 'lost')"
        " AND o.closed_at >= :start AND o.closed_at < :end"
    )


def stage_days(d: Dialect, owners: str) -> str:
    # How long the opportunities stay at each step: every time one left a step in the period
    # (moved on or back to another, or won from it), the days from its entering that step
    # (the latest entry into it before, by its history: made at it or moved to it) to its
    # leaving. A loss ends the opportunity, not the step's work: it does not count. By step.
    entered = (
        "COALESCE((SELECT MAX(x.at) FROM opportunity_event x"
        " WHERE x.opportunity_id = e.opportunity_id AND x.to_stage = e.from_stage"
        " AND x.id < e.id), o.created_at)"
    )
    moves = (
        "SELECT o.id, o.owner_id, o.customer_id, o.lead_id, o.product, e.from_stage AS stage,"
        f" e.at AS left_at, {entered} AS entered_at"
        # the period's steps through the index of times, then each one's opportunity
        f" FROM opportunity_event e {d.fixed_join} opportunity o ON o.id = e.opportunity_id"
        " WHERE e.at >= :start AND e.at < :end AND e.action IN ('move', 'won')"
        f" AND e.from_stage IS NOT NULL AND o.owner_id IN ({owners})"
    )
    return (
        f"SELECT o.owner_id, COALESCE(s.label, o.stage) AS grp, {_RECORD},"
        f" {d.local_day.format('o.left_at')} AS day,"
        f" {_days(d, 'o.left_at', 'o.entered_at')} AS num, 1 AS den,"
        f" {_WHO} || ' · ' || {d.minute_text.format('o.entered_at')} || ' → '"
        f" || {d.minute_text.format('o.left_at')} AS detail"
        f" FROM ({moves}{d.fence}) AS o{_PEOPLE} LEFT JOIN rep_stage s ON s.kind = o.stage"
    )


def proposals_waiting(d: Dialect, owners: str) -> str:
    # Proposals waiting for the supervisor's approval (return below [pipeline]
    # min_return_ratio × cost) at the period's end (now, for the running month): open then,
    # the proposal sent before it and not yet decided by then. A count, with how long each
    # has waited by the end (``waited``, in days: the report keeps the oldest). Only the
    # latest sending of a proposal is on record: one waiting at a past month's end, returned
    # and sent again since, is missing from that month (as freshness keeps the latest
    # verification only).
    waited = _days(d, ":end", "o.proposal_at")
    return (
        f"SELECT o.owner_id, NULL AS grp, {_RECORD}, :end_day AS day, 1 AS num, 1 AS den,"
        f" {_WHO} || ' · ' || {d.minute_text.format('o.proposal_at')} || ' · '"
        f" || CAST(ROUND({waited}, 1) AS text) || ' ' || :op_days AS detail, {waited} AS waited"
        f" FROM opportunity o{_PEOPLE}"
        f" WHERE o.owner_id IN ({owners}) AND {_OPEN_AT_END} AND o.proposal_at < :end"
        " AND (o.proposal = 'waiting'"
        " OR (o.proposal IN ('approved', 'returned') AND o.decided_at >= :end))"
    )
