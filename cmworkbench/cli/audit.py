"""``cmw audit``: who did what to which record and when, newest first.

Read-only: the log is append-only (the database refuses an UPDATE or DELETE on it, see
migration 0005), and nothing in the application edits an entry. Without ``--as`` the command
runs as the admin (the whole branch); with it, as that staff member's scope allows.

Each entry has two times: ``at``, the business time (which ``--now`` sets), and the real time
it was recorded. ``--since`` filters on the real time, so a command run with ``--now`` in the
past cannot hide from it; the table shows the real time beside any entry whose business time
differs from it.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    branch_workbench,
    date_arg,
    iso_time,
    positive_int,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.core.schemas import AuditEntry


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``audit``."""
    t = i18n.t
    audit = commands.add_parser("audit", parents=[common], help=t("cli.help.audit"))
    audit.add_argument("--customer", metavar="NO", help=t("cli.help.audit_customer"))
    audit.add_argument("--staff", metavar="LOGIN", help=t("cli.help.audit_staff"))
    audit.add_argument(
        "--since", type=date_arg, metavar="YYYY-MM-DD", help=t("cli.help.audit_since")
    )
    audit.add_argument(
        "--limit", type=positive_int, default=200, metavar="N", help=t("cli.help.audit_limit")
    )
    add_json(audit)
    add_as(audit)
    return {"audit": _audit}


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    """List the audit entries in scope, newest first."""
    from cmworkbench.services.core.audit import search

    workbench = branch_workbench(settings, args.login)
    entries = workbench.run(
        search,
        customer_no=args.customer,
        staff_login=args.staff,
        since=args.since,
        limit=args.limit,
    )
    if args.json:
        print_json([_as_dict(e) for e in entries])
        return EXIT_OK
    if not entries:
        print(i18n.t("cli.audit.none"))
        return EXIT_OK
    # The real time is shown only when some entry's business time differs from it (a command
    # run with --now): the usual table stays as wide as before.
    backdated = any(_backdated(e) for e in entries)
    columns = ("at", "who", "action", "object", "customer", "field", "detail")
    print_table(
        [
            [
                table_time(e.at),
                *([table_time(e.recorded_at) if _backdated(e) else ""] if backdated else []),
                _who(e),
                i18n.label("audit_action", e.action),
                f"{e.object_type}#{e.object_id}" if e.object_id is not None else e.object_type,
                e.customer_no or "",
                e.field_name or "",
                e.detail or "",
            ]
            for e in entries
        ],
        [
            f"cli.audit.col.{c}"
            for c in (columns[:1] + (("recorded_at",) if backdated else ()) + columns[1:])
        ],
    )
    return EXIT_OK


BACKDATED = timedelta(minutes=5)
"""A business time this far from the real time is shown beside it."""


def _backdated(entry: AuditEntry) -> bool:
    return entry.recorded_at is not None and abs(entry.recorded_at - entry.at) > BACKDATED


def _who(entry: AuditEntry) -> str:
    if entry.staff_login is None:
        return i18n.t("cli.audit.system")
    return f"{entry.staff_name} ({entry.staff_login})"


def _as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso_time(entry.at),
        "recorded_at": iso_time(entry.recorded_at),
        "staff": entry.staff_login,
        "staff_name": entry.staff_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "customer_no": entry.customer_no,
        "field": entry.field_name,
        "detail": entry.detail,
    }
