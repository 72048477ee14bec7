"""The daily work log (工作日志): drafted from the day's records, saved, submitted.

Given the 对公一组 team: supervisor 王芳 (wangfang), managers 张伟 (zhangwei) and 李娜 (lina),
phone manager 赵磊 (zhaolei), and 张伟 called and visited customers and handled a complaint on
Monday 2026-11-23, when they write their logs that day at 08:30 (clock frozen), then the draft
lists what was logged, saving and submitting land in the database, a stale editor is refused,
and the supervisor sees who has not submitted, with staff on leave listed apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import Session, select

from cmworkbench import clock
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, ComplaintEvent, Interaction, Staff, StaffLeave, WorkLog
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import Conflict, InvalidInput, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.staff.directory import actor_for_login
from cmworkbench.services.staff.worklog import (
    draft_for_day,
    missing_for_team,
    save,
    submit,
)

MONDAY = date(2026, 11, 23)

Build = Callable[[], AbstractContextManager[Factory]]


def contact(f: Factory, staff: Staff, customer_id: int, kind: str, outcome: str, at: str) -> None:
    """A call or visit done at ``at`` (branch-local)."""
    moment = clock.parse_instant(at)
    assert staff.id is not None
    f.session.add(
        Interaction(
            customer_id=customer_id,
            staff_id=staff.id,
            kind=kind,
            outcome=outcome,
            happened_at=moment,
            created_at=moment,
        )
    )


@pytest.fixture
def team(frozen_clock: object, build: Build) -> None:
    """The team, with 张伟's Monday (and a call on Sunday that is not Monday's work)."""
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=group)
        zhang = f.staff(branch, "zhangwei", "张伟", team=group)
        lina = f.staff(branch, "lina", "李娜", team=group)
        zhao = f.staff(branch, "zhaolei", "赵磊", role="phone_manager", team=group)
        other_team = f.team(branch, "对公二组")
        f.staff(branch, "sunli", "孙丽", team=other_team)
        machine = f.customer(zhang, "C001", "华东机械有限公司")
        shop = f.customer(zhang, "C002", "城南超市")
        assert machine.id is not None and shop.id is not None and lina.id is not None
        contact(f, zhang, machine.id, "call", "reached", "2026-11-23T08:05")
        contact(f, zhang, shop.id, "visit", "done", "2026-11-23T08:20")
        contact(f, zhang, shop.id, "call", "no_answer", "2026-11-22T16:00")  # Sunday
        ticket = f.complaint(zhang, machine, "TS202611230001")
        assert ticket.id is not None
        f.session.add(
            ComplaintEvent(
                complaint_id=ticket.id,
                at=clock.parse_instant("2026-11-23T08:10"),
                staff_id=zhang.id,
                action="respond",
            )
        )
        f.session.add(StaffLeave(staff_id=lina.id, starts_on=MONDAY, ends_on=MONDAY))
        assert zhao.id is not None


@pytest.fixture
def session(engine: Engine, team: None) -> Iterator[Session]:
    """One unit of work for the test's service calls."""
    with unit_of_work(engine) as session:
        yield session


def actor(session: Session, login: str) -> Actor:
    """The acting staff member ``login``."""
    return actor_for_login(session=session, login=login)


def test_the_draft_lists_the_days_calls_visits_and_complaint_steps(session: Session) -> None:
    zhang = actor(session, "zhangwei")
    draft = draft_for_day(session=session, actor=zhang)
    assert draft.day == MONDAY
    assert draft.version == 0
    assert not draft.saved
    lines = draft.content.splitlines()
    assert "- 08:05 华东机械有限公司 · 电话 · 已接通" in lines
    assert "- 08:20 城南超市 · 拜访 · 已完成" in lines
    assert "- 08:10 TS202611230001 华东机械有限公司 · 首次响应" in lines
    assert "16:00" not in draft.content  # Sunday's call is not Monday's work
    assert t("worklog.section.notes") in lines


def test_saving_then_submitting_stores_the_log(session: Session, engine: Engine) -> None:
    zhang = actor(session, "zhangwei")
    saved = save(session=session, actor=zhang, day=MONDAY, content="拜访两户", version=0)
    assert (saved.version, saved.saved, saved.submitted_at) == (1, True, None)
    done = submit(session=session, actor=zhang, day=MONDAY, version=1)
    assert done.submitted_at == clock.now()
    assert done.version == 2
    again = draft_for_day(session=session, actor=zhang)
    assert again.content == "拜访两户"
    assert again.submitted_at == clock.now()


def test_editing_a_submitted_log_the_same_day_keeps_it_submitted_and_is_audited(
    session: Session,
) -> None:
    zhang = actor(session, "zhangwei")
    save(session=session, actor=zhang, day=MONDAY, content="拜访两户", version=0)
    submit(session=session, actor=zhang, day=MONDAY, version=1)
    edited = save(session=session, actor=zhang, day=MONDAY, content="拜访三户", version=2)
    assert edited.content == "拜访三户"
    assert edited.submitted_at == clock.now()
    actions = session.exec(
        select(AuditLog.action, AuditLog.detail).where(AuditLog.object_type == "work_log")
    ).all()
    assert [a for a, _ in actions] == ["create", "submit", "update"]
    assert "after_submit" in (actions[-1][1] or "")


def test_a_stale_editor_is_refused_and_nothing_is_overwritten(session: Session) -> None:
    zhang = actor(session, "zhangwei")
    save(session=session, actor=zhang, day=MONDAY, content="第一版", version=0)
    with pytest.raises(Conflict, match="2026-11-23"):
        save(session=session, actor=zhang, day=MONDAY, content="另一会话", version=0)
    with pytest.raises(Conflict):
        submit(session=session, actor=zhang, day=MONDAY, version=7)
    row = session.exec(select(WorkLog)).one()
    assert (row.content, row.version, row.submitted_at) == ("第一版", 1, None)


@pytest.mark.parametrize(
    ("content", "problem"),
    [("   ", "不能为空"), ("字" * 4001, "4000")],
    ids=["empty-log-is-refused", "log-over-4000-characters-is-refused"],
)
def test_content_is_required_and_at_most_4000_characters(
    session: Session, content: str, problem: str
) -> None:
    zhang = actor(session, "zhangwei")
    with pytest.raises(InvalidInput, match=problem):
        save(session=session, actor=zhang, day=MONDAY, content=content, version=0)


def test_a_log_for_a_day_not_yet_come_is_refused(session: Session) -> None:
    zhang = actor(session, "zhangwei")
    with pytest.raises(InvalidInput, match="2026-11-24"):
        save(
            session=session,
            actor=zhang,
            day=MONDAY + timedelta(days=1),
            content="明天的",
            version=0,
        )


def test_submitting_before_saving_says_to_save_first(session: Session) -> None:
    with pytest.raises(InvalidInput, match="保存"):
        submit(session=session, actor=actor(session, "zhangwei"), day=MONDAY, version=0)


def test_the_supervisor_sees_who_has_not_submitted_and_who_is_on_leave(session: Session) -> None:
    zhang = actor(session, "zhangwei")
    save(session=session, actor=zhang, day=MONDAY, content="拜访两户", version=0)
    submit(session=session, actor=zhang, day=MONDAY, version=1)
    lines = missing_for_team(session=session, actor=actor(session, "wangfang"), day=MONDAY)
    assert [(line.login, line.on_leave) for line in lines] == [
        ("zhaolei", False),
        ("lina", True),
    ]  # 孙丽 is in another team; the supervisor writes no book log


def test_a_saved_but_unsubmitted_log_is_still_missing(session: Session) -> None:
    zhao = actor(session, "zhaolei")
    save(session=session, actor=zhao, day=MONDAY, content="外呼 40 户", version=0)
    lines = missing_for_team(session=session, actor=actor(session, "wangfang"))
    assert "zhaolei" in [line.login for line in lines]


def test_a_manager_may_not_see_who_is_missing(session: Session) -> None:
    with pytest.raises(OutOfScope, match="主管"):
        missing_for_team(session=session, actor=actor(session, "zhangwei"), day=MONDAY)
