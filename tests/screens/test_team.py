"""The supervisor's team board, reassigning tasks, and the work-log editor on screen.

Given the 对公一组 team on Monday 2026-11-23 at 08:30 (clock frozen): supervisor 王芳
(wangfang); 张伟 (zhangwei) with one task overdue since Friday, two due today (at 08:00, not
overdue before the day is over, and this afternoon), one snoozed and one done, and an open
complaint; 李娜 (lina) on leave today with 张伟 as her backup partner (AB角);
and 孙丽 (sunli) in another team. Then the board counts each manager's work, reassigning stays
inside the team, and the screens show it and write to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date

import pytest
from conftest import Factory, settled, table_rows
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from textual.widgets import DataTable, Label, TextArea

from cmworkbench import clock
from cmworkbench.app import make_app
from cmworkbench.config import RoleCapacity, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, Interaction, StaffLeave, Task, WorkLog
from cmworkbench.screens.dashboard import DashboardScreen
from cmworkbench.screens.team import TeamScreen
from cmworkbench.screens.worklog import WorkLogScreen
from cmworkbench.services.core.errors import Conflict, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.staff.board import reassign_task, team_board, team_tasks
from cmworkbench.services.staff.directory import actor_for_login
from cmworkbench.services.staff.market import submit_market_report
from cmworkbench.services.tasks.reminders import monthly_rules
from cmworkbench.services.workbench import login

MONDAY = date(2026, 11, 23)
SIZE = (80, 24)

Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def team(frozen_clock: object, build: Build) -> dict[str, int]:
    """The team; returns task ids by name."""
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=group)
        zhang = f.staff(branch, "zhangwei", "张伟", team=group)
        lina = f.staff(branch, "lina", "李娜", team=group)
        sun = f.staff(branch, "sunli", "孙丽", team=f.team(branch, "对公二组"))
        f.staff(branch, "head", "行长", role="branch_head")
        lina.backup_id = zhang.id
        f.session.add(StaffLeave(staff_id=lina.id, starts_on=MONDAY, ends_on=MONDAY))  # type: ignore[arg-type]
        machine = f.customer(zhang, "C001", "华东机械有限公司")
        late = f.task(zhang, "2026-11-20T09:00")
        late.customer_id, late.reason = machine.id, "A1 · 超期 3 天"
        f.task(zhang, "2026-11-23T08:00")
        f.task(zhang, "2026-11-23T15:00")
        snoozed = f.task(zhang, "2026-11-22T10:00")
        snoozed.snoozed_until = clock.parse_instant("2026-11-24T08:30")
        f.task(zhang, "2026-11-21T10:00", status="done")
        f.task(zhang, "2026-11-24T10:00")  # tomorrow: not today's work
        f.task(lina, "2026-11-23T10:00")
        other = f.task(sun, "2026-11-23T10:00")
        f.complaint(zhang, machine, "TS202611230001")
        assert late.id is not None and other.id is not None
        return {"late": late.id, "other_team": other.id}


@pytest.fixture
def session(engine: Engine, team: dict[str, int]) -> Iterator[Session]:
    """One unit of work for the test's service calls."""
    with unit_of_work(engine) as session:
        yield session


def actor(session: Session, name: str) -> Actor:
    """The acting staff member ``name``."""
    return actor_for_login(session=session, login=name)


def test_the_board_counts_each_managers_work_with_leave_and_cover(session: Session) -> None:
    board = {
        row.login: row for row in team_board(session=session, actor=actor(session, "wangfang"))
    }
    assert set(board) == {"zhangwei", "lina"}
    zhang, lina = board["zhangwei"], board["lina"]
    assert (zhang.due_today, zhang.overdue, zhang.snoozed, zhang.complaints_open) == (2, 1, 1, 1)
    assert not zhang.on_leave and zhang.cover_login is None
    assert (lina.due_today, lina.overdue, lina.on_leave, lina.cover_login) == (
        1,
        0,
        True,
        "zhangwei",
    )
    assert not zhang.log_submitted


def test_on_monday_morning_the_board_shows_fridays_work_log(session: Session) -> None:
    """Today's log is written tonight: at 08:30 on Monday the supervisor checks Friday's, so a
    manager who filed Friday's log is not listed as missing (and one who did not, is)."""
    friday = date(2026, 11, 20)
    session.add(WorkLog(staff_id=actor(session, "zhangwei").id, day=friday, content="拜访 3 户",
                        submitted_at=clock.parse_instant("2026-11-20T17:40")))  # fmt: skip
    session.add(WorkLog(staff_id=actor(session, "lina").id, day=MONDAY, content="今天的草稿"))
    session.flush()
    board = {
        row.login: row for row in team_board(session=session, actor=actor(session, "wangfang"))
    }
    assert board["zhangwei"].log_day == friday and board["zhangwei"].log_submitted
    assert not board["lina"].log_submitted


def small_days(settings: Settings) -> Settings:
    """A customer manager's day of two calls: a short list shows what the plan leaves out."""
    capacity = replace(settings.capacity, manager=RoleCapacity(calls=2, meetings=6))
    return replace(settings, capacity=capacity)


def add_overdue(engine: Engine, login_: str, *days: str) -> None:
    """Contact tasks of ``login_`` without a customer, due at 09:00 on each of ``days``."""
    with unit_of_work(engine) as session:
        owner = actor(session, login_).id
        session.add_all(
            Task(
                kind="contact",
                owner_id=owner,
                due_at=clock.parse_instant(f"{day}T09:00"),
                created_at=clock.now(),
            )
            for day in days
        )


def day_figures(
    engine: Engine, settings: Settings, lead: str = "wangfang"
) -> dict[str, tuple[int, int, int, int]]:
    """Login → (plan size, done today, backlog, backlog's oldest age in days) on the board."""
    with unit_of_work(engine) as session:
        board = team_board(session=session, actor=actor(session, lead), settings=settings)
    return {
        row.login: (row.plan_size, row.done_today, row.backlog, row.backlog_oldest_days)
        for row in board
    }


def kept_plans(engine: Engine, of: str | None = None) -> int:
    """Plans stored in day_plan (``of``: of that login only)."""
    query = "SELECT count(*) FROM day_plan d JOIN staff s ON s.id = d.staff_id"
    with engine.connect() as conn:
        if of is None:
            return int(conn.execute(text(query)).scalar_one())
        return int(conn.execute(text(query + " WHERE s.login = :l"), {"l": of}).scalar_one())


def test_the_board_shows_each_managers_day_as_today_plans_it_and_stores_none(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    """张伟's day, in a day of two calls: his three tasks due by today, 李娜's one (she is on
    leave, he is her A/B partner) and two more overdue since 11-16 and 11-18, none with a time
    of its own. The plan takes the two most urgent: the task of 11-16 and the late one of 11-20
    (its customer is B1, the others have none); four wait, the oldest due on 11-18 (5 days).
    李娜's own day is her one task. When 张伟 reaches the customer of 11-20, done today is 1
    and, no plan being kept, the task of 11-18 moves up: three wait, all due today."""
    small = small_days(settings)
    add_overdue(engine, "zhangwei", "2026-11-16", "2026-11-18")
    figures = day_figures(engine, small)
    assert figures == {"zhangwei": (2, 0, 4, 5), "lina": (1, 0, 0, 0)}
    assert kept_plans(engine) == 0, "the board never stores a plan"
    login(engine, small, "zhangwei").tasks.log_call(team["late"], "reached")
    assert day_figures(engine, small)["zhangwei"] == (2, 1, 3, 0)
    assert kept_plans(engine) == 0


def test_a_kept_plan_is_what_the_board_counts(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    """Once 张伟 has opened Today, his plan is the kept one: a task turning up later (overdue
    since 11-01) waits in the backlog, 22 days old, instead of entering the plan."""
    small = small_days(settings)
    bench = login(engine, small, "zhangwei")
    kept = bench.tasks.plan()
    assert kept_plans(engine) == 1
    add_overdue(engine, "zhangwei", "2026-11-01")
    figures = day_figures(engine, small)["zhangwei"]
    assert figures == (len(kept.rows), 0, kept.backlog.total + 1, 22)
    assert kept_plans(engine) == 1


def test_a_branch_head_sees_the_whole_branch(session: Session) -> None:
    logins = [row.login for row in team_board(session=session, actor=actor(session, "head"))]
    assert logins == ["lina", "sunli", "zhangwei"]


def test_a_manager_is_refused_the_board(session: Session) -> None:
    with pytest.raises(OutOfScope, match="主管"):
        team_board(session=session, actor=actor(session, "zhangwei"))


def test_the_task_list_shows_open_due_and_overdue_tasks_oldest_first(session: Session) -> None:
    tasks = team_tasks(session=session, actor=actor(session, "wangfang"), staff_login="zhangwei")
    assert [task.due_at.astimezone(clock.branch_tz()).strftime("%d %H:%M") for task in tasks] == [
        "20 09:00",
        "23 08:00",
        "23 15:00",
    ]
    assert tasks[0].customer_name == "华东机械有限公司"
    assert [task.overdue for task in tasks] == [True, False, False], "08:00 today is not late"


def test_the_supervisor_reassigns_a_task_within_the_team(
    session: Session, team: dict[str, int]
) -> None:
    moved = reassign_task(
        session=session,
        actor=actor(session, "wangfang"),
        task_id=team["late"],
        to_login="lina",
        version=1,
    )
    assert moved.version == 2
    row = session.get(Task, team["late"])
    assert row is not None and row.owner_id == actor(session, "lina").id
    audit = session.exec(select(AuditLog).where(AuditLog.action == "reassign")).one()
    assert audit.detail == "zhangwei → lina"


def test_a_stale_reassignment_is_refused(session: Session, team: dict[str, int]) -> None:
    supervisor = actor(session, "wangfang")
    reassign_task(
        session=session, actor=supervisor, task_id=team["late"], to_login="lina", version=1
    )
    with pytest.raises(Conflict):
        reassign_task(
            session=session, actor=supervisor, task_id=team["late"], to_login="zhangwei", version=1
        )


@pytest.mark.parametrize(
    ("who", "task", "to"),
    [
        ("wangfang", "late", "sunli"),
        ("wangfang", "other_team", "zhangwei"),
        ("zhangwei", "late", "lina"),
    ],
    ids=["to-another-team", "from-another-team", "by-a-manager"],
)
def test_reassigning_outside_the_team_or_as_a_manager_is_refused(
    session: Session, team: dict[str, int], who: str, task: str, to: str
) -> None:
    with pytest.raises(OutOfScope):
        reassign_task(
            session=session, actor=actor(session, who), task_id=team[task], to_login=to, version=1
        )


# -- screens ----------------------------------------------------------------------------


async def test_the_team_screen_shows_the_board_and_the_highlighted_managers_tasks(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("t")
        await settled(pilot)
        assert isinstance(app.screen, TeamScreen)
        board = table_rows(app.screen.query_one("#team-board", DataTable))
        # name, plan, done, backlog, due, overdue, snoozed, complaints, promises,
        # leave · cover, log
        assert board[0][:9] == ["李娜", "1", "0", "0", "1", "0", "0", "0", "0"]
        assert "张伟" in board[0][9] and board[0][10] == "✗"
        # 张伟's day holds 李娜's task too: he is her partner while she is on leave.
        assert board[1][:8] == ["张伟", "4", "0", "0", "2", "1", "1", "1"]
        logs = str(app.screen.query_one("#team-logs", Label).content)
        assert "张伟" in logs and "李娜" in logs
        await pilot.press("down")
        await settled(pilot)
        tasks = table_rows(app.screen.query_one("#team-tasks", DataTable))
        assert [row[0] for row in tasks] == ["11-20 09:00", "11-23 08:00", "11-23 15:00"]
        assert tasks[0][2] == "华东机械有限公司"
        await pilot.press("enter", "enter")
        await settled(pilot)
        assert type(app.screen).__name__ == "Customer360Screen"


async def test_the_board_shows_the_backlog_with_its_oldest_age(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    small = small_days(settings)
    add_overdue(engine, "zhangwei", "2026-11-16", "2026-11-18")
    app = make_app(login(engine, small, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        board = table_rows(app.screen.query_one("#team-board", DataTable))
        assert board[1][:4] == ["张伟", "2", "0", "4·5天"]
        assert all(len(row) == 12 for row in board)
    # The app opened on the supervisor's own Today (her plan is kept); 张伟's never is.
    assert kept_plans(engine, "zhangwei") == 0


async def test_reassigning_on_the_team_screen_moves_the_task(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        await pilot.press("down")
        await settled(pilot)
        await pilot.press("enter", "r")
        await pilot.pause()
        await pilot.press("enter")  # the first colleague offered: 李娜
        await settled(pilot)
        board = table_rows(app.screen.query_one("#team-board", DataTable))
        assert board[0][5] == "1" and board[1][5] == "0"  # the overdue task moved to 李娜
    with engine.connect() as conn:
        owner = conn.execute(
            text("SELECT s.login FROM task t JOIN staff s ON s.id = t.owner_id WHERE t.id = :id"),
            {"id": team["late"]},
        ).scalar_one()
    assert owner == "lina"


async def test_a_manager_pressing_t_is_told_why_not(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert any("主管" in str(n.message) for n in app._notifications)


async def test_the_work_log_is_drafted_typed_saved_and_submitted(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    with unit_of_work(engine) as session:
        zhang = actor(session, "zhangwei")
        session.add(
            Interaction(
                customer_id=1,
                staff_id=zhang.id,
                kind="call",
                outcome="reached",
                happened_at=clock.parse_instant("2026-11-23T08:10"),
                created_at=clock.now(),
            )
        )
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settled(pilot)
        assert isinstance(app.screen, WorkLogScreen)
        editor = app.screen.query_one(TextArea)
        assert "08:10 华东机械有限公司 · 电话 · 已接通" in editor.text
        editor.move_cursor(editor.document.end)
        await pilot.press(*"明天回访华东")
        await pilot.press("ctrl+s")
        await settled(pilot)
        state = str(app.screen.query_one("#worklog-state", Label).content)
        assert "已保存" in state
        await pilot.press("f9")
        await settled(pilot)
        state = str(app.screen.query_one("#worklog-state", Label).content)
        assert "已于 08:30 提交" in state
    with engine.connect() as conn:
        content, submitted = conn.execute(
            text("SELECT content, submitted_at FROM work_log WHERE day = '2026-11-23'")
        ).one()
    assert content.endswith("明天回访华东")
    assert "08:10 华东机械有限公司" in content
    assert submitted is not None


async def test_the_supervisor_records_leave_and_the_ab_rule_is_shown_in_the_dialog(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        await pilot.press("down", "l")  # 张伟, whose partner 李娜 is away today
        await pilot.pause()
        await pilot.press(*"11-23", "tab", *"11-24", "enter")
        await settled(pilot)
        error = str(app.screen.query_one("#form-error", Label).content)
        assert "李娜" in error and "2026-11-23" in error, error
        start = app.screen.query_one("#field-starts_on")
        start.value = "11-24"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert any("张伟" in str(n.message) for n in app._notifications)
    with Session(engine) as s:
        rows_ = s.exec(select(StaffLeave).order_by(StaffLeave.id)).all()  # type: ignore[arg-type]
        assert [(r.starts_on.isoformat(), r.ends_on.isoformat()) for r in rows_][-1] == (
            "2026-11-24",
            "2026-11-24",
        )
        audit = s.exec(select(AuditLog).where(AuditLog.object_type == "staff_leave")).one()
        assert audit.staff_id is not None


async def test_the_branch_head_hands_a_book_over_after_seeing_what_moves(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        await pilot.press("down", "down", "h")  # 张伟
        await pilot.pause()
        await pilot.press("enter")  # open the list of managers
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # past the prompt and 李娜: 孙丽
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settled(pilot)
        preview = str(app.screen.query_one("#form-error", Label).content)
        assert "孙丽" in preview and "B1×1" in preview, preview
        with engine.connect() as conn:
            still = conn.execute(
                text("SELECT s.login FROM customer c JOIN staff s ON s.id = c.owner_id")
            ).scalar_one()
        assert still == "zhangwei", "the preview moved nothing"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, TeamScreen)
    with engine.connect() as conn:
        owner = conn.execute(
            text("SELECT s.login FROM customer c JOIN staff s ON s.id = c.owner_id")
        ).scalar_one()
        ticket = conn.execute(
            text("SELECT s.login FROM complaint c JOIN staff s ON s.id = c.owner_id")
        ).scalar_one()
        task = conn.execute(
            text("SELECT s.login FROM task t JOIN staff s ON s.id = t.owner_id WHERE t.id = :id"),
            {"id": team["late"]},
        ).scalar_one()
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'handover'")
        ).scalar_one()
    assert (owner, ticket, task) == ("sunli", "sunli", "sunli")
    assert audited == 2  # the customer and the ticket


async def test_a_supervisor_is_not_offered_the_handover_key(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, TeamScreen)
        assert app.screen.check_action("handover", ()) is False


async def test_the_supervisor_reads_a_market_report_on_the_board_and_acknowledges_it(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    """Issue 22 item 2: 张伟 submitted October's report on 11-02 (on time, before 11-06);
    李娜 did not (missing). ``m`` on 张伟's row shows it, ``Ctrl+S`` records it was read."""
    clock.freeze("2026-11-02T16:00")
    with unit_of_work(engine) as session:
        zhang = actor_for_login(session=session, login="zhangwei")
        submit_market_report(
            session=session, actor=zhang, settings=settings, month="2026-10",
            content="竞品推出专线优惠", groups=["C001"],
        )  # fmt: skip
    clock.freeze("2026-11-23T08:30")
    app = make_app(login(engine, settings, "wangfang"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "t")
        await settled(pilot)
        board = table_rows(app.screen.query_one("#team-board", DataTable))
        assert [(row[0], row[-1]) for row in board] == [("李娜", "✗"), ("张伟", "✓")]
        await pilot.press("m")  # 李娜: nothing to read
        await settled(pilot)
        assert any("李娜" in str(n.message) for n in app._notifications)
        await pilot.press("down", "m")
        await settled(pilot)
        assert "竞品推出专线优惠" in str(app.screen.query_one("#market-content", Label).content)
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, TeamScreen)
    with engine.connect() as conn:
        read = conn.execute(text("SELECT acknowledged_at IS NOT NULL FROM market_report")).scalar()
    assert read


async def test_a_manager_writes_the_market_report_from_the_monthly_task(
    engine: Engine, settings: Settings, team: dict[str, int]
) -> None:
    """The monthly task made on 12-01 is on 张伟's Today on its due day, 12-08; ``d`` on it
    opens the report, and submitting it closes the task."""
    clock.freeze("2026-12-01T09:00")
    with unit_of_work(engine) as session:
        monthly_rules(session=session, settings=settings)
        session.exec(text("UPDATE task SET status = 'done' WHERE kind <> 'market_report'"))  # type: ignore[call-overload]
    clock.freeze("2026-12-08T10:00")
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("d")
        await settled(pilot)
        await pilot.press(*"同业下调宽带资费", "tab", *"C001", "ctrl+s")
        await settled(pilot)
    with engine.connect() as conn:
        report = conn.execute(text("SELECT month, content FROM market_report")).one()
        task = conn.execute(
            text(
                "SELECT t.status FROM task t JOIN staff s ON s.id = t.owner_id"
                " WHERE t.kind = 'market_report' AND s.login = 'zhangwei'"
            )
        ).scalar()
    assert tuple(report) == ("2026-11", "同业下调宽带资费") and task == "done"
