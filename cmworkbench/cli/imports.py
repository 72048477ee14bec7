"""``cmw import customers|contacts|holdings|staff|goals FILE``: data from the branch's
spreadsheets (goals: the year's sales goals and changes by hand,
:mod:`cmworkbench.services.imports.goal_rows`).

The administrator's command (the service account, or ``--as`` a member of staff with role
admin). What it checks and how it writes: :mod:`cmworkbench.services.imports`. Output: the
bad rows' messages on stderr (one line each), then one summary line on stdout; a progress
bar on stderr while it works when stderr is a terminal (rich, which comes with Textual).
Exit code 2 when rows are bad and ``--skip-bad`` is not given (nothing imported).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cmworkbench import i18n
from cmworkbench.cli.common import EXIT_OK, EXIT_USAGE, Commands, Handler, Parser, add_as, fail
from cmworkbench.config import Settings
from cmworkbench.services.imports.schemas import KINDS


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``import``."""
    t = i18n.t
    command = commands.add_parser("import", parents=[common], help=t("cli.help.import"))
    command.add_argument("kind", choices=KINDS, help=t("cli.help.import_kind"))
    command.add_argument("file", type=Path, metavar="FILE", help=t("cli.help.import_file"))
    command.add_argument("--dry-run", action="store_true", help=t("cli.help.import_dry_run"))
    command.add_argument(
        "--mapping", type=Path, metavar="MAP.toml", help=t("cli.help.import_mapping")
    )
    command.add_argument("--encoding", metavar="ENC", help=t("cli.help.import_encoding"))
    command.add_argument("--skip-bad", action="store_true", help=t("cli.help.import_skip_bad"))
    command.add_argument("--reject", type=Path, metavar="FILE", help=t("cli.help.import_reject"))
    command.add_argument("--force", action="store_true", help=t("cli.help.force_output"))
    command.add_argument("--sheet", metavar="NAME", help=t("cli.help.import_sheet"))
    command.add_argument("--source", metavar="NAME", help=t("cli.help.import_source"))
    add_as(command)
    return {"import": _import}


def _import(args: argparse.Namespace, settings: Settings) -> int:
    """Run the import; print row messages, the summary and where the rejects went."""
    from cmworkbench.services.imports.importer import ImportRefused, import_file
    from cmworkbench.services.workbench import login, open_engine

    engine = open_engine(settings)
    try:
        # --as: that member of staff (the service refuses anyone but an admin); without it,
        # the service account itself (actor None), as for the other administration commands
        actor = login(engine, settings, args.login).actor if args.login else None
        with _progress(args.file.name) as progress:
            summary = import_file(
                engine=engine,
                actor=actor,
                kind=args.kind,
                path=args.file,
                grades=settings.grades,
                dry_run=args.dry_run,
                mapping=args.mapping,
                encoding=args.encoding,
                skip_bad=args.skip_bad,
                reject_path=args.reject,
                progress=progress,
                sheet_name=args.sheet,
                force=args.force,
                unmasked_roles=settings.privacy.export_unmasked_roles,
                settings=settings,
                source=args.source,
            )
    except ImportRefused as refused:
        for message in refused.errors:
            print(message, file=sys.stderr)
        return fail(str(refused), EXIT_USAGE)
    finally:
        engine.dispose()
    for message in summary.errors:
        print(message, file=sys.stderr)
    if summary.sheet is not None:
        print(i18n.t("import.sheet_read", sheet=summary.sheet, path=args.file.name))
    print(
        i18n.t(
            "import.summary",
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
            seconds=summary.seconds,
        )
    )
    if summary.unowned:
        print(i18n.t("import.unowned", count=summary.unowned))
    if summary.moved:
        print(i18n.t("import.moved", count=summary.moved))
    if summary.retention:
        print(i18n.t("import.retention", count=summary.retention))
    if summary.directories:
        print(i18n.t("import.directories", count=summary.directories))
    if summary.leads_merged:
        print(i18n.t("import.leads_merged", count=summary.leads_merged))
    if summary.referrals_converted:
        print(i18n.t("import.referrals_converted", count=summary.referrals_converted))
    if summary.authoritative:
        print(i18n.t("import.verified", count=summary.verified, corrected=summary.corrected))
    elif summary.source is not None and args.kind == "customers":
        print(i18n.t("import.not_authoritative", source=summary.source))
    if summary.reject_file and summary.rejected:
        print(i18n.t("import.rejects_written", path=summary.reject_file))
    if summary.dry_run:
        print(i18n.t("import.dry_run_note"))
    return EXIT_OK


@contextmanager
def _progress(name: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(i18n.t("import.progress", file=name), total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update
