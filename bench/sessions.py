"""A branch server at full strength: N real ``cmw tui`` processes at once, each on a
pseudo-terminal of its own and driven by a script of a manager's morning with think time,
while ``cmw scheduler`` runs as a separate process (and, if asked, an import runs); every
latency is from the moment a key is written to the pty until the expected text is painted,
read back by a terminal emulator (``tests/typing/terminal.py``), not from inside the app.

    python bench/sessions.py [--db FILE|URL] [--postgres URL] [--customers N] [--seed 7]
                             [--sessions 50] [--with-import ROWS] [--ssh] [--think-ms 800]
                             [--workers W] [--timeout-s 30]

The morning, per session (the keys and texts of ``bench/keystrokes.py``, the catalogs read
through ``cmworkbench.i18n.t`` in zh_CN):

* ``today_open``: from starting the process (at 08:30 the whole branch logs in: in the crowd
  the sessions start 0.1–0.2 s apart) until Today shows its day (the filter line, "[全部 32]
  联系 21 …", written once the day is read; the first open of the day also makes the plan);
* five calls: the cursor put on the first row a reached call closes in one step (a task with
  a customer: contact, care, after-sale, maturity, follow-up, call-back, manual), then
  ``c`` (``outcome_c``: the outcome dialog with the customer's name painted) and ``1``
  (``outcome_1``: the dialog gone and the row left the list, i.e. the call written and the
  list read again); the customer's name is kept for the lost-write check;
* ``F3`` (``switch_screen``), then three customers of the session's own book (a name, its
  pinyin, its initials: :func:`tui_search.draw_queries`) typed key by key 150 ms apart
  (``search_key``: the key echoed in the box *and* the first hit read beforehand through the
  services, :func:`keystrokes.expected_hits`, on the list's first row); after each query
  ``Enter`` (``open_360``: the 360 view of the first hit, its customer number painted) and
  ``Esc`` (``back``: the search with the query again);
* a complaint, taken in the last 360 view before going back: ``p``, the description typed
  (unique per session), ``Tab`` to the category, ``Enter`` ``↓`` ``Enter`` picks 资费类,
  ``Ctrl+S`` (``complaint_save``: the dialog gone, which it is only once the ticket is
  written; then "已记录投诉", a 5-second toast, is looked for and counted when never painted);
  kept for the lost-write check;
* ``F4`` visits, ``F5`` complaints, ``F2`` Today (``switch_screen``: the screen's title and
  its first data line painted).

Between actions a think time of ``--think-ms`` (±50 %, seeded per session); between keys of a
query 150 ms after the previous key's effect showed. One session runs the morning alone first
(the solo figures, with the scheduler running), then the crowd: N sessions (distinct active
staff with a book, managers and phone managers; logins reused round-robin when the branch has
fewer), all logged in before any script starts, then every script at once.

The database is a copy (``copy_database`` to a sibling, removed at the end) on which
``cmw generate`` first makes the day's tasks, as the scheduler's 06:30 job would have (the
demo database is built at 08:30 without them, so Today would be nearly empty). Every process
gets a ``config.toml`` with ``language = "zh_CN"`` and ``[scheduler] in_tui = false``, and
``CMW_NOW`` fixed (keystrokes' ``_env``); ``cmw scheduler`` runs beside them for the whole run,
its log searched for tracebacks and errors.

``--with-import ROWS`` runs ``cmw --db URL import customers FILE`` (the CSV of
``bench/import.py``, numbers ``P…`` that the demo does not use) once every crowd session is up;
the rows have no owner, so they go to the branch pool: the sessions' books, and so the search
hits read beforehand, stay as they were. The JSON gives its duration and the longest
key → paint wait any session saw while it ran (per action and overall).

``--ssh`` runs each session through a private sshd (``tests/sshd.py``: the machine's
``/usr/sbin/sshd`` on a loopback port, keys granted with ``cmw staff grant-key``, whose forced
command runs ``cmw tui --as LOGIN``); without sshd it exits with a message.

Memory: PSS and RSS of each session's ``cmw`` process (``/proc/PID/smaps_rollup``; through ssh
the process is found under sshd's process tree) once it finished its script, all sessions
still open; the floor is a bare Textual app importing the same stack (textual, sqlmodel,
sqlalchemy, apscheduler, dateutil, tabulate; one ``Input``) started on a pty while the crowd
runs, read at the same moment.

Lost writes: at the end every call and complaint a session saw succeed is looked up in the
database (``interaction`` and ``complaint`` rows newer than the run's start, by staff member).
Errors: timeouts (each with the state of the session's process then: running, sleeping, its
CPU time), problem texts on a screen (a traceback, "Error", 出错了, the product's failure
messages, "database is locked"), sessions that ended early or did not quit on ``Ctrl+Q``,
and the scheduler's failures. CPU: each session's start-up and script CPU time, and the
harness's own, so a saturated machine shows as such.

Why worker processes: every session's screen is a pyte emulator fed by a reader thread, and
the conditions waited for are evaluated on the whole screen at every chunk of output; 50 of
them in one Python process contend for one GIL, so a paint would be timestamped late because
the harness, not the workbench, was busy. The crowd is split over ``--workers`` processes
(default: one per 8 sessions), each running its share in threads; they meet at barriers
(everyone up, everyone done) and timestamps are ``time.monotonic()``, one clock for all
processes on Linux. The machine still has its cores for the harness and the sessions alike:
the figures are of the whole branch server, harness included.

Prints JSON: per action kind n, timeouts, p50/p95/p99/max for the crowd and the solo run and
the ratio of their p95; memory; CPU; scheduler; import; errors; lost writes; a line per
session; targets (search key and outcome keys: crowd median < 100 ms and crowd p95 ≤ 1.5×
solo p95; no errors, no lost writes; mean session PSS ≤ 1.5× the bare app's, max ≤ 80 MiB).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import multiprocessing
import os
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "typing"))
import keystrokes
from common import (
    Db,
    add_database_args,
    cmw,
    copy_database,
    database,
    is_url,
    machine,
    percentile,
    raw_connect,
    raw_sql,
    remove_database,
    sibling,
    url_of,
)
from keystrokes import (
    BARE_APP,
    SIZE,
    _after,
    _env,
    _heading,
    _press,
    _shows_hits,
    expected_hits,
)
from terminal import Terminal, encode
from tui_search import draw_queries

from cmworkbench import i18n
from cmworkbench.i18n import label, t
from cmworkbench.services.complaints.schemas import CATEGORIES

TESTS = Path(__file__).resolve().parent.parent / "tests"

KINDS = (
    "today_open",
    "outcome_c",
    "outcome_1",
    "search_key",
    "open_360",
    "back",
    "complaint_save",
    "switch_screen",
)
BOOK_ROLES = ("manager", "phone_manager", "supervisor")
"""Roles that hold a book (not admin, referrer, risk_manager, branch_head)."""
CALLABLE = ("contact", "care", "after_sale", "maturity", "follow_up", "call_back", "manual")
"""Task kinds whose Today row a reached call (``c`` ``1``) closes in one step
(:mod:`cmworkbench.domain.task_rules`): not a post-loan check (a visit only), a verification
(marked, not called), a retention task (it asks how the talk ended), a promise, a prospect or
a planned visit."""
CALLS = 5
QUERIES = 3
KEY_GAP = 0.15
"""Seconds between the keys of a typed query (after the previous key's effect showed)."""
START_WAIT = 180.0
"""Longest wait for a session's first Today (50 logins on two cores take a while)."""
STEP_WAIT = 15.0
"""Shortest wait for an unmeasured step (a dialog field, the search cleared); ``--timeout-s``
when longer (a loaded machine is as slow for these as for the measured keys)."""
COMPLAINT_TEXT = "宽带反复断线三天，编号 {tag}"
BARE_STACK = (
    "import textual, sqlmodel, sqlalchemy\n"
    "import apscheduler.schedulers.background, dateutil.rrule, tabulate\n" + BARE_APP
)
"""The memory floor: Textual with one ``Input``, importing the workbench's stack."""
TARGET_MEDIAN_MS = 100.0
TARGET_P95_RATIO = 1.5
TARGET_PSS_RATIO = 1.5
TARGET_MAX_PSS_MIB = 80.0
LOCK_MARKS = ("database is locked", "数据库忙", "locked")
SCHEDULER_ERROR = re.compile(r"\bERROR\b|\b[Ee]rror\b|raised an exception|\bfailed\b|\w+Error: ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, customers=100_000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--with-import", dest="import_rows", type=int, metavar="ROWS")
    parser.add_argument("--ssh", action="store_true", help="every session through sshd")
    parser.add_argument(
        "--server", action="store_true", help="every session a child of `cmw sessions serve`"
    )
    parser.add_argument("--think-ms", type=float, default=800.0)
    parser.add_argument("--workers", type=int, help="harness processes (default: N/8)")
    parser.add_argument(
        "--timeout-s", type=float, default=30.0, help="a longer wait for a key is a timeout"
    )
    args = parser.parse_args()
    keystrokes.WAIT = args.timeout_s  # what keystrokes._after waits at most
    i18n.set_language("zh_CN")
    if args.ssh:
        missing = _ssh_missing()
        if missing:
            print(f"--ssh needs {missing} (apt-get install openssh-server)", file=sys.stderr)
            return 2
    db = database(args)
    copy = sibling(db, "sessions")
    copy_database(db, copy)
    try:
        with tempfile.TemporaryDirectory(prefix="cmw-sessions-") as folder:
            result = run(args, db, copy, Path(folder))
    finally:
        remove_database(copy)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


# -- the run --------------------------------------------------------------------------------


@dataclass
class Plan:
    """One session: who, what it types, when it starts."""

    index: int
    login: str
    tag: str
    """``S`` for the solo run, ``C07`` for the eighth session of the crowd."""
    argv: list[str]
    queries: list[tuple[str, str]]
    first: dict[str, str]
    offset: float = 0.0
    """Seconds after the phase's start at which the process is started."""
    seed: int = 7


@dataclass
class Setup:
    """What every session of a run shares."""

    env: dict[str, str]
    think: float
    sshd: Any = None
    """The running :class:`sshd.Sshd` with ``--ssh``."""
    server_pid: int | None = None
    """The session server's process with ``--server``."""


def run(args: argparse.Namespace, db: Db, copy: Db, folder: Path) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    url = url_of(copy)
    config = folder / "config.toml"
    socket_path = folder / "run" / "sessions.sock"
    config.write_text(
        f'[general]\nlanguage = "zh_CN"\ndatabase_url = {json.dumps(url)}\n\n'
        "[scheduler]\nin_tui = false\n"
        + (f"\n[sessions]\nsocket = {json.dumps(str(socket_path))}\n" if args.server else ""),
        encoding="utf-8",
    )
    env = _env(config)
    sessions_server = _start_session_server(env, socket_path) if args.server else None
    started = time.perf_counter()
    subprocess.run([cmw(), "--db", url, "generate"], env=env, check=True, capture_output=True)
    generated = time.perf_counter() - started
    logins, distinct = book_logins(copy, args.sessions, args.seed)
    base = _baseline(copy)
    setup = Setup(env, args.think_ms / 1000)
    setup.server_pid = sessions_server.pid if sessions_server else None
    server = None
    if args.ssh:
        server = start_sshd(folder, config, sorted(set(logins)))
        setup.sshd, setup.env = server, _ssh_env()
    scheduler_log = folder / "scheduler.log"
    with scheduler_log.open("wb") as sink:
        scheduler = subprocess.Popen(
            [cmw(), "--db", url, "scheduler"],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        print(f"sessions: solo ({logins[0]}) …", file=sys.stderr, flush=True)
        solo_plan = _plan(copy, url, setup, 0, logins[0], "S", args.seed)
        solo = [Morning(solo_plan, setup).run(Hooks())]
        print(f"sessions: crowd of {len(logins)} …", file=sys.stderr, flush=True)
        crowd_out = crowd(args, copy, url, setup, logins, folder)
    finally:
        scheduler_errors = _stop_scheduler(scheduler, scheduler_log)
        if server is not None:
            server.stop()
        if sessions_server is not None:
            sessions_server.terminate()
            sessions_server.wait(15)
    crowd_sessions = crowd_out["sessions"]
    lost = lost_writes(copy, base, solo + crowd_sessions)
    solo_table = actions(_samples(solo))
    crowd_table = actions(_samples(crowd_sessions))
    errors = _errors(solo + crowd_sessions, scheduler_errors)
    memory = _memory(crowd_sessions, crowd_out["bare"], solo)
    result: dict[str, Any] = {
        "benchmark": "sessions",
        "database": "postgresql" if is_url(db) else str(db),
        "customers": _customers(copy),
        "sessions": len(logins),
        "logins": {
            "distinct": distinct,
            "reused_round_robin": distinct < len(logins),
            "roles": list(BOOK_ROLES),
            "solo": logins[0],
        },
        "via": ("ssh (sshd, cmw staff grant-key)" if args.ssh else "pty")
        + (", session server (cmw sessions serve)" if args.server else ""),
        "terminal": f"pty {SIZE[0]}x{SIZE[1]}, pyte",
        "think_ms": args.think_ms,
        "key_gap_ms": KEY_GAP * 1000,
        "timeout_s": args.timeout_s,
        "workers": crowd_out["workers"],
        "prepared": f"cmw generate (the 06:30 job) on the copy: {generated:.1f} s",
        "crowd_up_seconds": crowd_out["up_seconds"],
        "solo": solo_table,
        "crowd": crowd_table,
        "ratio_p95_crowd_to_solo": {
            kind: _ratio(crowd_table[kind]["p95_ms"], solo_table[kind]["p95_ms"]) for kind in KINDS
        },
        "memory": memory,
        "cpu": {
            **_cpu(crowd_sessions, crowd_out["harness_cpu_s"], crowd_out["scripts_wall_s"]),
            "solo_startup_cpu_s": solo[0]["cpu"].get("startup_s"),
            "solo_script_cpu_s": solo[0]["cpu"].get("script_s"),
        },
        "scheduler": {
            "ran": scheduler_errors["alive_at_the_end"] or scheduler_errors["jobs_run"] > 0,
            **scheduler_errors,
        },
        "errors": errors,
        "lost_writes": lost,
        "machine": {**machine(), "load_average_before": load_before},
    }
    result["per_session"] = [_brief(s) for s in solo + crowd_sessions]
    if args.import_rows:
        result["import"] = _import_figures(crowd_out["import"], crowd_sessions)
    result["targets"] = targets(crowd_table, solo_table, errors, lost, memory)
    result["meets_target"] = all(v["meets_target"] for v in result["targets"].values())
    return result


def book_logins(db: Db, n: int, seed: int) -> tuple[list[str], int]:
    """``n`` logins of active staff with a book (shuffled with ``seed``; reused round-robin
    when there are fewer), and how many are distinct."""
    raw = raw_connect(db)
    roles = ", ".join(f"'{role}'" for role in BOOK_ROLES)
    sql = (
        f"SELECT s.login FROM staff s WHERE s.active AND s.role IN ({roles})"
        " AND EXISTS (SELECT 1 FROM customer c WHERE c.owner_id = s.id) ORDER BY s.login"
    )
    found = [row[0] for row in raw.execute(raw_sql(raw, sql)).fetchall()]
    raw.close()
    if not found:
        raise SystemExit("no active staff with a book in this database")
    random.Random(seed).shuffle(found)
    return [found[i % len(found)] for i in range(n)], min(n, len(found))


def _plan(db: Db, url: str, setup: Setup, index: int, login: str, tag: str, seed: int) -> Plan:
    queries = draw_queries(db, login, QUERIES, seed + index)
    first = expected_hits(db, login, queries)
    if setup.sshd is not None:
        argv = setup.sshd.ssh_args(login, "-tt")
    else:
        argv = [cmw(), "--db", url, "tui", "--as", login]
    return Plan(index, login, tag, argv, queries, first, seed=seed + index)


# -- the crowd ------------------------------------------------------------------------------


class Hooks:
    """Where a session meets the others: alone (the solo run), nothing to wait for."""

    def up(self, index: int, ok: bool) -> None:
        pass

    def wait_go(self) -> None:
        pass

    def done(self, index: int) -> None:
        pass

    def wait_close(self) -> None:
        pass


class Barriers(Hooks):
    """A crowd session reports to the parent and waits for its word."""

    def __init__(self, events: Any, go: Any, close: Any) -> None:
        self.events, self.go, self.close = events, go, close

    def up(self, index: int, ok: bool) -> None:
        self.events.put(("up", index, ok, time.monotonic()))

    def wait_go(self) -> None:
        self.go.wait()

    def done(self, index: int) -> None:
        self.events.put(("done", index, True, time.monotonic()))

    def wait_close(self) -> None:
        self.close.wait()


def crowd(
    args: argparse.Namespace, db: Db, url: str, setup: Setup, logins: list[str], folder: Path
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    plans, offset = [], 0.0
    for index, login in enumerate(logins):
        plan = _plan(db, url, setup, index, login, f"C{index:02d}", args.seed)
        plan.offset = offset
        offset += rng.uniform(0.1, 0.2)
        plans.append(plan)
    source = None
    if args.import_rows:
        source = folder / "customers.csv"
        _write_import_csv(source, args.import_rows, args.seed)
    workers = args.workers or max(1, math.ceil(len(plans) / 8))
    workers = min(workers, len(plans))
    context = multiprocessing.get_context("fork")
    events, results = context.Queue(), context.Queue()
    go, close = context.Event(), context.Event()
    start = time.monotonic() + 1.0
    processes = [
        context.Process(
            target=_worker,
            args=(plans[w::workers], setup, start, events, results, go, close),
            daemon=True,
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    out: dict[str, Any] = {"workers": workers, "import": None}
    bare: Terminal | None = None
    parent_cpu = _own_cpu()
    try:
        _collect(events, "up", len(plans), processes)
        out["up_seconds"] = round(time.monotonic() - start, 1)
        # the floor starts once the login burst is over, and is up before the scripts start
        bare = Terminal([sys.executable, "-c", BARE_STACK], setup.env, SIZE)
        with contextlib.suppress(AssertionError):
            bare.wait_for(lambda text: text.strip() != "", "the bare app", timeout=60)
        time.sleep(1.0)
        importing = None
        if source is not None:
            argv = [cmw(), "--db", url, "import", "customers", str(source)]
            importing = subprocess.Popen(
                argv, env=setup.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            import_started = time.monotonic()
        go.set()
        went = time.monotonic()
        watcher: dict[str, Any] = {}
        if importing is not None:
            watch = threading.Thread(
                target=_watch_import, args=(importing, import_started, watcher), daemon=True
            )
            watch.start()
        _collect(events, "done", len(plans), processes)
        out["scripts_wall_s"] = time.monotonic() - went
        out["bare"] = _pss(bare.pid)
        close.set()
        sessions: list[dict[str, Any]] = []
        harness = _own_cpu() - parent_cpu
        for _ in processes:
            share, used = results.get(timeout=120)
            sessions.extend(share)
            harness += used
        out["harness_cpu_s"] = harness
        for process in processes:
            process.join(timeout=30)
        if importing is not None:
            watch.join()
            out["import"] = {"rows": args.import_rows, **watcher}
    finally:
        go.set()
        close.set()
        if bare is not None:
            bare.close()
        for process in processes:
            if process.is_alive():
                process.kill()
    out["sessions"] = sorted(sessions, key=lambda s: s["index"])
    return out


def _worker(
    plans: list[Plan],
    setup: Setup,
    start: float,
    events: Any,
    results: Any,
    go: Any,
    close: Any,
) -> None:
    """One harness process: its share of the crowd, a thread each."""
    hooks = Barriers(events, go, close)
    out: list[dict[str, Any]] = []
    lock = threading.Lock()

    def one(plan: Plan) -> None:
        time.sleep(max(0.0, start + plan.offset - time.monotonic()))
        session = Morning(plan, setup).run(hooks)
        with lock:
            out.append(session)

    threads = [threading.Thread(target=one, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((out, _own_cpu()))


def _collect(events: Any, what: str, n: int, processes: list[Any]) -> None:
    """Wait for ``n`` ``what`` reports (a dead worker's sessions never report: give up)."""
    seen = 0
    while seen < n:
        try:
            kind, _index, _ok, _at = events.get(timeout=5)
        except queue.Empty:
            if not any(p.is_alive() for p in processes):
                raise RuntimeError(f"the harness died before every session was {what}") from None
            continue
        seen += kind == what


def _watch_import(process: subprocess.Popen[str], started: float, out: dict[str, Any]) -> None:
    stdout, stderr = process.communicate()
    finished = time.monotonic()
    out.update(
        started=started,
        finished=finished,
        seconds=round(finished - started, 1),
        exit_status=process.returncode,
        output=(stdout.strip() or stderr.strip()).splitlines()[:1],
    )


def _write_import_csv(path: Path, rows: int, seed: int) -> None:
    """bench/import.py's CSV, with no owner (the rows go to the branch pool)."""
    generator = importlib.import_module("import")
    setattr(generator, "MANAGERS", ("",))  # noqa: B010 (a module found at run time)
    generator.write_csv(path, rows, "gbk", seed)


# -- one session's morning ------------------------------------------------------------------


class Pane(Terminal):
    """A terminal that can also tell which list row holds the cursor (painted bold)."""

    def bold_lines(self) -> set[int]:
        with self._lock:
            buffer = self.screen.buffer
            return {y for y in range(self.screen.lines) if buffer[y][2].bold}


@dataclass
class Morning:
    plan: Plan
    setup: Setup
    samples: list[tuple[str, float, float | None]] = field(default_factory=list)
    """(action kind, when the key was written, milliseconds or ``None``: timeout)."""
    calls: list[str] = field(default_factory=list)
    """The customers (their names as Today shows them) whose call was seen logged."""
    complaints: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    locks: int = 0
    unconfirmed: int = 0
    stalls: list[str] = field(default_factory=list)
    """Per timeout, the state of the session's process (running, sleeping, its CPU time)."""
    pid: int | None = None
    """The process running the workbench."""
    client_pid: int | None = None
    """With ``--server``: the ``cmw tui`` client left on the terminal."""
    shown: set[str] = field(default_factory=set)
    """Problem texts on the screen at the last look (one on screen for a while counts once)."""

    def run(self, hooks: Hooks) -> dict[str, Any]:
        plan = self.plan
        self.rng = random.Random(plan.seed)
        ended_early = False
        memory: dict[str, float] | None = None
        term: Pane | None = None
        reported = False
        cpu: dict[str, float | None] = {}
        at_login: dict[str, float] | None = None
        exit_status: int | None = None
        try:
            spawned = time.monotonic()
            term = Pane(plan.argv, self.setup.env, SIZE)
            self.term = term
            try:
                painted = term.wait_for(_today_loaded, "Today", timeout=START_WAIT)
                self.samples.append(("today_open", spawned, (painted - spawned) * 1000))
                ok = True
            except AssertionError as error:
                self.samples.append(("today_open", spawned, None))
                self._problem(f"{plan.login}: no Today: {error}")
                ok = False
            pid = self.pid = self._cmw_pid() if ok else None
            cpu["startup_s"] = _cpu_seconds(pid)
            at_login = self._session_pss(pid)
            hooks.up(plan.index, ok)
            reported = True
            hooks.wait_go()
            if ok:
                began = time.monotonic()
                before = _cpu_seconds(pid)
                self._look(term.text())
                self.morning()
                after = _cpu_seconds(pid)
                cpu["script_wall_s"] = round(time.monotonic() - began, 1)
                if before is not None and after is not None:
                    cpu["script_s"] = round(after - before, 2)
            ended_early = term.closed
            memory = self._session_pss(pid)
        except Exception:
            self._problem(f"{plan.login}: {traceback.format_exc()}")
            ended_early = term is None or term.closed
        finally:
            if not reported:  # the others must not wait for this one
                hooks.up(plan.index, False)
                hooks.wait_go()
            hooks.done(plan.index)
            hooks.wait_close()
            if term is not None:  # 50 sessions quitting at once on a busy machine take a while
                exit_status = term.close(timeout=30)
        return {
            "index": plan.index,
            "login": plan.login,
            "tag": plan.tag,
            "samples": self.samples,
            "calls": self.calls,
            "complaints": self.complaints,
            "problems": self.problems,
            "locks": self.locks,
            "unconfirmed": self.unconfirmed,
            "stalls": self.stalls,
            "exit_status": exit_status,
            "ended_early": ended_early,
            "memory": memory,
            "memory_at_login": at_login,
            "cpu": cpu,
        }

    # -- the script -----------------------------------------------------------------------

    def morning(self) -> None:
        self.think()
        for _ in range(CALLS):
            if not self.call():
                break
        self.search()
        self.switch("f4", _visits_loaded)
        self.switch("f5", _complaints_loaded)
        self.switch("f2", _today_loaded)

    def call(self) -> bool:
        """Put the cursor on the first row a call can be logged on, ``c``, ``1``; False when
        no such row is left."""
        heading = _heading("today", ("customer", "kind", "due"))
        placed = self._place_cursor(heading)
        if placed is None:
            return False
        target, before = placed
        name = before.split()[0].rstrip("…")
        start, end = t("tui.outcome.title.call", name="\0").split("\0")
        title = start + name
        self.think()
        if self.measure("outcome_c", "c", lambda s: title in s and end in s, "the dialog") is None:
            self.term.write(encode("escape"))  # whatever opened (if anything) is not logged
            self._wait(lambda s: end not in s, "the dialog closed")
            return False  # what the list shows is uncertain now: on to the search

        def logged(text: str) -> bool:
            now = _today_rows(text, heading)
            left = len(now) <= target or now[target] != before
            return end not in text and left and before not in now

        self.think()
        if self.measure("outcome_1", "1", logged, "the row logged to leave") is None:
            return False  # the call may still be written, its reload still to come
        if t("tui.error.title") in self.term.text():
            return False  # a failure said so (counted by _look): not a call seen logged
        self.calls.append(name)
        return True

    def _place_cursor(self, heading: Callable[[str], bool]) -> tuple[int, str] | None:
        """The cursor on the first callable row, read from a screen at rest: its index and
        text (None: no callable row, or the cursor would not get there)."""
        for _attempt in range(3):
            rows = self._rows_at_rest(heading)
            target = next((n for n, row in enumerate(rows) if _callable(row)), None)
            if target is None:
                return None
            if self._cursor_to(target, heading) and self._rows_at_rest(heading) == rows:
                return target, rows[target]
        self._problem(f"{self.plan.login}: the cursor would not stay on a callable row")
        return None

    def _rows_at_rest(self, heading: Callable[[str], bool]) -> list[str]:
        """Today's rows once nothing was painted for a moment (not a list half repainted)."""
        with contextlib.suppress(AssertionError):
            self.term.wait_quiet(0.3, timeout=STEP_WAIT)
        return _today_rows(self.term.text(), heading)

    def search(self) -> None:
        plan, term = self.plan, self.term
        placeholder = t("tui.customers.search_placeholder")
        mode = t("tui.mode.customers")
        if (
            self.measure(
                "switch_screen",
                "f3",
                lambda s: _title_is(s, mode) and placeholder in s,
                "the customer search",
            )
            is None
        ):
            return  # typing a query anywhere else would press that screen's keys
        heading = _heading("customers", ("customer_no", "name", "matched"))
        c360 = t("tui.c360.title")
        with_hits = [n for n, (_k, q) in enumerate(plan.queries) if plan.first.get(q.strip())]
        complaint_at = with_hits[-1] if with_hits else None
        for n, (_kind, query) in enumerate(plan.queries):
            self.think()
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                time.sleep(KEY_GAP)
                shows = _shows_hits(prefix, plan.first[prefix.strip()], heading)
                self.measure("search_key", query[end - 1], shows, prefix)
            number = plan.first.get(query.strip(), "")
            if number:
                self.think()

                def in_360(s: str, no: str = number) -> bool:
                    return _title_is(s, c360) and no in s

                opened = self.measure("open_360", "enter", in_360, "the 360 view")
                if opened is None:
                    return  # where the next keys would land is uncertain
                if n == complaint_at:
                    self.complaint()
                self.think()

                def searching(s: str, q: str = query) -> bool:
                    return _title_is(s, mode) and any(q in line for line in s.splitlines()[:5])

                back = self.measure(
                    "back",
                    "escape",
                    searching,
                    "back to the search",
                )
                if back is None:
                    return
            self.think()
            term.write(encode("ctrl+u"))
            if not self._wait(lambda s: placeholder in s, "the search cleared"):
                return

    def complaint(self) -> None:
        """``p`` in the 360 view, the description, the first category, ``Ctrl+S``."""
        term = self.term
        text = COMPLAINT_TEXT.format(tag=self.plan.tag)
        title_end = t("tui.complaint.title", name="\0").split("\0")[1]
        hint = t("tui.complaint.description_placeholder")
        self.think()
        term.write(encode("p"))
        if not self._wait(lambda s: title_end in s and hint in s, "the complaint form"):
            return
        for char in text:
            time.sleep(KEY_GAP)
            term.write(encode(char))
        if not self._wait(lambda s: text in s, "the description typed"):
            self._cancel_form(title_end)
            return
        category = t("tui.complaint.category")
        chosen = label("complaint_category", CATEGORIES[0])
        for key in ("tab", "enter", "down", "enter"):
            time.sleep(KEY_GAP)
            term.write(encode(key))
        if not self._wait(
            lambda s: any(category in line and chosen in line for line in s.splitlines()),
            "the category chosen",
        ):
            self._cancel_form(title_end)
            return
        saved = t("tui.c360.complaint_opened")
        field = t("tui.complaint.description")
        self.think()
        # The form closes only once the ticket is written (FormDialog): the dialog gone is the
        # save; its confirmation ("已记录投诉", a 5-second toast) is looked for besides.
        closed = self.measure(
            "complaint_save",
            "ctrl+s",
            lambda s: title_end not in s and field not in s,
            "the complaint saved",
        )
        if closed is None:
            self._cancel_form(title_end)
            return
        self.complaints.append(text)
        try:
            self.term.wait_for(lambda s: saved in s, "the confirmation", timeout=10)
        except AssertionError:
            self.unconfirmed += 1

    def _cancel_form(self, title_end: str) -> None:
        """A step of the complaint form failed: ``Esc`` closes the form (nothing is saved)."""
        if title_end in self.term.text():
            self.term.write(encode("escape"))
            self._wait(lambda s: title_end not in s, "the complaint form closed")

    def switch(self, key: str, loaded: Callable[[str], bool]) -> None:
        self.think()
        self.measure("switch_screen", key, loaded, f"the screen of {key}")

    # -- the means ------------------------------------------------------------------------

    def think(self) -> None:
        time.sleep(self.setup.think * self.rng.uniform(0.5, 1.5))

    def measure(
        self, kind: str, key: str, condition: Callable[[str], bool], what: str
    ) -> float | None:
        """Write ``key``; milliseconds until ``condition`` holds on the screen (None: timeout)."""
        written = _press(self.term, key)
        waited = _after(self.term, condition, written, f"{self.plan.tag} {what}")
        self.samples.append((kind, written, waited))
        self._look(self.term.text())
        if waited is None and self.term.closed:
            raise RuntimeError("the program ended")
        if waited is None:
            self.stalls.append(f"{kind} ({what}): {_process_state(self.pid)}")
        return waited

    def _wait(self, condition: Callable[[str], bool], what: str) -> bool:
        try:
            self.term.wait_for(condition, what, timeout=max(STEP_WAIT, keystrokes.WAIT))
        except AssertionError as error:
            self._problem(f"{self.plan.login}: {error}")
            return False
        finally:
            self._look(self.term.text())
        return True

    def _cursor_to(self, target: int, heading: Callable[[str], bool]) -> bool:
        """Move the list's cursor to row ``target`` (0: the first row): arrow keys, then wait
        for them to be acted on before looking again (keys still on their way would make it
        overshoot)."""
        for _attempt in range(4):
            current = self._cursor(heading)
            if current == target:
                return True
            if current is not None:
                key = "down" if current < target else "up"
                for _ in range(abs(target - current)):
                    self.term.write(encode(key))
                    time.sleep(0.05)
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline and self._cursor(heading) != target:
                time.sleep(0.05)
            with contextlib.suppress(AssertionError):
                self.term.wait_quiet(0.3, timeout=STEP_WAIT)
        return self._cursor(heading) == target

    def _cursor(self, heading: Callable[[str], bool]) -> int | None:
        lines = self.term.text().splitlines()
        top = next((n for n, line in enumerate(lines) if heading(line)), None)
        if top is None:
            return None
        below = sorted(y for y in self.term.bold_lines() if y > top)
        return below[0] - top - 1 if below else None

    def _look(self, text: str) -> None:
        """Count the problem texts newly on the screen."""
        now = {mark for mark in _problem_marks() if mark in text}
        for mark in now - self.shown:
            line = next((ln.strip() for ln in text.splitlines() if mark in ln), mark)
            if any(lock in mark for lock in LOCK_MARKS):
                self.locks += 1
            self._problem(f"{self.plan.login}: on screen: {line}")
        self.shown = now

    def _problem(self, text: str) -> None:
        self.problems.append(text[:2000])

    def _cmw_pid(self) -> int | None:
        """The process running this session's workbench: the pty's child, or under sshd, or
        (``--server``) the session server's child working on the same terminal."""
        client = self.term.pid
        if self.setup.sshd is not None:
            found = _ssh_session_pid(self.setup.sshd.process.pid, self.plan.login, client)
            if found is None or self.setup.server_pid is None:
                return found
            client = found
        if self.setup.server_pid is None:
            return client
        self.client_pid = client
        return _served_child(self.setup.server_pid, client)

    def _session_pss(self, pid: int | None) -> dict[str, float] | None:
        """What the session costs: its workbench's process, and through the session server
        its client too (the ``cmw tui`` left on the terminal)."""
        memory = _pss(pid)
        client = _pss(self.client_pid) if self.setup.server_pid is not None else None
        if memory is None or client is None:
            return memory
        return {key: round(memory[key] + client.get(key, 0.0), 1) for key in memory}


def _start_session_server(env: dict[str, str], path: Path) -> subprocess.Popen[bytes]:
    """``cmw sessions serve`` on ``path``, once it listens."""
    process = subprocess.Popen(
        [cmw(), "sessions", "serve"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the session server did not start")
        time.sleep(0.1)
    return process


def _served_child(server: int, client: int) -> int | None:
    """The session server's child whose terminal is ``client``'s."""
    try:
        terminal = os.readlink(f"/proc/{client}/fd/0")
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{child}/fd/0") == terminal:
                return int(child)
    return None


def _title_is(text: str, title: str) -> bool:
    first = text.split("\n", 1)[0]
    return first.strip().startswith(title)


def _today_loaded(text: str) -> bool:
    """Today with its day read: the filter line ("[全部 32]  联系 21 …") is written."""
    if not _title_is(text, t("tui.mode.today")):
        return False
    every = t("tui.today.all")  # the filter line, written once the day is read
    return any(re.match(rf"\[?{every} \d", line.strip()) for line in text.splitlines()[1:4])


def _visits_loaded(text: str) -> bool:
    lines = text.splitlines()
    return _title_is(text, t("tui.mode.visits")) and len(lines) > 1 and lines[1].strip() != ""


def _complaints_loaded(text: str) -> bool:
    views = (t("tui.ticket.my_view"), t("tui.ticket.team_view"))
    lines = text.splitlines()
    return (
        _title_is(text, t("tui.mode.complaints"))
        and len(lines) > 1
        and any(view in lines[1] for view in views)
    )


_KIND_LABELS: dict[str, str] = {}


def _kind_labels() -> dict[str, str]:
    """Label → task kind, for every kind a Today row may show."""
    if not _KIND_LABELS:
        from cmworkbench.i18n import CATALOGS

        prefix = "enum.task_kind."
        for key, value in CATALOGS["zh_CN"].items():
            if key.startswith(prefix):
                _KIND_LABELS[value] = key[len(prefix) :]
    return _KIND_LABELS


def _today_rows(text: str, heading: Callable[[str], bool]) -> list[str]:
    """The rows of Today's list as shown, top to bottom (up to the first line that is not a
    row: the end of the list, or a toast over it)."""
    lines = text.splitlines()
    top = next((n for n, line in enumerate(lines) if heading(line)), None)
    if top is None:
        return []
    kinds = _kind_labels()
    rows = []
    for line in lines[top + 1 :]:
        tokens = line.split()
        if len(tokens) < 3 or not any(token in kinds for token in tokens[1:3]):
            break
        rows.append(line.strip())
    return rows


def _callable(row: str) -> bool:
    tokens = row.split()
    if tokens[0] == t("tui.today.no_customer"):
        return False
    kinds = _kind_labels()
    kind = next(kinds[token] for token in tokens[1:3] if token in kinds)
    return kind in CALLABLE


_MARKS: list[str] = []


def _problem_marks() -> list[str]:
    if not _MARKS:
        _MARKS.extend(
            [
                "Traceback",
                "Error",
                t("tui.error.title"),
                t("tui.error.save_failed"),
                t("tui.error.load_failed"),
                *LOCK_MARKS,
            ]
        )
    return _MARKS


# -- memory ---------------------------------------------------------------------------------


def _pss(pid: int | None) -> dict[str, float] | None:
    """PSS and RSS (MiB) of ``pid`` from ``/proc/PID/smaps_rollup``."""
    if pid is None:
        return None
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name.lower() + "_mib"] = round(int(rest.split()[0]) / 1024, 1)
    return values


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) ``pid`` has used so far."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _process_state(pid: int | None) -> str:
    """What the process was doing: its state, threads and CPU time so far."""
    if pid is None:
        return "no process"
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    state, threads = fields.get("State", "?").strip(), fields.get("Threads", "?").strip()
    return f"state {state}, {threads} threads, cpu {_cpu_seconds(pid)} s"


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _cpu(
    sessions: list[dict[str, Any]], harness: float, script_wall: float | None
) -> dict[str, Any]:
    """Where the cores went: each session's start-up and script, and the harness's share."""
    startup = [s["cpu"]["startup_s"] for s in sessions if s["cpu"].get("startup_s") is not None]
    script = [s["cpu"]["script_s"] for s in sessions if s["cpu"].get("script_s") is not None]
    walls = [s["cpu"]["script_wall_s"] for s in sessions if s["cpu"].get("script_wall_s")]
    out: dict[str, Any] = {
        "session_startup_cpu_s_mean": round(statistics.mean(startup), 2) if startup else None,
        "session_script_cpu_s_mean": round(statistics.mean(script), 2) if script else None,
        "session_script_wall_s_mean": round(statistics.mean(walls), 1) if walls else None,
        "harness_cpu_s": round(harness, 1),
        "cores": os.cpu_count(),
    }
    if script and script_wall:
        out["scripts_phase_wall_s"] = round(script_wall, 1)
        out["sessions_cpu_demand_cores"] = round(sum(script) / script_wall, 2)
    return out


def _memory(
    sessions: list[dict[str, Any]], bare: dict[str, float] | None, solo: list[dict[str, Any]]
) -> dict[str, Any]:
    measured = [s["memory"] for s in sessions if s["memory"]]
    pss = [m["pss_mib"] for m in measured]
    rss = [m["rss_mib"] for m in measured]
    out: dict[str, Any] = {"measured_sessions": len(measured)}
    if pss:
        out |= {
            "session_pss_mean_mib": round(statistics.mean(pss), 1),
            "session_pss_max_mib": max(pss),
            "session_rss_mean_mib": round(statistics.mean(rss), 1),
            "session_rss_max_mib": max(rss),
            "total_pss_mib": round(sum(pss), 1),
        }
    at_login = [s["memory_at_login"] for s in sessions if s.get("memory_at_login")]
    if at_login:
        out["at_login_pss_mean_mib"] = round(statistics.mean(m["pss_mib"] for m in at_login), 1)
        out["at_login_rss_mean_mib"] = round(statistics.mean(m["rss_mib"] for m in at_login), 1)
    out["bare_app_pss_mib"] = bare["pss_mib"] if bare else None
    out["bare_app_rss_mib"] = bare["rss_mib"] if bare else None
    out["ratio_mean_pss_to_bare"] = _ratio(out.get("session_pss_mean_mib"), out["bare_app_pss_mib"])
    alone = solo[0]["memory"] if solo and solo[0]["memory"] else None
    out["solo_session_pss_mib"] = alone["pss_mib"] if alone else None
    out["solo_session_rss_mib"] = alone["rss_mib"] if alone else None
    return out


# -- ssh ------------------------------------------------------------------------------------


def _ssh_missing() -> str:
    import shutil

    wanted = {"/usr/sbin/sshd": Path("/usr/sbin/sshd").is_file()}
    wanted |= {tool: shutil.which(tool) is not None for tool in ("ssh", "ssh-keygen")}
    return ", ".join(tool for tool, present in wanted.items() if not present)


def _sshd_module() -> Any:
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))
    return importlib.import_module("sshd")


def start_sshd(folder: Path, config: Path, logins: list[str]) -> Any:
    """The tests' private sshd (``tests/sshd.py``), with room for a whole branch logging in at
    once (sshd drops unauthenticated connections beyond ``MaxStartups``: 10 by default)."""
    sshd = _sshd_module()

    class Branch(sshd.Sshd):  # type: ignore[misc,name-defined]
        def _write_config(self, port: int) -> Path:
            path: Path = super()._write_config(port)
            with path.open("a", encoding="utf-8") as f:
                f.write("MaxStartups 200\nMaxSessions 200\n")
            return path

    home = folder / "sshd"
    home.mkdir(mode=0o700)
    server = Branch(home, config)
    try:
        for login in logins:
            server.grant(login)
        server.start()
    except BaseException as error:  # pytest.fail raises an OutcomeException (a BaseException)
        server.stop()
        raise SystemExit(f"sshd did not start: {error}") from None
    return server


def _ssh_env() -> dict[str, str]:
    env: dict[str, str] = _sshd_module().clean_env()
    return env


def _ssh_session_pid(sshd_pid: int, login: str, _client: int) -> int | None:
    """The ``cmw tui --as LOGIN`` process below sshd (a login reused round-robin: the first
    one not yet claimed)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(proc.name))
    stack, found = [sshd_pid], []
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            stack.append(child)
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"tui" in argv and login.encode() in argv and any(b"cmw" in a for a in argv):
                found.append(child)
    with _CLAIMED_LOCK:
        for pid in sorted(found):
            if pid not in _CLAIMED:
                _CLAIMED.add(pid)
                return pid
    return None


_CLAIMED: set[int] = set()
_CLAIMED_LOCK = threading.Lock()


# -- the scheduler, the database ------------------------------------------------------------


def _stop_scheduler(process: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = [line for line in text.splitlines() if SCHEDULER_ERROR.search(line)]
    failures = [  # what the scheduler said went wrong, besides the tracebacks it printed
        line
        for line in lines
        if not re.search(r"\w+Error: ", line) and "Background on this error" not in line
    ]
    return {
        "alive_at_the_end": alive,
        "exit_status": process.returncode,
        "jobs_run": text.count("executed successfully"),
        "errors": len(failures) + text.count("Traceback"),
        "tracebacks": text.count("Traceback"),
        "lock_messages": sum(text.count(mark) for mark in LOCK_MARKS[:2]),
        "error_lines": sorted(set(re.sub(r"^[\d-]+ [\d:,]+ ", "", line) for line in lines))[:12],
    }


def _baseline(db: Db) -> dict[str, int]:
    raw = raw_connect(db)
    out = {
        table: raw.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        for table in ("interaction", "complaint")
    }
    raw.close()
    return out


def _customers(db: Db) -> int:
    raw = raw_connect(db)
    count: int = raw.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
    raw.close()
    return count


def lost_writes(db: Db, base: dict[str, int], sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """Every call and complaint a session saw succeed, looked up in the database."""
    raw = raw_connect(db)
    calls = raw.execute(
        raw_sql(
            raw,
            "SELECT s.login, c.name FROM interaction i JOIN staff s ON s.id = i.staff_id"
            " JOIN customer c ON c.id = i.customer_id"
            " WHERE i.id > ? AND i.kind = 'call' AND i.outcome = 'reached'",
        ),
        (base["interaction"],),
    ).fetchall()
    tickets = raw.execute(
        raw_sql(
            raw,
            "SELECT s.login, t.description FROM complaint t"
            " JOIN staff s ON s.id = t.received_by_id WHERE t.id > ?",
        ),
        (base["complaint"],),
    ).fetchall()
    raw.close()
    unmatched_calls = [tuple(row) for row in calls]
    unmatched_tickets = [tuple(row) for row in tickets]
    missing: list[str] = []
    expected = found = 0
    for session in sessions:
        for name in session["calls"]:
            expected += 1
            hit = next(
                (r for r in unmatched_calls if r[0] == session["login"] and r[1].startswith(name)),
                None,
            )
            if hit is None:
                missing.append(f"call {session['login']} → {name}")
            else:
                found += 1
                unmatched_calls.remove(hit)
        for text in session["complaints"]:
            expected += 1
            if (session["login"], text) in unmatched_tickets:
                found += 1
                unmatched_tickets.remove((session["login"], text))
            else:
                missing.append(f"complaint {session['login']}: {text}")
    return {
        "expected": expected,
        "found": found,
        "lost": expected - found,
        "calls_expected": sum(len(s["calls"]) for s in sessions),
        "complaints_expected": sum(len(s["complaints"]) for s in sessions),
        "calls_per_login": {s["tag"] + " " + s["login"]: len(s["calls"]) for s in sessions},
        "missing": missing[:20],
        "unexpected_rows": len(unmatched_calls) + len(unmatched_tickets),
    }


# -- figures --------------------------------------------------------------------------------


def _samples(sessions: list[dict[str, Any]]) -> list[tuple[str, float, float | None]]:
    return [tuple(sample) for session in sessions for sample in session["samples"]]  # type: ignore[misc]


def actions(samples: list[tuple[str, float, float | None]]) -> dict[str, dict[str, Any]]:
    return {kind: _summary([ms for k, _at, ms in samples if k == kind]) for kind in KINDS}


def _summary(samples: list[float | None]) -> dict[str, Any]:
    values = [v for v in samples if v is not None]
    return {
        "n": len(values),
        "timeouts": len(samples) - len(values),
        "p50_ms": round(statistics.median(values), 1) if values else None,
        "p95_ms": round(percentile(values, 95), 1) if values else None,
        "p99_ms": round(percentile(values, 99), 1) if values else None,
        "max_ms": round(max(values), 1) if values else None,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _errors(sessions: list[dict[str, Any]], scheduler: dict[str, Any]) -> dict[str, Any]:
    problems = [p for s in sessions for p in s["problems"]]
    timeouts = sum(1 for s in sessions for _k, _at, ms in s["samples"] if ms is None)
    ended = [f"{s['tag']} {s['login']}" for s in sessions if s["ended_early"]]
    screens = sum(1 for p in problems if ": on screen: " in p)
    locks = sum(s["locks"] for s in sessions)
    stuck = [f"{s['tag']} {s['login']}" for s in sessions if s["exit_status"] != 0]
    stalls = [f"{s['tag']} {s['login']}: {stall}" for s in sessions for stall in s["stalls"]]
    return {
        "total": len(ended) + len(problems) + timeouts + scheduler["errors"] + len(stuck),
        "timeouts_detail": stalls[:20],
        "sessions_ended_early": ended,
        "sessions_not_quitting_on_ctrl_q": stuck,
        "complaint_confirmations_not_painted": sum(s["unconfirmed"] for s in sessions),
        "screens_with_errors": screens,
        "lock_messages": locks + scheduler["lock_messages"],
        "timeouts": timeouts,
        "scheduler_errors": scheduler["errors"],
        "problems": problems[:12],
    }


def _brief(session: dict[str, Any]) -> str:
    """One line per session: who, what it got done, what went wrong, its memory."""
    timeouts = sum(1 for _k, _at, ms in session["samples"] if ms is None)
    memory = session["memory"] or {}
    return (
        f"{session['tag']} {session['login']}: calls {len(session['calls'])},"
        f" complaint {len(session['complaints'])}, timeouts {timeouts},"
        f" problems {len(session['problems'])}, exit {session['exit_status']},"
        f" PSS {memory.get('pss_mib')} MiB, script cpu {session['cpu'].get('script_s')} s"
    )


def _import_figures(out: dict[str, Any] | None, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    if not out:
        return {"error": "the import did not run"}
    start, end = out["started"], out["finished"]
    during = [(kind, ms) for s in sessions for kind, at, ms in s["samples"] if start <= at <= end]
    longest: dict[str, Any] = {}
    for kind in KINDS:
        values = [ms for k, ms in during if k == kind and ms is not None]
        if values or any(k == kind for k, _ in during):
            longest[kind] = {
                "n": sum(1 for k, _ in during if k == kind),
                "timeouts": sum(1 for k, ms in during if k == kind and ms is None),
                "longest_ms": round(max(values), 1) if values else None,
            }
    values = [ms for _k, ms in during if ms is not None]
    return {
        "rows": out["rows"],
        "seconds": out["seconds"],
        "exit_status": out["exit_status"],
        "output": out["output"],
        "actions_during": len(during),
        "timeouts_during": sum(1 for _k, ms in during if ms is None),
        "longest_wait_ms": round(max(values), 1) if values else None,
        "longest_wait_by_action": longest,
    }


def targets(
    crowd: dict[str, dict[str, Any]],
    solo: dict[str, dict[str, Any]],
    errors: dict[str, Any],
    lost: dict[str, Any],
    memory: dict[str, Any],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("search_key", "outcome_c", "outcome_1"):
        median, p95, alone = crowd[kind]["p50_ms"], crowd[kind]["p95_ms"], solo[kind]["p95_ms"]
        out[kind] = {
            "target": f"crowd median < {TARGET_MEDIAN_MS:.0f} ms, crowd p95 ≤ "
            f"{TARGET_P95_RATIO}× solo p95",
            "crowd_median_ms": median,
            "crowd_p95_ms": p95,
            "solo_p95_ms": alone,
            "meets_target": median is not None
            and p95 is not None
            and alone is not None
            and median < TARGET_MEDIAN_MS
            and p95 <= TARGET_P95_RATIO * alone
            and crowd[kind]["timeouts"] == 0,
        }
    out["errors"] = {
        "target": "no errors and no lost writes",
        "errors": errors["total"],
        "lost": lost["lost"],
        "meets_target": errors["total"] == 0 and lost["lost"] == 0,
    }
    mean, peak = memory.get("session_pss_mean_mib"), memory.get("session_pss_max_mib")
    bare = memory.get("bare_app_pss_mib")
    out["memory"] = {
        "target": f"mean session PSS ≤ {TARGET_PSS_RATIO}× the bare app's, max ≤ "
        f"{TARGET_MAX_PSS_MIB:.0f} MiB",
        "meets_target": mean is not None
        and peak is not None
        and bare is not None
        and mean <= TARGET_PSS_RATIO * bare
        and peak <= TARGET_MAX_PSS_MIB,
    }
    return out


if __name__ == "__main__":
    sys.exit(main())
