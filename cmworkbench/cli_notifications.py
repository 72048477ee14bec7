"""``cmw notifications``: a staff member's own notifications, newest first.

Split from :mod:`cmworkbench.cli` like :mod:`cmworkbench.cli_complaints`; the service is
imported inside the handler. ``--mark-read`` marks the notifications listed read after
printing them (as they were before), so ``--unread --mark-read`` reads the inbox once.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmworkbench import clock, i18n
from cmworkbench.cli import EXIT_OK, _positive_int, _print_table, _workbench, as_login

if TYPE_CHECKING:
    from cmworkbench.config import Settings
    from cmworkbench.services.notifications.schemas import NotificationOut

UNREAD_MARK = "●"


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``notifications`` to ``commands``."""
    t = i18n.t
    sub = commands.add_parser("notifications", parents=[common], help=t("cli.help.notifications"))
    sub.add_argument("--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as"))
    sub.add_argument("--unread", action="store_true", help=t("cli.help.notifications_unread"))
    sub.add_argument(
        "--limit",
        type=_positive_int,
        default=50,
        metavar="N",
        help=t("cli.help.notifications_limit"),
    )
    sub.add_argument("--json", action="store_true", help=t("cli.help.json"))
    sub.add_argument("--mark-read", action="store_true", help=t("cli.help.notifications_mark_read"))


def notifications_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw notifications``: list (and with ``--mark-read`` mark read) one's notifications."""
    workbench = _workbench(settings, args.login or getpass.getuser())
    rows = workbench.notifications.inbox(unread_only=args.unread, limit=args.limit)
    if args.json:
        print(json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2))
    elif rows:
        _print_table(
            [
                [UNREAD_MARK if row.unread else "", _local(row.created_at), _kind(row), row.title]
                for row in rows
            ],
            [
                "cli.header.notification_new",
                "cli.header.notification_when",
                "cli.header.notification_kind",
                "cli.header.notification_title",
            ],
        )
    else:
        print(i18n.t("cli.notifications.none"))
    if args.mark_read:
        marked = workbench.notifications.mark_read([row.id for row in rows if row.unread])
        print(i18n.t("cli.notifications.marked", n=marked), file=sys.stderr if args.json else None)
    return EXIT_OK


def _kind(row: NotificationOut) -> str:
    return i18n.label("notification_kind", row.kind)


def _local(value: datetime) -> str:
    return value.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(clock.branch_tz()).isoformat() if value else None


def _as_json(row: NotificationOut) -> dict[str, Any]:
    target = row.target
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": _kind(row),
        "title": row.title,
        "body": row.body,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "created_at": _iso(row.created_at),
        "read_at": _iso(row.read_at),
        "target": None
        if target is None
        else {
            "ticket_no": target.ticket_no,
            "customer_no": target.customer_no,
            "week": target.week,
            "owner": target.owner_login,
        },
    }
