"""``cmw staff add|edit|show|deactivate|leave|leaves``, ``cmw team`` and ``cmw handover``.

Without ``--as`` these run as the service account that owns the database (the branch's IT
administrator); with ``--as LOGIN`` as that staff member, whose role the services check (staff
and teams: admin; leave: admin, branch head or the person's supervisor; handover: branch head
or admin). In ``staff edit``, ``-`` clears an optional field (``--team -``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar

from cmworkbench import i18n
from cmworkbench.cli import (
    EXIT_OK,
    UsageError,
    _date,
    _print_table,
    _workbench,
    as_login,
    output_target,
)
from cmworkbench.config import ROLES

if TYPE_CHECKING:
    from cmworkbench.config import Settings
    from cmworkbench.services.core.output import OutputFile
    from cmworkbench.services.customers.schemas import HandoverReport
    from cmworkbench.services.staff.schemas import StaffDetail

T = TypeVar("T")

CLEAR = "-"
"""``staff edit`` value that clears an optional field."""


def add_staff_parsers(staff_commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the administration subcommands to ``cmw staff``."""
    t = i18n.t
    add = staff_commands.add_parser("add", parents=[common], help=t("cli.help.staff_add"))
    add.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    add.add_argument("--name", required=True, help=t("cli.help.staff_name"))
    add.add_argument("--role", required=True, choices=ROLES, metavar="ROLE", help=", ".join(ROLES))
    add.add_argument("--branch", metavar="CODE", help=t("cli.help.staff_branch"))
    edit = staff_commands.add_parser("edit", parents=[common], help=t("cli.help.staff_edit"))
    edit.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    edit.add_argument("--name", help=t("cli.help.staff_name"))
    edit.add_argument("--role", choices=ROLES, metavar="ROLE", help=", ".join(ROLES))
    for command in (add, edit):
        command.add_argument("--grade", metavar="GRADE", help=t("cli.help.staff_grade"))
        command.add_argument("--team", metavar="TEAM", help=t("cli.help.staff_team"))
        command.add_argument("--backup", metavar="LOGIN", help=t("cli.help.staff_backup"))
        command.add_argument("--phone", metavar="PHONE", help=t("cli.help.staff_phone"))
    show = staff_commands.add_parser("show", parents=[common], help=t("cli.help.staff_show"))
    show.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    off = staff_commands.add_parser(
        "deactivate", parents=[common], help=t("cli.help.staff_deactivate")
    )
    off.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    off.add_argument("--authorized-keys", metavar="PATH", help=t("cli.help.authorized_keys"))
    leave = staff_commands.add_parser("leave", parents=[common], help=t("cli.help.staff_leave"))
    leave.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    leave.add_argument("--from", dest="starts", type=_date, metavar="YYYY-MM-DD")
    leave.add_argument("--to", dest="ends", type=_date, metavar="YYYY-MM-DD")
    leave.add_argument("--reason", metavar="TEXT")
    leave.add_argument("--cancel", type=int, metavar="ID", help=t("cli.help.leave_cancel"))
    leaves = staff_commands.add_parser("leaves", parents=[common], help=t("cli.help.staff_leaves"))
    leaves.add_argument("--staff", metavar="LOGIN", help=t("cli.help.audit_staff"))
    leaves.add_argument("--since", type=_date, metavar="YYYY-MM-DD")
    for command in (add, edit, show, off, leave, leaves):
        command.add_argument(
            "--as", type=as_login, dest="login_as", metavar="LOGIN", help=t("cli.help.as")
        )
        command.add_argument("--json", action="store_true", help=t("cli.help.json"))


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``team`` and ``handover`` to ``commands``."""
    t = i18n.t
    team = commands.add_parser("team", parents=[common], help=t("cli.help.team"))
    team_commands = team.add_subparsers(dest="team_command", metavar="COMMAND", required=True)
    add = team_commands.add_parser("add", parents=[common], help=t("cli.help.team_add"))
    add.add_argument("name", metavar="NAME")
    add.add_argument("--branch", metavar="CODE", help=t("cli.help.staff_branch"))
    rename = team_commands.add_parser("rename", parents=[common], help=t("cli.help.team_rename"))
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW_NAME")
    listing = team_commands.add_parser("list", parents=[common], help=t("cli.help.team_list"))
    for command in (add, rename, listing):
        command.add_argument(
            "--as", type=as_login, dest="login_as", metavar="LOGIN", help=t("cli.help.as")
        )
        command.add_argument("--json", action="store_true", help=t("cli.help.json"))

    move = commands.add_parser("handover", parents=[common], help=t("cli.help.handover"))
    move.add_argument("--from", dest="giver", required=True, metavar="LOGIN")
    move.add_argument("--to", dest="receiver", required=True, metavar="LOGIN")
    move.add_argument(
        "--class",
        dest="classes",
        action="append",
        default=[],
        metavar="CLS",
        help=t("cli.help.handover_class"),
    )
    move.add_argument(
        "--area",
        dest="areas",
        action="append",
        default=[],
        metavar="AREA",
        help=t("cli.help.handover_area"),
    )
    move.add_argument(
        "--customer",
        dest="customers",
        action="append",
        default=[],
        metavar="NO",
        help=t("cli.help.handover_customer"),
    )
    move.add_argument("--dry-run", action="store_true", help=t("cli.help.handover_dry_run"))
    move.add_argument("-o", "--output", metavar="FILE.csv", help=t("cli.help.handover_output"))
    move.add_argument("--force", action="store_true", help=t("cli.help.force_output"))
    move.add_argument(
        "--as", type=as_login, dest="login_as", metavar="LOGIN", help=t("cli.help.as")
    )
    move.add_argument("--json", action="store_true", help=t("cli.help.json"))


def _call(
    settings: Settings, as_login: str | None, service: Callable[..., T], /, **kwargs: Any
) -> T:
    """Run ``service`` as ``as_login`` (``--as``) or as the service account (``actor=None``)."""
    if as_login:
        return _workbench(settings, as_login).run(service, **kwargs)
    from cmworkbench.services.workbench import admin_session

    with admin_session(settings) as session:
        return service(session=session, actor=None, **kwargs)


def _optional(value: str | None) -> object:
    from cmworkbench.services.staff.schemas import UNSET

    if value is None:
        return UNSET
    return None if value == CLEAR else value


def staff_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw staff add|edit|show|deactivate|leave|leaves``."""
    from cmworkbench.services.staff import leave, people, schemas

    command = args.staff_command
    if command == "add":
        detail = _call(
            settings,
            args.login_as,
            people.add_staff,
            grades=settings.grades,
            login=args.login,
            name=args.name,
            role=args.role,
            grade=args.grade,
            team=args.team,
            backup=args.backup,
            phone=args.phone,
            branch=args.branch,
            branch_name=settings.general.branch_name,
        )
        return _show_staff(detail, args.json, "cli.staff.added")
    if command == "edit":
        fields = {k: _optional(getattr(args, k)) for k in ("grade", "team", "backup", "phone")}
        fields["name"] = args.name if args.name is not None else schemas.UNSET
        fields["role"] = args.role if args.role is not None else schemas.UNSET
        detail = _call(
            settings,
            args.login_as,
            people.edit_staff,
            grades=settings.grades,
            login=args.login,
            **fields,
        )
        return _show_staff(detail, args.json, "cli.staff.edited")
    if command == "show":
        return _show_staff(
            _call(settings, args.login_as, people.staff_detail, login=args.login), args.json, None
        )
    if command == "deactivate":
        return _deactivate(args, settings)
    if command == "leave":
        return _leave(args, settings)
    rows = _call(settings, args.login_as, leave.list_leave, login=args.staff, since=args.since)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    if not rows:
        print(i18n.t("cli.leave.none"))
        return EXIT_OK
    _print_table(
        [[r.id, r.login, r.name, r.starts_on, r.ends_on, r.reason or ""] for r in rows],
        [f"cli.leave.col.{c}" for c in ("id", "login", "name", "from", "to", "reason")],
    )
    return EXIT_OK


def _show_staff(detail: StaffDetail, as_json: bool, done: str | None) -> int:
    if as_json:
        print(json.dumps(asdict(detail), ensure_ascii=False, indent=2))
        return EXIT_OK
    if done:
        print(i18n.t(done, login=detail.login))
    rows = [
        ("login", detail.login),
        ("name", detail.name),
        ("role", i18n.label("role", detail.role)),
        ("grade", detail.grade or ""),
        ("team", detail.team or ""),
        ("backup", detail.backup or ""),
        ("phone", detail.phone or ""),
        ("active", i18n.t("cli.staff.yes") if detail.active else i18n.t("cli.staff.no")),
        ("customers", detail.customers),
    ]
    for key, value in rows:
        print(f"{i18n.t(f'cli.staff.field.{key}')}: {value}")
    return EXIT_OK


def _deactivate(args: argparse.Namespace, settings: Settings) -> int:
    """Deactivate, then rewrite ``authorized_keys`` so their keys stop working at once."""
    from cmworkbench.cli import _cmw_path, authorized_keys_path
    from cmworkbench.services.staff import ssh_keys
    from cmworkbench.services.staff.people import deactivate_staff

    path = authorized_keys_path(args, settings)
    done = _call(settings, args.login_as, deactivate_staff, login=args.login)
    rewrite = done.keys_revoked > 0 or path.exists()
    if rewrite:
        from cmworkbench.services.workbench import admin_session

        with admin_session(settings) as session:
            active = ssh_keys.active_keys(session)
        ssh_keys.write_authorized_keys(path, ssh_keys.authorized_keys_text(active, _cmw_path()))
    if args.json:
        print(json.dumps(asdict(done), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(i18n.t("cli.staff.deactivated", login=done.login))
    print(
        i18n.t(
            "staff_admin.deactivated_detail",
            keys=done.keys_revoked,
            customers=done.customers_without_backup,
            colleagues=done.colleagues_without_backup,
        )
    )
    if rewrite:
        print(i18n.t("cli.keys.written", path=path, count=len(active)))
    return EXIT_OK


def _leave(args: argparse.Namespace, settings: Settings) -> int:
    from cmworkbench.services.staff.leave import add_leave, cancel_leave

    if args.cancel is not None:
        row = _call(settings, args.login_as, cancel_leave, leave_id=args.cancel)
        done = "cli.leave.cancelled"
    else:
        if args.starts is None or args.ends is None:
            raise UsageError(i18n.t("cli.leave.dates"))
        row = _call(
            settings,
            args.login_as,
            add_leave,
            login=args.login,
            starts_on=args.starts,
            ends_on=args.ends,
            reason=args.reason,
        )
        done = "cli.leave.added"
    if args.json:
        print(json.dumps(asdict(row), ensure_ascii=False, indent=2, default=str))
    else:
        print(i18n.t(done, id=row.id, login=row.login, starts=row.starts_on, ends=row.ends_on))
    return EXIT_OK


def team_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw team add|rename|list``."""
    from cmworkbench.services.staff import teams

    if args.team_command == "add":
        rows = [
            _call(
                settings,
                args.login_as,
                teams.add_team,
                name=args.name,
                branch=args.branch,
                branch_name=settings.general.branch_name,
            )
        ]
    elif args.team_command == "rename":
        rows = [
            _call(
                settings, args.login_as, teams.rename_team, team=args.name, new_name=args.new_name
            )
        ]
    else:
        rows = _call(settings, args.login_as, teams.list_teams)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    _print_table(
        [[r.name, r.supervisor or "", r.members] for r in rows],
        ["cli.header.team", "cli.team.col.supervisor", "cli.team.col.members"],
    )
    return EXIT_OK


def handover_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw handover``: move customers and their open work; print the handover report."""
    from cmworkbench.services.customers.handover import handover

    target = output_target(args, settings) if args.output else None  # before anything moves
    report = _call(
        settings,
        args.login_as,
        handover,
        grades=settings.grades,
        from_login=args.giver,
        to_login=args.receiver,
        classes=args.classes,
        areas=args.areas,
        customer_nos=args.customers,
        dry_run=args.dry_run,
    )
    if target is not None:
        _write_csv(target, report)
    if args.json:
        print(json.dumps(_report_dict(report), ensure_ascii=False, indent=2))
        return EXIT_OK
    t = i18n.t
    print(
        t(
            "cli.handover.done" if report.done else "cli.handover.dry_run",
            count=report.customers,
            giver=f"{report.from_name} ({report.from_login})",
            receiver=f"{report.to_name} ({report.to_login})",
        )
    )
    classes = ", ".join(f"{cls} {n}" for cls, n in report.by_class.items())
    print(
        t(
            "cli.handover.summary",
            classes=classes,
            tasks=report.tasks,
            visits=report.visits,
            complaints=report.complaints,
            backups=report.backups_changed,
        )
    )
    if args.output:
        print(t("cli.handover.written", path=args.output, count=len(report.lines)))
    else:
        _print_table(
            [
                [x.customer_no, x.name, x.cls or "", x.area or "", x.tasks, x.visits, x.complaints]
                for x in report.lines
            ],
            [f"cli.handover.col.{c}" for c in _COLUMNS],
        )
    return EXIT_OK


_COLUMNS = ("customer_no", "name", "cls", "area", "tasks", "visits", "complaints")


def _report_dict(report: HandoverReport) -> dict[str, Any]:
    out = asdict(report)
    out["at"] = report.at.isoformat(timespec="seconds")
    return out


def _write_csv(target: OutputFile, report: HandoverReport) -> None:
    """The handover report as CSV (the one spreadsheet writer: BOM for Excel, 0600, no
    formulas)."""
    from cmworkbench.services.core.spreadsheet import write_csv

    rows = (
        [x.customer_no, x.name, x.cls or "", x.area or "", x.tasks, x.visits, x.complaints]
        for x in report.lines
    )
    write_csv(target, [i18n.t(f"cli.handover.col.{c}") for c in _COLUMNS], rows)
