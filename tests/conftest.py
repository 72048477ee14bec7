"""Shared fixtures: an isolated config, a frozen clock, a migrated SQLite database in
``tmp_path``, and small row builders (:class:`Factory`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from cmworkbench import clock, config, i18n
from cmworkbench.config import Settings, load_settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import Branch, Complaint, Customer, Staff, Task, Team, VisitPlan

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


@pytest.fixture(autouse=True)
def _reset_globals() -> Iterator[None]:
    """Language and clock are process-wide: put them back after each test."""
    yield
    i18n.set_language("zh_CN")
    clock.set_now(None)


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


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file in ``tmp_path``, migrated to the newest schema."""
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    upgrade(engine)
    yield engine
    engine.dispose()


def _id(row: Branch | Team | Staff | Customer) -> int:
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

    def visit_plan(self, owner: Staff, week: str) -> VisitPlan:
        return self._add(VisitPlan(owner_id=_id(owner), week=week))


@pytest.fixture
def build(engine: Engine) -> Callable[[], AbstractContextManager[Factory]]:
    """``with build() as f: f.customer(...)``: rows added in one committed unit of work."""

    @contextmanager
    def unit() -> Iterator[Factory]:
        with unit_of_work(engine) as session:
            yield Factory(session)

    return unit
