"""Backups and restores: a backup taken while someone keeps writing is one consistent snapshot,
a restore puts exactly that back and refuses what is not a cmworkbench database, and the
nightly job writes its file and prunes the old ones."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from scheduling import at, leader, runs
from sqlalchemy import Engine, text

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import SCHEMA_HEAD, current_revision, upgrade
from cmworkbench.jobs.leader import Leader
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.ops.backup import BackupError, backup, prune, restore

pytestmark = pytest.mark.sqlite_only  # PostgreSQL: test_backup_postgres.py


@pytest.fixture(autouse=True)
def _english() -> None:
    """Messages are matched in English (conftest puts the language back)."""
    i18n.set_language("en")


def _counts(path: Path) -> tuple[int, set[str]]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        codes = {r[0] for r in conn.execute("SELECT code FROM branch WHERE code LIKE 'w%'")}
        return len(codes), codes
    finally:
        conn.close()


class PairWriter(threading.Thread):
    """Inserts two branches per transaction (``wNa`` and ``wNb``) until stopped."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.stopped = threading.Event()
        self.committed = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                n = self.committed
                with self.engine.begin() as conn:
                    for side in ("a", "b"):
                        conn.execute(
                            text("INSERT INTO branch (code, name) VALUES (:c, :n)"),
                            {"c": f"w{n}{side}", "n": f"writer {n}"},
                        )
                self.committed += 1
        except BaseException as exc:  # reported by the test
            self.error = exc


def seed_branch(engine: Engine) -> None:
    """A branch and its administrator: a restore takes only a database holding a branch."""
    with engine.begin() as conn:  # plain SQL: the schema may be an old revision's
        branch = conn.execute(
            text("INSERT INTO branch (code, name) VALUES ('0101', '示例支行') RETURNING id")
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO staff (login, name, role, branch_id, active, created_at, version)"
                " VALUES ('admin', '孙磊', 'admin', :branch, :yes, :at, 1)"
            ),
            {"branch": branch, "yes": True, "at": "2026-11-23 00:30:00"},
        )


@pytest.fixture
def _branch(engine: Engine) -> None:
    seed_branch(engine)


@pytest.fixture
def big(engine: Engine) -> Engine:
    """The test database with some megabytes in it, so a backup takes a while."""
    seed_branch(engine)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO branch (code, name) VALUES (:c, :n)"),
            [{"c": f"pad{i}", "n": "x" * 2000} for i in range(4000)],
        )
    return engine


@pytest.fixture
def writer(big: Engine) -> Iterator[PairWriter]:
    one = PairWriter(big)
    one.start()
    while one.committed < 20:  # writing for real before the backup starts
        time.sleep(0.001)
    yield one
    one.stopped.set()
    one.join(10)


def test_a_backup_while_someone_writes_is_one_consistent_snapshot(
    big: Engine, writer: PairWriter, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "backup.db"
    target.parent.mkdir()
    out = backup(big, target)
    time.sleep(0.05)
    assert writer.is_alive() and writer.error is None  # the writer never waited for us
    writer.stopped.set()
    writer.join(10)
    assert writer.error is None
    n, codes = _counts(target)
    assert n % 2 == 0 and n >= 40  # every transaction's pair, or neither of its rows
    assert all(f"w{i}a" in codes and f"w{i}b" in codes for i in range(n // 2))
    assert writer.committed > n // 2  # the writer went on after the snapshot
    assert out.revision == SCHEMA_HEAD and out.bytes == target.stat().st_size > 8_000_000
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["backup.db"]  # no temp left
    # Restoring puts exactly the snapshot back over the live database.
    result = restore(str(big.url), target, force=True)
    assert result.backup_revision == result.revision == SCHEMA_HEAD
    with big.connect() as conn:
        live = {r[0] for r in conn.execute(text("SELECT code FROM branch WHERE code LIKE 'w%'"))}
        pads = conn.execute(text("SELECT count(*) FROM branch WHERE code LIKE 'pad%'")).scalar()
    assert live == codes and pads == 4000


def test_a_backup_does_not_overwrite_without_force(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    target.write_text("keep me")
    with pytest.raises(InvalidInput, match="--force"):
        backup(engine, target)
    assert target.read_text() == "keep me"
    assert backup(engine, target, force=True).revision == SCHEMA_HEAD
    with pytest.raises(InvalidInput, match="database"):  # now a backup: kept, even with force
        backup(engine, target, force=True)


def test_restore_refuses_what_is_not_a_cmworkbench_database(engine: Engine, tmp_path: Path) -> None:
    url = str(engine.url)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="not a cmworkbench database"):
        restore(url, foreign, force=True)
    notes = tmp_path / "notes.txt"
    notes.write_text("just some text, long enough to look like a header of a file\n" * 20)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(url, notes, force=True)
    with pytest.raises(BackupError, match="does not exist"):
        restore(url, tmp_path / "missing.db", force=True)
    newer = tmp_path / "newer.db"
    backup(engine, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="9999, unknown to this release"):
        restore(url, newer, force=True)
    assert current_revision(engine) == SCHEMA_HEAD  # the live database is untouched


@pytest.mark.usefixtures("_branch")
def test_restore_without_force_says_what_it_would_replace(engine: Engine, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    backup(engine, saved)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (code, name) VALUES ('late', 'written later')"))
    with pytest.raises(BackupError, match="--force") as refused:
        restore(str(engine.url), saved)
    assert str(engine.url.database) in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM branch")).scalar() == 2
    restore(str(engine.url), saved, force=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM branch")).scalar() == 1


def test_restoring_an_older_backup_upgrades_its_schema(tmp_path: Path) -> None:
    old = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(old, "0001")
    seed_branch(old)
    saved = tmp_path / "old-backup.db"
    assert backup(old, saved).revision == "0001"
    old.dispose()
    live = make_engine(f"sqlite:///{tmp_path}/live.db")
    upgrade(live)
    result = restore(str(live.url), saved, force=True)
    assert (result.backup_revision, result.revision) == ("0001", SCHEMA_HEAD)
    assert current_revision(live) == SCHEMA_HEAD
    live.dispose()


@pytest.mark.usefixtures("_branch")
def test_cli_backup_and_restore_exit_codes(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    url = str(engine.url)
    target = tmp_path / "cli.db"
    assert main(["--db", url, "backup", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert main(["--db", url, "backup", str(target)]) == 2  # exists
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert main(["--db", url, "backup", str(target), "--force"]) == 2  # a backup: kept
    assert "cli.db" in capsys.readouterr().err
    target = tmp_path / "cli2.db"
    assert main(["--db", url, "backup", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["revision"] == SCHEMA_HEAD
    assert main(["--db", url, "restore", str(target)]) == 2  # no --force: explain, exit 2
    assert "--force" in capsys.readouterr().err
    assert main(["--db", url, "restore", str(target), "--force"]) == 0
    assert url.split("///")[1] in capsys.readouterr().out
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n" * 100)
    assert main(["--db", url, "restore", str(notes), "--force"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as usage:  # PATH is required (argparse)
        main(["--db", url, "restore"])
    assert usage.value.code == 2


def test_prune_deletes_only_old_nightly_backups(tmp_path: Path) -> None:
    clock.freeze("2026-11-23T02:00")
    for name in ("cmworkbench-20261108.db", "cmworkbench-20261109.db", "cmworkbench-20261123.db"):
        (tmp_path / name).write_text("x")
    (tmp_path / "cmworkbench-20260101.db.keep").write_text("not ours")
    (tmp_path / "other.db").write_text("not ours")
    assert prune(tmp_path, 14) == 1  # the 8th is 15 days old; the 9th is 14
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cmworkbench-20260101.db.keep",
        "cmworkbench-20261109.db",
        "cmworkbench-20261123.db",
        "other.db",
    ]
    assert prune(tmp_path / "missing", 14) == 0


@pytest.fixture
def leaders() -> Iterator[list[Leader]]:
    made: list[Leader] = []
    yield made
    for one in made:
        one.stop()


def test_the_nightly_job_writes_todays_backup_and_prunes_old_ones(
    engine: Engine, settings: Settings, leaders: list[Leader], tmp_path: Path
) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    (folder / "cmworkbench-20261101.db").write_text("old")
    (folder / "cmworkbench-20261120.db").write_text("recent")
    nightly = replace(
        settings,
        scheduler=replace(settings.scheduler, backup_dir=str(folder), backup_keep_days=7),
    )
    a = leader(engine, nightly, leaders, "a")
    at("2026-11-22T01:59", a)  # a Sunday: the backup runs every day
    assert not (folder / "cmworkbench-20261122.db").exists()
    started = time.monotonic()
    at("2026-11-22T02:00", a)  # in the run's unit of work, which holds the database
    assert time.monotonic() - started < 5  # no waiting on a lock
    assert runs(engine, "backup")[-1] == ("backup", "2026-11-22", "done")
    written = folder / "cmworkbench-20261122.db"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [
        "cmworkbench-20261120.db",
        "cmworkbench-20261122.db",
    ]
    with engine.connect() as conn:
        detail = conn.execute(
            text("SELECT detail FROM job_run WHERE job_id = 'backup' ORDER BY id DESC")
        ).scalar()
    assert detail is not None and "pruned 1" in detail
    conn2 = sqlite3.connect(written)
    assert conn2.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn2.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_HEAD
    conn2.close()


def test_without_a_backup_dir_the_nightly_job_does_nothing(
    engine: Engine, settings: Settings, leaders: list[Leader], tmp_path: Path
) -> None:
    assert settings.scheduler.backup_dir == ""
    a = leader(engine, settings, leaders, "a")
    at("2026-11-23T02:00", a)
    assert runs(engine, "backup") == [("backup", "2026-11-23", "done")]
    assert not any(p.name.startswith("cmworkbench-") for p in tmp_path.iterdir())
    assert os.listdir(tmp_path)  # only the test database is there
