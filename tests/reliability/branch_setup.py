"""A small branch on a SQLite file for the reliability tests, and the figures they print.

Every worker process opens its own engine on the file (nothing is shared across ``fork``)
and works through :class:`~cmworkbench.services.workbench.Workbench`, exactly as a running
``cmw tui`` or the CLI does.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from conftest import MONDAY_MORNING, Factory
from sqlalchemy import text

from cmworkbench import clock
from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.services.workbench import Workbench, login

FIGURES = (
    Path(os.environ.get("CMW_RELIABILITY_FIGURES", ""))
    if os.environ.get("CMW_RELIABILITY_FIGURES")
    else None
)
"""Where to append the figures as JSON lines (besides printing them), if set."""


def env_int(name: str, default: int) -> int:
    """A size of a scenario, longer on a developer's machine: ``CMW_RELIABILITY_<NAME>``."""
    return int(os.environ.get(f"CMW_RELIABILITY_{name}", default))


@dataclass(frozen=True)
class Branch:
    """The seeded file and who works in it."""

    url: str
    managers: list[str]
    """Logins; manager ``m07`` owns customers ``C07-00``… and tasks on them."""
    tasks: dict[str, list[int]]
    """Each manager's open task ids."""


def seed(db: Path, managers: int, customers: int = 2, tasks: int = 3) -> Branch:
    """A migrated file with one team of ``managers`` managers, each owning ``customers``
    B1 customers (no supervisor notices) and ``tasks`` open contact tasks."""
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    clock.freeze(MONDAY_MORNING)
    logins: list[str] = []
    task_ids: dict[str, list[int]] = {}
    try:
        with unit_of_work(engine) as session:
            f = Factory(session)
            b = f.branch()
            team = f.team(b)
            f.staff(b, "boss", "陈主管", role="supervisor", team=team)
            for n in range(managers):
                name = f"m{n:02d}"
                staff = f.staff(b, name, f"经理{n:02d}", team=team)
                for c in range(customers):
                    f.customer(staff, f"C{n:02d}-{c:02d}", f"客户{n:02d}-{c:02d}", cls="B1")
                made = [f.task(staff, "2026-11-23T09:00") for _ in range(tasks)]
                task_ids[name] = [t.id for t in made if t.id is not None]
                logins.append(name)
    finally:
        clock.set_now(None)
        engine.dispose()
    return Branch(url, logins, task_ids)


def workbench(url: str, who: str) -> Workbench:
    """A fresh engine and a :class:`Workbench` for ``who`` (call it in the worker process)."""
    engine = make_engine(url)
    return login(engine, load_settings(env={}), who)


def scalar(url: str, sql: str) -> int:
    """One number from the file, read on a fresh connection."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def integrity(url: str) -> str:
    """``PRAGMA integrity_check`` of the file: ``ok`` or SQLite's list of problems."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    finally:
        engine.dispose()
    return "\n".join(str(r) for r in rows)


def report(scenario: str, **figures: object) -> None:
    """Print the figures of a scenario (``pytest -s`` shows them) and append them to
    ``$CMW_RELIABILITY_FIGURES`` when set."""
    line = json.dumps({"scenario": scenario, **figures}, ensure_ascii=False)
    print(f"\n[reliability] {line}")
    if FIGURES is not None:
        with FIGURES.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
