"""The figures of the credit files (信贷档案, issue 29): the files in work and approved, how long
the risk managers take to give the second signature, and whether the post-loan checks (贷后检查)
are done on their day. Each is one SELECT of the records behind it with the columns of
:data:`~cmworkbench.services.reports.figures.ROW_COLUMNS`, as every figure (:mod:`.figures`
holds the table of definitions and explains the columns and parameters).

A file belongs to its customer's owner (``customer.owner_id``): whose book the loan is in, who
sees the file (:mod:`cmworkbench.services.credit.records`) and to whose Today its post-loan
checks come; a customer handed over takes its files along, as every record of the report. The
record is ``#id`` (as ``cmw credit show`` names it), the customer's name, and a detail that
starts with the customer's number.

The credit tables are small (a file per loan worked in the workbench, a check at a time per
file): each statement reads them whole and looks the customer up per file by its key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cmworkbench.config import Settings
from cmworkbench.db.dialect import Dialect
from cmworkbench.domain.credit import STATES
from cmworkbench.i18n import label, t

COUNTED_STATES = tuple(s for s in STATES if s != "superseded")
"""The states a file is counted in: a superseded version is no file of its own (the loan's
file is its newer version)."""

CHECK_ENDS = ("on_time", "late", "missing")
"""How a post-loan check due in the period went: done by the end of its due day, done after
it, not done (its due day over)."""

_STATE_ACTIONS = "('new', 'revise', 'submit', 'sign', 'return', 'superseded')"
"""The history's entries that set a file's state (:mod:`cmworkbench.services.credit`)."""

_STATE_AFTER = (
    "CASE e.action WHEN 'submit' THEN 'submitted' WHEN 'sign' THEN 'approved'"
    " WHEN 'return' THEN 'returned' WHEN 'superseded' THEN 'superseded' ELSE 'draft' END"
)
"""The state a file is in after the history entry ``e`` (made or revised: a draft)."""

_FROM = " FROM credit_file f JOIN customer c ON c.id = f.customer_id"
"""FROM the files with their customer (its owner is the record's)."""


def _days(d: Dialect, later: str, earlier: str) -> str:
    """SQL: calendar days from the instant ``earlier`` to ``later`` (hours / 24)."""
    return f"({d.hours_between.format(later, earlier)} / 24.0)"


def _state_at_end() -> str:
    """SQL: the state file ``f`` was in at the report's end: its state now, unless it changed
    since (every change of state touches ``updated_at``), then the state its history's last
    entry before the end left it in."""
    return (
        "CASE WHEN f.updated_at < :end THEN f.state ELSE COALESCE((SELECT"
        f" {_STATE_AFTER} FROM credit_event e WHERE e.file_id = f.id"
        f" AND e.action IN {_STATE_ACTIONS} AND e.at < :end ORDER BY e.at DESC, e.id DESC"
        " LIMIT 1), f.state) END"
    )


def _cases(column: str, keys: Sequence[str], prefix: str) -> str:
    """SQL: the parameter ``:<prefix><key>`` of the value of ``column`` (a word for people)."""
    whens = " ".join(f"WHEN '{key}' THEN :{prefix}{key}" for key in keys)
    return f"CASE {column} {whens} END"


def state_order(settings: Settings) -> list[str]:
    """The states by name, in the order a file goes through them: the breakdown's order."""
    del settings
    return [label("credit_state", s) for s in COUNTED_STATES]


def check_order(settings: Settings) -> list[str]:
    """On time, late, not done: the breakdown of the post-loan checks, in this order."""
    del settings
    return [t(f"report.part.check_{end}") for end in CHECK_ENDS]


def params() -> dict[str, str]:
    """The words of the credit figures' rows (``cs_…``: the files' states; ``pl_…``: how a
    post-loan check went)."""
    states = {f"cs_{s}": label("credit_state", s) for s in COUNTED_STATES}
    return states | {f"pl_{end}": t(f"report.part.check_{end}") for end in CHECK_ENDS}


def credit_files(d: Dialect, owners: str) -> str:
    # The credit files by state at the period's end (now, for the running month): made
    # before it, in the state their history had left them in by then; a superseded version
    # is not counted (the loan's file is its newer version). A stock, as the pipeline is.
    rank = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(COUNTED_STATES))
    return (
        f"SELECT o.owner_id, {_cases('o.st', COUNTED_STATES, 'cs_')} AS grp, '#' || o.id AS ref,"
        " o.name, :end_day AS day, 1 AS num, 1 AS den,"
        " o.customer_no || ' · ' || o.product || ' · v' || o.file_version AS detail,"
        f" CASE o.st {rank} END AS st_rank"
        " FROM (SELECT f.id, f.product, f.file_version, c.owner_id, c.name, c.customer_no,"
        f" {_state_at_end()} AS st{_FROM}"
        f" WHERE c.owner_id IN ({owners}) AND f.created_at < :end{d.fence}) AS o"
        " WHERE o.st <> 'superseded'"
    )


def credit_sign_days(d: Dialect, owners: str) -> str:
    # The risk managers' time to sign: for each file signed in the period (approved, or a
    # version superseded since), the days from its submission (the last, after a return) to
    # the risk manager's signature, on average; by risk manager.
    return (
        "SELECT c.owner_id, COALESCE(r.name, '') AS grp, '#' || f.id AS ref, c.name,"
        f" {d.local_day.format('f.signed_at')} AS day,"
        f" {_days(d, 'f.signed_at', 'f.submitted_at')} AS num, 1 AS den,"
        f" c.customer_no || ' · ' || {d.minute_text.format('f.submitted_at')} || ' → '"
        f" || {d.minute_text.format('f.signed_at')} AS detail"
        f"{_FROM} LEFT JOIN staff r ON r.id = f.risk_manager_id"
        f" WHERE c.owner_id IN ({owners}) AND f.signed_at >= :start AND f.signed_at < :end"
        " AND f.submitted_at IS NOT NULL"
    )


def post_loan_on_time(d: Dialect, owners: str) -> str:
    # Of the post-loan checks due in the period, the share done by the end of their due day
    # (the branch-local day: a visit logged the next morning is late). A check counts once
    # decided: done on its day, or its day over by the report's end; one due today and not
    # done yet counts nowhere. Listed on time, late (done after its day) or not done.
    on_time = f"pc.done_at < :end AND {d.local_day.format('pc.done_at')} <= pc.due_on"
    ends = (
        f"CASE WHEN {on_time} THEN :pl_on_time WHEN pc.done_at < :end THEN :pl_late"
        " ELSE :pl_missing END"
    )
    return (
        f"SELECT c.owner_id, {ends} AS grp, '#' || f.id AS ref, c.name, pc.due_on AS day,"
        f" CASE WHEN {on_time} THEN 1 ELSE 0 END AS num, 1 AS den,"
        " c.customer_no || ' · ' || CAST(pc.due_on AS text) || ' / '"
        f" || COALESCE({d.minute_text.format('pc.done_at')}, '—') AS detail"
        f" FROM post_loan_check pc JOIN credit_file f ON f.id = pc.file_id"
        " JOIN customer c ON c.id = f.customer_id"
        f" WHERE c.owner_id IN ({owners}) AND pc.due_on >= :start_day"
        f" AND pc.due_on <= :end_day AND ({on_time} OR pc.due_on < :judge_day)"
    )
