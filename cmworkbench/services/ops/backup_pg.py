"""Backups and restores of a PostgreSQL database, with PostgreSQL's own client tools.

Backup: ``pg_dump --format=custom``. pg_dump reads in one repeatable-read transaction, so the
archive is the database as it stood when the dump began, while others go on writing.

Restore: the archive's schema version is read from its ``alembic_version`` data (``pg_restore
--data-only --table=alembic_version``) and checked as a SQLite backup's is. Then, in one
transaction (``psql --single-transaction``), the ``public`` schema is dropped, created again
and filled with the archive's SQL (``pg_restore --file=-``): a restore that fails half-way
leaves the database as it was. Owners and privileges are not restored: every object belongs
to the role of ``database_url``, whatever role owned it where the backup was taken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from cmworkbench.i18n import t
from cmworkbench.services.core.errors import ServiceError

MAGIC = b"PGDMP"
"""The first bytes of a pg_dump custom-format archive."""


class PgToolError(ServiceError):
    """A PostgreSQL client tool is missing or failed; the message says which and why."""


def _connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment (the password never goes on a command line)."""
    args = []
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _last_line(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit code {done.returncode}"


def dump(url: URL, target: Path) -> None:
    """Write ``url``'s database to ``target`` as a custom-format archive."""
    if shutil.which("pg_dump") is None:
        raise PgToolError(t("backup.no_pg_dump"))
    args, env = _connection(url)
    command = ["pg_dump", "--format=custom", "--no-password", f"--file={target}", *args]
    done = subprocess.run(
        [*command, f"--dbname={url.database or ''}"], env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise PgToolError(t("backup.pg_dump_failed", message=_last_line(done)))


def is_archive(source: Path) -> bool:
    """Whether ``source`` starts like a pg_dump custom-format archive."""
    with open(source, "rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def archive_revision(source: Path) -> str | None:
    """The schema version stored in the archive ``source``, or ``None`` when it has none."""
    if shutil.which("pg_restore") is None:
        raise PgToolError(t("backup.no_pg_restore"))
    done = subprocess.run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise PgToolError(t("backup.pg_restore_failed", message=_last_line(done)))
    lines = done.stdout.decode(errors="replace").splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[i + 1].strip()
            return value if value and value != "\\." else None
    return None


def _restore_text(source: Path, *options: str) -> str:
    """What ``pg_restore`` prints for ``source`` with ``options`` (SQL, to standard output)."""
    if shutil.which("pg_restore") is None:
        raise PgToolError(t("backup.no_pg_restore"))
    done = subprocess.run(
        ["pg_restore", *options, "--file=-", str(source)], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise PgToolError(t("backup.pg_restore_failed", message=_last_line(done)))
    return done.stdout.decode(errors="replace")


def archive_columns(source: Path) -> dict[str, set[str]]:
    """Each table the archive creates in ``public``, with its columns (from its schema SQL)."""
    tables: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in _restore_text(source, "--schema-only").splitlines():
        if current is None:
            if line.startswith("CREATE TABLE public.") and line.rstrip().endswith("("):
                name = line[len("CREATE TABLE public.") :].split()[0].strip('"')
                current = tables.setdefault(name, set())
            continue
        if line.startswith(")"):
            current = None
            continue
        word = line.strip().split(" ", 1)[0].strip('"')
        if word and word.upper() not in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
            current.add(word)
    return tables


def archive_counts(source: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """How many rows the archive holds for each of ``tables``."""
    options = ["--data-only", *(f"--table={table}" for table in tables)]
    counts = dict.fromkeys(tables, 0)
    table: str | None = None
    for line in _restore_text(source, *options).splitlines():
        if table is None:
            if line.startswith("COPY public."):
                table = line[len("COPY public.") :].split()[0].strip('"')
            continue
        if line == "\\.":
            table = None
        elif table in counts:
            counts[table] += 1
    return counts


def replace_database(url: URL, source: Path) -> None:
    """Replace everything in ``url``'s ``public`` schema with the archive ``source``, in one
    transaction."""
    if shutil.which("pg_restore") is None or shutil.which("psql") is None:
        raise PgToolError(t("backup.no_pg_restore"))
    args, env = _connection(url)
    sql = subprocess.Popen(
        ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        done = subprocess.run(
            [
                "psql",
                "--no-psqlrc",
                "--no-password",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                *args,
                f"--dbname={url.database or ''}",
                "--command=DROP SCHEMA public CASCADE",
                "--command=CREATE SCHEMA public",
                "--file=-",
            ],
            stdin=sql.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
    finally:
        assert sql.stdout is not None
        sql.stdout.close()
        restore_errors = sql.stderr.read() if sql.stderr else b""
        sql.wait()
    if sql.returncode != 0:
        failed = subprocess.CompletedProcess(sql.args, sql.returncode, b"", restore_errors)
        raise PgToolError(t("backup.pg_restore_failed", message=_last_line(failed)))
    if done.returncode != 0:
        raise PgToolError(t("backup.pg_restore_failed", message=_last_line(done)))
