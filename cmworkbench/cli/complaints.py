"""``cmw complaints``: take a complaint, list and show tickets, move them through their
lifecycle, and run the SLA sweep once.

Services are imported inside the handlers. Each lifecycle action is one subcommand, built from
:data:`TRANSITIONS`; the services decide who may do what and check every value (a refusal is
one line on stderr).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    branch_instant,
    iso_time,
    own_workbench,
    positive_int,
    print_json,
    print_table,
    sweep_once,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import Change, ComplaintDetail, ComplaintRow

OPTIONS: dict[str, tuple[str, str, str]] = {
    "triage": ("--triage", "triage", "now|shortly|cannot_now"),
    "note": ("--note", "note", "TEXT"),
    "dept": ("--to", "backoffice_to", "DEPT"),
    "due": ("--due", "backoffice_due", "WHEN"),
    "resolution": ("--resolution", "resolution", "TEXT"),
    "result": ("--result", "result", "TEXT"),
    "satisfaction": ("--satisfaction", "satisfaction", "1-5|满意|satisfied|…"),
    "reason": ("--reason", "note", "TEXT"),
    "to_login": ("--to", "to_login", "LOGIN"),
}
"""The options of the lifecycle subcommands: name → (option, the ``Change`` field it fills,
metavar). The help text of each is ``cli.help.complaints_opt_<name>``."""

TRANSITIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "respond": ("respond", ("triage",), ("note",)),
    "wait-customer": ("wait_customer", ("note",), ()),
    "hand-off": ("hand_off", ("dept",), ("due", "note")),
    "resume": ("resume", (), ("note",)),
    "resolve": ("resolve", ("resolution",), ("note",)),
    "reject": ("solution_rejected", ("note",), ()),
    "return-call": ("return_call", ("result",), ("satisfaction",)),
    "close": ("close", (), ("satisfaction",)),
    "reopen": ("reopen", ("reason",), ()),
    "reassign": ("reassign", ("to_login",), ("note",)),
    "note": ("note", ("note",), ()),
}
"""Subcommand → (the service's action, required options, optional options), in the order of
the lifecycle (:data:`cmworkbench.domain.complaint_flow.STEPS`)."""

_COMMAND_OF = {action: command for command, (action, _, _) in TRANSITIONS.items()}
_MET = {
    "first_response": "first_response_at",
    "resolution": "resolved_at",
    "return_call": "return_call_at",
}
"""Each SLA clock and the field of the detail that says when it was met."""


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``complaints`` with its subcommands."""
    t = i18n.t
    group = commands.add_parser("complaints", parents=[common], help=t("cli.help.complaints"))
    subs = group.add_subparsers(dest="complaints_command", metavar="COMMAND", required=True)

    new = subs.add_parser("new", parents=[common], help=t("cli.help.complaints_new"))
    for option, dest, metavar, needed, default in (
        ("--customer", "customer_no", "NO", True, None),
        ("--category", "category", "fee|service|business", True, None),
        ("--severity", "severity", "normal|major", True, None),
        ("--kind", "kind", "normal|difficult|escalated|over_level", False, "normal"),
        ("--contact", "contact", "NAME", False, None),
        ("--channel", "channel", "phone|visit|counter|online|letter|hotline", False, "phone"),
        ("--description", "description", "TEXT", True, None),
    ):
        new.add_argument(
            option,
            dest=dest,
            metavar=metavar,
            required=needed,
            default=default,
            help=t(f"cli.help.complaints_opt_{dest}"),
        )

    show = subs.add_parser("show", parents=[common], help=t("cli.help.complaints_show"))
    listing = subs.add_parser("list", parents=[common], help=t("cli.help.complaints_list"))
    for flag in ("team", "breached", "all"):
        listing.add_argument(
            f"--{flag}", action="store_true", help=t(f"cli.help.complaints_opt_{flag}")
        )
    sweep = subs.add_parser("sweep", parents=[common], help=t("cli.help.complaints_sweep"))

    acting = []
    for command, (action, required, optional) in TRANSITIONS.items():
        sub = subs.add_parser(command, parents=[common], help=t(f"cli.help.complaints_{action}"))
        for name in (*required, *optional):
            option, _, metavar = OPTIONS[name]
            sub.add_argument(
                option,
                dest=name,
                metavar=metavar,
                required=name in required,
                help=t(f"cli.help.complaints_opt_{name}"),
            )
        sub.add_argument(
            "--version", type=positive_int, metavar="N", help=t("cli.help.complaints_opt_version")
        )
        acting.append(sub)

    for sub in (show, *acting):
        sub.add_argument("ticket", metavar="ID", help=t("cli.help.complaints_opt_ticket"))
    for sub in (new, show, listing, *acting):
        add_as(sub)
    for sub in (new, show, listing, sweep, *acting):
        add_json(sub)
    return {"complaints": _complaints}


def _complaints(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw complaints …``: one handler for every subcommand."""
    command = args.complaints_command
    if command == "sweep":
        return _sweep(args, settings)
    workbench = own_workbench(settings, args.login)
    if command == "list":
        rows = workbench.complaints.tickets(
            team=args.team, breached_only=args.breached, include_closed=args.all
        )
        _print_rows(rows, args.json)
        return EXIT_OK
    if command == "new":
        ticket = workbench.complaints.open(
            args.customer_no,
            args.category,
            args.description,
            severity=args.severity,
            channel=args.channel,
            kind=args.kind,
            contact=args.contact,
        )
        detail = workbench.complaints.detail(ticket)
    elif command == "show":
        detail = workbench.complaints.detail(args.ticket)
    else:
        detail = workbench.complaints.act(args.ticket, _change(args), args.version)
    _print_detail(detail, args.json, events=command != "new")
    return EXIT_OK


def _change(args: argparse.Namespace) -> Change:
    """The ``Change`` a lifecycle subcommand asks for."""
    from cmworkbench.services.complaints.schemas import Change

    action, required, optional = TRANSITIONS[args.complaints_command]
    values: dict[str, Any] = {}
    for name in (*required, *optional):
        value = getattr(args, name)
        if value is not None:
            values[OPTIONS[name][1]] = _due(value) if name == "due" else value
    return Change(action, **values)


def _due(text: str) -> datetime:
    """A branch-local ``YYYY-MM-DD HH:MM`` (parsed once the branch's time zone is set)."""
    return branch_instant(text, "cli.complaints.bad_due")


def _sweep(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw complaints sweep``: the sweep once, as the workbench itself."""
    from cmworkbench.services.complaints.sla import sweep

    return sweep_once(args, settings, sweep, "cli.complaints.swept")


# --- output ------------------------------------------------------------------------------


def _left(row: ComplaintRow) -> str:
    """``3h20m``, ``-1h05m``; marked when it counts business time or stands still."""
    if row.left is None:
        return ""
    seconds = row.left.total_seconds()
    hours, minutes = divmod(round(abs(seconds) / 60), 60)
    text = f"{'-' if seconds < 0 else ''}{hours}h{minutes:02d}m"
    if row.business:
        text = i18n.t("cli.complaints.business_time", left=text)
    if row.paused:
        text = i18n.t("cli.complaints.paused", left=text)
    return text


def _print_rows(rows: list[ComplaintRow], as_json: bool) -> None:
    if as_json:
        out = [
            {
                "id": r.id,
                "ticket_no": r.ticket_no,
                "customer_no": r.customer_no,
                "customer_name": r.customer_name,
                "customer_class": r.customer_class,
                "owner": r.owner_login,
                "owner_name": r.owner_name,
                "status": r.status,
                "category": r.category,
                "kind": r.kind,
                "severity": r.severity,
                "received_at": iso_time(r.received_at),
                "next_clock": r.clock,
                "next_due": iso_time(r.due_at),
                "left_seconds": int(r.left.total_seconds()) if r.left is not None else None,
                "business": r.business,
                "paused": r.paused,
                "breached": r.breached,
                "version": r.version,
            }
            for r in rows
        ]
        print_json(out)
        return
    print_table(
        [
            [
                r.ticket_no,
                f"{r.customer_no} {r.customer_name}",
                r.owner_name,
                i18n.label("complaint_status", r.status),
                i18n.label("complaint_clock", r.clock),
                table_time(r.due_at),
                _left(r),
                i18n.t("cli.complaints.breached_mark") if r.breached else "",
            ]
            for r in rows
        ],
        [
            "cli.complaints.header.ticket",
            "cli.header.customer",
            "cli.complaints.header.owner",
            "cli.complaints.header.status",
            "cli.complaints.header.clock",
            "cli.header.due",
            "cli.complaints.header.left",
            "cli.complaints.header.breached",
        ],
    )


def _print_detail(d: ComplaintDetail, as_json: bool, *, events: bool) -> None:
    """The ticket as a short block (``events``: with its history), or ``as_json``."""
    from cmworkbench.services.complaints.queries import as_json as detail_json

    if as_json:
        print_json(detail_json(d))
        return
    t, label, row = i18n.t, i18n.label, d.row
    status = label("complaint_status", row.status)
    print(t("cli.complaints.head", ticket=row.ticket_no, id=row.id, status=status))
    lines: list[tuple[str, str | None]] = [
        (t("cli.complaints.label.customer"), f"{row.customer_no} {row.customer_name}"),
        (t("cli.complaints.label.owner"), f"{row.owner_name} ({row.owner_login})"),
        (t("complaint.field.category"), label("complaint_category", row.category)),
        (t("complaint.field.severity"), label("severity", row.severity)),
        (t("complaint.field.kind"), label("complaint_kind", row.kind)),
        (t("complaint.field.channel"), label("channel", d.channel)),
        (t("complaint.field.contact"), d.contact_name),
        (t("complaint.field.description"), d.description),
        (t("complaint.field.triage"), label("triage", d.triage)),
    ]
    for name, met_field in _MET.items():
        due, met = getattr(d, f"{name}_due"), getattr(d, met_field)
        when = table_time(due) + (t("cli.complaints.met", at=table_time(met)) if met else "")
        lines.append((t("cli.complaints.label.due", clock=label("complaint_clock", name)), when))
    lines += [
        (t("complaint.field.backoffice_due"), table_time(d.backoffice_due)),
        (t("complaint.field.backoffice_to"), d.backoffice_to),
        (t("complaint.field.resolution"), d.resolution),
        (t("complaint.field.result"), d.return_call_result),
        (t("complaint.field.satisfaction"), f"{d.satisfaction}/5" if d.satisfaction else None),
        (t("cli.complaints.label.closed_by"), d.closed_by_name),
    ]
    if row.clock:
        running = f"{label('complaint_clock', row.clock)} · {_left(row)}"
        if row.breached:
            running += f" · {t('cli.complaints.breached_mark')}"
        lines.append((t("cli.complaints.label.running"), running))
    elif row.breached:
        lines.append((t("cli.complaints.label.running"), t("cli.complaints.breached_mark")))
    lines.append((t("cli.complaints.label.version"), str(row.version)))
    commands = [_COMMAND_OF[a] for a in d.actions if a in _COMMAND_OF]
    lines.append((t("cli.complaints.label.next"), ", ".join(commands) or None))
    for name, value in lines:
        if value:
            print(t("cli.complaints.line", label=name, value=value))
    if events:
        print()
        print_table(
            [
                [
                    table_time(e.at),
                    e.staff_name or t("complaint.system"),
                    label("complaint_action", e.action)
                    + (f" → {label('complaint_status', e.to_status)}" if e.to_status else ""),
                    e.note or "",
                ]
                for e in d.events
            ],
            [
                "cli.complaints.header.at",
                "cli.complaints.header.by",
                "cli.complaints.header.action",
                "cli.complaints.header.note",
            ],
        )
