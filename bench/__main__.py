"""Every benchmark in one run, on one database, as one JSON document.

    python -m bench all --customers 1000000 [--seed 7] [--db-dir DIR] [--keep] [--runs 5]
    python -m bench all --customers 1000000 --postgres postgresql+psycopg://…/postgres

The demo database of N customers is keyed by N and the seed (``DIR/all-N-SEED.db``): built
with ``bench/demo.py --keep`` (that build is the demo figure, kept beside the database in
``all-N-SEED.demo.json``), or reused when an earlier run kept it. Each benchmark then runs as
its own process on it (so peak memory is each one's own): start-up, look-up, search as you
type in the TUI, report, the complaint SLA sweep and task generation (these two on a fresh
copy each), the import (N rows of its own CSV into a fresh database), and a branch server at
full strength (50 ``cmw tui`` sessions on ptys working a scripted morning beside ``cmw
scheduler``, on a copy: ``bench/sessions.py``). Each runs alone just as well (``python
bench/report.py --db DIR/all-N-SEED.db``).

Prints one JSON document: the machine (cores, RAM, Python, SQLite, the load average before
and after: the machine may be shared), the database, and per benchmark its figure, the floor
or target it is compared against and the ratio, with the benchmark's own JSON under
``details``. Without ``--keep`` the databases this run built are removed at the end.

``--postgres URL`` runs the same on a PostgreSQL server (the role in the URL may create
databases): the demo database is ``cmw_bench_all_N_SEED`` on it (its demo figure kept in
``DIR/pg-all-N-SEED.demo.json``), the copies and the import's database are databases of
their own, and each floor is the same statement on a raw ``psycopg`` connection. A benchmark
the product refuses on PostgreSQL (the report, while ``cmw report`` is SQLite's only) is
recorded as pending.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    WORKDIR,
    Db,
    database_exists,
    database_kind,
    machine,
    on_server,
    remove_database,
    sibling,
    url_of,
)

HERE = Path(__file__).resolve().parent

REFUSED = ("only for now", "目前只支持 SQLite")
"""What the product says where it refuses PostgreSQL (``report.sqlite_only``, en and zh)."""

Summary = Callable[[dict[str, Any]], dict[str, Any]]


def _startup(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": f"first paint {out['first_paint_median_s']} s (median)",
        "first_data_s": out["first_data_median_s"],
        "floor": f"import textual, sqlmodel, apscheduler {out['floor_import_median_s']} s",
        "ratio": out["ratio_first_paint"],
        "target": f"ratio ≤ {out['target_ratio']}",
        "meets_target": out["meets_target"],
    }


def _lookup(out: dict[str, Any]) -> dict[str, Any]:
    service, floor = out["service_ms"], out["floor_index_query_ms"]
    return {
        "figure": f"p50 {service['p50']} ms, p95 {service['p95']} ms",
        "floor": f"the same page statement, raw connection: p95 {floor['p95']} ms",
        "ratio": out["ratio_p95_service_to_floor"],
        "target": "p95 ≤ 10 ms and ≤ 3× the floor, < 300 MiB",
        "peak_rss_mib": out["peak_rss_mib"],
        "meets_target": out["meets_targets"],
    }


def _tui_search(out: dict[str, Any]) -> dict[str, Any]:
    median, target = out["median_ms"], out["target_median_ms"]
    return {
        "figure": f"key → results painted: median {median} ms, p95 {out['p95_ms']} ms",
        "keys": out["n"],
        "timeouts": out["timeouts"],
        "floor": f"target median < {target} ms",
        "ratio": round(median / target, 2) if median is not None else None,
        "meets_target": out["meets_target"],
    }


def _report(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": f"branch monthly report {out['report_seconds_median']} s",
        "trend_8_weeks_s": out["trend_seconds_median"],
        "drill_coverage_s": out["drill_coverage_seconds_median"],
        "floor": (
            f"same statements, raw connection: {out['floor_same_statements_raw_seconds_median']} s"
        ),
        "ratio": out["ratio_report_to_floor"],
        "ratio_trend_to_report": out["ratio_trend_to_report"],
        "target": "report ≤ 1.5× the floor, trend ≤ 3× the report",
        "meets_target": out["meets_targets"],
    }


def _sweep(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": f"steady sweep {out['steady_sweep_seconds_median']} s (median)",
        "first_sweep_s": out["first_sweep_seconds"],
        "floor": f"reading its input, raw connection: {out['floor_read_seconds_median']} s",
        "ratio": out["ratio_to_floor"],
        "target": f"< {out['target_seconds']} s per sweep",
        "meets_target": out["meets_target"],
    }


def _generate(out: dict[str, Any]) -> dict[str, Any]:
    target = out["targets"]["seconds"]
    return {
        "figure": f"{out['seconds']} s, {out['tasks_created']} tasks",
        "peak_rss_mib": out["peak_rss_mib"],
        "second_run_created": out["second_run_created"],
        "floor": f"target {target} s, {out['targets']['peak_rss_mib']} MiB",
        "ratio": round(out["seconds"] / target, 2),
        "meets_target": out["meets_targets"],
    }


def _import(out: dict[str, Any]) -> dict[str, Any]:
    driver = "psycopg" if out.get("database") == "postgresql" else "sqlite3"
    return {
        "figure": f"{out['seconds']} s ({out['rows_per_second']} rows/s)",
        "peak_rss_mib": out["peak_rss_mib"],
        "floor": f"raw csv + {driver} executemany, no checks: {out['floor_seconds']} s",
        "ratio": out["times_floor"],
        "target": f"< {out['target_seconds']} s per million rows",
        "meets_target": out["seconds"] < out["target_seconds"] * out["rows"] / 1_000_000,
    }


def _sessions(out: dict[str, Any]) -> dict[str, Any]:
    crowd, solo, memory = out["crowd"], out["solo"], out["memory"]
    key, c, one = crowd["search_key"], crowd["outcome_c"], crowd["outcome_1"]
    return {
        "figure": (
            f"{out['sessions']} sessions: search key p50 {key['p50_ms']} / p95 {key['p95_ms']} ms,"
            f" outcome c p50 {c['p50_ms']} / p95 {c['p95_ms']} ms,"
            f" 1 p50 {one['p50_ms']} / p95 {one['p95_ms']} ms"
        ),
        "floor": (
            f"one session alone: p95 search key {solo['search_key']['p95_ms']} ms,"
            f" c {solo['outcome_c']['p95_ms']} ms, 1 {solo['outcome_1']['p95_ms']} ms"
        ),
        "ratio": out["ratio_p95_crowd_to_solo"]["search_key"],
        "ratio_p95_crowd_to_solo": out["ratio_p95_crowd_to_solo"],
        "target": "search key and outcome keys: crowd median < 100 ms, crowd p95 ≤ 1.5× solo;"
        " no errors, no lost writes; mean PSS ≤ 1.5× a bare Textual app, max ≤ 80 MiB",
        "memory": (
            f"PSS mean {memory.get('session_pss_mean_mib')} / max"
            f" {memory.get('session_pss_max_mib')} MiB, bare app {memory['bare_app_pss_mib']} MiB"
        ),
        "errors": out["errors"]["total"],
        "lost_writes": out["lost_writes"]["lost"],
        "meets_target": out["meets_target"],
    }


def _demo(out: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": f"{out['seconds']} s, peak RSS {out['peak_rss_mib']} MiB",
        "floor": f"target {out['target_seconds']} s, {out['target_rss_mib']} MiB",
        "ratio": round(out["seconds"] / out["target_seconds"], 2),
        "meets_target": out["seconds"] <= out["target_seconds"]
        and out["peak_rss_mib"] <= out["target_rss_mib"],
    }


def run_bench(script: str, *arguments: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Run ``bench/script`` in its own process; its JSON, and how the run went."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / script), *arguments], capture_output=True, text=True
    )
    command = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", " ".join(arguments))
    run = {"command": f"python bench/{script} {command}".strip()}
    run["wall_seconds"] = round(time.perf_counter() - started, 1)  # type: ignore[assignment]
    try:
        start = proc.stdout.index("{")
        return json.loads(proc.stdout[start:]), run
    except ValueError:
        run["error"] = (proc.stderr or proc.stdout).strip()[-2000:]
        run["exit_status"] = proc.returncode  # type: ignore[assignment]
        return None, run


def demo_database(db: Db, record: Path, customers: int, seed: int) -> tuple[dict[str, Any], bool]:
    """The demo figure, and whether the database was built now (else reused)."""
    if database_exists(db):
        kept = json.loads(record.read_text()) if record.exists() else None
        return {"reused": True, "details": kept}, False
    out, run = run_bench(
        "demo.py", "--customers", str(customers), "--seed", str(seed), "--keep", str(db)
    )
    if out is not None and isinstance(db, str):
        out["built_with"] = "bench/demo.py --keep <URL>"
    if out is not None:
        record.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return {"reused": False, "details": out, **run}, True


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    args.db_dir.mkdir(parents=True, exist_ok=True)
    db: Db = args.db_dir / f"all-{args.customers}-{args.seed}.db"
    record = args.db_dir / f"all-{args.customers}-{args.seed}.demo.json"
    if args.postgres:
        db = on_server(args.postgres, f"all-{args.customers}-{args.seed}")
        record = args.db_dir / f"pg-all-{args.customers}-{args.seed}.demo.json"
    result: dict[str, Any] = {
        "benchmark": "all",
        "customers": args.customers,
        "seed": args.seed,
        "machine": machine(),
    }
    started = time.perf_counter()
    demo, built = demo_database(db, record, args.customers, args.seed)
    if not database_exists(db):
        return {**result, "error": "the demo database was not built", "demo": demo}
    if not built:
        subprocess.run(  # a kept database from an older release is upgraded, as cmw init does
            [str(Path(sys.executable).with_name("cmw")), "--db", url_of(db), "init"],
            check=True,
            capture_output=True,
        )
    result["database"] = database_kind(db)
    on_db = ("--db", str(db), "--customers", str(args.customers), "--seed", str(args.seed))
    runs = ("--runs", str(args.runs))
    server = ("--postgres", args.postgres) if args.postgres else ()
    plan: list[tuple[str, str, tuple[str, ...], Summary]] = [
        ("startup", "startup.py", (*on_db, *runs), _startup),
        ("lookup", "lookup.py", on_db, _lookup),
        ("tui_search", "tui_search.py", on_db, _tui_search),
        ("report", "report.py", (*on_db, "--runs", str(min(args.runs, 3))), _report),
        ("sweep", "sweep.py", (*on_db, *runs), _sweep),
        ("generation", "generate.py", on_db, _generate),
        ("import", "import.py", ("--rows", str(args.customers), *server), _import),
        ("sessions", "sessions.py", (*on_db, "--sessions", "50"), _sessions),
    ]
    benchmarks: dict[str, Any] = {}
    if demo.get("details"):
        benchmarks["demo"] = {**_demo(demo["details"]), **demo}
    else:
        benchmarks["demo"] = demo
    for name, script, arguments, summary in plan:
        if args.only and name not in args.only:
            continue
        print(f"bench all: {name} …", file=sys.stderr, flush=True)
        out, run = run_bench(script, *arguments)
        benchmarks[name] = {**(summary(out) if out else {}), **run, "details": out}
        if out is None and args.postgres and any(r in run.get("error", "") for r in REFUSED):
            benchmarks[name]["pending"] = "the product refuses PostgreSQL here for now"
    result["benchmarks"] = benchmarks
    result["machine"]["load_average_after"] = machine()["load_average"]
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    if not args.keep:
        for copy in (f"generate-{args.customers}", f"sweep-{args.customers}"):
            remove_database(sibling(db, copy))
        if built:
            remove_database(db)
            record.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    every = commands.add_parser("all", help="every benchmark on one database, one JSON")
    every.add_argument("--customers", type=int, default=1_000_000)
    every.add_argument("--seed", type=int, default=7)
    every.add_argument("--db-dir", type=Path, default=WORKDIR)
    every.add_argument("--keep", action="store_true", help="keep the databases for a rerun")
    every.add_argument("--runs", type=int, default=5, help="repetitions where a bench repeats")
    every.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="startup lookup tui_search report sweep generation import sessions",
    )
    every.add_argument(
        "--postgres", metavar="URL", help="run on this PostgreSQL server (its databases)"
    )
    args = parser.parse_args(argv)
    print(json.dumps(run_all(args), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
