"""``cmw staff list|add|edit|show|deactivate|leave|leaves|grant-key|revoke-key`` and
``cmw team add|rename|list``: the branch's people, their teams, leave and SSH keys.

Without ``--as`` these run as the service account that owns the database (the branch's IT
administrator); with ``--as LOGIN`` as that staff member, whose role the services check (staff
and teams: admin; leave: admin, branch head or the person's supervisor). In ``staff edit``,
``-`` clears an optional field (``--team -``). ``grant-key``, ``revoke-key`` and
``deactivate`` rewrite ``authorized_keys`` whole, one restricted line per active key.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    UsageError,
    add_as,
    add_json,
    authorized_keys_path,
    date_arg,
    print_json,
    print_table,
    run_as,
    workbench_for,
)
from cmworkbench.config import ROLES, Settings

if TYPE_CHECKING:
    from cmworkbench.services.staff.schemas import StaffDetail

CLEAR = "-"
"""``staff edit`` value that clears an optional field."""


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``staff`` with its subcommands, and ``team``."""
    t = i18n.t
    staff = commands.add_parser("staff", parents=[common], help=t("cli.help.staff"))
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="COMMAND", required=True)
    listing = staff_commands.add_parser("list", parents=[common], help=t("cli.help.staff_list"))
    listing.add_argument("--role", choices=ROLES, metavar="ROLE", help=", ".join(ROLES))
    add_as(listing)
    add_json(listing)
    grant = staff_commands.add_parser("grant-key", parents=[common], help=t("cli.help.grant_key"))
    grant.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    grant.add_argument("keyfile", metavar="KEYFILE", help=t("cli.help.keyfile"))
    revoke = staff_commands.add_parser(
        "revoke-key", parents=[common], help=t("cli.help.revoke_key")
    )
    revoke.add_argument("login", metavar="LOGIN", help=t("cli.help.key_login"))
    revoke.add_argument("--fingerprint", metavar="F", help=t("cli.help.fingerprint"))
    for keys in (grant, revoke):
        keys.add_argument("--authorized-keys", metavar="PATH", help=t("cli.help.authorized_keys"))
    _add_administration(staff_commands, common)

    team = commands.add_parser("team", parents=[common], help=t("cli.help.team"))
    team_commands = team.add_subparsers(dest="team_command", metavar="COMMAND", required=True)
    add = team_commands.add_parser("add", parents=[common], help=t("cli.help.team_add"))
    add.add_argument("name", metavar="NAME")
    add.add_argument("--branch", metavar="CODE", help=t("cli.help.staff_branch"))
    rename = team_commands.add_parser("rename", parents=[common], help=t("cli.help.team_rename"))
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW_NAME")
    team_list = team_commands.add_parser("list", parents=[common], help=t("cli.help.team_list"))
    for command in (add, rename, team_list):
        add_as(command, dest="login_as")
        add_json(command)
    return {"staff": _staff, "team": _team}


def _add_administration(staff_commands: Commands, common: Parser) -> None:
    """``staff add|edit|show|deactivate|leave|leaves``."""
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
    leave.add_argument("--from", dest="starts", type=date_arg, metavar="YYYY-MM-DD")
    leave.add_argument("--to", dest="ends", type=date_arg, metavar="YYYY-MM-DD")
    leave.add_argument("--reason", metavar="TEXT")
    leave.add_argument("--cancel", type=int, metavar="ID", help=t("cli.help.leave_cancel"))
    leaves = staff_commands.add_parser("leaves", parents=[common], help=t("cli.help.staff_leaves"))
    leaves.add_argument("--staff", metavar="LOGIN", help=t("cli.help.audit_staff"))
    leaves.add_argument("--since", type=date_arg, metavar="YYYY-MM-DD")
    for command in (add, edit, show, off, leave, leaves):
        add_as(command, dest="login_as")
        add_json(command)


def _staff(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw staff …``: the handler of the subcommand."""
    handler = {
        "list": _list,
        "grant-key": _keys,
        "revoke-key": _keys,
        "deactivate": _deactivate,
        "leave": _leave,
        "leaves": _leaves,
    }.get(args.staff_command, _people)
    return handler(args, settings)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw staff list``: the directory (``--as``: as that person sees it)."""
    from cmworkbench.services.staff.directory import list_staff
    from cmworkbench.services.workbench import admin_session

    if args.login:
        rows = workbench_for(settings, args.login).staff.directory(role=args.role)
    else:
        with admin_session(settings) as session:
            rows = list_staff(session=session, actor=None, role=args.role)
    if args.json:
        print_json([asdict(r) for r in rows])
        return EXIT_OK
    print_table(
        [[r.login, r.name, i18n.label("role", r.role), r.team or ""] for r in rows],
        ["cli.header.login", "cli.header.name", "cli.header.role", "cli.header.team"],
    )
    return EXIT_OK


def _optional(value: str | None) -> object:
    from cmworkbench.services.staff.schemas import UNSET

    if value is None:
        return UNSET
    return None if value == CLEAR else value


def _people(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw staff add|edit|show``: print the person as they are now."""
    from cmworkbench.services.staff import people, schemas

    if args.staff_command == "add":
        detail = run_as(
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
    if args.staff_command == "edit":
        fields = {k: _optional(getattr(args, k)) for k in ("grade", "team", "backup", "phone")}
        fields["name"] = args.name if args.name is not None else schemas.UNSET
        fields["role"] = args.role if args.role is not None else schemas.UNSET
        detail = run_as(
            settings,
            args.login_as,
            people.edit_staff,
            grades=settings.grades,
            login=args.login,
            **fields,
        )
        return _show_staff(detail, args.json, "cli.staff.edited")
    detail = run_as(settings, args.login_as, people.staff_detail, login=args.login)
    return _show_staff(detail, args.json, None)


def _show_staff(detail: StaffDetail, as_json: bool, done: str | None) -> int:
    if as_json:
        print_json(asdict(detail))
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
    from cmworkbench.services.staff import ssh_keys
    from cmworkbench.services.staff.people import deactivate_staff

    path = authorized_keys_path(args, settings)
    done = run_as(settings, args.login_as, deactivate_staff, login=args.login)
    rewrite = done.keys_revoked > 0 or path.exists()
    if rewrite:
        from cmworkbench.services.workbench import admin_session

        with admin_session(settings) as session:
            active = ssh_keys.active_keys(session)
        ssh_keys.write_authorized_keys(path, ssh_keys.authorized_keys_text(active, _cmw_path()))
    if args.json:
        print_json(asdict(done))
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
    """``cmw staff leave``: record a leave, or cancel one."""
    from cmworkbench.services.staff.leave import add_leave, cancel_leave

    if args.cancel is not None:
        row = run_as(settings, args.login_as, cancel_leave, leave_id=args.cancel)
        done = "cli.leave.cancelled"
    else:
        if args.starts is None or args.ends is None:
            raise UsageError(i18n.t("cli.leave.dates"))
        row = run_as(
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
        print_json(asdict(row))
    else:
        print(i18n.t(done, id=row.id, login=row.login, starts=row.starts_on, ends=row.ends_on))
    return EXIT_OK


def _leaves(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw staff leaves``: the leaves recorded (of one person, since a day)."""
    from cmworkbench.services.staff.leave import list_leave

    rows = run_as(settings, args.login_as, list_leave, login=args.staff, since=args.since)
    if args.json:
        print_json([asdict(r) for r in rows])
        return EXIT_OK
    if not rows:
        print(i18n.t("cli.leave.none"))
        return EXIT_OK
    print_table(
        [[r.id, r.login, r.name, r.starts_on, r.ends_on, r.reason or ""] for r in rows],
        [f"cli.leave.col.{c}" for c in ("id", "login", "name", "from", "to", "reason")],
    )
    return EXIT_OK


def _keys(args: argparse.Namespace, settings: Settings) -> int:
    """``staff grant-key`` / ``staff revoke-key``: change the keys, rewrite authorized_keys."""
    from cmworkbench.services.staff import ssh_keys
    from cmworkbench.services.workbench import admin_session

    path = authorized_keys_path(args, settings, inputs=[getattr(args, "keyfile", None)])
    if args.staff_command == "grant-key":
        try:
            text = Path(args.keyfile).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                i18n.t("cli.keys.unreadable", path=args.keyfile, message=exc)
            ) from None
    cmw_path = _cmw_path()
    with admin_session(settings) as session:
        if args.staff_command == "grant-key":
            changed = [ssh_keys.grant_key(session=session, login=args.login, public_key_text=text)]
        else:
            changed = ssh_keys.revoke_key(
                session=session, login=args.login, fingerprint=args.fingerprint
            )
        active = ssh_keys.active_keys(session)
        ssh_keys.write_authorized_keys(path, ssh_keys.authorized_keys_text(active, cmw_path))
    done = "cli.keys.granted" if args.staff_command == "grant-key" else "cli.keys.revoked"
    for key in changed:
        print(i18n.t(done, login=key.login, fingerprint=key.fingerprint))
    if not changed:
        print(i18n.t("cli.keys.none_revoked", login=args.login))
    print(i18n.t("cli.keys.written", path=path, count=len(active)))
    return EXIT_OK


def _cmw_path() -> str:
    """The absolute path of the running ``cmw``: what the forced command runs."""
    import shutil

    argv0 = Path(sys.argv[0])
    if argv0.name == "cmw" and argv0.is_file():
        return str(argv0.resolve())
    found = shutil.which("cmw")
    if found is None:
        raise UsageError(i18n.t("cli.keys.no_cmw"))
    return str(Path(found).resolve())


def _team(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw team add|rename|list``."""
    from cmworkbench.services.staff import teams

    if args.team_command == "add":
        rows = [
            run_as(
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
            run_as(
                settings, args.login_as, teams.rename_team, team=args.name, new_name=args.new_name
            )
        ]
    else:
        rows = run_as(settings, args.login_as, teams.list_teams)
    if args.json:
        print_json([asdict(r) for r in rows])
        return EXIT_OK
    print_table(
        [[r.name, r.supervisor or "", r.members] for r in rows],
        ["cli.header.team", "cli.team.col.supervisor", "cli.team.col.members"],
    )
    return EXIT_OK
