"""``cmw notifications``: a staff member's own notifications, newest first.

The service is imported inside the handler. ``--mark-read`` marks the notifications listed
read after printing them (as they were before), so ``--unread --mark-read`` reads the inbox
once.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    iso_time,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.notifications.schemas import NotificationOut

UNREAD_MARK = "●"


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``notifications``."""
    t = i18n.t
    sub = commands.add_parser("notifications", parents=[common], help=t("cli.help.notifications"))
    add_as(sub)
    sub.add_argument("--unread", action="store_true", help=t("cli.help.notifications_unread"))
    sub.add_argument(
        "--limit",
        type=positive_int,
        default=50,
        metavar="N",
        help=t("cli.help.notifications_limit"),
    )
    add_json(sub)
    sub.add_argument("--mark-read", action="store_true", help=t("cli.help.notifications_mark_read"))
    return {"notifications": _notifications}


def _notifications(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw notifications``: list (and with ``--mark-read`` mark read) one's notifications."""
    workbench = own_workbench(settings, args.login)
    rows = workbench.notifications.inbox(unread_only=args.unread, limit=args.limit)
    if args.json:
        print_json([_as_json(row) for row in rows])
    elif rows:
        print_table(
            [
                [
                    UNREAD_MARK if row.unread else "",
                    table_time(row.created_at),
                    _kind(row),
                    row.shown_title,
                ]
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
        "created_at": iso_time(row.created_at),
        "read_at": iso_time(row.read_at),
        "stale": row.stale,
        "target": None
        if target is None
        else {
            "ticket_no": target.ticket_no,
            "customer_no": target.customer_no,
            "week": target.week,
            "owner": target.owner_login,
        },
    }
