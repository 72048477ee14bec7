"""Today, service level: the ranked list, snoozes by working day, leave cover, auto-close.

Given 张伟 (zhangwei) of team 对公一组 under 主管 王芳, whose A/B partner is 李娜 (lina), on
Monday 2026-11-23 at 08:30, when he works his tasks, then the list, the tasks and the
interactions in the database follow the rules of issue 4.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, Interaction, Notification, Staff, StaffLeave, Task
from cmworkbench.services.core.errors import NotFound
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.tasks.actions import NO_ANSWER_SNOOZE
from cmworkbench.services.tasks.reminders import task_reminders
from cmworkbench.services.workbench import Workbench, login

Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture(autouse=True)
def monday() -> Iterator[None]:
    """Monday 2026-11-23, 08:30 at the branch."""
    clock.freeze("2026-11-23T08:30")
    yield
    clock.set_now(None)


def add_task(
    f: Factory, owner: Staff, customer: Customer | None, kind: str, due_local: str
) -> Task:
    """An open task of ``kind`` on ``customer``, due at ``due_local`` (branch time)."""
    task = f.task(owner, due_local)
    task.kind = kind
    task.customer_id = customer.id if customer else None
    f.session.add(task)
    f.session.flush()
    return task


@pytest.fixture
def people(build: Build) -> dict[str, int]:
    """Branch, team, 王芳 (supervisor), 张伟 ⇄ 李娜 (A/B partners), 赵强 (another manager)."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=team)
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        li = f.staff(branch, "lina", "李娜", team=team)
        zhao = f.staff(branch, "zhaoqiang", "赵强", team=team)
        zhang.backup_id, li.backup_id = li.id, zhang.id
        f.session.add_all([zhang, li])
        ids = {"zhang": zhang.id, "li": li.id, "zhao": zhao.id}
    return {k: v for k, v in ids.items() if v is not None}


def as_(engine: Engine, settings: Settings, login_name: str) -> Workbench:
    return login(engine, settings, login_name)


def staff(f: Factory, login_name: str) -> Staff:
    return f.session.exec(select(Staff).where(Staff.login == login_name)).one()


def task_row(engine: Engine, task_id: int) -> Task:
    with unit_of_work(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        session.expunge(task)
        return task


def test_the_list_is_ranked_by_score_with_the_reason(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        zhang = staff(f, "zhangwei")
        vip = f.customer(zhang, "C001", "华东机械", cls="A1")
        vip.is_vip = True
        plain = f.customer(zhang, "C002", "西湖茶庄", cls="B1")
        low = add_task(f, zhang, plain, "contact", "2026-11-23T10:00").id
        top = add_task(f, zhang, vip, "contact", "2026-11-11T09:00").id
        add_task(f, zhang, vip, "care", "2026-11-24T09:00")  # tomorrow: not on today's list
        add_task(f, zhang, plain, "contact", "2026-11-20T09:00").status = "done"
    rows = as_(engine, settings, "zhangwei").tasks.today()
    assert [row.task_id for row in rows] == [top, low]
    assert rows[0].reason == "A1 · 逾期 12 天 · VIP"
    assert rows[1].reason == "B1 · 今天到期"
    assert rows[0].score > rows[1].score
    assert rows[0].covered_for is None
    assert as_(engine, settings, "zhangwei").tasks.counts() == {"contact": 2}
    assert as_(engine, settings, "zhangwei").tasks.today(kind="care") == []


def test_a_snoozed_task_is_hidden_until_its_time(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        zhang = staff(f, "zhangwei")
        task_id = add_task(
            f, zhang, f.customer(zhang, "C001", "华东机械"), "contact", "2026-11-23T09:00"
        ).id
    assert task_id is not None
    workbench = as_(engine, settings, "zhangwei")
    until = clock.parse_instant("2026-11-23T10:00")
    change = workbench.tasks.snooze(task_id, until=until)
    assert change.snoozed_until == until
    assert workbench.tasks.today() == []
    clock.freeze("2026-11-23T10:00")
    assert [row.task_id for row in workbench.tasks.today()] == [task_id]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param("2026-11-27T15:00", "2026-11-30T08:30", id="friday-to-monday"),
        pytest.param("2026-09-30T15:00", "2026-10-08T08:30", id="national-day-skipped"),
        pytest.param("2026-09-19T10:00", "2026-09-20T08:30", id="onto-a-make-up-sunday"),
    ],
)
def test_snooze_to_the_next_working_day(
    engine: Engine,
    settings: Settings,
    build: Build,
    people: dict[str, int],
    now: str,
    expected: str,
) -> None:
    clock.freeze(now)
    with build() as f:
        zhang = staff(f, "zhangwei")
        task_id = add_task(f, zhang, f.customer(zhang, "C001", "华东机械"), "contact", now).id
    assert task_id is not None
    change = as_(engine, settings, "zhangwei").tasks.snooze(task_id, workdays=1)
    assert change.snoozed_until == clock.parse_instant(expected)
    assert task_row(engine, task_id).snoozed_until == clock.parse_instant(expected)


def test_snooze_needs_a_future_time(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        zhang = staff(f, "zhangwei")
        task_id = add_task(
            f, zhang, f.customer(zhang, "C001", "华东机械"), "contact", "2026-11-23T09:00"
        ).id
    assert task_id is not None
    with pytest.raises(FieldsInvalid, match="将来"):
        as_(engine, settings, "zhangwei").tasks.snooze(
            task_id, until=clock.now() - timedelta(hours=1)
        )


def _leave(f: Factory, login_name: str, day: date = date(2026, 11, 23)) -> None:
    person = staff(f, login_name)
    assert person.id is not None
    f.session.add(StaffLeave(staff_id=person.id, starts_on=day, ends_on=day + timedelta(days=2)))


def test_a_manager_on_leave_is_covered_by_the_backup_partner(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        zhang = staff(f, "zhangwei")
        task_id = add_task(
            f, zhang, f.customer(zhang, "C001", "华东机械"), "contact", "2026-11-22T09:00"
        ).id
        _leave(f, "zhangwei")
    assert task_id is not None
    rows = as_(engine, settings, "lina").tasks.today()
    assert [(row.task_id, row.covered_for) for row in rows] == [(task_id, "张伟")]
    assert as_(engine, settings, "wangfang").tasks.today() == []
    with pytest.raises(NotFound):  # another's task reads as one that does not exist
        as_(engine, settings, "zhaoqiang").tasks.log_call(task_id, "reached")
    change = as_(engine, settings, "lina").tasks.log_call(task_id, "reached")
    assert change.status == "done"
    assert task_row(engine, task_id).closed_by_id == people["li"]


def test_when_both_partners_are_away_the_supervisor_covers(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        zhang = staff(f, "zhangwei")
        task_id = add_task(
            f, zhang, f.customer(zhang, "C001", "华东机械"), "contact", "2026-11-23T09:00"
        ).id
        _leave(f, "zhangwei")
        _leave(f, "lina", date(2026, 11, 22))
    assert task_id is not None
    assert as_(engine, settings, "lina").tasks.today() == []
    rows = as_(engine, settings, "wangfang").tasks.today()
    assert [(row.task_id, row.covered_for) for row in rows] == [(task_id, "张伟")]
    assert as_(engine, settings, "wangfang").tasks.snooze(task_id, workdays=1).snoozed_until


def _tasks(f: Factory, cls: str, *kinds: str) -> tuple[str, dict[str, int]]:
    zhang = staff(f, "zhangwei")
    customer = f.customer(zhang, "C001", "华东机械", cls=cls)
    ids = {}
    for kind in kinds:
        task_id = add_task(f, zhang, customer, kind, "2026-11-23T09:00").id
        assert task_id is not None
        ids[kind] = task_id
    return customer.customer_no, ids


def statuses(engine: Engine, ids: dict[str, int]) -> dict[str, str]:
    return {kind: task_row(engine, task_id).status for kind, task_id in ids.items()}


def test_a_reached_call_closes_the_contact_task_a_no_answer_does_not(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        customer_no, ids = _tasks(f, "A1", "contact", "post_loan", "verify_info")
    workbench = as_(engine, settings, "zhangwei")
    change = workbench.tasks.log_call(ids["contact"], "no_answer")
    assert change.status == "open"
    assert change.snoozed_until == clock.now() + NO_ANSWER_SNOOZE
    assert statuses(engine, ids) == {"contact": "open", "post_loan": "open", "verify_info": "open"}
    interaction_id = workbench.tasks.log_contact(customer_no, "call", "reached").interaction_id
    assert statuses(engine, ids) == {"contact": "done", "post_loan": "open", "verify_info": "open"}
    assert task_row(engine, ids["contact"]).note == f"closed by logged call #{interaction_id}"
    workbench.tasks.log_contact(customer_no, "visit", "done")  # a visit for nothing in particular
    assert statuses(engine, ids)["post_loan"] == "open"
    workbench.tasks.log_contact(
        customer_no, "visit", "done", note="实地查看经营正常", for_tasks=[ids["post_loan"]]
    )
    assert statuses(engine, ids)["post_loan"] == "done"
    workbench.customers.verify(customer_no)
    assert statuses(engine, ids)["verify_info"] == "done"


def test_an_sms_does_not_keep_an_a1_cadence(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        customer_no, ids = _tasks(f, "A1", "contact")
    as_(engine, settings, "zhangwei").tasks.log_contact(customer_no, "sms", "sent")
    assert statuses(engine, ids) == {"contact": "open"}


def test_a_cancelled_visit_closes_nothing_and_wrong_number_closes_with_a_note(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        _customer_no, ids = _tasks(f, "B1", "post_loan", "contact")
    workbench = as_(engine, settings, "zhangwei")
    assert workbench.tasks.log_visit(ids["post_loan"], "cancelled").status == "open"
    assert statuses(engine, ids) == {"post_loan": "open", "contact": "open"}
    assert workbench.tasks.log_call(ids["contact"], "wrong_number").status == "done"
    assert task_row(engine, ids["contact"]).note == "wrong number"
    with unit_of_work(engine) as session:
        kinds = session.exec(select(Interaction.kind, Interaction.status)).all()
    assert sorted(kinds) == [("call", "done"), ("visit", "cancelled")]


def test_a_call_back_is_a_task_at_the_agreed_time_that_continues_the_first(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        _customer_no, ids = _tasks(f, "B1", "contact")
    workbench = as_(engine, settings, "zhangwei")
    with pytest.raises(FieldsInvalid):
        workbench.tasks.log_call(ids["contact"], "call_back")
    with unit_of_work(engine) as session:  # refused: nothing half-saved
        assert session.exec(select(Interaction)).all() == []
    at = clock.parse_instant("2026-11-24T14:00")
    change = workbench.tasks.log_call(ids["contact"], "call_back", call_back_at=at)
    assert change.status == "open"
    with unit_of_work(engine) as session:
        back = session.exec(select(Task).where(col(Task.kind) == "call_back")).one()
        assert (back.due_at, back.deadline_at, back.origin_task_id) == (at, at, ids["contact"])
        assert back.rule is None  # a time a person chose: reminded like a visit
    clock.freeze("2026-11-24T13:50")  # the lead time (15 minutes) before: a reminder
    with unit_of_work(engine) as session:
        assert task_reminders(session=session, settings=settings) == 1
        reminder = session.exec(select(Notification)).one()
        assert (reminder.kind, reminder.object_id) == ("task_reminder", back.id)
        assert "14:00" in reminder.title
    asked_again = clock.parse_instant("2026-11-24T16:30")
    workbench.tasks.log_call(back.id, "call_back", call_back_at=asked_again)
    with unit_of_work(engine) as session:  # moved, not a second one
        backs = session.exec(select(Task).where(col(Task.kind) == "call_back")).all()
        assert [(b.id, b.due_at) for b in backs] == [(back.id, asked_again)]
    workbench.tasks.log_call(back.id, "reached")  # the call-back held: both are done
    assert task_row(engine, ids["contact"]).status == "done"
    assert task_row(engine, back.id or 0).status == "done"


def test_done_with_a_note_and_refusals(
    engine: Engine, settings: Settings, build: Build, people: dict[str, int]
) -> None:
    with build() as f:
        _customer_no, ids = _tasks(f, "B1", "contact")
    workbench = as_(engine, settings, "zhangwei")
    with pytest.raises(NotFound, match="任务"):  # the same words as for a task not there
        as_(engine, settings, "zhaoqiang").tasks.complete(ids["contact"], "done")
    with pytest.raises(NotFound):
        as_(engine, settings, "zhaoqiang").tasks.snooze(ids["contact"], workdays=1)
    with pytest.raises(FieldsInvalid):
        workbench.tasks.complete(ids["contact"], "  ")
    change = workbench.tasks.complete(ids["contact"], "客户来行面谈")
    assert change.status == "done"
    assert task_row(engine, ids["contact"]).note == "客户来行面谈"
