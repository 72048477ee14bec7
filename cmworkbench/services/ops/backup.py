"""Backups and restores of the database (``cmw backup``, ``cmw restore``, the nightly job).

SQLite: SQLite's online backup API copies the database from a connection of its own, in one
step under one read transaction: in WAL mode writers go on meanwhile, and the copy is the
database as it stood when the step began (a consistent snapshot). The copy is written next
to the target, checked (``PRAGMA integrity_check``), made a self-contained single file
(journal mode DELETE), given mode 0600 and renamed into place, so a target either holds a
whole checked backup or nothing.

A restore checks that the file is a whole cmworkbench database: a schema version this release
knows, every table and column that version has (the migrations up to it are the reference),
``PRAGMA integrity_check``, and a branch in it (branch and staff rows). It keeps the database it
replaces as a backup beside it (``branch.db.before-restore-YYYYMMDDTHHMMSS.db``) and says
where, then copies the backup over the live database with the same API (open connections see
the restored database at their next transaction), and upgrades the schema when the backup is
older.

PostgreSQL: ``pg_dump --format=custom`` and a restore in one transaction through ``psql``
(:mod:`cmworkbench.services.ops.backup_pg`), with the same checks and the same ``--force``. The
nightly files are ``cmworkbench-YYYYMMDD.dump`` there.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from cmworkbench import clock
from cmworkbench.db.engine import database_file, make_engine, restrict_file_mode, sqlite_file
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import ServiceError
from cmworkbench.services.core.output import failure, output_file, put_in_place, temporary_beside
from cmworkbench.services.ops import backup_pg
from cmworkbench.services.ops.schemas import BackupOut, RestoreOut

NIGHTLY_PATTERN = re.compile(r"^cmworkbench-(\d{8})\.(db|dump)$")
"""The nightly job's file names: ``cmworkbench-YYYYMMDD.db`` (SQLite) or ``.dump`` (a
PostgreSQL archive); the only files it prunes."""


class BackupError(ServiceError):
    """A backup or restore refused or failed; the message says why (CLI exit code 2)."""


def nightly_name(day: date, dialect: str = "sqlite") -> str:
    """The nightly backup's file name for ``day`` (a database of ``dialect``)."""
    return f"cmworkbench-{day:%Y%m%d}.{'dump' if dialect == 'postgresql' else 'db'}"


# -- backup ---------------------------------------------------------------------------------


def backup(
    engine: Engine, target: Path, *, force: bool = False, own_backup: bool = False
) -> BackupOut:
    """Write a consistent backup of ``engine``'s database to ``target``: never over the
    database itself, another database or a dump, an existing file only with ``force``
    (:mod:`.output`); ``own_backup`` is the nightly job replacing its file of the day."""
    out = output_file(
        Path(target), force=force, database=database_file(engine), own_backup=own_backup
    )
    started = time.monotonic()
    temp = temporary_beside(out)
    try:
        if engine.dialect.name == "sqlite":
            revision = _sqlite_backup(engine, temp)
        elif engine.dialect.name == "postgresql":
            revision = _pg_dump(engine, temp)
        else:
            raise BackupError(t("backup.unsupported", dialect=engine.dialect.name))
        put_in_place(temp, out)
    except OSError as exc:
        raise failure(exc, out.path) from None
    finally:
        for leftover in (temp, *_sidecars(temp)):
            leftover.unlink(missing_ok=True)
    return BackupOut(
        path=str(out.path),
        bytes=out.path.stat().st_size,
        seconds=round(time.monotonic() - started, 3),
        revision=revision,
    )


def backup_database(url: str, target: Path, *, force: bool = False) -> BackupOut:
    """:func:`backup` of the database at ``url`` (``cmw backup``), on an engine of its own."""
    engine = make_engine(url)
    try:
        return backup(engine, Path(target), force=force)
    finally:
        engine.dispose()


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))


def _sqlite_backup(engine: Engine, temp: Path) -> str | None:
    if sqlite_file(engine) is None:
        raise BackupError(t("backup.not_a_file"))
    raw = engine.raw_connection()  # a connection of its own, never a unit of work's
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(temp)
        try:
            # pages=-1: the whole database in one step, under one read transaction, so the
            # copy is one snapshot (stepping would restart on every write of another
            # connection, and might never finish while people work).
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check_integrity(dest, temp)
            revision = _revision(dest)
        finally:
            dest.close()
    finally:
        raw.close()
    return revision


def _pg_dump(engine: Engine, temp: Path) -> str | None:
    from cmworkbench.db.migrate import current_revision

    try:
        backup_pg.dump(engine.url, temp)
    except backup_pg.PgToolError as exc:
        raise BackupError(str(exc)) from None
    return current_revision(engine)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        raise BackupError(t("backup.integrity_failed", path=path, message=rows[0][0]))


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


# -- restore --------------------------------------------------------------------------------


def check_backup(source: Path) -> str:
    """The schema revision of the backup ``source``, after checking it is a whole
    cmworkbench database this release knows; :class:`BackupError` otherwise."""
    from cmworkbench.db.migrate import known_revisions

    source = Path(source).expanduser()
    if not source.is_file():
        raise BackupError(t("backup.no_such_file", path=source))
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(t("backup.not_sqlite", path=source, message=exc)) from None
    try:
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(t("backup.not_sqlite", path=source, message=exc)) from None
        if "alembic_version" not in tables:
            raise BackupError(t("backup.foreign", path=source))
        revision = _revision(conn)
        if revision is None:
            raise BackupError(t("backup.foreign", path=source))
        if revision not in known_revisions():
            raise BackupError(t("backup.unknown_revision", path=source, revision=revision))
        _check_integrity(conn, source)
        found = {
            table: {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')} for table in tables
        }
        check_schema(source, revision, found)
        counts = {
            table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in BRANCH_TABLES
        }
        check_branch(source, counts)
    finally:
        conn.close()
    return revision


BRANCH_TABLES = ("branch", "staff")
"""Tables a branch's database never has empty: a backup without rows in them is no branch
(a freshly initialised file, or someone else's database of the same shape)."""


def check_schema(source: Path, revision: str, found: dict[str, set[str]]) -> None:
    """Refuse ``source`` unless it has every table and column ``revision`` has."""
    from cmworkbench.db.migrate import expected_columns

    missing: list[str] = []
    for table, columns in expected_columns(revision).items():
        if table not in found:
            missing.append(table)
        else:
            missing.extend(f"{table}.{c}" for c in sorted(columns - found[table]))
    if missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        raise BackupError(
            t("backup.schema_incomplete", path=source, revision=revision, missing=shown)
        )


def check_branch(source: Path, counts: dict[str, int]) -> None:
    """Refuse ``source`` unless it holds a branch: at least one branch and one staff row."""
    empty = [table for table in BRANCH_TABLES if not counts.get(table)]
    if empty:
        raise BackupError(t("backup.no_branch", path=source, tables=", ".join(empty)))


def restore(engine_url: str, source: Path, *, force: bool = False) -> RestoreOut:
    """Replace the database at ``engine_url`` with the backup ``source`` (only with
    ``force``), then upgrade its schema if the backup is older than this release."""
    from cmworkbench.db.migrate import current_revision, head_revision, upgrade

    source = Path(source).expanduser()
    if make_url(engine_url).get_backend_name() == "postgresql":
        return _restore_pg(engine_url, source, force=force)
    engine = make_engine(engine_url)
    try:
        if engine.dialect.name != "sqlite":
            raise BackupError(t("backup.unsupported", dialect=engine.dialect.name))
        database = sqlite_file(engine)
        if database is None:
            raise BackupError(t("backup.not_a_file"))
        revision = check_backup(source)
        if database.exists() and source.resolve() == database.resolve():
            raise BackupError(t("backup.same_file", path=source))
        replaced = _live_revision(engine) if database.exists() else None
        _require_force(force, database, replaced, source, revision)
        kept = _keep(engine, database.parent, f"{database.name}.before-restore-{_stamp()}.db")
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            raw = engine.raw_connection()
            try:
                dest = raw.driver_connection
                assert isinstance(dest, sqlite3.Connection)
                src.backup(dest, pages=-1)
                _check_integrity(dest, database)
            finally:
                raw.close()
        finally:
            src.close()
        engine.dispose()  # pooled connections hold the old schema's cached statements
        if revision != head_revision():
            upgrade(engine)
        restrict_file_mode(engine)
        return RestoreOut(
            source=str(source),
            database=str(database),
            backup_revision=revision,
            revision=current_revision(engine) or "",
            replaced_revision=replaced,
            kept=kept,
        )
    finally:
        engine.dispose()


def _stamp() -> str:
    """The real local time, for the name of the database a restore replaces."""
    return clock.wall_now().astimezone(clock.branch_tz()).strftime("%Y%m%dT%H%M%S")


def _keep(engine: Engine, folder: Path, name: str) -> str | None:
    """A backup of the live database before a restore replaces it (``None`` if it holds no
    cmworkbench schema: nothing of the branch to keep)."""
    if _live_revision(engine) is None:
        return None
    return backup(engine, folder / name).path


def check_pg_backup(source: Path) -> str:
    """The schema revision of the PostgreSQL backup ``source`` (a pg_dump archive), after
    checking it is a cmworkbench database this release knows; :class:`BackupError`
    otherwise."""
    from cmworkbench.db.migrate import known_revisions

    if not source.is_file():
        raise BackupError(t("backup.no_such_file", path=source))
    if not backup_pg.is_archive(source):
        raise BackupError(t("backup.not_pg_archive", path=source))
    try:
        revision = backup_pg.archive_revision(source)
    except backup_pg.PgToolError as exc:
        raise BackupError(str(exc)) from None
    if revision is None:
        raise BackupError(t("backup.foreign", path=source))
    if revision not in known_revisions():
        raise BackupError(t("backup.unknown_revision", path=source, revision=revision))
    try:
        check_schema(source, revision, backup_pg.archive_columns(source))
        check_branch(source, backup_pg.archive_counts(source, BRANCH_TABLES))
    except backup_pg.PgToolError as exc:
        raise BackupError(str(exc)) from None
    return revision


def _restore_pg(engine_url: str, source: Path, *, force: bool) -> RestoreOut:
    from cmworkbench.db.migrate import current_revision, head_revision, upgrade

    revision = check_pg_backup(source)
    engine = make_engine(engine_url)
    try:
        database = engine.url.render_as_string(hide_password=True)
        replaced = _live_revision(engine)
        _require_force(force, database, replaced, source, revision)
        kept = _keep(engine, source.parent, f"cmworkbench-before-restore-{_stamp()}.dump")
        engine.dispose()  # the schema is dropped: no pooled connection may hold a lock on it
        try:
            backup_pg.replace_database(engine.url, source)
        except backup_pg.PgToolError as exc:
            raise BackupError(str(exc)) from None
        if revision != head_revision():
            upgrade(engine)
        return RestoreOut(
            source=str(source),
            database=database,
            backup_revision=revision,
            revision=current_revision(engine) or "",
            replaced_revision=replaced,
            kept=kept,
        )
    finally:
        engine.dispose()


def _require_force(
    force: bool, database: object, replaced: str | None, source: Path, revision: str
) -> None:
    """A restore replaces the live database: without ``force`` say what would be replaced
    by what, and do nothing."""
    if not force:
        raise BackupError(
            t(
                "backup.restore_needs_force",
                database=database,
                replaced=replaced or "-",
                source=source,
                revision=revision,
            )
        )


def _live_revision(engine: Engine) -> str | None:
    from sqlalchemy.exc import DBAPIError

    from cmworkbench.db.migrate import current_revision

    try:
        return current_revision(engine)
    except DBAPIError:
        return None


# -- retention ------------------------------------------------------------------------------


def prune(directory: Path, keep_days: int) -> int:
    """Delete the nightly backups (``cmworkbench-YYYYMMDD.db``) in ``directory`` dated more
    than ``keep_days`` days before today (branch time); other files are never touched.
    Returns how many were deleted."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        return 0
    oldest = clock.today() - timedelta(days=keep_days)
    deleted = 0
    for path in sorted(directory.iterdir()):
        match = NIGHTLY_PATTERN.match(path.name)
        if match is None or not path.is_file():
            continue
        try:
            day = date(int(match[1][:4]), int(match[1][4:6]), int(match[1][6:]))
        except ValueError:
            continue
        if day < oldest:
            path.unlink()
            deleted += 1
    return deleted


def nightly(engine: Engine, directory: Path, keep_days: int) -> str:
    """The nightly job's work: today's backup into ``directory`` (0700, made if missing),
    then the old ones pruned. Returns a line for the job's run."""
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = nightly_name(clock.today(), engine.dialect.name)
    out = backup(engine, directory / name, force=True, own_backup=True)
    pruned = prune(directory, keep_days)
    return f"wrote {out.path} ({out.bytes} bytes, {out.seconds:.1f} s), pruned {pruned}"
