"""``cmw backup`` and ``cmw restore``: a consistent copy of the database, and putting one back.

``cmw backup PATH`` writes while others keep working (see :mod:`cmworkbench.services.ops.backup`);
it refuses to overwrite a file unless ``--force``. ``cmw restore PATH --force`` replaces the
live database with a checked cmworkbench backup; without ``--force`` it says what would be
replaced and exits 2.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmworkbench import i18n
from cmworkbench.cli import EXIT_OK

if TYPE_CHECKING:
    from cmworkbench.config import Settings


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``backup`` and ``restore`` to ``commands``."""
    t = i18n.t
    backup = commands.add_parser("backup", parents=[common], help=t("cli.help.backup"))
    backup.add_argument("path", metavar="PATH", help=t("cli.help.backup_path"))
    backup.add_argument("--force", action="store_true", help=t("cli.help.backup_force"))
    backup.add_argument("--json", action="store_true", help=t("cli.help.json"))
    restore = commands.add_parser("restore", parents=[common], help=t("cli.help.restore"))
    restore.add_argument("path", metavar="PATH", help=t("cli.help.restore_path"))
    restore.add_argument("--force", action="store_true", help=t("cli.help.restore_force"))
    restore.add_argument("--json", action="store_true", help=t("cli.help.json"))


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write a backup of the database to ``args.path``."""
    from cmworkbench.db.engine import make_engine
    from cmworkbench.services.ops.backup import backup

    engine = make_engine(settings.database_url)
    try:
        out = backup(engine, Path(args.path), force=args.force)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(asdict(out), ensure_ascii=False, indent=2))
    else:
        print(
            i18n.t(
                "cli.backup.done",
                path=out.path,
                size=out.bytes,
                seconds=f"{out.seconds:.1f}",
                revision=out.revision or "-",
            )
        )
    return EXIT_OK


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    """Replace the database with the backup ``args.path`` (only with ``--force``)."""
    from cmworkbench.services.ops.backup import restore

    out = restore(settings.database_url, Path(args.path), force=args.force)
    if args.json:
        print(json.dumps(asdict(out), ensure_ascii=False, indent=2))
    else:
        print(
            i18n.t(
                "cli.restore.done",
                database=out.database,
                source=out.source,
                backup_revision=out.backup_revision,
                revision=out.revision,
            )
        )
        if out.kept:
            print(i18n.t("backup.kept", path=out.kept))
    return EXIT_OK
