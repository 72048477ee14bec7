"""``cmw search`` and ``cmw export customers``: finding customers, and listing them for Excel.

``search QUERY`` finds customers as the TUI's search does (name, pinyin, initials, customer
number prefix, the last digits of a phone or ID number). ``export customers -o FILE`` writes
the customers in scope, phones and ID numbers masked unless ``--unmasked`` is allowed (see
:mod:`cmworkbench.services.customers.export`); every export is audited. Without ``--as``
both run as the service account: the whole branch (and unmasked exports allowed).
"""

from __future__ import annotations

import argparse

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    Handler,
    Parser,
    add_as,
    add_json,
    branch_workbench,
    fail,
    iso_time,
    own_workbench,
    positive_int,
    print_json,
    print_table,
)
from cmworkbench.config import GROUP_CLASSES, Settings


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``search`` and ``export``."""
    t = i18n.t
    search = commands.add_parser("search", parents=[common], help=t("cli.help.search"))
    search.add_argument("query", metavar="QUERY", help=t("cli.help.query"))
    add_as(search)
    search.add_argument("--limit", type=positive_int, default=20, metavar="N")
    add_json(search)

    export = commands.add_parser("export", parents=[common], help=t("cli.help.export"))
    what = export.add_subparsers(dest="export_command", metavar="COMMAND", required=True)
    customers = what.add_parser("customers", parents=[common], help=t("cli.help.export_customers"))
    customers.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.xlsx|FILE.csv",
        help=t("cli.help.export_output"),
    )
    customers.add_argument("--unmasked", action="store_true", help=t("cli.help.export_unmasked"))
    customers.add_argument("--force", action="store_true", help=t("cli.help.force_output"))
    customers.add_argument(
        "--class",
        dest="classes",
        action="append",
        default=[],
        type=str.upper,
        choices=GROUP_CLASSES,
        metavar="C",
        help=f"{t('cli.help.export_class')}: {', '.join(GROUP_CLASSES)}",
    )
    customers.add_argument("--owner", metavar="LOGIN", help=t("cli.help.export_owner"))
    add_as(customers)

    verify = commands.add_parser("verify", parents=[common], help=t("cli.help.verify"))
    verify.add_argument("customer_no", metavar="CUSTOMER_NO", help=t("cli.help.customer_no"))
    verify.add_argument(
        "--correct",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=t("cli.help.verify_correct"),
    )
    verify.add_argument(
        "--skip", action="append", default=[], metavar="FIELD", help=t("cli.help.verify_skip")
    )
    add_as(verify)
    add_json(verify)
    return {"search": _search, "export": _export, "verify": _verify}


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    """Record a verification with the customer: every field asked confirmed, but those
    ``--correct``-ed (the right value) or ``--skip``-ped (not checked)."""
    corrected: dict[str, str] = {}
    for item in args.correct:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            return fail(i18n.t("verify.bad_correct", item=item), EXIT_USAGE)
        corrected[name.strip()] = value
    workbench = own_workbench(settings, args.login)
    done = workbench.customers.verify(
        args.customer_no, corrected=corrected, unchecked=[s.strip() for s in args.skip]
    )
    if args.json:
        print_json(
            {
                "customer_no": done.customer_no,
                "at": iso_time(done.at),
                "checked": list(done.checked),
                "corrected": list(done.corrected),
                "detail": done.detail,
            }
        )
        return EXIT_OK
    print(
        i18n.t(
            "verify.done",
            customer_no=done.customer_no,
            checked=len(done.checked),
            right=len(done.checked) - len(done.corrected),
            corrected=", ".join(done.corrected) or "—",
        )
    )
    return EXIT_OK


def _search(args: argparse.Namespace, settings: Settings) -> int:
    """The hits, best first, as a table or JSON."""
    from cmworkbench.services.customers.search import search_customers

    workbench = branch_workbench(settings, args.login)
    hits = workbench.run(search_customers, query=args.query, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "customer_no": h.customer_no,
                    "name": h.name,
                    "class": h.cls,
                    "tier": h.tier,
                    "kind": h.kind,
                    "owner": h.owner_login,
                    "owner_name": h.owner_name,
                    "phone": h.phone,
                    "matched": h.matched,
                    "rank": h.rank,
                }
                for h in hits
            ]
        )
        return EXIT_OK
    print_table(
        [
            [
                h.customer_no,
                h.name,
                h.cls or i18n.label("tier", h.tier),
                h.owner_name or "",
                h.phone,
            ]
            for h in hits
        ],
        [
            "cli.header.customer_no",
            "cli.header.name",
            "cli.header.class",
            "cli.header.owner",
            "cli.header.phone",
        ],
    )
    return EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw export customers``: write the file, print what was written."""
    from cmworkbench.services.customers.export import export_customers

    workbench = branch_workbench(settings, args.login)
    result = workbench.run(
        export_customers,
        settings=settings,
        path=args.output,
        unmasked=args.unmasked,
        classes=args.classes,
        owner_login=args.owner,
        service_account=not args.login,
        force=args.force,
    )
    masking = i18n.t("export.masked" if result.masked else "export.unmasked")
    print(i18n.t("export.done", count=result.count, path=result.path, masking=masking))
    return EXIT_OK
