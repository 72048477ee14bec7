"""Shared fixtures: an isolated config, a frozen clock, a migrated database, and small row
builders (:class:`Factory`).

The database is a SQLite file in ``tmp_path``; with ``CMW_TEST_DATABASE=postgresql`` (and
``CMW_TEST_PG_URL`` naming a server and a role that may create databases) it is a PostgreSQL
database of its own instead: the schema is migrated once per test process into a template
database, and each test gets ``CREATE DATABASE … TEMPLATE`` of it, dropped afterwards.
Tests marked ``sqlite_only``, the TUI (Pilot) tests and the tests that use no database are
skipped then; ``scripts/test.sh`` lists the files that run on PostgreSQL."""

from __future__ import annotations

import inspect
import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import chinese_calendar
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from cmworkbench import clock, config, i18n
from cmworkbench.config import Settings, load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import (
    Branch,
    Complaint,
    Customer,
    Staff,
    Task,
    Team,
    VisitPlan,
    VisitPlanItem,
)
from cmworkbench.domain import calendar, vip
from cmworkbench.services.reports import report
from cmworkbench.services.workbench import Workbench, login

RowT = TypeVar("RowT", bound=SQLModel)

MONDAY_MORNING = "2026-11-23T08:30"
"""Monday 23 November 2026, 08:30 at the branch: when the tests' day starts."""


@pytest.fixture(autouse=True)
def _no_developer_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep a developer's own config and ``CMW_*`` variables out of every test."""
    for name in ("CMW_CONFIG", "CMW_LANGUAGE", "CMW_DATABASE_URL", "CMW_NOW"):
        monkeypatch.delenv(name, raising=False)
    missing = tmp_path_factory.getbasetemp() / "no-system-config.toml"
    monkeypatch.setattr(config, "SYSTEM_CONFIG", missing)


def every_year_known(day: date) -> bool:
    """The official schedule as the tests see it: the installed package's where it has the
    year, plain weekdays where it has not, so no test depends on the package's coverage (the
    calendar tests bring sources of their own)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@pytest.fixture(autouse=True)
def _reset_globals() -> Iterator[None]:
    """Language, clock, VIP tiers and the calendar's sources are process-wide: put them back
    after each test."""
    calendar.set_official_source(every_year_known)
    yield
    i18n.set_language("zh_CN")
    clock.set_now(None)
    clock.freeze_wall(None)
    vip.set_tiers(vip.DEFAULT_TIERS)
    calendar.set_admin_years({})
    calendar.set_official_source(every_year_known)
    report.forget_kept()


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The test runs in both languages, one after the other in the same process."""
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("zh_CN")


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    """The clock stands still at :data:`MONDAY_MORNING`."""
    clock.freeze(MONDAY_MORNING)
    yield clock.now()
    clock.set_now(None)


@pytest.fixture
def settings() -> Settings:
    """The documented defaults (no config file, no environment)."""
    return load_settings(env={})


POSTGRESQL = os.environ.get("CMW_TEST_DATABASE") == "postgresql"
"""The tests' databases are PostgreSQL databases (``CMW_TEST_PG_URL``), not SQLite files."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the ``slow`` repetitions unless ``-m`` names them. On PostgreSQL, skip the tests
    that are about SQLite itself, and the TUI (Pilot) tests: they are the async ones, and test
    screens, which reach the database through the same services the other tests run there."""
    if "slow" not in (config.option.markexpr or ""):
        slow = pytest.mark.skip(reason="a long repetition: run with -m slow")
        for item in items:
            if item.get_closest_marker("slow"):
                item.add_marker(slow)
    if not POSTGRESQL:
        return
    sqlite_only = pytest.mark.skip(reason="SQLite only (CMW_TEST_DATABASE=postgresql)")
    tui = pytest.mark.skip(reason="TUI tests run on SQLite only (CMW_TEST_DATABASE=postgresql)")
    no_database = pytest.mark.skip(reason="uses no database: the SQLite run covers it")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(sqlite_only)
        elif inspect.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(tui)
        elif not {"engine", "database_url", "postgres"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(no_database)


class PostgresDatabases:
    """Databases of a test process on the server of ``CMW_TEST_PG_URL``: one migrated
    template, and a copy of it per test."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.prefix = f"cmw_t{os.getpid()}_{worker}"
        self.template = f"{self.prefix}_template"
        self.admin = make_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._numbers = itertools.count(1)
        self._run(f"DROP DATABASE IF EXISTS {self.template}")
        self._run(f"CREATE DATABASE {self.template}")
        migrated = make_engine(self.url_of(self.template), poolclass=NullPool)
        upgrade(migrated)
        migrated.dispose()

    def url_of(self, database: str) -> str:
        """The URL of ``database`` on the same server."""
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _run(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(statement))

    def create(self) -> str:
        """A new database holding the migrated schema; its name."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self._run(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return name

    def create_empty(self) -> str:
        """A new empty database; its name."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self._run(f"CREATE DATABASE {name}")
        return name

    def drop(self, name: str) -> None:
        """Drop ``name`` (connections a test left open are ended first). A connection still
        authenticating belongs to no role yet and cannot be ended: try again shortly."""
        for attempt in range(5):
            try:
                self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                return
            except DBAPIError:
                if attempt == 4:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    """The PostgreSQL databases of this test process (only with ``CMW_TEST_DATABASE``)."""
    url = os.environ.get("CMW_TEST_PG_URL")
    if not url:
        pytest.fail("CMW_TEST_DATABASE=postgresql needs CMW_TEST_PG_URL (a role with CREATEDB)")
    databases = PostgresDatabases(url)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once per test process; each test gets a
    copy (running the migrations took 60 ms a test, a copy takes one)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database migrated to the newest schema, the test's own: a SQLite file in
    ``tmp_path``, or a PostgreSQL database with ``CMW_TEST_DATABASE=postgresql``."""
    if not POSTGRESQL:
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "t.db")
        yield f"sqlite:///{tmp_path}/t.db"
        return
    postgres: PostgresDatabases = request.getfixturevalue("postgres")
    name = postgres.create()
    yield postgres.url_of(name)
    postgres.drop(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's own migrated database (see :func:`database_url`)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _id(row: Branch | Team | Staff | Customer | VisitPlan | VisitPlanItem) -> int:
    assert row.id is not None, "flush the row first"
    return row.id


class Factory:
    """Small builders for rows; each adds one row, flushes it and returns it (id set)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _add(self, row: RowT) -> RowT:
        self.session.add(row)
        self.session.flush()
        return row

    def branch(self, name: str = "示例支行", code: str = "0101") -> Branch:
        return self._add(Branch(code=code, name=name))

    def team(self, branch: Branch, name: str = "对公一组") -> Team:
        return self._add(Team(branch_id=_id(branch), name=name))

    def staff(
        self, branch: Branch, login: str, name: str, role: str = "manager", team: Team | None = None
    ) -> Staff:
        return self._add(
            Staff(
                login=login,
                name=name,
                role=role,
                grade="senior" if role == "manager" else None,
                branch_id=_id(branch),
                team_id=_id(team) if team else None,
                created_at=clock.now(),
            )
        )

    def wang_and_her_supervisor(self) -> Staff:
        """A branch with one team: 王芳 (wangfang, a customer manager) and her supervisor 陈主管
        (chenzg); returns 王芳, whose customers the test adds."""
        branch = self.branch()
        team = self.team(branch)
        wang = self.staff(branch, "wangfang", "王芳", team=team)
        self.staff(branch, "chenzg", "陈主管", role="supervisor", team=team)
        return wang

    def customer(self, owner: Staff, customer_no: str, name: str, cls: str = "B1") -> Customer:
        now = clock.now()
        # ``cls`` clashes with the first argument of SQLModel.__new__, hence model_validate.
        fields = {"customer_no": customer_no, "kind": "group", "name": name, "cls": cls}
        return self._add(
            Customer.model_validate(
                {**fields, "owner_id": _id(owner), "created_at": now, "updated_at": now}
            )
        )

    def task(self, owner: Staff, due_local: str, status: str = "open") -> Task:
        """A contact task due at ``due_local`` (branch-local ISO date-time)."""
        return self._add(
            Task(
                kind="contact",
                owner_id=_id(owner),
                due_at=clock.parse_instant(due_local),
                status=status,
                created_at=clock.now(),
            )
        )

    def maturity_calls(self, owner: Staff, count: int) -> list[int]:
        """``count`` B1 customers of ``owner`` (C0000…), each with a maturity call due on
        2026-11-01 from 09:00 a minute apart (the same weight: the earlier due ranks first)
        and its last day on 12-31; their task ids, most urgent first."""
        return self.maturity_calls_from(owner, count, first=0)

    def maturity_calls_from(self, owner: Staff, count: int, *, first: int) -> list[int]:
        """:meth:`maturity_calls` numbered from customer ``first`` (C0100… for ``first=100``):
        a second batch of them."""
        calls = []
        for n in range(first, first + count):
            customer = self.customer(owner, f"C{n:04d}", f"客户{n:04d}", cls="B1")
            task = self.task(owner, f"2026-11-01T{9 + n // 60:02d}:{n % 60:02d}")
            task.kind, task.customer_id = "maturity", customer.id
            task.deadline_at = clock.parse_instant("2026-12-31T09:00")
            self.session.add(task)
            self.session.flush()
            assert task.id is not None
            calls.append(task.id)
        return calls

    def mixed_book(self, owner: Staff, count: int = 60) -> None:
        """``count`` customers of ``owner`` over every class, tier, VIP tier, flag and churn
        state, each with one task of a kind, due day and deadline of its own (due in October
        and November 2026): what the priority score is checked against."""
        kinds = ["contact", "verify_info", "maturity", "retention", "care", "manual", "post_loan"]
        for n in range(count):
            customer = self.customer(
                owner, f"S{n:03d}", f"客户{n}", cls=[None, "A1", "B2", "C"][n % 4]
            )
            customer.tier = ["diamond", "gold", "mass", None][n // 4 % 4]
            customer.is_vip = n % 5 == 0
            customer.is_government = n % 7 == 0
            customer.is_benchmark = n % 11 == 0
            customer.is_dual_span = n % 13 == 0
            customer.status = "at_risk" if n % 6 == 0 else "active"
            self.session.add(customer)
            task = self.task(owner, f"2026-{10 + n % 2}-{1 + n % 28:02d}T09:00")
            task.kind, task.customer_id = kinds[n % len(kinds)], customer.id
            if n % 3 == 0:
                task.deadline_at = clock.parse_instant(f"2026-11-{20 + n % 10:02d}T09:00")
            self.session.add(task)
        self.session.flush()

    def complaint(
        self, owner: Staff, customer: Customer, ticket_no: str, status: str = "received"
    ) -> Complaint:
        return self._add(
            Complaint(
                ticket_no=ticket_no,
                customer_id=_id(customer),
                channel="phone",
                category="fee",
                description="月租费扣费有误",
                owner_id=_id(owner),
                received_by_id=_id(owner),
                status=status,
                received_at=clock.now(),
            )
        )

    def visit_plan(self, owner: Staff, week: str, status: str = "draft") -> VisitPlan:
        return self._add(VisitPlan(owner_id=_id(owner), week=week, status=status))

    def planned_visit(
        self, plan: VisitPlan, customer: Customer, starts_local: str
    ) -> VisitPlanItem:
        """An hour's courtesy call on ``customer`` at ``starts_local`` in ``plan``."""
        starts = clock.parse_instant(starts_local)
        return self._add(
            VisitPlanItem(
                plan_id=_id(plan),
                customer_id=_id(customer),
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                purpose="courtesy_call",
            )
        )


@pytest.fixture
def build(engine: Engine) -> Callable[[], AbstractContextManager[Factory]]:
    """``with build() as f: f.customer(...)``: rows added in one committed unit of work."""

    @contextmanager
    def unit() -> Iterator[Factory]:
        with unit_of_work(engine) as session:
            yield Factory(session)

    return unit


# -- the TUI tests (Textual's Pilot) ----------------------------------------------------


async def settled(pilot: Pilot[Any], *, failing: bool = False) -> None:
    """Wait until every worker finished and its messages were handled. An exclusive worker
    cancelled by a newer one of its group (a reload replaced by the next) is no failure: the
    newer one is waited for on the next round. ``failing``: the test makes a worker fail on
    purpose (the app reports it; the test asserts on the report), which is no failure either."""
    expected: tuple[type[Exception], ...] = (
        (WorkerCancelled, WorkerFailed) if failing else (WorkerCancelled,)
    )
    for _ in range(3):
        for _attempt in range(10):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except expected:
                continue
        await pilot.pause()


def as_login(engine: Engine, login_name: str, settings: Settings | None = None) -> Workbench:
    """The workbench of ``login_name`` (:func:`cmworkbench.services.workbench.login`), on the
    default settings unless given."""
    return login(engine, settings or Settings(), login_name)


def notifications(
    messages: list[Message], fields: tuple[str, ...] = ("message", "severity")
) -> list[tuple[str, ...]]:
    """``fields`` of every notification the app was asked to show, in order: by default
    (text, severity); ``messages`` is what ``run_test(message_hook=messages.append)`` saw."""
    return [
        tuple(getattr(m.notification, name) for name in fields)
        for m in messages
        if isinstance(m, Notify)
    ]


def toasts(messages: list[Message]) -> list[tuple[str, ...]]:
    """(title, text) of every toast shown (see :func:`notifications`)."""
    return notifications(messages, ("title", "message"))


def table_rows(table: DataTable[Any]) -> list[list[str]]:
    """The table's cells as plain text, row by row, top to bottom."""
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
