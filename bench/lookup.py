"""Customer look-up latency: the search service beside the bare index query and a LIKE scan.

    python bench/lookup.py --customers 1000000 [--as zhangwei] [--queries 200]

Builds (once, kept in ``--workdir``) a demo database of N customers, draws a mixed set of
queries from the acting manager's own book (full names, pinyin, initials, phone tails; a
quarter each, seeded), and times each query three ways:

* service: ``services.customers.search.search_customers`` (parse, scope, rank, page of 50, details),
  through a unit of work, as the TUI and ``cmw search`` call it;
* floor: the very statement the service runs for the page, on a raw connection
  (``sqlite3``, or ``psycopg`` on PostgreSQL): the ranked range scans over ``search_term``
  (within scope, best match per customer, ordered by match, class and recency, ``LIMIT
  50``) joined to those 50 customers and their owners; no session, no scope query, no
  parsing, no objects;
* unranked: the first 50 index entries in term order (what a search without ranking costs);
* scan: ``LIKE '%…%'`` over the customer table within scope, for a few queries, to show what
  the index saves.

Prints JSON with p50/p95 of each, the ratio service/floor, the targets (p95 ≤ 10 ms and ≤ 3×
the floor) and the peak RSS of the process (target < 300 MiB).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    add_database_args,
    database,
    ms,
    peak_rss_mib,
    percentile,
    raw_connect,
    raw_sql,
    url_of,
)

from cmworkbench.config import load_settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.search import match_statement, page_statement
from cmworkbench.domain.pinyin import read
from cmworkbench.domain.scope import OwnerScope
from cmworkbench.domain.search_terms import parse_query
from cmworkbench.services.core.scope import visible_owner_ids
from cmworkbench.services.customers.search import search_customers
from cmworkbench.services.workbench import login, open_engine

TARGET_P95_MS = 10.0
TARGET_RATIO = 3.0
TARGET_RSS_MIB = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--as", dest="login", default="zhangwei")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scans", type=int, default=10)
    args = parser.parse_args()
    db = database(args)
    settings = load_settings(env={})
    engine = open_engine(settings, url_of(db))
    workbench = login(engine, settings, args.login)
    raw = raw_connect(db)
    queries = draw_queries(raw, workbench.actor.id, args.queries, args.seed)
    with unit_of_work(engine) as session:
        scope = visible_owner_ids(session=session, actor=workbench.actor)
    for q in queries[:20]:  # warm the page cache and the statement cache alike
        time_service(engine, workbench.actor, q)
        time_floor(raw, q, scope)
    service = [time_service(engine, workbench.actor, q) for q in queries]
    floor = [time_floor(raw, q, scope) for q in queries]
    unranked = [time_unranked(raw, q, scope) for q in queries]
    sample = queries[:: max(1, len(queries) // args.scans)][: args.scans]
    scan = [time_scan(raw, q, scope.owner_ids, scope.backup_id) for q in sample]
    scan_branch = [time_scan(raw, q, None, None) for q in sample]
    p95_service, p95_floor = percentile(service, 95), percentile(floor, 95)
    result = {
        "benchmark": "lookup",
        "customers": args.customers,
        "acting_as": args.login,
        "queries": len(queries),
        "mix": {"name": "25%", "pinyin": "25%", "initials": "25%", "phone_tail": "25%"},
        "service_ms": {"p50": ms(statistics.median(service)), "p95": ms(p95_service)},
        "floor_index_query_ms": {"p50": ms(statistics.median(floor)), "p95": ms(p95_floor)},
        "unranked_range_scan_ms": {
            "p50": ms(statistics.median(unranked)),
            "p95": ms(percentile(unranked, 95)),
        },
        "like_scan_ms": {
            "in_scope_p50": ms(statistics.median(scan)),
            "whole_branch_p50": ms(statistics.median(scan_branch)),
            "n": len(scan),
        },
        "ratio_p95_service_to_floor": round(p95_service / p95_floor, 2),
        "peak_rss_mib": peak_rss_mib(),
        "targets": {
            "service_p95_ms": TARGET_P95_MS,
            "ratio_to_floor": TARGET_RATIO,
            "peak_rss_mib": TARGET_RSS_MIB,
        },
    }
    result["meets_targets"] = (
        result["service_ms"]["p95"] <= TARGET_P95_MS  # type: ignore[index]
        and result["ratio_p95_service_to_floor"] <= TARGET_RATIO  # type: ignore[operator]
        and result["peak_rss_mib"] < TARGET_RSS_MIB  # type: ignore[operator]
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def draw_queries(raw: Any, owner_id: int, n: int, seed: int) -> list[str]:
    """A quarter each: full names, pinyin, initials, phone tails of the manager's customers."""
    sql = "SELECT name, kind, phone FROM customer WHERE owner_id = ? AND phone IS NOT NULL"
    rows = raw.execute(raw_sql(raw, sql), (owner_id,)).fetchall()
    rng = random.Random(seed)
    people = [r for r in rows if r[1] == "individual"]
    picks = rng.sample(people, min(n, len(people)))
    queries: list[str] = []
    for i, (name, _kind, phone) in enumerate(picks[:n]):
        form = i % 4
        if form == 0:
            queries.append(name)
        elif form == 1:
            queries.append(read(name, person=True).full)
        elif form == 2:
            queries.append(read(name, person=True).initials)
        else:
            queries.append(phone[-rng.choice((4, 5, 6)) :])
    return queries


def time_service(engine, actor, query: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        search_customers(session=session, actor=actor, query=query, limit=50)
    return time.perf_counter() - started


def time_floor(raw: Any, query: str, scope: OwnerScope) -> float:
    """The statement that yields the service's page (ranked ids joined to the customers'
    details): the very statement the service runs, on a raw connection."""
    parsed = parse_query(query)
    assert parsed is not None
    sql, params = page_statement(parsed, scope)
    sql = raw_sql(raw, sql)
    started = time.perf_counter()
    raw.execute(sql, {**params, "limit": 50, "offset": 0}).fetchall()
    return time.perf_counter() - started


def time_unranked(raw: Any, query: str, scope: OwnerScope) -> float:
    """The same range scans within scope, the first 50 in index order (no ranking)."""
    parsed = parse_query(query)
    assert parsed is not None
    matches, params = match_statement(parsed, scope)
    sql = raw_sql(raw, f"SELECT customer_id FROM ({matches}) AS m LIMIT 50")
    started = time.perf_counter()
    raw.execute(sql, params).fetchall()
    return time.perf_counter() - started


def time_scan(raw: Any, query: str, owners: tuple[int, ...] | None, backup: int | None) -> float:
    """What a look-up costs without the index: LIKE '%…%' over names and phones, within the
    manager's book (``owners``) or over the whole branch (``None``, as a branch head)."""
    scope = ""
    if owners is not None:
        backup_sql = f" OR backup_id = {backup}" if backup is not None else ""
        scope = f" AND (owner_id IN ({','.join(str(o) for o in owners)}){backup_sql})"
    sql = raw_sql(
        raw, f"SELECT id FROM customer WHERE (name LIKE ? OR phone LIKE ?){scope} LIMIT 50"
    )
    started = time.perf_counter()
    raw.execute(sql, (f"%{query}%", f"%{query}")).fetchall()
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
