"""``cmw init``, ``demo``, ``reindex``, ``generate``, ``backup`` and ``restore``: the database
as IT looks after it.

``init`` creates the database or upgrades it to this release's schema; ``demo`` fills an
empty one with a demo branch; ``reindex`` rebuilds the customer search index; ``generate``
runs the day's task generation once (the scheduler runs it every working morning).
``backup PATH`` writes a consistent copy while others keep working (see
:mod:`cmworkbench.services.ops.backup`) and refuses to overwrite a file unless ``--force``;
``restore PATH --force`` replaces the live database with a checked cmworkbench backup
(without ``--force`` it says what would be replaced and exits 2).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from cmworkbench import i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_json,
    date_arg,
    positive_int,
    print_json,
    progress_printer,
)
from cmworkbench.config import Settings


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``init``, ``demo``, ``reindex``, ``generate``, ``backup`` and ``restore``."""
    t = i18n.t
    commands.add_parser("init", parents=[common], help=t("cli.help.init"))
    demo = commands.add_parser("demo", parents=[common], help=t("cli.help.demo"))
    demo.add_argument(
        "--customers", type=positive_int, default=2000, metavar="N", help=t("cli.help.customers")
    )
    demo.add_argument("--seed", type=int, default=1, metavar="S", help=t("cli.help.seed"))
    commands.add_parser("reindex", parents=[common], help=t("cli.help.reindex"))
    generate = commands.add_parser("generate", parents=[common], help=t("cli.help.generate"))
    generate.add_argument("--date", type=date_arg, metavar="D", help=t("cli.help.date"))

    backup = commands.add_parser("backup", parents=[common], help=t("cli.help.backup"))
    backup.add_argument("path", metavar="PATH", help=t("cli.help.backup_path"))
    backup.add_argument("--force", action="store_true", help=t("cli.help.backup_force"))
    add_json(backup)
    restore = commands.add_parser("restore", parents=[common], help=t("cli.help.restore"))
    restore.add_argument("path", metavar="PATH", help=t("cli.help.restore_path"))
    restore.add_argument("--force", action="store_true", help=t("cli.help.restore_force"))
    add_json(restore)
    return {
        "init": _init,
        "demo": _demo,
        "reindex": _reindex,
        "generate": _generate,
        "backup": _backup,
        "restore": _restore,
    }


def _init(args: argparse.Namespace, settings: Settings) -> int:
    """Create the database, or upgrade it; say which."""
    from cmworkbench.services.ops.database import initialise

    done = initialise(settings.database_url)
    if done.before is None:
        print(i18n.t("cli.init.created", after=done.after, url=done.url))
    elif done.before != done.after:
        print(i18n.t("cli.init.upgraded", before=done.before, after=done.after))
    else:
        print(i18n.t("cli.init.current", after=done.after))
    return EXIT_OK


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    """Build the demo branch (a progress line on a terminal)."""
    from cmworkbench.services.ops.demo import build_demo
    from cmworkbench.services.workbench import open_engine

    engine = open_engine(settings)
    progress = progress_printer()
    summary = build_demo(
        engine=engine,
        customers=args.customers,
        seed=args.seed,
        progress=progress,
        settings=settings,
    )
    if progress:
        print(file=sys.stderr)
    print(
        i18n.t(
            "cli.demo.done",
            customers=summary.customers,
            staff=summary.staff,
            seconds=summary.seconds,
        )
    )
    return EXIT_OK


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild the search index (a progress line on a terminal)."""
    from cmworkbench.services.ops.database import reindex

    progress = progress_printer()
    total = reindex(settings, progress)
    if progress:
        print(file=sys.stderr)
    print(i18n.t("cli.reindex.done", customers=total))
    return EXIT_OK


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    """Generate the day's tasks; print how many were created (per kind) and closed."""
    from cmworkbench.services.ops import lease
    from cmworkbench.services.tasks.generate import generate_day
    from cmworkbench.services.workbench import open_engine

    result = generate_day(settings, args.date)
    slot = lease.daily_slot(settings.scheduler.generate_at)
    if str(result.day) == slot:
        # today's run of the 06:30 job: the scheduler does not do it again
        engine = open_engine(settings)
        try:
            lease.record_by_hand(engine, "generate", slot, f"created {result.total_created}")
        finally:
            engine.dispose()
    print(
        i18n.t(
            "cli.generate.done",
            day=result.day,
            created=result.total_created,
            closed=result.closed,
            seconds=result.seconds,
        )
    )
    for kind, n in sorted(result.created.items()):
        print(f"  {kind}: {n}")
    return EXIT_OK


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    """Write a backup of the database to ``args.path``."""
    from cmworkbench.services.ops.backup import backup_database

    out = backup_database(settings.database_url, Path(args.path), force=args.force)
    if args.json:
        print_json(asdict(out))
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


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    """Replace the database with the backup ``args.path`` (only with ``--force``)."""
    from cmworkbench.services.ops.backup import restore

    out = restore(settings.database_url, Path(args.path), force=args.force)
    if args.json:
        print_json(asdict(out))
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
