"""Backups and restores on PostgreSQL (``CMW_TEST_DATABASE=postgresql``; skipped on SQLite):
a backup taken while someone keeps writing is one consistent snapshot, a restore puts exactly
that back in one transaction and refuses what is not a cmworkbench backup, an older backup is
upgraded, and the nightly job writes its archive."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import POSTGRESQL, PostgresDatabases
from scheduling import at, leader, runs
from sqlalchemy import Engine, text
from test_backup import PairWriter, seed_branch

from cmworkbench import i18n
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import SCHEMA_HEAD, current_revision, upgrade
from cmworkbench.jobs.leader import Leader
from cmworkbench.services.ops.backup import BackupError, backup, restore

pytestmark = pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only (CMW_TEST_DATABASE)")


@pytest.fixture(autouse=True)
def _english() -> None:
    """Messages are matched in English (conftest puts the language back)."""
    i18n.set_language("en")


def _codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT code FROM branch WHERE code LIKE 'w%'"))}


def test_a_backup_while_someone_writes_is_one_consistent_snapshot(
    engine: Engine, tmp_path: Path
) -> None:
    seed_branch(engine)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO branch (code, name) VALUES (:c, :n)"),
            [{"c": f"pad{i}", "n": "x" * 90} for i in range(2000)],
        )
    writer = PairWriter(engine)
    writer.start()
    while writer.committed < 20:
        time.sleep(0.001)
    target = tmp_path / "backup.dump"
    out = backup(engine, target)
    writer.stopped.set()
    writer.join(10)
    assert writer.error is None
    assert out.revision == SCHEMA_HEAD and out.bytes == target.stat().st_size
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.dump"]  # no temp left
    # Restoring puts exactly the snapshot back over the live database.
    result = restore(str(engine.url.render_as_string(hide_password=False)), target, force=True)
    assert result.backup_revision == result.revision == SCHEMA_HEAD
    codes = _codes(engine)
    n = len(codes)
    assert n % 2 == 0 and n >= 40  # every transaction's pair, or neither of its rows
    assert all(f"w{i}a" in codes and f"w{i}b" in codes for i in range(n // 2))
    assert writer.committed > n // 2  # the writer went on after the snapshot
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM branch WHERE code LIKE 'pad%'")).scalar()
    # The restored database works as before: triggers, search index, append-only audit log.
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).scalar()


def test_cli_backup_and_restore(
    engine: Engine, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cli.dump"
    seed_branch(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (code, name) VALUES ('w0a', 'before')"))
    assert main(["--db", database_url, "backup", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert main(["--db", database_url, "backup", str(target)]) == 2  # exists
    assert "--force" in capsys.readouterr().err
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (code, name) VALUES ('w0b', 'after')"))
    assert main(["--db", database_url, "restore", str(target)]) == 2  # no --force: explain
    err = capsys.readouterr().err
    assert "--force" in err and "cli.dump" in err and "cmw:cmw@" not in err
    assert _codes(engine) == {"w0a", "w0b"}
    assert main(["--db", database_url, "restore", str(target), "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["revision"] == SCHEMA_HEAD
    assert _codes(engine) == {"w0a"}
    # what is not a pg_dump archive is refused, and the database stays as it was
    sqlite_file = tmp_path / "t.db"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    for wrong in (sqlite_file, tmp_path / "missing.dump"):
        assert main(["--db", database_url, "restore", str(wrong), "--force"]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert _codes(engine) == {"w0a"}


def _archive(
    postgres: PostgresDatabases,
    target: Path,
    prepare: Callable[[Engine], object],
    *,
    migrated: bool = False,
) -> Path:
    """A pg_dump archive at ``target`` of a database of its own (empty, or at the newest
    schema if ``migrated``) after ``prepare(engine)``; the database is dropped again."""
    name = postgres.create() if migrated else postgres.create_empty()
    engine = make_engine(postgres.url_of(name))
    try:
        prepare(engine)
        backup(engine, target)
    finally:
        engine.dispose()
        postgres.drop(name)
    return target


def test_restoring_an_older_backup_upgrades_its_schema(
    postgres: PostgresDatabases, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    def at_0004(old: Engine) -> None:
        upgrade(old, "0004")
        seed_branch(old)

    old = _archive(postgres, tmp_path / "old.dump", at_0004)
    result = restore(database_url, old, force=True)
    assert (result.backup_revision, result.revision) == ("0004", SCHEMA_HEAD)
    assert current_revision(engine) == SCHEMA_HEAD


def test_a_foreign_archive_is_refused(
    postgres: PostgresDatabases, database_url: str, tmp_path: Path
) -> None:
    def ledger(foreign: Engine) -> None:
        with foreign.begin() as conn:
            conn.execute(text("CREATE TABLE ledger (id int)"))

    foreign = _archive(postgres, tmp_path / "foreign.dump", ledger)
    with pytest.raises(BackupError, match="not a cmworkbench database"):
        restore(database_url, foreign, force=True)


@pytest.fixture
def leaders() -> Iterator[list[Leader]]:
    made: list[Leader] = []
    yield made
    for one in made:
        one.stop()


def test_the_nightly_job_writes_a_pg_dump_archive(
    engine: Engine, settings: Settings, leaders: list[Leader], tmp_path: Path
) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    (folder / "cmworkbench-20261101.dump").write_text("old")
    nightly = replace(
        settings,
        scheduler=replace(settings.scheduler, backup_dir=str(folder), backup_keep_days=7),
    )
    a = leader(engine, nightly, leaders, "a")
    at("2026-11-22T02:00", a)
    assert runs(engine, "backup")[-1] == ("backup", "2026-11-22", "done")
    written = folder / "cmworkbench-20261122.dump"
    assert written.read_bytes()[:5] == b"PGDMP"
    assert sorted(p.name for p in folder.iterdir()) == ["cmworkbench-20261122.dump"]


def test_a_restore_keeps_what_it_replaces_and_refuses_an_archive_without_a_branch(
    postgres: PostgresDatabases, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    seed_branch(engine)
    saved = tmp_path / "saved.dump"
    backup(engine, saved)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (code, name) VALUES ('w1a', 'written later')"))
    result = restore(database_url, saved, force=True)
    assert result.kept is not None and Path(result.kept).parent == tmp_path
    assert Path(result.kept).read_bytes()[:5] == b"PGDMP"
    assert _codes(engine) == set()  # the restored snapshot; the later row is in the kept file
    empty = _archive(postgres, tmp_path / "empty.dump", lambda _: None, migrated=True)
    with pytest.raises(BackupError, match="staff"):  # the schema, but no branch in it
        restore(database_url, empty, force=True)
