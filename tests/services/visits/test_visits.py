"""Weekly visit plans: clash rules, proposals by area, approval, recording, plan vs actual.

Given the 对公一组 team on Monday 2026-11-23 at 08:30 (clock frozen): supervisor 王芳
(wangfang) and manager 张伟 (zhangwei) with group customers in three areas and open contact
tasks; 孙丽 (sunli) in another team with her own supervisor 赵强 (zhaoqiang).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Contact, Interaction, Task
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.visits import (
    Candidate,
    PlannedVisit,
    SlotRules,
    check_plan,
    default_week,
    propose_week,
    week_days,
)
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.staff.directory import actor_for_login
from cmworkbench.services.tasks.plan import today_list
from cmworkbench.services.visits.approval import approve, return_plan, submit
from cmworkbench.services.visits.month import month_visits
from cmworkbench.services.visits.plans import (
    add_item,
    remove_item,
    set_checklist,
    shift_item,
    week_plan,
)
from cmworkbench.services.visits.proposals import add_proposals, propose
from cmworkbench.services.visits.records import plan_vs_actual, record_visit

Build = Callable[[], AbstractContextManager[Factory]]
TZ = BranchCalendar().tz
WEEK = "2026-W48"


def at(day: str, hhmm: str, minutes: int = 60) -> tuple[datetime, datetime]:
    start = datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), TZ)
    return start, start + timedelta(minutes=minutes)


def visit(key: int, day: str, hhmm: str, hours: str | None = None) -> PlannedVisit:
    start, end = at(day, hhmm)
    return PlannedVisit(key, f"客户{key}", start, end, hours)


# -- domain: clash and sanity rules -----------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([visit(1, "2026-11-23", "09:00")], [], id="one-visit-on-a-monday-is-fine"),
        pytest.param(
            [visit(1, "2026-11-23", "09:00"), visit(2, "2026-11-23", "09:30")],
            [("overlap", 2)],
            id="two-visits-overlapping-warn-on-the-later",
        ),
        pytest.param(
            [visit(1, "2026-11-23", "09:00"), visit(2, "2026-11-23", "10:00")],
            [],
            id="back-to-back-visits-do-not-overlap",
        ),
        pytest.param(
            [visit(1, "2026-10-01", "09:00")],
            [("non_working_day", 1)],
            id="national-day-2026-10-01-is-a-holiday",
        ),
        pytest.param(
            [visit(1, "2026-09-20", "09:00")],
            [],
            id="sunday-2026-09-20-is-a-make-up-working-day",
        ),
        pytest.param(
            [visit(1, "2026-11-28", "09:00")],
            [("non_working_day", 1)],
            id="a-plain-saturday-is-not-a-working-day",
        ),
        pytest.param(
            [visit(1, "2026-11-23", "14:00", "09:00-11:30")],
            [("outside_preferred_hours", 1)],
            id="afternoon-visit-for-a-morning-customer",
        ),
        pytest.param(
            [visit(1, "2026-11-23", "10:30", "09:00-11:30")],
            [],
            id="visit-inside-preferred-hours",
        ),
        pytest.param(
            [visit(k, "2026-11-23", f"{8 + k:02d}:00") for k in range(1, 5)],
            [("over_max_per_day", 4)],
            id="fourth-visit-over-a-maximum-of-three",
        ),
    ],
)
def test_clash_rules(items: list[PlannedVisit], expected: list[tuple[str, int]]) -> None:
    warnings = check_plan(items, calendar=BranchCalendar(), max_per_day=3)
    assert [(w.kind, w.item) for w in warnings] == expected
    assert all(w.message_key == f"visits.warning.{w.kind}" for w in warnings)


@pytest.mark.parametrize(
    ("today", "week"),
    [
        pytest.param(date(2026, 11, 23), "2026-W48", id="monday-plans-this-week"),
        pytest.param(date(2026, 11, 26), "2026-W48", id="thursday-plans-this-week"),
        pytest.param(date(2026, 11, 27), "2026-W49", id="friday-plans-next-week"),
        pytest.param(date(2026, 11, 29), "2026-W49", id="sunday-plans-next-week"),
    ],
)
def test_default_week(today: date, week: str) -> None:
    assert default_week(today) == week


def test_proposals_cover_one_area_a_day_most_urgent_area_first() -> None:
    candidates = [
        Candidate(1, "西湖区", 50),
        Candidate(2, "西湖区", 40),
        Candidate(3, "西湖区", 30),
        Candidate(4, "上城区", 90),
        Candidate(5, "滨江区", 20),
        Candidate(6, "上城区", 10, preferred_hours="14:00-17:00"),
    ]
    rules = SlotRules(max_per_day=2, slot_minutes=60, preparation_minutes=10)
    proposals = propose_week(candidates, week_days(WEEK), calendar=BranchCalendar(), rules=rules)
    by_day: dict[date, list[tuple[int, str | None]]] = {}
    for p in proposals:
        local = p.starts_at.astimezone(TZ)
        by_day.setdefault(local.date(), []).append((p.candidate.customer_id, p.candidate.area))
        assert not (time(12) <= local.time() < time(13, 30)), "never over lunch"
    assert by_day == {
        date(2026, 11, 23): [(4, "上城区"), (6, "上城区")],
        date(2026, 11, 24): [(1, "西湖区"), (2, "西湖区")],
        date(2026, 11, 25): [(3, "西湖区")],
        date(2026, 11, 26): [(5, "滨江区")],
    }
    afternoon = next(p for p in proposals if p.candidate.customer_id == 6)
    assert afternoon.starts_at.astimezone(TZ).time() >= time(14), "preferred hours honoured"
    first = next(p for p in proposals if p.candidate.customer_id == 4)
    assert first.starts_at.astimezone(TZ).time() == time(8, 40), "opening + preparation"


# -- services ---------------------------------------------------------------------------------


@pytest.fixture
def team(frozen_clock: object, build: Build) -> dict[str, int]:
    """Customers of 张伟 by number → id; each C00x has an open contact task due today."""
    ids: dict[str, int] = {}
    with build() as f:
        branch = f.branch()
        group, other = f.team(branch), f.team(branch, "对公二组")
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=group)
        zhang = f.staff(branch, "zhangwei", "张伟", team=group)
        f.staff(branch, "sunli", "孙丽", team=other)
        f.staff(branch, "zhaoqiang", "赵强", role="supervisor", team=other)
        specs = [
            ("C001", "华东机械", "A1", "西湖区"),
            ("C002", "西湖茶庄", "B1", "西湖区"),
            ("C003", "钱塘物流", "B1", "上城区"),
        ]
        for no, name, cls, area in specs:
            customer = f.customer(zhang, no, name, cls=cls)
            customer.area = area
            task = f.task(zhang, "2026-11-23T09:00")
            task.customer_id = customer.id
            f.session.add_all([customer, task])
            assert customer.id is not None
            ids[no] = customer.id
    return ids


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with unit_of_work(engine) as session:
        yield session


def who(session: Session, login: str) -> Actor:
    return actor_for_login(session=session, login=login)


def test_propose_groups_the_due_customers_by_area(
    team: dict[str, int], session: Session, settings: Settings
) -> None:
    zhang = who(session, "zhangwei")
    proposals = propose(session=session, actor=zhang, settings=settings, week=WEEK)
    days = {p.customer_no: p.starts_at.astimezone(TZ).date() for p in proposals}
    assert set(days) == {"C001", "C002", "C003"}
    assert days["C001"] == days["C002"] == date(2026, 11, 23), "西湖区 first: A1 is most urgent"
    assert days["C003"] == date(2026, 11, 24)
    assert (
        add_proposals(
            session=session, actor=zhang, settings=settings, week=WEEK, proposals=proposals
        )
        == 3
    )
    plan = week_plan(session=session, actor=zhang, settings=settings, week=WEEK)
    assert [i.customer_no for i in plan.items] == ["C001", "C002", "C003"]
    assert plan.status == "draft" and plan.warnings == ()
    assert propose(session=session, actor=zhang, settings=settings, week=WEEK) == []


def test_plan_shows_warnings_for_clashes(
    team: dict[str, int], session: Session, settings: Settings
) -> None:
    zhang = who(session, "zhangwei")
    add = dict(session=session, actor=zhang, settings=settings, purpose="courtesy_call")
    add_item(customer_no="C001", day=date(2026, 11, 23), start=time(9), **add)  # type: ignore[arg-type]
    add_item(customer_no="C002", day=date(2026, 11, 23), start=time(9, 30), **add)  # type: ignore[arg-type]
    add_item(customer_no="C003", day=date(2026, 11, 28), start=time(9), **add)  # type: ignore[arg-type]
    plan = week_plan(session=session, actor=zhang, settings=settings, week=WEEK)
    warned = {i.customer_no: i.warnings for i in plan.items}
    assert warned["C001"] == ()
    assert warned["C002"] == ("与拜访华东机械时间重叠",)
    assert warned["C003"] == ("2026-11-28 不是工作日",)


def test_approval_round_trip(team: dict[str, int], engine: Engine, settings: Settings) -> None:
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        first = add_item(
            session=s,
            actor=zhang,
            settings=settings,
            customer_no="C001",
            day=date(2026, 11, 24),
            start=time(9),
            purpose="gift",
        )
        add_item(
            session=s,
            actor=zhang,
            settings=settings,
            customer_no="C002",
            day=date(2026, 11, 24),
            start=time(10, 30),
            purpose="negotiation",
        )
        assert submit(session=s, actor=zhang, week=WEEK) == "submitted"
    with unit_of_work(engine) as s:
        wang = who(s, "wangfang")
        assert (
            return_plan(
                session=s, actor=wang, week=WEEK, owner_login="zhangwei", comment="周二太满"
            )
            == "returned"
        )
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        todo = today_list(session=s, actor=zhang)
        assert "拜访计划 2026-W48 被退回：周二太满" in [r.task_reason for r in todo]
        shift_item(session=s, actor=zhang, settings=settings, item_id=first, workdays=1)
        assert submit(session=s, actor=zhang, week=WEEK) == "submitted"
        reasons = [r.task_reason or "" for r in today_list(session=s, actor=zhang)]
        assert not any("被退回" in r for r in reasons), "resubmitting closes the return task"
    with unit_of_work(engine) as s:
        assert (
            approve(session=s, actor=who(s, "wangfang"), week=WEEK, owner_login="zhangwei")
            == "approved"
        )
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        add_item(
            session=s,
            actor=zhang,
            settings=settings,
            customer_no="C003",
            day=date(2026, 11, 26),
            start=time(9),
            purpose="after_sale",
        )
        shift_item(session=s, actor=zhang, settings=settings, item_id=first, slots=1)
    with unit_of_work(engine) as s:
        plan = week_plan(
            session=s,
            actor=who(s, "wangfang"),
            settings=settings,
            week=WEEK,
            owner_login="zhangwei",
        )
        assert plan.status == "submitted", "a change after approval goes back to the supervisor"
        assert sorted((c.kind, c.customer_name) for c in plan.changes) == [
            ("added", "钱塘物流"),
            ("moved", "华东机械"),
        ]
        moved = next(c for c in plan.changes if c.kind == "moved")
        assert moved.before is not None and moved.after is not None
        assert moved.before.astimezone(TZ).time() == time(9)
        assert moved.after.astimezone(TZ).time() == time(10)
        remove_item(session=s, actor=who(s, "zhangwei"), item_id=first)
    with unit_of_work(engine) as s:
        plan = week_plan(
            session=s,
            actor=who(s, "wangfang"),
            settings=settings,
            week=WEEK,
            owner_login="zhangwei",
        )
        assert ("removed", "华东机械") in [(c.kind, c.customer_name) for c in plan.changes]


def test_scope_refusals(team: dict[str, int], engine: Engine, settings: Settings) -> None:
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        item = add_item(
            session=s,
            actor=zhang,
            settings=settings,
            customer_no="C001",
            day=date(2026, 11, 24),
            start=time(9),
            purpose="gift",
        )
        submit(session=s, actor=zhang, week=WEEK)
    with unit_of_work(engine) as s:
        with pytest.raises(OutOfScope):
            approve(session=s, actor=who(s, "zhaoqiang"), week=WEEK, owner_login="zhangwei")
        with pytest.raises(OutOfScope):
            approve(session=s, actor=who(s, "sunli"), week=WEEK, owner_login="zhangwei")
        with pytest.raises(OutOfScope):
            week_plan(session=s, actor=who(s, "sunli"), week=WEEK, owner_login="zhangwei")
        with pytest.raises(NotFound):  # another's visit reads as one that does not exist
            remove_item(session=s, actor=who(s, "wangfang"), item_id=item)
        with pytest.raises(NotFound):  # another team's customer reads as one not there
            add_item(
                session=s,
                actor=who(s, "sunli"),
                settings=settings,
                customer_no="C001",
                day=date(2026, 11, 24),
                start=time(9),
                purpose="gift",
            )
        with pytest.raises(Conflict):
            remove_item(session=s, actor=who(s, "zhangwei"), item_id=item, version=1)


def test_record_visit_done_with_next_step(
    team: dict[str, int], engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        item = add_item(
            session=s,
            actor=zhang,
            settings=settings,
            customer_no="C001",
            day=date(2026, 11, 23),
            start=time(9),
            purpose="needs_discovery",
        )
        done = record_visit(
            session=s,
            actor=zhang,
            settings=settings,
            item_id=item,
            outcome="done",
            needs="扩容专线",
            next_step="送报价单",
            next_step_due=date(2026, 11, 25),
            duration_minutes=45,
        )
        assert done.status == "done" and done.next_step_task_id is not None
        assert len(done.closed_task_ids) == 1, "the cadence contact task of C001 closed"
        with pytest.raises(Conflict):
            record_visit(session=s, actor=zhang, settings=settings, item_id=item, outcome="done")
    with Session(engine) as s:
        tasks = s.exec(select(Task).where(col(Task.customer_id) == team["C001"])).all()
        by_kind = {t.kind: t for t in tasks}
        assert by_kind["contact"].status == "done"
        follow = by_kind["follow_up"]
        assert follow.status == "open" and follow.reason == "送报价单"
        assert follow.due_at.astimezone(TZ) == datetime(2026, 11, 25, 8, 30, tzinfo=TZ)
        interaction = s.exec(select(Interaction)).one()
        assert (interaction.kind, interaction.status, interaction.note) == (
            "visit",
            "done",
            "扩容专线",
        )
        assert interaction.duration_minutes == 45 and interaction.purpose == "needs_discovery"


def test_plan_vs_actual_counts_unplanned_visits(
    team: dict[str, int], engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        kw = dict(session=s, actor=zhang, settings=settings, purpose="gift")
        a = add_item(customer_no="C001", day=date(2026, 11, 23), start=time(9), **kw)  # type: ignore[arg-type]
        b = add_item(customer_no="C002", day=date(2026, 11, 23), start=time(11), **kw)  # type: ignore[arg-type]
        add_item(customer_no="C003", day=date(2026, 11, 24), start=time(9), **kw)  # type: ignore[arg-type]
        record_visit(session=s, actor=zhang, settings=settings, item_id=a, outcome="done")
        record_visit(session=s, actor=zhang, settings=settings, item_id=b, outcome="cancelled")
        s.add(
            Interaction(
                customer_id=team["C003"],
                staff_id=zhang.id,
                kind="visit",
                status="done",
                happened_at=clock.now(),
                outcome="done",
                created_at=clock.now(),
            )
        )
    with unit_of_work(engine) as s:
        rows = plan_vs_actual(session=s, actor=who(s, "wangfang"), settings=settings, week=WEEK)
        mine = {r.login: r for r in rows}["zhangwei"]
        assert (mine.planned, mine.done, mine.cancelled, mine.open, mine.unplanned) == (
            3,
            1,
            1,
            1,
            1,
        )
        assert plan_vs_actual(session=s, actor=who(s, "zhangwei"), week="2026-W49")[0].planned == 0
        with pytest.raises(OutOfScope):
            plan_vs_actual(session=s, actor=who(s, "sunli"), week=WEEK, owner_login="zhangwei")
    assert datetime.now(UTC)  # the real clock is untouched


# -- month view -------------------------------------------------------------------------------


def test_month_lists_the_visits_of_every_week_with_per_day_counts(
    team: dict[str, int], engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as s:
        zhang = who(s, "zhangwei")
        kw = dict(session=s, actor=zhang, settings=settings, purpose="gift")
        a = add_item(customer_no="C001", day=date(2026, 11, 23), start=time(9), **kw)  # type: ignore[arg-type]
        add_item(customer_no="C002", day=date(2026, 11, 23), start=time(11), **kw)  # type: ignore[arg-type]
        add_item(customer_no="C003", day=date(2026, 11, 30), start=time(9), **kw)  # type: ignore[arg-type]
        # 07:00 branch time on 1 December is still 30 November in UTC: it belongs to December.
        add_item(customer_no="C003", day=date(2026, 12, 1), start=time(7), **kw)  # type: ignore[arg-type]
        record_visit(session=s, actor=zhang, settings=settings, item_id=a, outcome="done")
    with unit_of_work(engine) as s:
        month = month_visits(
            session=s, actor=who(s, "zhangwei"), settings=settings, month="2026-11"
        )
        assert [(i.customer_no, i.status) for i in month.items] == [
            ("C001", "done"),
            ("C002", "planned"),
            ("C003", "planned"),
        ]
        assert month.per_day == ((date(2026, 11, 23), 2), (date(2026, 11, 30), 1))
        boss = month_visits(
            session=s, actor=who(s, "wangfang"), month="2026-12", owner_login="zhangwei"
        )
        assert (boss.owner_name, len(boss.items)) == ("张伟", 1)
        with pytest.raises(OutOfScope):
            month_visits(session=s, actor=who(s, "sunli"), month="2026-11", owner_login="zhangwei")
        with pytest.raises(FieldsInvalid, match="2026-13"):
            month_visits(session=s, actor=who(s, "zhangwei"), month="2026-13")


# -- contact person and checklist -------------------------------------------------------------


def _contact(session: Session, customer_id: int, name: str, *, key: bool = False) -> int:
    contact = Contact(customer_id=customer_id, name=name, is_key_person=key, updated_at=clock.now())
    session.add(contact)
    session.flush()
    assert contact.id is not None
    return contact.id


def test_a_visit_is_with_the_chosen_contact_and_its_checklist_can_be_edited(
    team: dict[str, int], session: Session, settings: Settings
) -> None:
    _contact(session, team["C001"], "刘总", key=True)
    finance = _contact(session, team["C001"], "财务王姐")
    elsewhere = _contact(session, team["C002"], "茶庄老板")
    zhang = who(session, "zhangwei")
    kw = dict(session=session, actor=zhang, settings=settings, purpose="gift")
    default = add_item(customer_no="C001", day=date(2026, 11, 23), start=time(9), **kw)  # type: ignore[arg-type]
    chosen = add_item(
        customer_no="C001",
        day=date(2026, 11, 24),
        start=time(9),
        contact_id=finance,
        **kw,  # type: ignore[arg-type]
    )
    with pytest.raises(FieldsInvalid, match="不是华东机械的联系人") as refused:
        add_item(
            customer_no="C001",
            day=date(2026, 11, 25),
            start=time(9),
            contact_id=elsewhere,
            **kw,  # type: ignore[arg-type]
        )
    assert set(refused.value.fields) == {"contact"}
    set_checklist(session=session, actor=zhang, item_id=chosen, checklist=["带合同", " ", "报价单"])
    plan = week_plan(session=session, actor=zhang, settings=settings, week=WEEK)
    by_id = {i.id: i for i in plan.items}
    assert by_id[default].contact_name == "刘总", "the key person by default"
    assert by_id[chosen].contact_name == "财务王姐"
    assert by_id[chosen].checklist == ("带合同", "报价单")
    assert len(plan.items) == 2, "the refused visit was not saved"
    with pytest.raises(NotFound):  # another's visit reads as one that does not exist
        set_checklist(session=session, actor=who(session, "wangfang"), item_id=chosen, checklist=[])
