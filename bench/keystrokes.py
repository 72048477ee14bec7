"""Keystroke → paint through a real terminal: ``cmw tui`` on a pseudo-terminal, keys written as
a person types them, the screen read back by a terminal emulator (the typing tests' harness,
``tests/typing/terminal.py``), so the figure includes everything between a key and the glass:
the terminal driver, the app's key handling (and its ordering of keys), the database and the
painting.

    python bench/keystrokes.py [--db FILE|URL] [--customers 100000] [--as zhangwei]
                               [--queries 12] [--calls 20] [--gap-ms 150] [--cmw PATH]

Two flows, each key 150 ms after the screen showed the previous one's effect:

* search as you type: ``F3``, then queries drawn from the manager's own book (full names,
  pinyin, initials, phone tails) typed key by key; per key, from writing it to the output that
  shows it in the box *and* the first hit of what the box now holds on the list's first row (or
  "no match"), the hits being read beforehand through the services;
* ``c 1`` on Today: ``c`` → the outcome dialog painted; ``1`` → the dialog gone and the row just
  logged off the top of the list (the call written and the list read again).

The floor is Textual's own: a bare Textual app with one ``Input`` on the same pty, from a key to
its echo. ``--cmw`` runs another build's ``cmw`` (a worktree's virtual environment) for a
before/after comparison on one machine. ``c 1`` writes, so it runs on a copy of the database.
Prints JSON: median, p95 and max per flow and step, the floor, the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "typing"))
from common import (
    NOW,
    Db,
    add_database_args,
    cmw,
    copy_database,
    database,
    is_url,
    machine,
    percentile,
    remove_database,
    sibling,
    url_of,
)
from terminal import Terminal, encode
from tui_search import draw_queries

from cmworkbench import clock, i18n
from cmworkbench.config import load_settings
from cmworkbench.i18n import t
from cmworkbench.services.workbench import login, open_engine

SIZE = (100, 30)
DUE = re.compile(r"\d\d-\d\d \d\d:\d\d")
"""The due column of a Today row."""
WAIT = 10.0
"""Longest wait for one key's effect; longer counts as a timeout."""

BARE_APP = """
from textual.app import App
from textual.widgets import Input
class Bare(App):
    def compose(self):
        yield Input(id="box")
Bare().run()
"""
"""The floor: Textual alone, echoing keys into one field."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, customers=100_000)
    parser.add_argument("--as", dest="login", default="zhangwei")
    parser.add_argument("--queries", type=int, default=12)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--gap-ms", type=float, default=150.0)
    parser.add_argument("--cmw", default=cmw(), help="the cmw to run (default: this build's)")
    args = parser.parse_args()
    i18n.set_language("zh_CN")
    db = database(args)
    gap = args.gap_ms / 1000
    with tempfile.TemporaryDirectory(prefix="cmw-keys-") as folder:
        config = Path(folder) / "config.toml"
        config.write_text(
            '[general]\nlanguage = "zh_CN"\n\n[scheduler]\nin_tui = false\n', encoding="utf-8"
        )
        env = _env(config)
        queries = draw_queries(db, args.login, args.queries, args.seed)
        expected = expected_hits(db, args.login, queries)
        search = type_queries(args.cmw, url_of(db), args.login, env, queries, expected, gap)
        calls = log_calls(args.cmw, db, args.login, env, args.calls, gap)
        floor = bare_echo(env, 20, gap)
    result = {
        "benchmark": "keystrokes",
        "database": "postgresql" if is_url(db) else str(db),
        "cmw": args.cmw,
        "login": args.login,
        "terminal": f"pty {SIZE[0]}x{SIZE[1]}, pyte",
        "gap_ms": args.gap_ms,
        "search_as_you_type": _summary(search),
        "call_c": _summary(calls["c"]),
        "call_1": _summary(calls["1"]),
        "floor_textual_echo": _summary(floor),
        "machine": machine(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _env(config: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("CMW_", "TMUX"))}
    return keep | {
        "CMW_CONFIG": str(config),
        "CMW_NOW": NOW,
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


def _start(argv: list[str], env: dict[str, str], ready: str) -> Terminal:
    terminal = Terminal(argv, env, SIZE)
    terminal.wait_shows(ready, timeout=60)
    terminal.wait_quiet(0.5, timeout=60)
    return terminal


def _press(terminal: Terminal, key: str) -> float:
    """Write one key; the time it was written."""
    terminal.write(encode(key))
    return time.monotonic()


def _after(terminal: Terminal, condition: Any, written: float, what: str) -> float | None:
    """Milliseconds from ``written`` to the output that made ``condition`` hold (None: timeout)."""
    try:
        painted = terminal.wait_for(condition, what, timeout=WAIT)
    except AssertionError as timeout:
        print(str(timeout), file=sys.stderr)
        return None
    return max(painted - written, 0.0) * 1000


# -- search as you type ---------------------------------------------------------------------


def expected_hits(db: Db, login_name: str, queries: list[tuple[str, str]]) -> dict[str, str]:
    """Every prefix typed → the customer number of its first hit ("" when none)."""
    clock.set_now(NOW)
    settings = load_settings(env={})
    workbench = login(open_engine(settings, url_of(db)), settings, login_name)
    first: dict[str, str] = {}
    for _kind, query in queries:
        for end in range(1, len(query) + 1):
            prefix = query[:end].strip()
            if prefix and prefix not in first:
                hits = workbench.customers.search(prefix, 1)
                first[prefix] = hits[0].customer_no if hits else ""
    workbench.engine.dispose()
    return first


def type_queries(
    cmw_path: str,
    url: str,
    login_name: str,
    env: dict[str, str],
    queries: list[tuple[str, str]],
    first: dict[str, str],
    gap: float,
) -> list[float | None]:
    terminal = _start([cmw_path, "--db", url, "tui", "--as", login_name], env, t("tui.mode.today"))
    samples: list[float | None] = []
    try:
        terminal.write(encode("f3"))
        terminal.wait_shows(t("tui.customers.search_placeholder"))
        terminal.wait_quiet(0.3)
        heading = _heading("customers", ("customer_no", "name", "matched"))
        empty = t("tui.customers.search_placeholder")  # shown while the box is empty
        for _kind, query in queries:
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                time.sleep(gap)
                written = _press(terminal, query[end - 1])
                shows = _shows_hits(prefix, first[prefix.strip()], heading)
                samples.append(_after(terminal, shows, written, prefix))
            time.sleep(gap)
            terminal.write(encode("ctrl+u"))
            terminal.wait_for(lambda text: empty in text, "the search cleared")
            terminal.wait_quiet(0.2)
    finally:
        terminal.close()
    return samples


def _heading(screen: str, columns: tuple[str, ...]) -> Any:
    """A test for the heading line of a list: it names every one of ``columns``."""
    names = [t(f"tui.{screen}.col.{column}") for column in columns]
    return lambda line: all(name in line for name in names)


def _shows_hits(prefix: str, first_no: str, heading: Any) -> Any:
    no_match = t("tui.customers.no_match", query=prefix.strip())

    def holds(text: str) -> bool:
        lines = text.splitlines()
        if not any(prefix in line for line in lines[:4]):
            return False  # the key is not echoed in the box yet
        if not first_no:
            return no_match in text
        rows = [n for n, line in enumerate(lines) if heading(line)]
        return bool(rows) and rows[0] + 1 < len(lines) and first_no in lines[rows[0] + 1]

    return holds


# -- c 1 on Today -------------------------------------------------------------------------------


def log_calls(
    cmw_path: str, db: Db, login_name: str, env: dict[str, str], calls: int, gap: float
) -> dict[str, list[float | None]]:
    """``c 1`` down Today's list until ``calls`` calls are logged, on fresh copies of ``db``
    (a manager's day may hold fewer)."""
    samples: dict[str, list[float | None]] = {"c": [], "1": []}
    copy: Db = sibling(db, "keystrokes") if not is_url(db) else f"{url_of(db)}_keys"
    while len(samples["c"]) < calls:
        copy_database(db, copy)
        try:
            logged = _log_round(
                cmw_path, url_of(copy), login_name, env, calls - len(samples["c"]), gap, samples
            )
        finally:
            remove_database(copy)
        if not logged:
            break  # nothing due on Today
    return samples


def _log_round(
    cmw_path: str,
    url: str,
    login_name: str,
    env: dict[str, str],
    calls: int,
    gap: float,
    samples: dict[str, list[float | None]],
) -> int:
    terminal = _start([cmw_path, "--db", url, "tui", "--as", login_name], env, t("tui.mode.today"))
    heading = _heading("today", ("customer", "kind", "due"))
    dialog = t("tui.outcome.title.call", name="").removeprefix("与")
    logged = 0
    try:
        terminal.wait_quiet(0.5)
        while logged < calls:
            before = _first_row(terminal.text(), heading)
            if not before:
                break  # the list is worked through
            time.sleep(gap)
            written = _press(terminal, "c")
            samples["c"].append(_after(terminal, lambda s: dialog in s, written, "the dialog"))
            time.sleep(gap)
            written = _press(terminal, "1")
            samples["1"].append(
                _after(
                    terminal,
                    lambda s, b=before: dialog not in s and _first_row(s, heading) != b,
                    written,
                    "the row logged to leave",
                )
            )
            logged += 1
            terminal.wait_quiet(0.3)
    finally:
        terminal.close()
    return logged


def _first_row(text: str, heading: Any) -> str:
    """The list's first row ("" when empty: a toast may sit where it was)."""
    lines = text.splitlines()
    rows = [n for n, line in enumerate(lines) if heading(line)]
    if not rows or rows[0] + 1 >= len(lines):
        return ""
    row = lines[rows[0] + 1].strip()
    return row if DUE.search(row) else ""


# -- the floor ----------------------------------------------------------------------------------


def bare_echo(env: dict[str, str], keys: int, gap: float) -> list[float | None]:
    terminal = Terminal([sys.executable, "-c", BARE_APP], env, SIZE)
    samples: list[float | None] = []
    try:
        terminal.wait_for(lambda text: text.strip() != "", "the bare app", timeout=30)
        terminal.wait_quiet(0.5)
        typed = ""
        for n in range(keys):
            char = "abcdefghij"[n % 10]
            typed += char
            time.sleep(gap)
            written = _press(terminal, char)
            samples.append(_after(terminal, lambda s, v=typed: v in s, written, "the echo"))
    finally:
        terminal.close()
    return samples


def _summary(samples: list[float | None]) -> dict[str, object]:
    values = [v for v in samples if v is not None]
    return {
        "n": len(values),
        "timeouts": len(samples) - len(values),
        "median_ms": round(statistics.median(values), 2) if values else None,
        "p95_ms": round(percentile(values, 95), 2) if values else None,
        "max_ms": round(max(values), 2) if values else None,
    }


if __name__ == "__main__":
    sys.exit(main())
