"""After-sale return visits, one rule (issue 21, item 2): the window opens
``after_sale_start_days`` after activation and closes ``after_sale_months`` after it; the
return visit is made by a held call or visit *for* it (its purpose, or logged from its task)
inside the window. The generation makes the task while the window is open and the visit not
made, the generation closes it once the visit is made, and the report counts the same visits,
so doing what Today asks reaches the figure.

王芳's customer C001 took a broadband package (宽带) activated on 2026-09-25: the window runs
from 10-02 to 11-25, so the return visit counts in November's figure. Today is Monday
2026-11-23 08:30.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Holding, Interaction, Task
from cmworkbench.services.reports import report as reports
from cmworkbench.services.staff.directory import actor_for_login
from cmworkbench.services.tasks.generate import generate
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def book(build: Build) -> dict[str, int]:
    with build() as f:
        branch = f.branch()
        wang = f.staff(branch, "wangfang", "王芳", team=f.team(branch))
        customer = f.customer(wang, "C001", "小张便利店", cls="C")
        holding = Holding(customer_id=customer.id or 0, product="宽带", product_kind="telecom",
                          activated_on=date(2026, 9, 25))  # fmt: skip
        f.session.add(holding)
        f.session.flush()
        return {"customer": customer.id or 0, "staff": wang.id or 0, "holding": holding.id or 0}


def contact(engine: Engine, book: dict[str, int], when: str, **fields: Any) -> None:
    """A call with C001 at ``when`` (branch time): reached, for ``purpose`` if given."""
    at = clock.parse_instant(when)
    with unit_of_work(engine) as session:
        session.add(Interaction(customer_id=book["customer"], staff_id=book["staff"],
                                kind=fields.pop("kind", "call"), status="done",
                                outcome=fields.pop("outcome", "reached"), happened_at=at,
                                created_at=at, **fields))  # fmt: skip


def run_generation(engine: Engine, settings: Settings) -> None:
    with engine.begin() as conn:
        generate(conn, settings, clock.today())


def after_sale_tasks(engine: Engine) -> list[tuple[str, str | None]]:
    with unit_of_work(engine) as session:
        rows = session.exec(select(Task).where(col(Task.kind) == "after_sale")).all()
        return [(task.status, task.note) for task in rows]


def return_visit(engine: Engine, settings: Settings) -> tuple[float, float]:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login="wangfang")
        found = reports.report(session=session, actor=actor, settings=settings, name="manager",
                               start=date(2026, 11, 1), end=date(2026, 11, 30))  # fmt: skip
        figure = found.total.figure("return_visit")
        return figure.numerator, figure.denominator


def test_a_call_before_the_window_opens_is_no_return_visit(
    engine: Engine, settings: Settings, book: dict[str, int]
) -> None:
    """A service call on day 3 after activation (09-28) is not the return visit: the task is
    made, the window being open."""
    contact(engine, book, "2026-09-28T10:00", purpose="after_sale")
    run_generation(engine, settings)
    assert after_sale_tasks(engine) == [("open", None)]


def test_a_routine_call_in_the_window_is_no_return_visit(
    engine: Engine, settings: Settings, book: dict[str, int]
) -> None:
    contact(engine, book, "2026-11-10T10:00", purpose="routine")
    run_generation(engine, settings)
    assert after_sale_tasks(engine) == [("open", None)]


def test_doing_what_today_asks_closes_the_task_and_reaches_the_figure(
    engine: Engine, settings: Settings, book: dict[str, int]
) -> None:
    run_generation(engine, settings)
    with unit_of_work(engine) as session:
        task = session.exec(select(Task).where(col(Task.kind) == "after_sale")).one()
    login(engine, settings, "wangfang").tasks.log_call(task.id, "reached")
    assert after_sale_tasks(engine)[0][0] == "done"
    clock.freeze("2026-11-23T08:35")
    assert return_visit(engine, settings) == (1, 1), "counted in November, its window's month"


def test_a_return_visit_logged_without_the_task_closes_it_at_the_next_generation(
    engine: Engine, settings: Settings, book: dict[str, int]
) -> None:
    run_generation(engine, settings)
    contact(engine, book, "2026-11-23T08:00", purpose="after_sale")
    run_generation(engine, settings)
    assert [status for status, _ in after_sale_tasks(engine)] == ["done"]
    assert return_visit(engine, settings) == (1, 1)


def test_an_unanswered_call_is_no_return_visit_for_the_figure(
    engine: Engine, settings: Settings, book: dict[str, int]
) -> None:
    contact(engine, book, "2026-11-20T10:00", purpose="after_sale", outcome="no_answer")
    clock.freeze("2026-11-27T09:00")  # the window closed on 11-25
    assert return_visit(engine, settings) == (0, 1)
