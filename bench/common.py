"""What the benchmarks share: the demo database they run on, the machine they ran on, and
the small statistics they print.

Every benchmark runs alone (``python bench/lookup.py``) and under ``python -m bench all``;
each puts this directory on ``sys.path`` and imports this module as ``common``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

NOW = "2026-11-23T08:30"
"""The branch-local instant every benchmark's demo data and clock are built around (a Monday)."""
WORKDIR = Path(tempfile.gettempdir()) / "cmw-bench"
"""Where the demo databases are kept between runs."""


def cmw() -> str:
    """The ``cmw`` command of the running virtual environment."""
    return str(Path(sys.executable).with_name("cmw"))


def add_database_args(parser: argparse.ArgumentParser, customers: int = 1_000_000) -> None:
    """``--customers``, ``--seed``, ``--workdir`` and ``--db`` (a demo database to use as
    it is, as ``python -m bench all`` passes the one it built)."""
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--db", type=Path, help="a demo database file to use (default: build)")


def database(args: argparse.Namespace, name: str = "lookup") -> Path:
    """The demo database the arguments name: ``--db``, or the one kept (or built) in
    ``--workdir`` under ``name``."""
    if args.db is not None:
        return Path(args.db)
    return demo_database(args.workdir, args.customers, args.seed, name)


def demo_database(workdir: Path, customers: int, seed: int, name: str = "lookup") -> Path:
    """``workdir/name-customers-seed.db``, built once with the real CLI (``cmw init`` +
    ``cmw demo`` at :data:`NOW`) and upgraded by ``cmw init`` when kept from an older
    release."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{name}-{customers}-{seed}.db"
    url = f"sqlite:///{db}"
    built = db.exists()
    subprocess.run([cmw(), "--db", url, "init"], check=True, capture_output=True)
    if not built:
        demo = [cmw(), "--db", url, "--now", NOW, "demo", "--customers", str(customers)]
        subprocess.run([*demo, "--seed", str(seed)], check=True)
    return db


def copy_database(source: Path, target: Path) -> Path:
    """A fresh copy of ``source`` at ``target`` (SQLite's online backup; an old copy and its
    WAL are removed first), so a benchmark that writes starts from the same state."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def remove_database(path: Path) -> None:
    """Delete a database file with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ms(seconds: float) -> float:
    """Seconds as milliseconds, to the microsecond."""
    return round(seconds * 1000, 3)


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def median(values: list[float], digits: int = 4) -> float:
    """The median, rounded."""
    return round(statistics.median(values), digits)


def peak_rss_mib() -> int:
    """Peak resident memory of this process so far (``ru_maxrss`` is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def machine() -> dict[str, object]:
    """What the figures were measured on, and how busy it was (the machine is shared)."""
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(pages * page_size / 2**30, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database_kind(path: Path) -> dict[str, object]:
    """The kind of database a figure was measured on: SQLite, its journal mode, its size."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        customers = conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return {
        "kind": "sqlite",
        "file": str(path),
        "journal_mode": journal,
        "size_mib": round(path.stat().st_size / 2**20),
        "customers": customers,
        "schema": version,
    }
