"""``cmw tasks``: a staff member's ranked call list and due tasks for the day, as the Today
screen shows them (``--as``, else the operating system's user)."""

from __future__ import annotations

import argparse

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_day_command,
    iso_time,
    own_workbench,
    print_json,
    print_table,
    table_time,
)
from cmworkbench.config import Settings


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``tasks``."""
    add_day_command(commands, common, "tasks")
    return {"tasks": _tasks}


def _tasks(args: argparse.Namespace, settings: Settings) -> int:
    """The day's list, highest priority first."""
    from cmworkbench.services.tasks.plan import today_list

    rows = own_workbench(settings, args.login).run(today_list, settings=settings, day=args.date)
    if args.json:
        print_json(
            [
                {
                    "id": r.task_id,
                    # fixed (a time or the last day today) / plan (within capacity) / backlog
                    "section": r.section,
                    "kind": r.kind,
                    "customer_no": r.customer_no,
                    "customer": r.customer_name,
                    "due": iso_time(r.due_at),
                    "priority": r.score,
                    "reason": r.reason,
                    "phone": r.phone,
                    "covered_for": r.covered_for,
                    # upcoming / due (应联系) / overdue (逾期: past the deadline)
                    "state": r.state,
                    "deadline": iso_time(r.deadline_at or r.due_at),
                }
                for r in rows
            ]
        )
        return EXIT_OK
    print_table(
        [
            [
                r.score,
                i18n.label("task_kind", r.kind),
                r.customer_no or "",
                r.customer_name or "",
                table_time(r.due_at),
                r.reason,
            ]
            for r in rows
        ],
        [
            "cli.header.priority",
            "cli.header.kind",
            "cli.header.customer_no",
            "cli.header.name",
            "cli.header.due",
            "cli.header.reason",
        ],
    )
    return EXIT_OK
