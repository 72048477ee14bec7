"""What the benchmarks share: the demo database they run on, the machine they ran on, and
the small statistics they print.

Every benchmark runs alone (``python bench/lookup.py``) and under ``python -m bench all``;
each puts this directory on ``sys.path`` and imports this module as ``common``.

A database is a SQLite file (a :class:`~pathlib.Path`) or a PostgreSQL URL (a ``str``,
``postgresql+psycopg://…/dbname``): :func:`url_of` gives the URL ``cmw`` takes,
:func:`raw_connect` the bare DB-API connection a floor is measured on (``sqlite3`` or
``psycopg``), and :func:`raw_sql` the floor's statement in that driver's parameter style.
On PostgreSQL the demo database and the copies live on the server as databases of their own
(``cmw_bench_<name>``), created through the server URL's own database (usually ``postgres``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

Db = Path | str
"""A SQLite file, or a PostgreSQL database's URL."""

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
    parser.add_argument(
        "--db", help="a demo database to use: a SQLite file or a PostgreSQL URL (default: build)"
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="build (or reuse) the demo database on this server"
    )


def is_url(db: Db) -> bool:
    """True when ``db`` is a database URL (PostgreSQL) rather than a SQLite file."""
    return isinstance(db, str) and "://" in db


def as_db(value: str) -> Db:
    """``--db``'s value: a URL as it is, anything else a SQLite file."""
    return value if "://" in value else Path(value)


def url_of(db: Db) -> str:
    """The URL ``cmw --db`` and ``make_engine`` take."""
    return db if isinstance(db, str) else f"sqlite:///{db}"


def on_server(server: str, name: str) -> str:
    """The URL of database ``cmw_bench_<name>`` on the server of ``server`` (a URL)."""
    database = "cmw_bench_" + re.sub(r"\W", "_", name)
    return make_url(server).set(database=database).render_as_string(hide_password=False)


def sibling(db: Db, name: str) -> Db:
    """A database beside ``db`` called ``name``: a file in its folder, or a database on its
    server."""
    return on_server(db, name) if isinstance(db, str) else db.with_name(f"{name}.db")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _admin(url: str) -> Any:
    """An autocommit psycopg connection to ``url``'s server, through its ``postgres``
    database (a database cannot be created from, dropped or copied while connected to)."""
    import psycopg

    return psycopg.connect(_libpq(make_url(url).set(database="postgres").render_as_string(
        hide_password=False)), autocommit=True)  # fmt: skip


def database_exists(db: Db) -> bool:
    if not isinstance(db, str):
        return db.exists()
    with _admin(db) as conn:
        name = make_url(db).database
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row is not None


def create_database(url: str, template: str | None = None) -> str:
    """A new, empty (or ``template``'s copy) database at ``url``; an old one is dropped."""
    drop_database(url)
    name = make_url(url).database
    copy = ""
    if template is not None:
        copy = f' TEMPLATE "{make_url(template).database}" STRATEGY FILE_COPY'
    with _admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return url


def drop_database(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def raw_connect(db: Db, *, readonly: bool = True) -> Any:
    """A bare DB-API connection: ``sqlite3`` (read-only unless asked), or ``psycopg``
    (autocommit, so a read takes no transaction of its own beyond the statement)."""
    if isinstance(db, str):
        import psycopg

        return psycopg.connect(_libpq(db), autocommit=True)
    if readonly:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    return sqlite3.connect(db)


def raw_sql(conn: Any, sql: str) -> str:
    """``sql`` (``:name`` and ``?`` parameters, SQLite's styles) in ``conn``'s style:
    unchanged for sqlite3, ``%(name)s`` and ``%s`` for psycopg (``%`` doubled)."""
    if isinstance(conn, sqlite3.Connection):
        return sql
    sql = sql.replace("%", "%%").replace("?", "%s")
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)


def timed_sweeps(
    engine: Any, sweep: Any, settings: Any, runs: int
) -> tuple[tuple[float, Any], list[tuple[float, Any]]]:
    """``sweep`` once from scratch and ``runs`` times more (the steady state), each in its own
    unit of work: ``(seconds, result)`` of the first and of each steady run (the complaint
    and the promises' sweep benchmarks)."""
    import time

    from cmworkbench.db.engine import unit_of_work

    def timed() -> tuple[float, Any]:
        started = time.perf_counter()
        with unit_of_work(engine) as session:
            out = sweep(session=session, settings=settings)
        return time.perf_counter() - started, out

    first = timed()
    return first, [timed() for _ in range(runs)]


def database(args: argparse.Namespace, name: str = "lookup") -> Db:
    """The demo database the arguments name: ``--db``, or the one kept (or built) in
    ``--workdir`` (or on the ``--postgres`` server) under ``name``."""
    if args.db is not None:
        return as_db(str(args.db))
    if getattr(args, "postgres", None):
        return demo_database(args.workdir, args.customers, args.seed, name, args.postgres)
    return demo_database(args.workdir, args.customers, args.seed, name)


def demo_database(
    workdir: Path, customers: int, seed: int, name: str = "lookup", server: str | None = None
) -> Db:
    """``workdir/name-customers-seed.db`` (or database ``cmw_bench_name_customers_seed`` on
    ``server``), built once with the real CLI (``cmw init`` + ``cmw demo`` at :data:`NOW`)
    and upgraded by ``cmw init`` when kept from an older release."""
    workdir.mkdir(parents=True, exist_ok=True)
    db: Db = workdir / f"{name}-{customers}-{seed}.db"
    if server is not None:
        db = on_server(server, f"{name}-{customers}-{seed}")
    url = url_of(db)
    built = database_exists(db)
    if server is not None and not built:
        create_database(url)
    subprocess.run([cmw(), "--db", url, "init"], check=True, capture_output=True)
    if not built:
        demo = [cmw(), "--db", url, "--now", NOW, "demo", "--customers", str(customers)]
        subprocess.run([*demo, "--seed", str(seed)], check=True)
    return db


def copy_database(source: Db, target: Db) -> Db:
    """A fresh copy of ``source`` at ``target`` (SQLite's online backup; an old copy and its
    WAL are removed first; on PostgreSQL ``CREATE DATABASE … TEMPLATE``), so a benchmark
    that writes starts from the same state."""
    if isinstance(source, str) or isinstance(target, str):
        assert isinstance(source, str) and isinstance(target, str)
        return create_database(target, template=source)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def remove_database(path: Db) -> None:
    """Delete a database file with its WAL and shared-memory files (or drop the database)."""
    if isinstance(path, str):
        drop_database(path)
        return
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


def database_kind(path: Db) -> dict[str, object]:
    """The kind of database a figure was measured on: SQLite, its journal mode, its size;
    or PostgreSQL, its version, its durability settings, its size."""
    if isinstance(path, str):
        with raw_connect(path) as conn:

            def one(sql: str) -> Any:
                return conn.execute(sql).fetchone()[0]

            return {
                "kind": "postgresql",
                "url": make_url(path).render_as_string(hide_password=True),
                "server": one("SHOW server_version"),
                "fsync": one("SHOW fsync"),
                "synchronous_commit": one("SHOW synchronous_commit"),
                "shared_buffers": one("SHOW shared_buffers"),
                "size_mib": round(one("SELECT pg_database_size(current_database())") / 2**20),
                "customers": one("SELECT COUNT(*) FROM customer"),
                "schema": one("SELECT version_num FROM alembic_version"),
            }
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
