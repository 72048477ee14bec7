"""A careless operator at the console of a branch at work: every destructive command pointed at
the live database is refused with one clear line, and the branch loses nothing meanwhile.

While a writer process keeps committing rows to the branch's SQLite file (as the managers'
sessions do all day), someone runs, as real ``cmw`` processes: a report and a handover
dry-run written over the database (or its ``-wal``, or another spelling of its path), an
export through a link onto it, an import whose rejects would overwrite its own source, a
backup "onto" the database with ``--force``, and a restore of a file that only claims the
schema version or holds the schema without a branch. Each exits with code 2 and one line on
stderr; afterwards every row the writer was told was committed is in the file, ``PRAGMA
integrity_check`` says ``ok``, the customers are all there and the file is the same file
(same inode) the running sessions have open. The unit tests of each refusal are in
``tests/test_careless_operator.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from branch_setup import integrity, report, scalar, seed
from conftest import Factory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import SCHEMA_HEAD
from cmworkbench.db.models import Branch as BranchRow

pytestmark = pytest.mark.processes

MANAGERS = 2
CUSTOMERS = 2
"""Customers per manager: the file holds ``MANAGERS * CUSTOMERS`` of them."""
PAUSE = 0.005
"""Seconds between two of the writer's commits: a busy branch, not a benchmark."""


def writer(url: str, journal: str, stop: multiprocessing.synchronize.Event) -> None:
    """Commit a branch row ``w0``, ``w1``… at a time until ``stop``; after each commit append
    ``ok <code>`` to ``journal``. A "database is locked" is retried (``retry``); any other
    error is written down (``error …``) for the test to fail on."""
    engine = make_engine(url)
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    insert = text("INSERT INTO branch (code, name) VALUES (:c, :n)")
    n = 0
    while not stop.is_set():
        code = f"w{n}"
        try:
            with engine.begin() as conn:
                conn.execute(insert, {"c": code, "n": f"写入{n}"})
        except OperationalError as error:
            if "database is locked" in str(error):
                os.write(fd, b"retry\n")
                continue
            os.write(fd, f"error {code} {type(error).__name__}: {error}\n".encode())
        except Exception as error:  # anything else is a finding
            os.write(fd, f"error {code} {type(error).__name__}: {error}\n".encode())
        else:
            os.write(fd, f"ok {code}\n".encode())
        n += 1
        time.sleep(PAUSE)
    os.close(fd)
    engine.dispose()


def journal_lines(journal: Path) -> list[str]:
    return journal.read_text("utf-8").splitlines() if journal.exists() else []


def committed(journal: Path) -> list[str]:
    """The codes the writer saw committed so far."""
    return [ln.split()[1] for ln in journal_lines(journal) if ln.startswith("ok ")]


def cmw(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """One ``cmw`` process on ``url``, in English, as the operator types it."""
    return subprocess.run(
        [sys.executable, "-m", "cmworkbench", "--db", url, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CMW_LANGUAGE": "en"},
        timeout=60,
    )


def add_head_and_admin(url: str) -> None:
    """The branch head 周行长, who may run ``report branch``, and the administrator 孙磊,
    whom ``export`` acts as when no ``--as`` is given."""
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            branch = session.get(BranchRow, 1)
            assert branch is not None
            f = Factory(session)
            f.staff(branch, "zhouhz", "周行长", role="branch_head")
            f.staff(branch, "sunlei", "孙磊", role="admin")
    finally:
        engine.dispose()


def fake_branch(path: Path) -> Path:
    """A SQLite file whose only table claims the newest schema."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (SCHEMA_HEAD,))
    conn.commit()
    conn.close()
    return path


def test_a_careless_operator_destroys_nothing_while_the_branch_is_writing(tmp_path: Path) -> None:
    live = tmp_path / "branch.db"
    branch = seed(live, MANAGERS, customers=CUSTOMERS, tasks=1)
    add_head_and_admin(branch.url)
    customers = scalar(branch.url, "SELECT COUNT(*) FROM customer")
    assert customers == MANAGERS * CUSTOMERS

    source = tmp_path / "customers.csv"
    source.write_text("客户号,客户名称,类别,客户经理\r\nC99-00,新客户,Z9,m00\r\n", "utf-8-sig")
    source_bytes = source.read_bytes()
    link = tmp_path / "alias.csv"
    link.symlink_to(live)
    fake = fake_branch(tmp_path / "fake.db")
    empty = tmp_path / "empty.db"
    made = cmw(f"sqlite:///{empty}", "init")
    assert made.returncode == 0, made.stderr
    other_spelling = f"{live.parent}/./{live.name}"

    live_db = "live database"
    # (what the operator types, what the refusal must say)
    commands: list[tuple[list[str], str]] = [
        (["report", "branch", "--format", "csv", "-o", str(live), "--force", "--as", "zhouhz"],
         live_db),
        (["report", "branch", "--format", "csv", "-o", f"{live}-wal", "--force", "--as",
          "boss"], live_db),
        (["report", "branch", "--format", "csv", "-o", other_spelling, "--force", "--as",
          "zhouhz"], live_db),
        (["handover", "--from", "m00", "--to", "m01", "--dry-run", "-o", str(live), "--force"],
         live_db),
        (["export", "customers", "-o", str(link), "--force"], live_db),
        (["import", "customers", str(source), "--skip-bad", "--reject", str(source)],
         "own input file"),
        (["backup", str(live), "--force"], live_db),
        (["backup", other_spelling, "--force"], live_db),
        (["restore", str(fake), "--force"], "not a whole cmworkbench database"),
        (["restore", str(empty), "--force"], "holds no branch"),
    ]  # fmt: skip

    inode = live.stat().st_ino
    journal = tmp_path / "writer.journal"
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    process = context.Process(target=writer, args=(branch.url, str(journal), stop), daemon=True)
    process.start()
    outcomes: list[tuple[str, int, str, int]] = []
    try:
        deadline = time.monotonic() + 10
        while not committed(journal) and time.monotonic() < deadline:
            time.sleep(0.01)  # the branch is at work before the operator starts
        assert committed(journal), journal_lines(journal)
        began, writes_before = time.monotonic(), len(committed(journal))
        for args, _ in commands:
            done = cmw(branch.url, *args)
            outcomes.append((" ".join(args), done.returncode, done.stderr, live.stat().st_ino))
        elapsed, writes_during = time.monotonic() - began, len(committed(journal)) - writes_before
        time.sleep(0.1)  # and goes on after the last command
    finally:
        stop.set()
        process.join(timeout=20)
        if process.is_alive():
            process.kill()
            process.join(timeout=10)
    assert process.exitcode == 0, process.exitcode

    lines = journal_lines(journal)
    saved = committed(journal)
    errors = [ln for ln in lines if ln.startswith("error")]
    report(
        "careless_operator",
        commands=len(commands),
        writes_during_commands=writes_during,
        writes=len(saved),
        seconds=round(elapsed, 2),
        retries=lines.count("retry"),
        errors=len(errors),
    )

    for (typed, code, err, after), (_, named) in zip(outcomes, commands, strict=True):
        refusal = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2, (typed, code, err)
        assert len(refusal) == 1 and "Traceback" not in err, (typed, err)
        assert named in refusal[0], (typed, refusal[0])
        assert after == inode, (typed, "the live file was replaced")
    assert source.read_bytes() == source_bytes, "the import's source file was overwritten"
    assert live.read_bytes()[:16] == b"SQLite format 3\x00"
    assert integrity(branch.url) == "ok"
    assert errors == [], errors[:10]
    assert writes_during > 0, "the writer was idle while the commands ran"
    engine = make_engine(branch.url)
    try:
        with engine.connect() as conn:
            stored = set(conn.execute(text("SELECT code FROM branch")).scalars())
    finally:
        engine.dispose()
    lost = [c for c in saved if c not in stored]
    assert lost == [], f"{len(lost)} committed rows lost: {lost[:10]}"
    assert scalar(branch.url, "SELECT COUNT(*) FROM customer") == customers
    assert live.stat().st_ino == inode
