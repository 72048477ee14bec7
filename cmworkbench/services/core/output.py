"""Files the workbench writes for people: what they may never be, and how they are written.

Every file a command writes (``-o`` of an export, a report, a handover list or a visit plan,
an import's ``--reject`` file, a backup, ``authorized_keys``) goes through :func:`output_file`
and :func:`atomic_write`, so one careless path cannot destroy the branch's data:

* **Never the live database.** Not the SQLite file, nor its ``-wal``, ``-shm`` or ``-journal``
  (a stray file there is taken as a journal and corrupts the database), however the path is
  spelled: ``./``, ``..``, a symbolic or a hard link are caught with :func:`os.path.samefile`.
* **Never the command's own input** (an import's source file, its mapping, a key file).
* **Never a database or a dump**, even with ``--force``: a file that starts like a SQLite
  database, a SQLite journal or a PostgreSQL dump is somebody's data; an output is given a
  name of its own. (The nightly backup job replaces its own file of the day, and only that:
  see :mod:`cmworkbench.services.ops.backup`.)
* **Any other existing file only with** ``--force``.

Writing: to a temporary file beside the target (mode 0600: customer data), flushed to disk,
then put in place in one step, so the target holds either the whole new file or what it held
before. Without ``--force`` the last step is a hard link, which fails if a file appeared
meanwhile, so even a race never overwrites one. A full or failing disk is the machine's
failure (:class:`~cmworkbench.services.core.errors.MachineFailure`, exit code 1); a path that
cannot be written (no such folder, no permission) is the person's (exit code 2).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput, MachineFailure

SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database (write-ahead log, shared memory index, rollback
journal); each belongs to the database."""
_DATA_MAGIC = (
    (b"SQLite format 3\x00", "output.is_database"),
    (b"\x37\x7f\x06\x82", "output.is_database"),  # a SQLite WAL file (either byte order)
    (b"\x37\x7f\x06\x83", "output.is_database"),
    (b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", "output.is_database"),  # a SQLite rollback journal
    (b"PGDMP", "output.is_dump"),  # pg_dump --format=custom
    (b"--\n-- PostgreSQL database dump", "output.is_dump"),  # pg_dump as plain SQL
)
_MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}
"""Write errors that are the machine's, not the path's: a full disk, a quota, a failing or
read-only disk."""


@dataclass(frozen=True)
class OutputFile:
    """A checked output path: where to write, and what it must never be."""

    path: Path
    force: bool = False
    """Replace an existing (ordinary) file."""
    keep: tuple[tuple[Path, str], ...] = ()
    """Files the output must never be, each with the catalog key saying what it is."""
    own_backup: bool = False
    """The nightly backup job's file of the day: it may replace an earlier backup of that
    day (a database or a dump), and nothing else may."""


def database_files(database: Path | None) -> list[tuple[Path, str]]:
    """The live SQLite database ``database`` and its journals, as :attr:`OutputFile.keep`."""
    if database is None:
        return []
    return [
        (database.with_name(database.name + suffix), "output.live_database")
        for suffix in ("", *SQLITE_SIDECARS)
    ]


def output_file(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    database: Path | None = None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    own_backup: bool = False,
) -> OutputFile:
    """``path`` checked as an output (see the module doc), before any work is done.

    ``database`` is the live SQLite file (``None`` on PostgreSQL), ``inputs`` the files the
    command reads. Raises :class:`InvalidInput` naming the path and what it is."""
    text = os.fspath(path)
    if not text.strip():
        raise InvalidInput(t("output.empty_path"))
    keep = database_files(database)
    keep += [(Path(p), "output.input_file") for p in inputs if p is not None]
    target = OutputFile(Path(text).expanduser(), force, tuple(keep), own_backup)
    check(target)
    return target


def check(target: OutputFile) -> None:
    """Refuse ``target`` if it is (now) one of the files it must never be; see the module doc."""
    path = target.path
    if path.is_dir():
        raise InvalidInput(t("output.is_folder", path=path))
    if not path.parent.is_dir():
        raise InvalidInput(t("output.no_folder", path=path, folder=path.parent))
    for kept, never in target.keep:
        if _same(path, kept):
            raise InvalidInput(t(never, path=path, file=kept))
    if not path.exists():
        return
    holds = data_kind(path)
    if holds is not None and not target.own_backup:
        raise InvalidInput(t(holds, path=path))
    if not target.force:
        raise InvalidInput(t("output.exists", path=path))


def data_kind(path: Path) -> str | None:
    """The catalog key saying ``path`` holds a database or a dump, or ``None``."""
    try:
        with path.open("rb") as file:
            head = file.read(32)
    except OSError:
        return None  # unreadable: the write will say why
    for magic, what in _DATA_MAGIC:
        if head.startswith(magic):
            return what
    return None


def _same(path: Path, other: Path) -> bool:
    """Whether ``path`` and ``other`` name one file: the same inode when both exist (links
    and every spelling), else the same resolved path (a journal that does not exist yet)."""
    try:
        if path.exists() and other.exists():
            return os.path.samefile(path, other)
        return path.resolve() == other.resolve()
    except OSError:
        return False


@contextmanager
def atomic_write(target: OutputFile) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``target.path`` (mode 0600) only when the block completes;
    see the module doc. Errors are one line: :class:`InvalidInput` or :class:`MachineFailure`."""
    path = target.path
    temp = temporary_beside(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise failure(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        put_in_place(temp, target)
    except OSError as exc:
        raise failure(exc, path) from None
    finally:
        temp.unlink(missing_ok=True)


def temporary_beside(target: OutputFile) -> Path:
    """The temporary file a writer fills before :func:`put_in_place` (same folder: one
    file system, so the last step is a rename)."""
    return target.path.with_name(f".{target.path.name}.{os.getpid()}.tmp")


def put_in_place(temp: Path, target: OutputFile) -> None:
    """Make the complete file ``temp`` the target (mode 0600), after checking the target
    again (the work took a while); the caller removes ``temp`` if anything fails."""
    os.chmod(temp, 0o600)  # O_CREAT honours the umask only on a new file
    check(target)
    if target.force or target.own_backup:
        os.replace(temp, target.path)
        return
    try:
        os.link(temp, target.path)  # fails if the file appeared meanwhile
    except FileExistsError:
        raise InvalidInput(t("output.exists", path=target.path)) from None
    except OSError:  # a file system without hard links: checked a moment ago
        os.replace(temp, target.path)


def failure(exc: OSError, path: Path) -> InvalidInput | MachineFailure:
    """The one-line error for ``exc`` while writing ``path``: the machine's or the path's."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in _MACHINE_ERRORS:
        return MachineFailure(t("output.disk_failed", path=path, reason=reason))
    return InvalidInput(t("export.write_failed", path=path, reason=reason))


def write_text(target: OutputFile, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` (see :func:`atomic_write`)."""
    with atomic_write(target) as out:
        out.write(text.encode(encoding))


def as_output(path: OutputFile | str | os.PathLike[str], **checks: Any) -> OutputFile:
    """``path`` itself if already checked, else :func:`output_file` of it."""
    if isinstance(path, OutputFile):
        return path
    return output_file(path, **checks)
