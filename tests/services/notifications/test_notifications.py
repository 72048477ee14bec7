"""Notifications for people: the inbox, the cheap poll, marking read, and ``cmw notifications``.

Given the 对公一组 team on Monday 2026-11-23 (clock frozen at 08:30): managers 王芳 (wangfang)
and 李强 (liqiang), their supervisor 陈主管 (chenzg); 王芳 owns 小张便利店 (C001) with a
complaint ticket, a task and a planned visit in week 2026-W48, and a report task without a
customer. Jobs tell people things by inserting notification rows, as :func:`notify` does here.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Notification, VisitPlanItem
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.notifications.inbox import (
    inbox,
    latest_id,
    mark_read,
    since,
    unread_count,
)
from cmworkbench.services.notifications.schemas import Target
from cmworkbench.services.workbench import login

TICKET = "T202611230001"


@dataclass(frozen=True)
class Objects:
    """The ids of what the notifications point at."""

    complaint: int
    task: int
    report_task: int
    visit: int


@pytest.fixture
def objects(frozen_clock: object, build: Callable[[], AbstractContextManager[Factory]]) -> Objects:
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=team)
        f.staff(branch, "liqiang", "李强", team=team)
        f.staff(branch, "chenzg", "陈主管", role="supervisor", team=team)
        shop = f.customer(wang, "C001", "小张便利店")
        complaint = f.complaint(wang, shop, TICKET)
        task = f.task(wang, "2026-11-24T10:00")
        task.customer_id = shop.id
        report = f.task(wang, "2026-11-27T17:00")
        plan = f.visit_plan(wang, "2026-W48")
        start = clock.parse_instant("2026-11-25T10:00")
        assert plan.id is not None and shop.id is not None
        item = VisitPlanItem(
            plan_id=plan.id,
            customer_id=shop.id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            purpose="relationship",
        )
        f.session.add_all([task, item])
        f.session.flush()
    assert complaint.id and task.id and report.id and item.id
    return Objects(complaint.id, task.id, report.id, item.id)


def notify(
    engine: Engine,
    login_name: str,
    title: str,
    kind: str = "sla_warn",
    object_type: str | None = None,
    object_id: int | None = None,
    body: str | None = None,
) -> int:
    """Insert one notification the way a job does; returns its id."""
    with unit_of_work(engine) as session:
        recipient = session.execute(
            text("SELECT id FROM staff WHERE login = :login"), {"login": login_name}
        ).scalar_one()
        row = Notification(
            recipient_id=recipient,
            kind=kind,
            title=title,
            body=body,
            object_type=object_type,
            object_id=object_id,
            idem_key=f"test:{login_name}:{title}",
            created_at=clock.now(),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def actor(engine: Engine, settings: Settings, login_name: str) -> Actor:
    return login(engine, settings, login_name).actor


@contextmanager
def session_of(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the engine runs meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: Any) -> None:
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# -- the service --------------------------------------------------------------------------


def test_each_person_sees_only_their_own_notifications_newest_first(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    notify(engine, "wangfang", "T1：首次响应时限已用 50%")
    clock.freeze("2026-11-23T09:00")
    notify(engine, "liqiang", "李强的提醒")
    notify(engine, "chenzg", "T1（王芳）：已超时", kind="sla_escalate")
    clock.freeze("2026-11-23T09:30")
    notify(engine, "wangfang", "T1：首次响应时限已用 80%")
    wang = actor(engine, settings, "wangfang")
    with session_of(engine) as session:
        titles = [n.title for n in inbox(session=session, actor=wang)]
        assert titles == ["T1：首次响应时限已用 80%", "T1：首次响应时限已用 50%"]
        assert unread_count(session=session, actor=wang) == 2
        boss = actor(engine, settings, "chenzg")  # a supervisor reads only his own too
        assert [n.title for n in inbox(session=session, actor=boss)] == ["T1（王芳）：已超时"]
        assert [n.title for n in inbox(session=session, actor=wang, limit=1)] == titles[:1]


def test_each_notice_says_what_it_opens_with_one_query_per_kind(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    notify(engine, "wangfang", "complaint", object_type="complaint", object_id=objects.complaint)
    notify(engine, "wangfang", "task", object_type="task", object_id=objects.task)
    notify(engine, "wangfang", "report", object_type="task", object_id=objects.report_task)
    notify(engine, "wangfang", "visit", object_type="visit", object_id=objects.visit)
    notify(engine, "wangfang", "digest", kind="digest", body="今日待办 3 项")
    notify(engine, "wangfang", "gone", object_type="task", object_id=9999)
    wang = actor(engine, settings, "wangfang")
    with session_of(engine) as session, statements(engine) as seen:
        shown = {n.title: n for n in inbox(session=session, actor=wang)}
    assert shown["complaint"].target == Target("complaint", objects.complaint, ticket_no=TICKET)
    assert shown["task"].target == Target("task", objects.task, customer_no="C001")
    assert shown["report"].target == Target("task", objects.report_task)  # no customer
    assert shown["visit"].target == Target(
        "visit", objects.visit, customer_no="C001", week="2026-W48", owner_login="wangfang"
    )
    assert shown["digest"].target is None and shown["digest"].body == "今日待办 3 项"
    assert shown["gone"].target is None  # the task no longer exists
    # the notifications, then complaints, tasks and visits: four queries, not one per row
    assert len(seen) == 4, [sql for sql, _ in seen]


def test_the_poll_returns_only_what_is_new_for_me_oldest_first(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    wang = actor(engine, settings, "wangfang")
    with session_of(engine) as session:
        assert latest_id(session=session, actor=wang) == 0
    first = notify(engine, "wangfang", "first")
    notify(engine, "liqiang", "not mine")
    with session_of(engine) as session:
        start = latest_id(session=session, actor=wang)
        assert start == first
        assert since(session=session, actor=wang, after_id=start) == []
    a = notify(engine, "wangfang", "a")
    notify(engine, "liqiang", "also not mine")
    b = notify(engine, "wangfang", "b")
    read = notify(engine, "wangfang", "read elsewhere")
    with session_of(engine) as session:
        mark_read(session=session, actor=wang, ids=[read])
        session.commit()
        assert [n.id for n in since(session=session, actor=wang, after_id=start)] == [a, b]
        assert [n.id for n in since(session=session, actor=wang, after_id=a)] == [b]
        assert latest_id(session=session, actor=wang) == read


@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's
def test_the_poll_is_one_range_of_the_recipient_index(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    # a few weeks on: each has read all but the newest, one by one (so the planner's
    # statistics, taken by ANALYZE, see read_at as nearly unique, as in a real branch)
    wang = actor(engine, settings, "wangfang")
    bench = {who: login(engine, settings, who) for who in ("wangfang", "liqiang")}
    for n in range(60):
        who = "liqiang" if n % 2 else "wangfang"
        clock.freeze(clock.now() + timedelta(minutes=7))
        new = notify(engine, who, f"n{n}")
        if n < 56:
            bench[who].notifications.mark_read([new])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    with session_of(engine) as session, statements(engine) as seen:
        since(session=session, actor=wang, after_id=10)
    sql, params = seen[0]
    with engine.connect() as conn:
        plan = " | ".join(
            str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        )
    assert "USING INDEX ix_notification_recipient (recipient_id=? AND read_at=? AND rowid>?)" in (
        plan
    ), plan
    assert "TEMP B-TREE" not in plan, plan  # already in id order


def test_mark_read_touches_only_my_unread_rows(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    mine = [notify(engine, "wangfang", f"w{n}") for n in range(3)]
    theirs = notify(engine, "liqiang", "l0")
    wang = actor(engine, settings, "wangfang")
    clock.freeze("2026-11-23T10:15")
    with unit_of_work(engine) as session:
        assert mark_read(session=session, actor=wang, ids=[mine[0], theirs]) == 1
        assert mark_read(session=session, actor=wang, ids=[mine[0]]) == 0  # already read
        assert mark_read(session=session, actor=wang, ids=[]) == 0
    with session_of(engine) as session:
        shown = {n.id: n for n in inbox(session=session, actor=wang)}
        assert shown[mine[0]].read_at == clock.now()
        assert shown[mine[1]].unread and shown[mine[2]].unread
        li = actor(engine, settings, "liqiang")
        assert unread_count(session=session, actor=li) == 1
    with unit_of_work(engine) as session:
        assert mark_read(session=session, actor=wang) == 2  # all the rest
    with session_of(engine) as session:
        assert unread_count(session=session, actor=wang) == 0
        assert inbox(session=session, actor=wang, unread_only=True) == []
        assert unread_count(session=session, actor=li) == 1


def test_the_workbench_calls_each_in_one_unit_of_work(
    objects: Objects, engine: Engine, settings: Settings
) -> None:
    bench = login(engine, settings, "wangfang")
    start = bench.notifications.latest_id()
    new = notify(engine, "wangfang", "new", object_type="complaint", object_id=objects.complaint)
    arrived = bench.notifications.since(start)
    assert [(n.id, n.target.ticket_no if n.target else None) for n in arrived] == [(new, TICKET)]
    assert bench.notifications.unread() == 1
    assert bench.notifications.mark_read([new]) == 1
    assert bench.notifications.inbox(unread_only=True) == []
    assert [n.title for n in bench.notifications.inbox()] == ["new"]


# -- cmw notifications --------------------------------------------------------------------


def cmw(engine: Engine, command: str) -> int:
    try:
        return main(
            ["--db", engine.url.render_as_string(hide_password=False), *shlex.split(command)]
        )
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.fixture
def notices(objects: Objects, engine: Engine, settings: Settings) -> list[int]:
    """王芳: an SLA warning at 08:30 (read at 09:00), then a breach at 09:30 (unread)."""
    ticket = objects.complaint
    warn = notify(
        engine, "wangfang", f"{TICKET}：首次响应已用 50%", "sla_warn", "complaint", ticket
    )
    clock.freeze("2026-11-23T09:00")
    login(engine, settings, "wangfang").notifications.mark_read([warn])
    clock.freeze("2026-11-23T09:30")
    breach = notify(
        engine, "wangfang", f"{TICKET}：首次响应已超时", "sla_breach", "complaint", ticket
    )
    notify(engine, "liqiang", "李强的提醒")
    return [warn, breach]


def test_cli_lists_my_notifications_as_a_table(
    notices: list[int], engine: Engine, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    assert cmw(engine, "notifications --as wangfang") == 0
    lines = capsys.readouterr().out.splitlines()
    assert i18n.t("cli.header.notification_title") in lines[0]
    breach, warn = lines[2], lines[3]  # newest first
    assert breach.startswith("●") and "2026-11-23 09:30" in breach and "已超时" in breach
    assert i18n.label("notification_kind", "sla_breach") in breach
    assert not warn.startswith("●") and "2026-11-23 08:30" in warn
    assert "李强的提醒" not in "\n".join(lines)


def test_cli_json_unread_and_mark_read(
    notices: list[int], engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(engine, "notifications --as wangfang --json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == notices[::-1]
    newest = rows[0]
    assert newest["kind"] == "sla_breach" and newest["object_type"] == "complaint"
    assert newest["created_at"] == "2026-11-23T09:30:00+08:00"
    assert newest["read_at"] is None and rows[1]["read_at"] == "2026-11-23T09:00:00+08:00"
    assert newest["target"]["ticket_no"] == TICKET

    assert cmw(engine, "notifications --as wangfang --unread --json --mark-read") == 0
    out, err = capsys.readouterr()
    assert [row["id"] for row in json.loads(out)] == [notices[1]]
    assert err.strip() == i18n.t("cli.notifications.marked", n=1)
    assert cmw(engine, "notifications --as wangfang --unread") == 0
    assert capsys.readouterr().out.strip() == i18n.t("cli.notifications.none")
    assert cmw(engine, "notifications --as liqiang --limit 1 --json") == 0
    assert [row["title"] for row in json.loads(capsys.readouterr().out)] == ["李强的提醒"]


def test_cli_refuses_an_unknown_login_in_one_line(
    notices: list[int], engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(engine, "notifications --as nobody") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nobody" in err
    assert cmw(engine, "notifications --as wangfang --limit many") == 2
