"""A contact has a purpose (issue 19, item 3): logging from a task closes that task, other open
tasks of the customer close only when ticked, the cadence is kept by any held contact, and
what a contact was for is recorded.

Given 张伟 (zhangwei) and his A1 customer 华东机械 with an open maturity task, a retention
task and a contact (cadence) task, on Monday 2026-11-23 at 08:30, when he logs calls from the
Today list or with ``cmw log``, then the database holds exactly what each call was for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from conftest import Factory
from sqlalchemy import Engine, text
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, InteractionPurpose, Task
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.workbench import Workbench, login

Build = Callable[[], AbstractContextManager[Factory]]


pytestmark = pytest.mark.usefixtures("frozen_clock")  # Monday 2026-11-23 08:30


@pytest.fixture
def tasks(build: Build) -> dict[str, int]:
    """张伟's A1 customer C001 with open maturity, retention, contact and post-loan tasks;
    his C002 with a retention task of its own (``other``)."""
    with build() as f:
        branch = f.branch()
        zhang = f.staff(branch, "zhangwei", "张伟", team=f.team(branch))
        customer = f.customer(zhang, "C001", "华东机械", cls="A1")
        other = f.customer(zhang, "C002", "西湖茶庄", cls="B1")
        ids = {}
        for kind, on in [
            ("maturity", customer),
            ("retention", customer),
            ("contact", customer),
            ("post_loan", customer),
            ("other", other),
        ]:
            task = f.task(zhang, "2026-11-23T09:00")
            task.kind, task.customer_id = "retention" if kind == "other" else kind, on.id
            f.session.add(task)
            f.session.flush()
            assert task.id is not None
            ids[kind] = task.id
    return ids


def zhang(engine: Engine, settings: Settings) -> Workbench:
    return login(engine, settings, "zhangwei")


def statuses(engine: Engine) -> dict[str, str]:
    """C001's tasks: kind → status."""
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(Task.kind, Task.status)
            .join(Customer, col(Customer.id) == col(Task.customer_id))
            .where(col(Customer.customer_no) == "C001")
        ).all()
        return dict(rows)


def purposes(engine: Engine) -> list[tuple[int, str, int | None]]:
    with unit_of_work(engine) as session:
        rows = session.exec(select(InteractionPurpose)).all()
        return sorted((p.interaction_id, p.task_kind, p.task_id) for p in rows)


def test_a_maturity_call_leaves_the_retention_task_open_unless_ticked(
    engine: Engine, settings: Settings, tasks: dict[str, int]
) -> None:
    bench = zhang(engine, settings)
    change = bench.tasks.log_call(tasks["maturity"], "reached")
    # The maturity task and the cadence are served; the retention talk is still owed.
    assert statuses(engine) == {
        "maturity": "done",
        "retention": "open",
        "contact": "done",
        "post_loan": "open",
    }
    assert set(change.closed_task_ids) == {tasks["maturity"], tasks["contact"]}
    call = change.interaction_id
    assert call is not None
    assert purposes(engine) == [
        (call, "contact", tasks["contact"]),
        (call, "maturity", tasks["maturity"]),
    ]


def test_one_call_honestly_serves_two_purposes_when_the_second_is_ticked(
    engine: Engine, settings: Settings, tasks: dict[str, int]
) -> None:
    bench = zhang(engine, settings)
    offered = bench.tasks.open_tasks("C001", "call", tasks["maturity"])
    # The cadence task is kept by any held call and a call cannot be a post-loan check:
    # neither is offered to tick.
    assert [task.kind for task in offered] == ["retention"]
    change = bench.tasks.log_call(
        tasks["maturity"], "reached", also=[tasks["retention"]], retention="retained"
    )
    assert statuses(engine)["retention"] == "done"
    assert statuses(engine)["maturity"] == "done"
    assert {kind for _call, kind, _task in purposes(engine)} == {
        "maturity",
        "retention",
        "contact",
    }
    assert tasks["retention"] in change.closed_task_ids


def test_a_call_not_reached_is_still_for_its_task_and_closes_nothing(
    engine: Engine, settings: Settings, tasks: dict[str, int]
) -> None:
    bench = zhang(engine, settings)
    change = bench.tasks.log_call(tasks["retention"], "no_answer")
    assert change.closed_task_ids == ()
    assert set(statuses(engine).values()) == {"open"}
    assert purposes(engine) == [(change.interaction_id or 0, "retention", tasks["retention"])]


def test_a_ticked_task_that_is_not_this_customers_is_refused_and_nothing_is_written(
    engine: Engine, settings: Settings, tasks: dict[str, int]
) -> None:
    bench = zhang(engine, settings)
    before = statuses(engine)
    for wrong in (tasks["other"], 999_999, tasks["post_loan"]):  # another's, none, a visit's
        with pytest.raises(FieldsInvalid):
            bench.tasks.log_call(tasks["maturity"], "reached", also=[wrong])
    assert statuses(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM interaction")).scalar() == 0


def test_a_visit_for_the_post_loan_check_closes_it_and_a_backdated_one_is_bounded(
    engine: Engine, settings: Settings, tasks: dict[str, int]
) -> None:
    bench = zhang(engine, settings)
    with pytest.raises(FieldsInvalid):  # a post-loan check says what it found
        bench.tasks.log_contact("C001", "visit", "done", for_tasks=[tasks["post_loan"]])
    logged = bench.tasks.log_contact(
        "C001", "visit", "done", note="经营正常", for_tasks=[tasks["post_loan"]]
    )
    assert statuses(engine)["post_loan"] == "done"
    assert tasks["post_loan"] in logged.closed_task_ids
    with pytest.raises(FieldsInvalid):  # in the future
        bench.tasks.log_contact(
            "C001", "call", "reached", at=clock.parse_instant("2026-11-23T09:00")
        )
    with pytest.raises(FieldsInvalid):  # more than a week ago
        bench.tasks.log_contact(
            "C001", "call", "reached", at=clock.parse_instant("2026-11-15T09:00")
        )


def test_cmw_log_records_a_call_for_the_tasks_named(
    engine: Engine,
    database_url: str,
    tasks: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--db", database_url, "--now", "2026-11-23T10:00", "log", "call", "C001"]
    args += ["--outcome", "reached", "--for", str(tasks["retention"]), "--retention", "retained"]
    args += ["--at", "09:40"]
    assert main([*args, "--as", "zhangwei", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out["closed_tasks"]) == sorted([tasks["retention"], tasks["contact"]])
    assert sorted(out["purposes"]) == ["contact", "retention"]
    with engine.connect() as conn:
        happened = conn.execute(text("SELECT happened_at FROM interaction")).scalar()
    assert str(happened).startswith("2026-11-23 01:40")  # 09:40 at the branch, in UTC
    assert main([*args[:-2], "--at", "noon", "--as", "zhangwei"]) == 2
    assert "--at noon" in capsys.readouterr().err


def test_a_note_with_a_control_character_or_too_long_is_refused_and_nothing_is_written(
    engine: Engine,
    database_url: str,
    tasks: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = zhang(engine, settings=Settings())
    for note in ("回电\x1b[2J", "很" * 2001):  # a terminal escape typed at the CLI; a paste
        with pytest.raises(FieldsInvalid, match="备注"):
            bench.tasks.log_contact("C001", "call", "reached", note=note)
    args = ["--db", database_url, "log", "call", "C001", "--outcome", "reached"]
    assert main([*args, "--note", "x\x07y", "--as", "zhangwei"]) == 2
    assert "备注" in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM interaction")).scalar() == 0
    assert bench.tasks.log_contact("C001", "call", "reached", note="第一行\n第二行").interaction_id
