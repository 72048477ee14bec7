"""The supervisor's and the branch head's Today (issue 23): what a lead has to act on this
morning comes first, each row with its reason, before their own book's work.

The branch on Monday 2026-11-23 at 08:30 (clock frozen): 对公一组 with its supervisor 王芳
(wangfang) and the managers 张伟 (zhangwei), 李娜 (lina, on leave today; 张伟 is her A/B
partner) and 赵强 (zhaoqiang, who did not submit Friday's work log); 对公二组 has no
supervisor, so its manager 孙丽 (sunli) is led by the branch head 刘行长 (head).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, time, timedelta
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import Session, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import (
    Complaint,
    Customer,
    Notification,
    Staff,
    StaffLeave,
    VisitPlan,
    WorkLog,
)
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.workbench import login

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 20)
WEEK = "2026-W48"
WEDNESDAY = date(2026, 11, 25)

Build = Callable[[], AbstractContextManager[Factory]]


@pytest.fixture
def branch(frozen_clock: object, build: Build) -> None:
    with build() as f:
        branch = f.branch()
        one = f.team(branch)
        two = f.team(branch, "对公二组")
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=one)
        zhang = f.staff(branch, "zhangwei", "张伟", team=one)
        lina = f.staff(branch, "lina", "李娜", team=one)
        f.staff(branch, "zhaoqiang", "赵强", team=one)
        f.staff(branch, "sunli", "孙丽", team=two)
        f.staff(branch, "head", "刘行长", role="branch_head")
        lina.backup_id, zhang.backup_id = zhang.id, lina.id
        f.session.add(StaffLeave(staff_id=lina.id, starts_on=MONDAY, ends_on=MONDAY))  # type: ignore[arg-type]
        for person in (zhang, lina):  # 赵强 wrote none
            f.session.add(
                WorkLog(
                    staff_id=person.id,  # type: ignore[arg-type]
                    day=FRIDAY,
                    content="外呼 30 户",
                    submitted_at=clock.parse_instant("2026-11-20T17:40"),
                    updated_at=clock.parse_instant("2026-11-20T17:40"),
                )
            )
        f.customer(zhang, "C001", "华东机械有限公司", cls="A1")
        backed = f.customer(lina, "L001", "江南纺织集团", cls="A2")
        backed.backup_id = zhang.id
        f.customer(lina, "L002", "城西物流有限公司", cls="B1")  # no B角


def lead_rows(engine: Engine, settings: Settings, who: str) -> list[Any]:
    """The lead rows of ``who``'s Today, in their order."""
    plan = login(engine, settings, who).tasks.plan()
    return [row for row in plan.rows if row.section == "lead"]


def staff(session: Session, login_name: str) -> Staff:
    return session.exec(select(Staff).where(Staff.login == login_name)).one()


def ticket_of(engine: Engine) -> str:
    """A complaint received this morning from 张伟's customer C001; returns its number."""
    with unit_of_work(engine) as session:
        machine = session.exec(select(Customer).where(Customer.customer_no == "C001")).one()
        c = Factory(session).complaint(staff(session, "zhangwei"), machine, "TS202611230001")
        return c.ticket_no


def test_after_the_return_call_the_ticket_waits_on_the_supervisors_today_to_be_closed(
    branch: None, engine: Engine, settings: Settings
) -> None:
    ticket = ticket_of(engine)
    zhang = login(engine, settings, "zhangwei")
    zhang.complaints.act(ticket, Change("respond", triage="now"))
    zhang.complaints.act(ticket, Change("resolve", resolution="已退还多扣月租"))
    # an A1 customer's complaint: the supervisor was told and keeps it in sight
    (told,) = [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]
    assert told.kind == "ticket_informed"

    zhang.complaints.act(ticket, Change("return_call", result="客户认可", satisfaction="满意"))

    (row,) = [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]
    assert row.item == "ticket" and row.kind == "ticket_close"
    assert "待结案" in row.reason
    assert row.customer_no == "C001"

    login(engine, settings, "wangfang").complaints.act(ticket, Change("close", satisfaction=4))
    assert not [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]


def test_a_submitted_plan_is_on_the_supervisors_today_until_approved(
    branch: None, engine: Engine, settings: Settings
) -> None:
    zhang = login(engine, settings, "zhangwei")
    zhang.visits.add("C001", WEDNESDAY, time(10), "courtesy_call")
    zhang.visits.submit(WEEK)

    (row,) = [r for r in lead_rows(engine, settings, "wangfang") if r.item == "plan"]
    assert row.kind == "plan_waiting"
    assert (row.plan_week, row.staff_login) == (WEEK, "zhangwei")
    assert "张伟" in row.reason and WEEK in row.reason

    waiting = login(engine, settings, "wangfang").visits.waiting()
    assert [(p.week, p.owner_login, p.visits) for p in waiting] == [(WEEK, "zhangwei", 1)]

    login(engine, settings, "wangfang").visits.approve(WEEK, "zhangwei", row.version)
    assert not [r for r in lead_rows(engine, settings, "wangfang") if r.item == "plan"]
    with unit_of_work(engine) as session:
        assert session.exec(select(VisitPlan.status)).one() == "approved"


def test_a_manager_who_did_not_submit_fridays_log_is_listed(
    branch: None, engine: Engine, settings: Settings
) -> None:
    rows = lead_rows(engine, settings, "wangfang")
    missing = [r for r in rows if r.kind == "staff_log_missing"]
    assert [r.staff_login for r in missing] == ["zhaoqiang"]
    assert "赵强" in missing[0].reason and "11-20" in missing[0].reason


def test_a_manager_on_leave_is_listed_with_who_covers_and_their_customers_without_a_b_role(
    branch: None, engine: Engine, settings: Settings
) -> None:
    rows = lead_rows(engine, settings, "wangfang")
    (away,) = [r for r in rows if r.kind == "staff_on_leave"]
    assert away.staff_login == "lina"
    assert "李娜" in away.reason and "张伟" in away.reason
    uncovered = [r for r in rows if r.kind == "customer_no_backup"]
    assert [r.customer_no for r in uncovered] == ["L002"]  # L001's B角 is 张伟


def test_a_breached_ticket_and_a_rejected_solution_rank_on_the_supervisors_today(
    branch: None, engine: Engine, settings: Settings
) -> None:
    ticket = ticket_of(engine)
    with unit_of_work(engine) as session:
        c = session.exec(select(Complaint)).one()
        c.first_response_due = clock.now() - timedelta(hours=30)
        c.breached = True
        session.add(c)
    (row,) = [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]
    assert row.kind == "ticket_breached" and row.state == "overdue"
    # only the lead of the ticket's owner: the head sees it among the branch's breaches
    (head_row,) = [r for r in lead_rows(engine, settings, "head") if r.ref == ticket]
    assert head_row.kind == "ticket_breached"


def test_the_head_sees_escalations_pooled_customers_and_what_their_own_teams_need(
    branch: None, engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as session:
        f = Factory(session)
        sun, head = staff(session, "sunli"), staff(session, "head")
        ship = f.customer(sun, "S001", "海运物流集团", cls="A2")
        c = f.complaint(sun, ship, "TS202611230009", status="in_progress")
        session.add(
            Notification(
                recipient_id=head.id,  # type: ignore[arg-type]
                kind="sla_escalate",
                title="投诉 TS202611230009 升级",
                object_type="complaint",
                object_id=c.id,
                idem_key="test:escalate",
                created_at=clock.now(),
            )
        )
        pooled = f.customer(sun, "P001", "待分配客户", cls="B1")
        pooled.owner_id = None
        session.add(pooled)
    rows = lead_rows(engine, settings, "head")
    kinds = {r.kind: r for r in rows}
    assert kinds["ticket_escalated"].ref == "TS202611230009"
    assert [r.customer_no for r in rows if r.kind == "pool_waiting"] == ["P001"]
    # 孙丽's team has no supervisor: the head has her missing log on Today
    assert [r.staff_login for r in rows if r.kind == "staff_log_missing"] == ["sunli"]
    # and not the supervisor's team's
    assert "zhaoqiang" not in [r.staff_login for r in rows]


def test_a_manager_has_no_lead_rows(branch: None, engine: Engine, settings: Settings) -> None:
    assert lead_rows(engine, settings, "zhangwei") == []


def test_cmw_today_as_the_supervisor_prints_each_item_with_the_record_it_opens(
    branch: None, engine: Engine, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket_of(engine)
    with unit_of_work(engine) as session:
        c = session.exec(select(Complaint)).one()
        c.status, c.return_call_at = "return_call_done", clock.now()
        c.satisfaction, c.satisfaction_answer = 5, "满意"
        session.add(c)
    zhang = login(engine, Settings(), "zhangwei")
    zhang.visits.add("C001", WEDNESDAY, time(10), "courtesy_call")
    zhang.visits.submit(WEEK)
    argv = f"today --json --as wangfang --now 2026-11-23T08:30 --db {database_url}"
    assert main(shlex.split(argv)) == 0
    items = json.loads(capsys.readouterr().out)["lead"]
    by_kind = {item["kind"]: item for item in items}
    assert by_kind["ticket_close"]["ticket"] == "TS202611230001"
    assert by_kind["ticket_close"]["customer_no"] == "C001"
    assert by_kind["plan_waiting"]["plan"] == {"week": WEEK, "owner": "zhangwei"}
    assert by_kind["staff_log_missing"]["staff"] == "zhaoqiang"
    assert by_kind["customer_no_backup"]["customer_no"] == "L002"
    for item in items:
        assert {"kind", "reason", "due", "ticket", "plan", "staff", "customer_no"} <= set(item)
        assert item["reason"]
    assert main(shlex.split(argv.replace("--json ", ""))) == 0
    text = capsys.readouterr().out
    assert "待结案" in text and "TS202611230001" in text and "赵强" in text


def test_a_rejected_solution_is_a_notice_in_the_inbox_and_a_row_on_today_until_closed(
    branch: None, engine: Engine, settings: Settings
) -> None:
    ticket = ticket_of(engine)
    zhang = login(engine, settings, "zhangwei")
    zhang.complaints.act(ticket, Change("respond", triage="now"))
    zhang.complaints.act(ticket, Change("resolve", resolution="退还当月多扣费用"))
    zhang.complaints.act(ticket, Change("solution_rejected", note="客户要求全额退费"))
    wang = login(engine, settings, "wangfang")
    told = [n for n in wang.notifications.inbox() if n.kind == "complaint_rejected"]
    assert told and not told[0].stale
    (row,) = [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]
    assert row.kind == "ticket_rejected"

    with unit_of_work(engine) as session:  # the ticket closed (by whatever way)
        c = session.exec(select(Complaint)).one()
        c.status, c.closed_at = "closed", clock.now()
        session.add(c)
    assert not [r for r in lead_rows(engine, settings, "wangfang") if r.ref == ticket]
    (stale,) = [n for n in wang.notifications.inbox() if n.id == told[0].id]
    assert stale.stale and stale.shown_title.startswith("已办结")
    (listed,) = [n for n in wang.notifications.inbox() if n.kind == "complaint_rejected"]
    assert listed.stale


def test_a_market_report_waits_on_the_supervisors_today_until_read(
    branch: None, engine: Engine, settings: Settings
) -> None:
    login(engine, settings, "zhangwei").worklog.market_submit("2026-10", "竞品降价 5%")
    (row,) = [r for r in lead_rows(engine, settings, "wangfang") if r.kind == "market_ack"]
    assert (row.item, row.staff_login, row.ref) == ("market", "zhangwei", "zhangwei 2026-10")
    wang = login(engine, settings, "wangfang")
    (report,) = [r for r in wang.worklog.market_list("2026-10") if r.login == "zhangwei"]
    assert report.id is not None
    wang.worklog.market_ack(report.id)
    assert not [r for r in lead_rows(engine, settings, "wangfang") if r.kind == "market_ack"]


def test_the_head_sees_the_teams_below_target_from_yesterdays_figures(
    branch: None, engine: Engine, settings: Settings
) -> None:
    with unit_of_work(engine) as session:  # books a month old, never contacted
        for customer in session.exec(select(Customer)).all():
            customer.created_at = clock.parse_instant("2026-10-01T09:00")
            session.add(customer)
    rows = [r for r in lead_rows(engine, settings, "head") if r.kind == "team_below_target"]
    coverage = [r for r in rows if "联系覆盖率" in r.reason]
    assert [r.ref for r in coverage] == ["对公一组"]  # 对公二组 has no customer with a cadence
    assert "目标 95%" in coverage[0].reason and "11-16 至 11-22" in coverage[0].reason
    assert not [r for r in lead_rows(engine, settings, "wangfang") if r.item == "team"]
