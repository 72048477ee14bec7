"""``cmw export``: data as spreadsheets for the branch (``.xlsx`` or ``.csv``).

``cmw export customers -o FILE`` writes the customers in scope, phones and ID numbers masked
unless ``--unmasked`` is allowed (see :mod:`cmworkbench.services.customers.export`). Without
``--as`` the command runs as the service account: the whole branch, unmasked allowed. Every
export is audited. The service is imported inside the handler, as in :mod:`cmworkbench.cli`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli import EXIT_OK, _workbench, as_login
from cmworkbench.config import GROUP_CLASSES

if TYPE_CHECKING:
    from cmworkbench.config import Settings


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``export`` and its subcommands to ``commands``."""
    t = i18n.t
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
    customers.add_argument(
        "--as", type=as_login, dest="login", metavar="LOGIN", help=t("cli.help.as")
    )


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    """``cmw export customers``: write the file, print what was written."""
    from cmworkbench.services.customers.export import export_customers
    from cmworkbench.services.workbench import admin_actor

    workbench = _workbench(settings, args.login) if args.login else admin_actor(settings)
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
