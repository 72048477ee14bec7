"""Search as you type in the TUI: from a key press to the results of that query on screen.

    python bench/tui_search.py [--db FILE|URL] [--postgres URL] [--customers 1000000]
                               [--as zhangwei] [--queries 40]

Runs the real app headless (``app.run_test(size=(100, 30))``) on a big demo database, goes to
Customers and types realistic queries key by key: full names (张伟), pinyin (zhangwei),
initials (zw) and phone tails (5678), drawn from the manager's own book (seeded). For every
keystroke it measures the time from pressing the key until the result list holds the results
of the query now in the box has been painted (the list's ``painted_query`` marker, set when
it renders its rows). The pause between keys is ``--key-interval-ms`` (a brisk typist: 150 ms);
keys faster than the screen's debounce wait for the typing to pause, and that wait counts in
the figure.

Keys go to the app the way the terminal driver delivers them, and the marker is polled every
millisecond: ``pilot.press`` / ``pilot.pause`` wait for the process to be idle in steps of
20 ms, which would measure the harness rather than the workbench.

Without ``--db`` the database is built once (``bench/demo.py``) and kept in ``--workdir`` or
on the ``--postgres`` server; it is the one ``bench/lookup.py`` uses. ``python -m bench all``
passes the database it built. Prints JSON: median, p95 and max per keystroke, the count,
the figures per kind of query, and the target (median < 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    NOW,
    Db,
    add_database_args,
    database,
    is_url,
    percentile,
    raw_connect,
    raw_sql,
    url_of,
)
from textual import events
from textual.app import App
from textual.worker import WorkerCancelled, WorkerFailed

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import load_settings
from cmworkbench.domain.pinyin import read
from cmworkbench.screens.customers import DEBOUNCE_SECONDS
from cmworkbench.services.workbench import login, open_engine
from cmworkbench.widgets.customer_hit_list import CustomerHitList

TARGET_MEDIAN_MS = 100.0
TIMEOUT_SECONDS = 5.0
POLL_SECONDS = 0.001
KINDS = ("name", "pinyin", "initials", "phone")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser)
    parser.add_argument("--as", dest="login", default="zhangwei")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--key-interval-ms", type=float, default=150.0)
    args = parser.parse_args()
    db = database(args)
    url = url_of(db)
    queries = draw_queries(db, args.login, args.queries, args.seed)
    samples = asyncio.run(type_queries(url, args.login, queries, args.key_interval_ms / 1000))
    every = [ms for _kind, ms in samples if ms is not None]
    timeouts = sum(1 for _kind, ms in samples if ms is None)
    result = {
        "benchmark": "tui_search",
        "database": "postgresql" if is_url(db) else str(db),
        "login": args.login,
        "terminal": "headless 100x30",
        "queries": len(queries),
        "key_interval_ms": args.key_interval_ms,
        "debounce_ms": DEBOUNCE_SECONDS * 1000,
        "n": len(every),
        "timeouts": timeouts,
        "median_ms": _round(statistics.median(every)) if every else None,
        "p95_ms": _round(percentile(every, 95)) if every else None,
        "max_ms": _round(max(every)) if every else None,
        "by_kind": {
            kind: _summary([ms for k, ms in samples if k == kind and ms is not None])
            for kind in KINDS
        },
        "target_median_ms": TARGET_MEDIAN_MS,
    }
    median = result["median_ms"]
    result["meets_target"] = (
        isinstance(median, float) and median < TARGET_MEDIAN_MS and timeouts == 0
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


async def type_queries(
    url: str, login_name: str, queries: list[tuple[str, str]], interval: float
) -> list[tuple[str, float | None]]:
    """Type every query key by key; (kind, milliseconds or ``None`` on timeout) per key."""
    clock.set_now(NOW)
    settings = load_settings(env={})
    workbench = login(open_engine(settings, url), settings, login_name)
    app = make_app(workbench)
    samples: list[tuple[str, float | None]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await settled(app)
        hits = app.screen.query_one(CustomerHitList)
        search_box = app.screen.query_one("#customer-search")
        for kind, query in queries:
            search_box.value = ""  # type: ignore[attr-defined]
            await settled(app)
            await pilot.pause()
            last_key = 0.0
            for end in range(1, len(query) + 1):
                wait = interval - (time.perf_counter() - last_key)
                if wait > 0:
                    await asyncio.sleep(wait)
                last_key = started = time.perf_counter()
                press(app, query[end - 1])
                samples.append((kind, await shown(hits, query[:end], started)))
    return samples


async def settled(app: App[None]) -> None:
    """Wait for the workers still running (a search cancelled by a newer one included)."""
    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()


def press(app: App[None], char: str) -> None:
    """One key, as the terminal driver delivers a typed character."""
    driver = app._driver
    assert driver is not None
    event = events.Key(char, char)
    event.set_sender(app)
    driver.send_message(event)


async def shown(hits: CustomerHitList, query: str, started: float) -> float | None:
    """Milliseconds until the list painted the results of ``query`` (``None`` on timeout)."""
    while hits.painted_query != query:
        if time.perf_counter() - started > TIMEOUT_SECONDS:
            return None
        await asyncio.sleep(POLL_SECONDS)
    return (time.perf_counter() - started) * 1000


def draw_queries(db: Db, login_name: str, n: int, seed: int) -> list[tuple[str, str]]:
    """A quarter each: full names, pinyin, initials and phone tails of the manager's book."""
    raw = raw_connect(db)
    sql = (
        "SELECT c.name, c.phone FROM customer c JOIN staff s ON s.id = c.owner_id "
        "WHERE s.login = ? AND c.kind = 'individual' AND c.phone IS NOT NULL ORDER BY c.id"
    )
    rows = [tuple(r) for r in raw.execute(raw_sql(raw, sql), (login_name,)).fetchall()]
    raw.close()
    rng = random.Random(seed)
    picks = rng.sample(rows, min(n, len(rows)))
    queries: list[tuple[str, str]] = []
    for i, (name, phone) in enumerate(picks):
        kind = KINDS[i % len(KINDS)]
        if kind == "name":
            queries.append((kind, name))
        elif kind == "pinyin":
            queries.append((kind, read(name, person=True).full))
        elif kind == "initials":
            queries.append((kind, read(name, person=True).initials))
        else:
            queries.append((kind, phone[-rng.choice((4, 5, 6)) :]))
    return queries


def _summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median_ms": None, "p95_ms": None}
    return {
        "n": len(values),
        "median_ms": _round(statistics.median(values)),
        "p95_ms": _round(percentile(values, 95)),
    }


def _round(value: float) -> float:
    return round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
