"""Time to the first painted screen of ``cmw tui``, beside the floor: importing the libraries.

Both are measured the same way, in one run, alternating: a command is started in a fresh tmux
pane of 100×30 and the pane is polled (``capture-pane``) until a marker appears on screen.

* floor: ``python -c "import textual, sqlmodel, apscheduler; print(MARKER)"``
* app: ``cmw --db URL tui --as LOGIN``; the marker is the logged-in login in the header
  (first paint) and, separately, the Today list's filter bar with its task count, ``[All N]``
  (first data: the day's list read from the database; at 100 columns the count panel with
  the customers in scope is hidden, so it cannot be the marker).

    python bench/startup.py --customers 100000 --runs 11

Prints JSON: the medians, every sample, and the ratio against the target (≤ 1.3× the floor).
The database is built once (``cmw init`` + ``cmw demo``) and kept in ``--workdir``, or given
with ``--db``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOW, Db, add_database_args, cmw, database, url_of

TARGET_RATIO = 1.3
POLL_SECONDS = 0.003
TIMEOUT_SECONDS = 20.0
_RUNS = itertools.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, customers=100_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print(json.dumps({"error": "tmux is not installed"}))
        return 1
    url, login, _in_scope = demo_login(database(args, "startup"))
    floor_cmd = [sys.executable, "-c", "import textual, sqlmodel, apscheduler; print('READY')"]
    app_cmd = [cmw(), "--db", url, "tui", "--as", login]
    floor, paint, data = [], [], []
    for _ in range(args.runs):
        floor.append(time_to_marker(floor_cmd, ["READY"])[0])
        first_paint, first_data = time_to_marker(app_cmd, [login, "[All "])
        paint.append(first_paint)
        data.append(first_data)
    result = {
        "benchmark": "startup",
        "customers": args.customers,
        "terminal": "tmux 100x30",
        "runs": args.runs,
        "floor_import_median_s": round(statistics.median(floor), 4),
        "first_paint_median_s": round(statistics.median(paint), 4),
        "first_data_median_s": round(statistics.median(data), 4),
        "ratio_first_paint": round(statistics.median(paint) / statistics.median(floor), 3),
        "ratio_first_data": round(statistics.median(data) / statistics.median(floor), 3),
        "target_ratio": TARGET_RATIO,
        "samples": {"floor": _r(floor), "first_paint": _r(paint), "first_data": _r(data)},
    }
    result["meets_target"] = result["ratio_first_paint"] <= TARGET_RATIO
    print(json.dumps(result, indent=2))
    return 0


def _r(values: list[float]) -> list[float]:
    return [round(v, 4) for v in values]


def demo_login(db: Db) -> tuple[str, str, int]:
    """The database's URL, the login ``cmw tui`` picks on a demo database, and the count of
    customers in its scope."""
    url = url_of(db)
    probe = (
        "import sys\n"
        "from cmworkbench.config import load_settings\n"
        "from cmworkbench.services.workbench import open_engine, tui_login\n"
        "s = load_settings(env={})\n"
        "wb = tui_login(open_engine(s, sys.argv[1]), s, 'nobody-here', explicit=False)\n"
        "print(wb.actor.login, wb.reports.overview().customers)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, url], check=True, capture_output=True, text=True
    ).stdout.split()
    return url, out[0], int(out[1])


def time_to_marker(command: list[str], markers: list[str]) -> list[float]:
    """Seconds from starting ``command`` in tmux until each marker is on screen."""
    session = f"cmwbench{os.getpid()}-{next(_RUNS)}"
    # A server of our own on a socket of its own, new for every run: other people's tmux on a
    # shared machine neither disturbs the measurement nor is disturbed by it, and a run never
    # reaches the server of the run before while that one is still shutting down.
    tmux = ["tmux", "-L", session]
    # The demo's morning (``NOW``), as every other benchmark: on the real clock the app would
    # score and plan another day on the shared demo database, and the benchmarks after it
    # would measure that day's leftovers.
    env = {**os.environ, "CMW_LANGUAGE": "en", "TERM": "xterm-256color", "CMW_NOW": NOW}
    shell_command = " ".join(_quote(c) for c in command) + "; sleep 30"
    start = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "100", "-y", "30", shell_command],
        check=True,
        env=env,
    )
    found: list[float] = []
    try:
        while len(found) < len(markers):
            if time.perf_counter() - start > TIMEOUT_SECONDS:
                raise TimeoutError(f"marker {markers[len(found)]!r} never appeared")
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            while len(found) < len(markers) and markers[len(found)] in screen:
                found.append(time.perf_counter() - start)
            time.sleep(POLL_SECONDS)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return found


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    raise SystemExit(main())
