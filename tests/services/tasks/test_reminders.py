"""Reminders and digests: who is told what, at which instant, on which days, and never twice.

The team: 王芳 (manager) and 李强 (phone manager) of 对公一组, led by 陈主管; 赵磊 (manager)
of 对公二组, on leave on the days the tests look at; 刘行长 the branch head. Days: Monday
2026-11-23; Saturday 2026-11-28; National Day 2026-10-01 (holiday); Saturday 2026-10-10
(make-up working day, 调休).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cmworkbench import clock, i18n
from cmworkbench.config import ConfigError, Settings, load_settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import (
    Notification,
    OnsiteDay,
    Staff,
    StaffLeave,
    Task,
    VisitPlan,
    VisitPlanItem,
    WorkLog,
)
from cmworkbench.domain import priority
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.tasks.plan import today_counts, today_list
from cmworkbench.services.tasks.reminders import (
    daily_digest,
    monthly_rules,
    task_reminders,
    visit_reminders,
    worklog_reminders,
)

SETTINGS = Settings()
Build = Callable[[], AbstractContextManager[Factory]]
Rule = Callable[..., int]


@dataclass(frozen=True)
class Team:
    """Staff ids by login and customer ids by number."""

    staff: dict[str, int]
    customers: dict[str, int]


@pytest.fixture
def team(build: Build) -> Team:
    clock.freeze("2026-09-01T08:00")  # everything below exists long before the tests' days
    with build() as f:
        b = f.branch()
        t1, t2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        people = [
            f.staff(b, "wangfang", "王芳", team=t1),
            f.staff(b, "liqiang", "李强", role="phone_manager", team=t1),
            f.staff(b, "chenzg", "陈主管", role="supervisor", team=t1),
            f.staff(b, "zhaolei", "赵磊", team=t2),
            f.staff(b, "liuhz", "刘行长", role="branch_head"),
        ]
        wang = people[0]
        customers = [
            f.customer(wang, "C001", "杭州西湖茶业", cls="A1"),
            f.customer(wang, "C002", "钱江物流", cls="B1"),
        ]
        away = people[3]
        f.session.add(
            StaffLeave(staff_id=_id(away), starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 31))
        )
        staff = {p.login: _id(p) for p in people}
        return Team(staff, {c.customer_no: _id(c) for c in customers})


def _id(row: object) -> int:
    value = getattr(row, "id", None)
    assert isinstance(value, int)
    return value


def at(text: str) -> datetime:
    return clock.parse_instant(text)


def run(engine: Engine, rule: Rule, when: str, settings: Settings = SETTINGS) -> int:
    """Run ``rule`` at the branch-local instant ``when`` in its own unit of work."""
    clock.freeze(when)
    with unit_of_work(engine) as session:
        return rule(session=session, settings=settings)


def notes(engine: Engine, kind: str) -> list[tuple[int, str]]:
    """(recipient, title) of every notification of ``kind``, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(Notification)
            .where(col(Notification.kind) == kind)
            .order_by(col(Notification.id))
        ).all()
        return [(n.recipient_id, n.title) for n in rows]


def add_task(
    engine: Engine,
    owner: int,
    due_local: str,
    *,
    customer: int | None = None,
    reason: str | None = None,
    rule: str | None = None,
    kind: str = "manual",
    snoozed_local: str | None = None,
    status: str = "open",
) -> int:
    with unit_of_work(engine) as session:
        task = Task(
            kind=kind,
            customer_id=customer,
            owner_id=owner,
            due_at=at(due_local),
            reason=reason,
            note=reason,
            rule=rule,
            status=status,
            snoozed_until=at(snoozed_local) if snoozed_local else None,
            created_at=clock.now(),
        )
        session.add(task)
        session.flush()
        return _id(task)


def snooze(engine: Engine, task_id: int, until_local: str) -> None:
    with unit_of_work(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.snoozed_until = at(until_local)
        session.add(task)


# -- tasks -----------------------------------------------------------------------------------


def test_a_hand_made_task_is_reminded_15_minutes_before_to_its_owner_once(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    add_task(engine, wang, "2026-11-23T10:00", customer=team.customers["C001"], reason="回电")

    assert run(engine, task_reminders, "2026-11-23T09:44") == 0, "not before the lead time"
    assert run(engine, task_reminders, "2026-11-23T09:45") == 1
    assert run(engine, task_reminders, "2026-11-23T09:50") == 0, "never twice"
    assert run(engine, task_reminders, "2026-11-23T10:00") == 0
    assert notes(engine, "task_reminder") == [(wang, "回电 杭州西湖茶业 10:00")]


def test_the_colleague_covering_an_owner_on_leave_is_reminded(engine: Engine, team: Team) -> None:
    wang, li = team.staff["wangfang"], team.staff["liqiang"]
    with unit_of_work(engine) as session:
        owner = session.get(Staff, wang)
        assert owner is not None
        owner.backup_id = li  # 李强 is 王芳's B角
        session.add(owner)
        session.add(
            StaffLeave(staff_id=wang, starts_on=date(2026, 11, 24), ends_on=date(2026, 11, 24))
        )
    add_task(engine, wang, "2026-11-23T10:00", customer=team.customers["C001"], reason="回电")
    add_task(engine, wang, "2026-11-24T10:00", customer=team.customers["C002"], reason="送资料")
    assert run(engine, task_reminders, "2026-11-23T09:45") == 1
    assert run(engine, task_reminders, "2026-11-24T09:45") == 1
    assert notes(engine, "task_reminder") == [
        (wang, "回电 杭州西湖茶业 10:00"),  # at work
        (li, "送资料 钱江物流 10:00"),  # on leave: the B角 is reminded
    ]


def test_a_snoozed_task_is_reminded_at_its_new_time(engine: Engine, team: Team) -> None:
    wang = team.staff["wangfang"]
    task_id = add_task(
        engine, wang, "2026-11-23T10:00", customer=team.customers["C001"], reason="回电"
    )
    assert run(engine, task_reminders, "2026-11-23T09:50") == 1
    # the customer did not answer and asked to be called back at 15:00
    snooze(engine, task_id, "2026-11-23T15:00")

    assert run(engine, task_reminders, "2026-11-23T14:44") == 0
    assert run(engine, task_reminders, "2026-11-23T14:45") == 1
    assert run(engine, task_reminders, "2026-11-23T14:59") == 0
    assert [title for _, title in notes(engine, "task_reminder")] == [
        "回电 杭州西湖茶业 10:00",
        "回电 杭州西湖茶业 15:00",
    ]


def test_a_task_snoozed_past_its_due_time_is_not_reminded_at_the_old_time(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    add_task(engine, wang, "2026-11-23T10:00", reason="回电", snoozed_local="2026-11-23T15:00")
    assert run(engine, task_reminders, "2026-11-23T09:50") == 0


def test_a_generated_task_is_due_on_a_day_and_not_reminded(engine: Engine, team: Team) -> None:
    wang = team.staff["wangfang"]
    customer = team.customers["C001"]
    add_task(engine, wang, "2026-11-23T08:30", customer=customer, rule="cadence.A1", kind="contact")
    add_task(engine, wang, "2026-11-23T10:17", customer=customer, rule="cadence.A1", kind="care")
    assert run(engine, task_reminders, "2026-11-23T08:20") == 0
    assert run(engine, task_reminders, "2026-11-23T10:10") == 0


def test_a_generated_task_put_aside_to_a_time_is_reminded_at_that_time(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    add_task(
        engine,
        wang,
        "2026-11-20T08:30",
        customer=team.customers["C002"],
        rule="cadence.B1",
        kind="contact",
        snoozed_local="2026-11-23T14:30",  # call back at 14:30
    )
    assert run(engine, task_reminders, "2026-11-23T14:20") == 1
    assert notes(engine, "task_reminder") == [(wang, "联系 钱江物流 14:30")]


def test_a_task_put_aside_to_the_next_working_day_is_not_reminded_at_the_opening(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    add_task(engine, wang, "2026-11-23T10:00", reason="送合同", snoozed_local="2026-11-24T08:30")
    assert run(engine, task_reminders, "2026-11-24T08:20") == 0


def test_closed_tasks_and_tasks_of_inactive_staff_are_not_reminded(
    engine: Engine, team: Team
) -> None:
    wang, li = team.staff["wangfang"], team.staff["liqiang"]
    add_task(engine, wang, "2026-11-23T10:00", reason="已办", status="done")
    add_task(engine, li, "2026-11-23T10:00", reason="回电")
    with unit_of_work(engine) as session:
        person = session.get(Staff, li)
        assert person is not None
        person.active = False
        session.add(person)
    assert run(engine, task_reminders, "2026-11-23T09:50") == 0


def test_a_task_without_customer_says_what_and_when(
    engine: Engine, team: Team, language: str
) -> None:
    wang = team.staff["wangfang"]
    add_task(engine, wang, "2026-11-23T16:00", reason="交周报")
    assert run(engine, task_reminders, "2026-11-23T15:50") == 1
    expected = {"zh_CN": "交周报 16:00", "en": "交周报 at 16:00"}[language]
    assert notes(engine, "task_reminder") == [(wang, expected)]


def test_a_long_task_line_is_cut_in_the_title_and_kept_whole_in_the_body(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    add_task(engine, wang, "2026-11-23T16:00", reason="准备" * 60)
    assert run(engine, task_reminders, "2026-11-23T15:50") == 1
    with Session(engine) as session:
        note = session.exec(select(Notification)).one()
    assert note.title.endswith("… 16:00") and len(note.title) < 80
    assert note.body == "准备" * 60


# -- visits ----------------------------------------------------------------------------------


def add_visit(
    engine: Engine, team: Team, plan_status: str, starts_local: str, status: str = "planned"
) -> int:
    with unit_of_work(engine) as session:
        plan = session.exec(
            select(VisitPlan).where(col(VisitPlan.owner_id) == team.staff["wangfang"])
        ).first()
        if plan is None:
            plan = VisitPlan(owner_id=team.staff["wangfang"], week="2026-W48", status=plan_status)
            session.add(plan)
            session.flush()
        start = at(starts_local)
        item = VisitPlanItem(
            plan_id=_id(plan),
            customer_id=team.customers["C001"],
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            purpose="courtesy_call",
            checklist="预约确认",
            status=status,
        )
        session.add(item)
        session.flush()
        return _id(item)


@pytest.mark.parametrize(
    ("plan_status", "reminded"),
    [
        pytest.param("approved", True, id="approved-plan"),
        pytest.param("submitted", True, id="submitted-plan-awaiting-approval"),
        pytest.param("draft", False, id="draft-is-no-commitment"),
        pytest.param("returned", False, id="returned-plan"),
    ],
)
def test_a_planned_visit_is_reminded_15_minutes_before_it_starts(
    engine: Engine, team: Team, plan_status: str, reminded: bool
) -> None:
    add_visit(engine, team, plan_status, "2026-11-24T10:00")
    assert run(engine, visit_reminders, "2026-11-24T09:44") == 0, "not before the lead time"
    assert run(engine, visit_reminders, "2026-11-24T09:45") == int(reminded)
    assert run(engine, visit_reminders, "2026-11-24T09:55") == 0, "never twice"
    expected = [(team.staff["wangfang"], "10:00 拜访 杭州西湖茶业：礼节性拜访")]
    assert notes(engine, "visit_reminder") == (expected if reminded else [])


@pytest.mark.parametrize("status", ["done", "cancelled", "rescheduled"])
def test_a_visit_no_longer_planned_is_not_reminded(engine: Engine, team: Team, status: str) -> None:
    add_visit(engine, team, "approved", "2026-11-24T10:00", status=status)
    assert run(engine, visit_reminders, "2026-11-24T09:50") == 0


def test_a_moved_visit_is_reminded_at_its_new_start(engine: Engine, team: Team) -> None:
    item_id = add_visit(engine, team, "approved", "2026-11-24T10:00")
    assert run(engine, visit_reminders, "2026-11-24T09:50") == 1
    with unit_of_work(engine) as session:
        item = session.get(VisitPlanItem, item_id)
        assert item is not None
        item.starts_at, item.ends_at = at("2026-11-24T14:00"), at("2026-11-24T15:00")
        session.add(item)
    assert run(engine, visit_reminders, "2026-11-24T13:50") == 1
    assert [title for _, title in notes(engine, "visit_reminder")][-1].startswith("14:00")


# -- the morning digest ----------------------------------------------------------------------


@pytest.fixture
def due_work(engine: Engine, team: Team) -> None:
    """王芳: one task overdue since Friday, one due at today's close, one due tomorrow; 赵磊
    (on leave) and 陈主管 (supervisor) have due work too; 李强 has none."""
    wang = team.staff["wangfang"]
    for day in ("2026-11-20", "2026-10-09", "2026-10-01"):
        add_task(engine, wang, f"{day}T08:30", rule="cadence.A1", kind="contact")
    add_task(engine, wang, "2026-11-23T17:30", rule="cadence.A1", kind="contact")
    add_task(engine, wang, "2026-11-24T08:30", rule="cadence.A1", kind="contact")
    add_task(engine, team.staff["zhaolei"], "2026-11-20T08:30")
    add_task(engine, team.staff["chenzg"], "2026-11-20T08:30")


def test_the_digest_tells_each_manager_at_work_what_is_due_today(
    engine: Engine, team: Team, due_work: None
) -> None:
    assert run(engine, daily_digest, "2026-11-23T08:59") == 0, "not before digest_at"
    assert run(engine, daily_digest, "2026-11-23T09:00") == 1
    assert run(engine, daily_digest, "2026-11-23T09:01") == 0, "once a day"
    # tasks due by today's close: the three earlier ones and the one at 17:30; overdue: three
    assert notes(engine, "daily_digest") == [
        (team.staff["wangfang"], "今天到期任务 4 项（其中逾期 3 项）")
    ]


def test_the_digest_called_late_in_the_day_is_still_sent_once(
    engine: Engine, team: Team, due_work: None
) -> None:
    assert run(engine, daily_digest, "2026-11-23T14:00") == 1
    assert run(engine, daily_digest, "2026-11-23T16:00") == 0


def test_the_next_working_day_has_its_own_digest(
    engine: Engine, team: Team, due_work: None
) -> None:
    assert run(engine, daily_digest, "2026-11-23T09:00") == 1
    assert run(engine, daily_digest, "2026-11-24T09:00") == 1
    # the task due at 08:30 that Tuesday is due, not overdue: its day has not passed
    assert [title for _, title in notes(engine, "daily_digest")][-1] == (
        "今天到期任务 5 项（其中逾期 4 项）"
    )


@pytest.mark.parametrize(
    ("when", "sent"),
    [
        pytest.param("2026-11-28T09:30", 0, id="saturday"),
        pytest.param("2026-11-29T09:30", 0, id="sunday"),
        pytest.param("2026-10-01T09:30", 0, id="national-day-holiday"),
        pytest.param("2026-10-10T09:30", 1, id="make-up-working-saturday"),
        pytest.param("2026-10-08T09:30", 1, id="first-day-back-after-national-day"),
    ],
)
def test_the_digest_is_sent_on_working_days_only(
    engine: Engine, team: Team, due_work: None, when: str, sent: int
) -> None:
    assert run(engine, daily_digest, when) == sent


def test_the_digest_time_comes_from_config(engine: Engine, team: Team, due_work: None) -> None:
    late = replace(SETTINGS, reminders=replace(SETTINGS.reminders, digest_at="10:30"))
    assert run(engine, daily_digest, "2026-11-23T10:00", late) == 0
    assert run(engine, daily_digest, "2026-11-23T10:30", late) == 1


def test_the_digest_in_english(engine: Engine, team: Team, due_work: None, language: str) -> None:
    run(engine, daily_digest, "2026-11-23T09:00")
    expected = {
        "zh_CN": "今天到期任务 4 项（其中逾期 3 项）",
        "en": "Tasks due today: 4 (3 overdue)",
    }[language]
    assert notes(engine, "daily_digest") == [(team.staff["wangfang"], expected)]


# -- the work-log reminder -------------------------------------------------------------------


def test_the_worklog_reminder_goes_to_managers_at_work_without_a_submitted_log(
    engine: Engine, team: Team
) -> None:
    monday = date(2026, 11, 23)
    with unit_of_work(engine) as session:
        # 李强 saved a draft but did not submit it; nobody else wrote anything
        session.add(WorkLog(staff_id=team.staff["liqiang"], day=monday, content="拜访 3 户"))
    assert run(engine, worklog_reminders, "2026-11-23T16:59") == 0, "not before the time"
    assert run(engine, worklog_reminders, "2026-11-23T17:00") == 2
    assert run(engine, worklog_reminders, "2026-11-23T17:30") == 0, "never twice"
    text = "2026-11-23 的工作日志还没有提交，请在下班前写好并提交"
    assert notes(engine, "worklog_reminder") == [
        (team.staff["wangfang"], text),
        (team.staff["liqiang"], text),
    ]


def test_a_submitted_log_gets_no_reminder(engine: Engine, team: Team) -> None:
    monday = date(2026, 11, 23)
    with unit_of_work(engine) as session:
        for login in ("wangfang", "liqiang"):
            session.add(
                WorkLog(
                    staff_id=team.staff[login],
                    day=monday,
                    content="拜访 3 户",
                    submitted_at=at("2026-11-23T16:40"),
                )
            )
    assert run(engine, worklog_reminders, "2026-11-23T17:00") == 0


@pytest.mark.parametrize(
    ("when", "sent"),
    [
        pytest.param("2026-11-28T17:00", 0, id="saturday"),
        pytest.param("2026-10-01T17:00", 0, id="national-day-holiday"),
        pytest.param("2026-10-10T17:00", 2, id="make-up-working-saturday"),
    ],
)
def test_the_worklog_reminder_on_working_days_only(
    engine: Engine, team: Team, when: str, sent: int
) -> None:
    assert run(engine, worklog_reminders, when) == sent


# -- monthly ---------------------------------------------------------------------------------


def monthly_tasks(engine: Engine) -> list[Task]:
    with Session(engine) as session:
        query = select(Task).where(col(Task.rule).like("monthly.%")).order_by(col(Task.id))
        return list(session.exec(query).all())


def test_the_first_working_day_of_a_month_brings_the_monthly_tasks(
    engine: Engine, team: Team
) -> None:
    # 2026-11-01 is a Sunday: Monday the 2nd is the first working day
    assert run(engine, monthly_rules, "2026-11-01T10:00") == 0
    assert run(engine, monthly_rules, "2026-11-02T07:00") == 3 * 2 + 1
    assert run(engine, monthly_rules, "2026-11-02T16:00") == 0, "never twice"
    assert run(engine, monthly_rules, "2026-11-03T07:00") == 0, "only on the first working day"
    # every manager and phone manager, 赵磊 on leave too (the tasks are due days later); not
    # the supervisor or the branch head, who get no book work
    made = sorted((t.owner_id, t.kind) for t in monthly_tasks(engine))
    managers = sorted(team.staff[login] for login in ("wangfang", "liqiang", "zhaolei"))
    assert made == [(m, k) for m in managers for k in ("directory_update", "market_report")]
    assert [owner for owner, _ in notes(engine, "onsite_summary")] == [team.staff["chenzg"]]


def test_monthly_tasks_have_no_customer_and_are_due_in_5_working_days(
    engine: Engine, team: Team
) -> None:
    run(engine, monthly_rules, "2026-11-02T07:00")
    wang = [t for t in monthly_tasks(engine) if t.owner_id == team.staff["wangfang"]]
    assert [(t.kind, t.customer_id, t.reason) for t in wang] == [
        (
            "directory_update",
            None,
            "通讯录更新（2026-11）：本月至少收集或更新名下 2 个集团客户的内部通讯录",
        ),
        ("market_report", None, "市场信息报告（2026-10）：报送 2026-10 的竞争对手动态与市场信息"),
    ]
    # Monday 2 + 5 working days = Monday 9, by the close of business
    assert {t.due_at for t in wang} == {at("2026-11-09T17:30")}


def test_monthly_tasks_are_ranked_by_the_one_score(engine: Engine, team: Team) -> None:
    """A monthly task is stored with the day's score every other task gets (db.scoring), not
    a number of its own: on the list it ranks where the domain's score puts it."""
    run(engine, monthly_rules, "2026-11-02T07:00")
    tz = clock.branch_tz()
    made = monthly_tasks(engine)
    assert made
    for task in made:
        facts = priority.TaskFacts(kind=task.kind, due_on=task.due_at.astimezone(tz).date())
        assert task.priority == priority.score(facts, date(2026, 11, 2)), task.kind


@pytest.mark.parametrize(
    ("quiet", "first_working_day", "due"),
    [
        pytest.param("2026-10-01T09:00", "2026-10-08T09:00", "2026-10-14T17:30", id="october"),
        pytest.param("2026-12-02T09:00", "2026-12-01T09:00", "2026-12-08T17:30", id="december"),
    ],
)
def test_monthly_rules_fire_only_on_the_first_working_day(
    engine: Engine, team: Team, quiet: str, first_working_day: str, due: str
) -> None:
    # October: 1–7 is the National Day holiday, so Thursday the 8th is the first working day
    # (and Saturday the 10th is a make-up day, counted among the 5); December: Tuesday the 1st
    assert run(engine, monthly_rules, quiet) == 0
    assert run(engine, monthly_rules, first_working_day) == 3 * 2 + 1
    assert {t.due_at for t in monthly_tasks(engine)} == {at(due)}


def test_monthly_due_working_days_come_from_config(engine: Engine, team: Team) -> None:
    quick = replace(SETTINGS, reminders=replace(SETTINGS.reminders, monthly_due_workdays=1))
    run(engine, monthly_rules, "2026-11-02T07:00", quick)
    assert {t.due_at for t in monthly_tasks(engine)} == {at("2026-11-03T17:30")}


def test_the_supervisor_gets_last_months_onsite_summary_of_the_team(
    engine: Engine, team: Team
) -> None:
    wang = team.staff["wangfang"]
    days = [
        (date(2026, 10, 13), "C001", 10, 16, 5, 2),  # 6 h, 5 consultations, 2 transactions
        (date(2026, 10, 20), "C002", 10, 14, 3, 1),  # 4 h
        (date(2026, 11, 3), "C001", 10, 16, 9, 9),  # November: not in October's summary
    ]
    with unit_of_work(engine) as session:
        for day, no, start, end, asked, done in days:
            session.add(
                OnsiteDay(
                    customer_id=team.customers[no],
                    staff_id=wang,
                    day=day,
                    place="会议室",
                    starts_at=at(f"{day}T{start}:00"),
                    ends_at=at(f"{day}T{end}:00"),
                    consultations_group=asked,
                    transactions_group=done,
                )
            )
    run(engine, monthly_rules, "2026-11-02T07:00")
    with Session(engine) as session:
        note = session.exec(
            select(Notification).where(col(Notification.kind) == "onsite_summary")
        ).one()
    assert note.recipient_id == team.staff["chenzg"]
    assert note.title == (
        "2026-10 团队驻点：2 天 10.0 小时，服务客户 2 家，咨询 8 次，办理 3 笔，未驻点 1 人"
    )
    assert note.body == (
        "李强：0 天 0.0 小时，客户 0 家，咨询 0 次，办理 0 笔\n"
        "王芳：2 天 10.0 小时，客户 2 家，咨询 8 次，办理 3 笔"
    )


def test_a_monthly_task_without_customer_shows_on_the_today_list_of_its_due_day(
    engine: Engine, team: Team
) -> None:
    run(engine, monthly_rules, "2026-11-02T07:00")
    clock.freeze("2026-11-09T08:30")
    with Session(engine) as session:
        person = session.get(Staff, team.staff["wangfang"])
        assert person is not None
        actor = Actor(_id(person), person.login, person.name, person.role, person.branch_id)
        rows = today_list(session=session, actor=actor)
        counts = today_counts(session=session, actor=actor)
    assert [(r.kind, r.customer_no, r.customer_name, r.phone) for r in rows] == [
        ("directory_update", None, None, ""),
        ("market_report", None, None, ""),
    ]
    assert counts == {"directory_update": 1, "market_report": 1}
    assert i18n.label("task_kind", "directory_update") == "通讯录更新"


# -- config ----------------------------------------------------------------------------------


def test_reminder_defaults() -> None:
    r = Settings().reminders
    assert (r.task_lead_minutes, r.visit_lead_minutes, r.digest_at, r.monthly_due_workdays) == (
        15,
        15,
        "09:00",
        5,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('digest_at = "9:00"', "reminders.digest_at: '9:00' is not a time", id="time"),
        pytest.param("task_lead_minutes = 0", "reminders.task_lead_minutes: must be", id="lead"),
        pytest.param("visit_lead_minutes = -5", "reminders.visit_lead_minutes", id="visit"),
        pytest.param("monthly_due_workdays = 0", "reminders.monthly_due_workdays", id="due"),
        pytest.param('task_lead_minutes = "15"', "must be a whole number", id="type"),
    ],
)
def test_a_bad_reminder_setting_is_one_line_naming_the_key(
    tmp_path, text: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[reminders]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_reminder_settings_are_read_from_the_file(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[reminders]\ntask_lead_minutes = 30\ndigest_at = "08:45"\n', "utf-8")
    r = load_settings(path, env={}).reminders
    assert (r.task_lead_minutes, r.digest_at, r.visit_lead_minutes) == (30, "08:45", 15)


def test_rules_are_written_at_the_instant_of_the_clock(engine: Engine, team: Team) -> None:
    add_task(engine, team.staff["wangfang"], "2026-11-23T10:00", reason="回电")
    run(engine, task_reminders, "2026-11-23T09:50")
    with Session(engine) as session:
        note = session.exec(select(Notification)).one()
    assert note.created_at == at("2026-11-23T09:50")


def test_a_notification_key_is_written_once_even_within_one_unit_of_work(
    engine: Engine, team: Team
) -> None:
    clock.freeze("2026-11-23T09:00")
    wang = team.staff["wangfang"]
    with unit_of_work(engine) as session:
        first = insert_notification(
            session, recipient=wang, kind="x", title="a", object_type=None, object_id=None, key="k"
        )
        again = insert_notification(
            session, recipient=wang, kind="x", title="b", object_type=None, object_id=None, key="k"
        )
    assert (first, again) == (True, False)
    assert notes(engine, "x") == [(wang, "a")]
