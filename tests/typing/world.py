"""The branch the typing tests type into, built once per session and copied per test.

张伟 (zhangwei, a customer manager) owns :data:`CALLS` customers, each with a contact task due
on Monday 2026-11-23 (the most overdue first, so Today's order is known), and one complaint
resolved and waiting for its return call; 李娜 (lina) has more calls due than a day holds
(:data:`PLAN_CUSTOMERS`); 赵敏 (zhaomin) supervises the team. The workbench
runs as ``cmw tui`` with a config that points at a copy of the file (no scheduler in the TUI:
its jobs are not what typing is about).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from conftest import MONDAY_MORNING, Factory
from sqlalchemy import Engine, text
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import Staff
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.customers.schemas import CustomerHit
from cmworkbench.services.workbench import login

CMW = Path(sys.executable).parent / "cmw"
"""The ``cmw`` of the virtual environment running the tests."""

CALLS = 12
"""Customers with a call due: ten ``c 1`` and two to spare (a lost ``c`` shows as a row left)."""

NEW_COMPLAINT_CUSTOMER = ("C900", "东湖纺织有限公司")
"""The customer a complaint is taken for by number (no task on it: it is not on Today)."""

RESOLVED_TICKET_CUSTOMER = ("C901", "南山电子科技")
"""The customer whose complaint waits for its return call."""

CLOSE_TICKET_CUSTOMER = ("L900", "北湖物流有限公司")
"""李娜's customer whose complaint had its return call: waiting for the supervisor's close."""

PLAN_WEEK = "2026-W48"
"""The week of 李娜's plan, submitted and waiting for 赵敏's approval (a visit on Wednesday)."""

SEARCH_CUSTOMERS = [("C910", "中维通信有限公司"), ("C911", "紫微星文化传媒")]
"""Customers whose initials are ``zw``: the search case opens the first hit."""

CAPACITY_CALLS = 13
"""A manager's calls a day in this branch (config): 张伟's twelve fit, 李娜's fifteen do not."""

PLAN_CUSTOMERS = [(f"K{n:03d}", f"李娜客户{n:02d}") for n in range(1, 15)]
"""李娜 (lina)'s customers: the first (A1) with a retention task and its contact task, due
first; thirteen B1 contacts after it, a day apart. Fifteen calls against thirteen of capacity:
a plan of thirteen and a backlog of two."""


def call_customers() -> list[tuple[str, str]]:
    """(number, name) of the customers with a call due, in Today's order."""
    names = (
        "华东机械 西湖茶庄 钱塘物流 之江建材 滨江药业 东方纸业 "
        "兴业五金 长河食品 锦绣服饰 恒信汽配 明珠酒店 天目山泉"
    )
    return [(f"C{n:03d}", f"{name}有限公司") for n, name in enumerate(names.split(), 1)]


@dataclass(frozen=True)
class Branch:
    """A copy of the branch for one test, and how to run the workbench on it."""

    folder: Path
    database: Path
    config: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"

    def env(self) -> dict[str, str]:
        """What ``cmw tui`` runs with: this branch's config, Monday 08:30, a UTF-8 xterm."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("CMW_", "TMUX"))}
        return keep | {
            "CMW_CONFIG": str(self.config),
            "CMW_NOW": MONDAY_MORNING,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "COLORTERM": "truecolor",
        }

    def argv(self, login_name: str) -> list[str]:
        return [str(CMW), "tui", "--as", login_name]

    def search(self, login_name: str, query: str) -> list[CustomerHit]:
        """What ``login_name`` finds for ``query`` (the hits the screen lists, in order)."""
        engine = make_engine(self.url)
        try:
            clock.freeze(MONDAY_MORNING)
            workbench = login(engine, load_settings(self.config), login_name)
            return workbench.customers.search(query, 5)
        finally:
            clock.set_now(None)
            engine.dispose()

    def rows(self, sql: str, **params: object) -> list[Any]:
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()


def write_config(folder: Path, database: Path) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[general]\nlanguage = "zh_CN"\ndatabase_path = "{database}"\n\n'
        "[scheduler]\nin_tui = false\n\n"
        f"[capacity.manager]\ncalls = {CAPACITY_CALLS}\n",
        encoding="utf-8",
    )
    return config


def build_template(folder: Path) -> Path:
    """The migrated, seeded database file every test copies."""
    database = folder / "template.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    clock.freeze(MONDAY_MORNING)
    try:
        _seed(engine)
        _resolve_a_complaint(engine, folder, database)
        _a_supervisors_morning(engine, folder, database)
    finally:
        clock.set_now(None)
        engine.dispose()
    return database


def _seed(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        f = Factory(session)
        branch = f.branch()
        team = f.team(branch)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        f.staff(branch, "zhaomin", "赵敏", role="supervisor", team=team)
        for n, (number, name) in enumerate(call_customers()):
            customer = f.customer(zhang, number, name)
            task = f.task(zhang, f"2026-11-{10 + n:02d}T09:00")
            task.customer_id = customer.id
            session.add(task)
        for number, name in [NEW_COMPLAINT_CUSTOMER, RESOLVED_TICKET_CUSTOMER, *SEARCH_CUSTOMERS]:
            f.customer(zhang, number, name)
        li = f.staff(branch, "lina", "李娜", team=team)
        for n, (number, name) in enumerate(PLAN_CUSTOMERS):
            customer = f.customer(li, number, name, cls="A1" if n == 0 else "B1")
            for kind in ("retention", "contact") if n == 0 else ("contact",):
                task = f.task(li, f"2026-11-{1 + n:02d}T09:00")
                task.kind, task.customer_id = kind, customer.id
                session.add(task)


def _resolve_a_complaint(engine: Engine, folder: Path, database: Path) -> None:
    """A complaint on :data:`RESOLVED_TICKET_CUSTOMER`, answered and resolved by 张伟."""
    settings = load_settings(write_config(folder, database))
    zhang = login(engine, settings, "zhangwei")
    ticket = zhang.complaints.open(RESOLVED_TICKET_CUSTOMER[0], "fee", "月租费扣费有误", "normal")
    for change in (Change("respond", triage="now"), Change("resolve", resolution="已退费")):
        version = zhang.complaints.detail(str(ticket)).row.version
        zhang.complaints.act(str(ticket), change, version)


def _a_supervisors_morning(engine: Engine, folder: Path, database: Path) -> None:
    """What waits on 赵敏's Today: 李娜's ticket on :data:`CLOSE_TICKET_CUSTOMER` with its
    return call made (to close), and her plan of :data:`PLAN_WEEK` submitted (to approve)."""
    with unit_of_work(engine) as session:
        lina = session.exec(select(Staff).where(Staff.login == "lina")).one()
        Factory(session).customer(lina, *CLOSE_TICKET_CUSTOMER)
    settings = load_settings(write_config(folder, database))
    li = login(engine, settings, "lina")
    ticket = str(li.complaints.open(CLOSE_TICKET_CUSTOMER[0], "fee", "月租费扣费有误", "normal"))
    for change in (
        Change("respond", triage="now"),
        Change("resolve", resolution="已退费"),
        Change("return_call", result="客户认可", satisfaction="满意"),
    ):
        li.complaints.act(ticket, change, li.complaints.detail(ticket).row.version)
    li.visits.add(CLOSE_TICKET_CUSTOMER[0], date(2026, 11, 25), time(10), "courtesy_call")
    li.visits.submit(PLAN_WEEK)


def branch_copy(template: Path, folder: Path) -> Branch:
    """A copy of the template in ``folder`` with its own config."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "cmw.db"
    for suffix in ("-wal", "-shm"):  # an earlier session's, on the same path
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    return Branch(folder, database, write_config(folder, database))
