"""Complaint tickets through the services: lifecycle, SLA deadlines, pauses, the sweep's
warnings and escalations, who may close, and two sessions changing one ticket."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.config import Settings, SlaRule
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, Complaint, ComplaintEvent, Notification, Staff
from cmworkbench.services.complaints.schemas import Change, ComplaintDetail
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.workbench import Workbench

SETTINGS = Settings()


def actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


@dataclass
class People:
    wang: Workbench  # manager, team 1, owns C001 (A1) and C002 (B1, VIP) and C003 (C)
    li: Workbench  # manager, team 1, backs up C001
    zhao: Workbench  # manager, team 2
    boss: Workbench  # supervisor, team 1
    head: Workbench  # branch head
    ids: dict[str, int]


@pytest.fixture
def people(
    engine: Engine, build: Callable[[], AbstractContextManager[Factory]], frozen_clock: datetime
) -> People:
    with build() as f:
        b = f.branch()
        t1, t2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        wang = f.staff(b, "wangfang", "王芳", team=t1)
        li = f.staff(b, "liqiang", "李强", team=t1)
        zhao = f.staff(b, "zhaolei", "赵磊", team=t2)
        boss = f.staff(b, "chenzg", "陈主管", role="supervisor", team=t1)
        f.staff(b, "sunzg", "孙主管", role="supervisor", team=t2)
        head = f.staff(b, "liuhz", "刘行长", role="branch_head")
        a1 = f.customer(wang, "C001", "杭州西湖茶业", cls="A1")
        a1.backup_id = li.id
        vip = f.customer(wang, "C002", "钱江物流", cls="B1")
        vip.is_vip = True
        f.customer(wang, "C003", "小张便利店", cls="C")
        f.customer(zhao, "C900", "钱塘建设", cls="B1")
        sun = next(s for s in f.session.exec(select(Staff)).all() if s.login == "sunzg")
        staff = {s.login: s for s in (wang, li, zhao, boss, sun, head)}
        ids = {login: s.id for login, s in staff.items() if s.id is not None}

    def bench(login: str) -> Workbench:
        return Workbench(engine, SETTINGS, actor(staff[login]))

    return People(
        bench("wangfang"), bench("liqiang"), bench("zhaolei"), bench("chenzg"), bench("liuhz"), ids
    )


def at(text: str) -> datetime:
    return clock.parse_instant(text)


def local(value: datetime | None) -> str:
    assert value is not None
    return value.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def events(d: ComplaintDetail) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.staff_name, e.to_status) for e in d.events]


def notes_for(engine: Engine, staff_id: int) -> list[str]:
    with unit_of_work(engine) as s:
        rows = s.exec(
            select(Notification.title)
            .where(Notification.recipient_id == staff_id)
            .order_by(col(Notification.id))
        ).all()
    return list(rows)


# -- taking a ticket ---------------------------------------------------------------------


def test_a_normal_ticket_gets_business_time_deadlines(people: People) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "月租费扣费有误")
    d = people.wang.complaints.detail(ticket)
    assert (d.row.status, d.row.owner_login, d.sla_rule) == ("received", "wangfang", "normal")
    # Monday 08:30: 4 business hours are 3.5 before lunch and 0.5 after → 14:00;
    # 5 working days → the end of Friday
    assert local(d.first_response_due) == "2026-11-23 14:00"
    assert local(d.resolution_due) == "2026-11-27 17:30"
    assert d.return_call_due is None
    assert (d.row.clock, d.row.business) == ("first_response", True)
    assert events(d) == [("receive", "王芳", "received")]
    assert d.actions[:3] == ["respond", "wait_customer", "hand_off"]
    assert "close" not in d.actions and "reassign" not in d.actions


def test_a_vip_ticket_runs_on_the_24_hour_clock(people: People) -> None:
    d = people.wang.complaints.detail(people.wang.complaints.open("C002", "service", "装机延误"))
    assert d.sla_rule == "vip"
    assert local(d.first_response_due) == "2026-11-23 10:30"
    assert local(d.resolution_due) == "2026-11-24 08:30"


def test_a_branch_rule_for_a_class_sets_its_deadlines(people: People) -> None:
    strict = SlaRule(first_response="1h business", resolution="2d business")
    settings = replace(SETTINGS, sla={**SETTINGS.sla, "A1": strict})
    wang = Workbench(people.wang.engine, settings, people.wang.actor)
    d = wang.complaints.detail(wang.complaints.open("C001", "fee", "扣费有误"))
    assert (d.sla_rule, local(d.first_response_due), local(d.resolution_due)) == (
        "A1",
        "2026-11-23 09:30",
        "2026-11-24 17:30",
    )


def test_an_a_class_complaint_tells_the_supervisor_at_once(people: People, engine: Engine) -> None:
    ticket = people.wang.complaints.open("C001", "fee", "扣费有误")
    d = people.wang.complaints.detail(ticket)
    assert [a for a, _, _ in events(d)] == ["receive", "inform_supervisor"]
    assert notes_for(engine, people.ids["chenzg"]) == [f"A类客户投诉 {ticket}，受理人 王芳"]
    assert notes_for(engine, people.ids["sunzg"]) == []
    # and kept updated: every step after it reaches the supervisor too
    people.wang.complaints.act(ticket, Change("respond", triage="shortly"))
    assert notes_for(engine, people.ids["chenzg"])[-1] == f"{ticket}（A类客户，王芳）：首次响应"


def test_whoever_receives_it_owns_it(people: People) -> None:
    ticket = people.li.complaints.open("C001", "fee", "扣费有误")  # li backs C001 up
    assert people.li.complaints.detail(ticket).row.owner_login == "liqiang"
    assert [r.ticket_no for r in people.li.complaints.tickets()] == [ticket]
    assert people.wang.complaints.tickets() == []
    assert people.wang.complaints.detail(ticket).row.ticket_no == ticket  # wang still sees it


def test_scope_refuses_other_teams(people: People) -> None:
    ticket = people.zhao.complaints.open("C900", "fee", "扣费有误")
    with pytest.raises(NotFound):  # the same refusal as for a ticket that does not exist
        people.wang.complaints.detail(ticket)
    with pytest.raises(NotFound):
        people.boss.complaints.detail(ticket)
    assert people.head.complaints.detail(ticket).row.owner_login == "zhaolei"
    with pytest.raises(NotFound):
        people.wang.complaints.detail("T209901010001")


def test_bad_input_names_every_field(people: People, engine: Engine) -> None:
    with pytest.raises(FieldsInvalid) as refused:
        people.wang.complaints.open("C003", "price", " ", severity="huge", channel="fax", kind="x")
    assert set(refused.value.fields) == {"category", "description", "severity", "channel", "kind"}
    with unit_of_work(engine) as s:
        assert s.exec(select(Complaint)).all() == []
        assert s.exec(select(AuditLog)).all() == []


# -- the lifecycle -----------------------------------------------------------------------


def test_every_state_then_the_supervisor_closes(people: People, engine: Engine) -> None:
    w, boss = people.wang, people.boss
    ticket = w.complaints.open("C003", "fee", "月租费扣费有误", contact=None)

    def go(bench: Workbench, change: Change, now: str) -> ComplaintDetail:
        clock.freeze(now)
        d = bench.complaints.detail(ticket)
        return bench.complaints.act(ticket, change, d.row.version)

    d = go(w, Change("respond", triage="shortly"), "2026-11-23T09:00")
    assert (d.row.status, d.triage, local(d.first_response_at)) == (
        "in_progress",
        "shortly",
        "2026-11-23 09:00",
    )
    d = go(w, Change("wait_customer", note="等客户提供账单"), "2026-11-23T10:00")
    assert d.row.status == "waiting_customer" and d.row.paused
    # the customer answers the next morning at 09:30: 2 + 4 + 1 business hours stood still
    d = go(w, Change("resume", note="客户已提供"), "2026-11-24T09:30")
    assert not d.row.paused
    assert local(d.resolution_due) == "2026-11-30 17:00"  # Friday 17:30 + 7 business hours
    d = go(
        w,
        Change("hand_off", backoffice_to="计费中心", backoffice_due=at("2026-11-25T17:00")),
        "2026-11-24T10:00",
    )
    assert (d.row.status, d.backoffice_to, local(d.backoffice_due)) == (
        "waiting_backoffice",
        "计费中心",
        "2026-11-25 17:00",
    )
    assert d.row.owner_login == "wangfang"  # the owner stays
    d = go(w, Change("resolve", resolution="已退还多收费用"), "2026-11-25T11:00")
    assert (d.row.status, d.row.clock, local(d.return_call_due)) == (
        "resolved",
        "return_call",
        "2026-11-30 23:59",
    )
    d = go(
        w, Change("return_call", result="客户认可", satisfaction="satisfied"), "2026-11-26T10:00"
    )
    assert (d.row.status, d.satisfaction) == ("return_call_done", 4)  # 满意 is 4
    assert "close" not in d.actions  # a manager cannot close
    with pytest.raises(OutOfScope):
        w.complaints.act(ticket, Change("close", satisfaction=5), d.row.version)
    d = boss.complaints.detail(ticket)
    assert "close" in d.actions
    d = go(boss, Change("close", satisfaction=4), "2026-11-26T16:00")
    assert (d.row.status, d.satisfaction, d.closed_by_name) == ("closed", 4, "陈主管")
    assert [(a, who) for a, who, _ in events(d)] == [
        ("receive", "王芳"),
        ("respond", "王芳"),
        ("wait_customer", "王芳"),
        ("resume", "王芳"),
        ("hand_off", "王芳"),
        ("resolve", "王芳"),
        ("return_call", "王芳"),
        ("close", "陈主管"),
    ]
    assert not d.row.breached
    with unit_of_work(engine) as s:
        audited = s.exec(select(AuditLog.action).where(AuditLog.object_type == "complaint")).all()
    assert list(audited) == ["create", *(a for a, _, _ in events(d)[1:])]


def test_close_needs_the_return_call(people: People) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    people.wang.complaints.act(ticket, Change("resolve", resolution="已处理"))
    with pytest.raises(InvalidInput):
        people.boss.complaints.act(ticket, Change("close", satisfaction=5))


def test_a_rejected_solution_goes_back_and_tells_the_supervisor(
    people: People, engine: Engine
) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    people.wang.complaints.act(ticket, Change("resolve", resolution="解释资费"))
    d = people.wang.complaints.act(ticket, Change("solution_rejected", note="客户不接受解释"))
    assert (d.row.status, d.rejected_solution, d.resolved_at) == ("in_progress", True, None)
    assert notes_for(engine, people.ids["chenzg"]) == [f"客户不接受 {ticket} 的处理方案（王芳）"]
    assert [a for a, _, _ in events(d)][-1] == "inform_supervisor"


def test_reopen_starts_a_new_round(people: People) -> None:
    w = people.wang
    ticket = w.complaints.open("C003", "fee", "扣费有误")
    w.complaints.act(ticket, Change("resolve", resolution="已处理"))
    w.complaints.act(ticket, Change("return_call", result="认可", satisfaction=5))
    people.boss.complaints.act(ticket, Change("close", satisfaction=5))
    clock.freeze("2026-12-02T10:00")
    with pytest.raises(FieldsInvalid):
        w.complaints.act(ticket, Change("reopen"))
    d = w.complaints.act(ticket, Change("reopen", note="客户再次来电"))
    assert (d.row.status, d.reopen_count, d.satisfaction, d.closed_at) == (
        "in_progress",
        1,
        None,
        None,
    )
    assert local(d.resolution_due) == "2026-12-09 10:00"


def test_a_transition_that_does_not_apply_is_refused(people: People) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    with pytest.raises(InvalidInput, match="不能"):
        people.wang.complaints.act(ticket, Change("return_call", result="x"))
    with pytest.raises(FieldsInvalid) as refused:
        people.wang.complaints.act(ticket, Change("respond", triage="maybe"))
    assert set(refused.value.fields) == {"triage"}


def test_only_supervisors_reassign_within_their_team(people: People) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    with pytest.raises(OutOfScope):
        people.wang.complaints.act(ticket, Change("reassign", to_login="liqiang"))
    with pytest.raises(OutOfScope):
        people.boss.complaints.act(ticket, Change("reassign", to_login="zhaolei"))
    d = people.boss.complaints.act(ticket, Change("reassign", to_login="liqiang"))
    assert d.row.owner_login == "liqiang"
    assert d.events[-1].note == "王芳 → 李强"


# -- the SLA sweep ----------------------------------------------------------------------


def test_the_sweep_warns_escalates_and_marks_a_breach_once(people: People, engine: Engine) -> None:
    ticket = people.wang.complaints.open("C002", "service", "装机延误")  # 24 h calendar
    people.wang.complaints.act(ticket, Change("respond", triage="shortly"))
    wang, boss, head = (people.ids[k] for k in ("wangfang", "chenzg", "liuhz"))

    clock.freeze("2026-11-23T20:31")  # 50% of 24 h after 08:30
    out = people.wang.complaints.sweep()
    assert out.notified == 1
    assert notes_for(engine, wang) == [f"{ticket}：处理答复时限已用 50%，11-24 08:30 到期"]

    clock.freeze("2026-11-24T03:43")  # 80% of 24 h is 19 h 12 min
    people.wang.complaints.sweep()
    assert len(notes_for(engine, wang)) == 2

    clock.freeze("2026-11-24T08:31")  # breached: the owner and the supervisor are told
    out = people.wang.complaints.sweep()
    assert (out.breached, out.notified) == (1, 2)
    assert notes_for(engine, boss) == [f"{ticket}（王芳）：处理答复时限 11-24 08:30 已超时"]
    assert notes_for(engine, head) == []
    d = people.wang.complaints.detail(ticket)
    assert d.row.breached and d.row.left is not None and d.row.left.total_seconds() < 0

    again = people.wang.complaints.sweep()  # idempotent
    assert again.notified == 0

    clock.freeze("2026-11-24T12:31")  # breach + 4 h: the branch head
    people.wang.complaints.sweep()
    assert len(notes_for(engine, head)) == 1
    assert [r.ticket_no for r in people.boss.complaints.tickets(team=True, breached_only=True)] == [
        ticket
    ]

    # resolved late: still marked
    d = people.wang.complaints.act(ticket, Change("resolve", resolution="已装机"))
    assert d.row.breached
    kinds = [a for a, _, _ in events(d)]
    assert kinds.count("breach") == 1 and kinds.count("escalate") == 2


def test_a_paused_ticket_is_not_warned(people: People, engine: Engine) -> None:
    ticket = people.wang.complaints.open("C002", "service", "装机延误")
    people.wang.complaints.act(ticket, Change("wait_customer", note="等客户确认地址"))
    clock.freeze("2026-11-25T08:30")  # two days later, still waiting for the customer
    people.wang.complaints.sweep()
    assert notes_for(engine, people.ids["wangfang"]) == []
    d = people.wang.complaints.detail(ticket)
    assert d.row.paused and not d.row.breached
    assert d.row.left is not None and d.row.left.total_seconds() == 24 * 3600


def test_a_late_back_office_is_told_to_the_owner_once(people: People, engine: Engine) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    people.wang.complaints.act(ticket, Change("hand_off", backoffice_to="计费中心"))
    d = people.wang.complaints.detail(ticket)
    assert local(d.backoffice_due) == "2026-11-25 17:30"  # 3 business days by default
    clock.freeze("2026-11-26T09:00")
    assert people.wang.complaints.sweep().backoffice_late == 1
    assert people.wang.complaints.sweep().backoffice_late == 0


def test_the_list_puts_the_nearest_deadline_first(people: People) -> None:
    slow = people.wang.complaints.open("C003", "fee", "扣费有误")
    fast = people.wang.complaints.open("C002", "service", "装机延误")
    paused = people.wang.complaints.open("C001", "fee", "扣费有误")
    people.wang.complaints.act(paused, Change("wait_customer", note="等材料"))
    assert [r.ticket_no for r in people.wang.complaints.tickets()] == [fast, slow, paused]
    assert [r.ticket_no for r in people.boss.complaints.tickets(team=True)] == [fast, slow, paused]
    assert people.boss.complaints.tickets() == []


# -- two people, one ticket ----------------------------------------------------------------


def test_two_sessions_on_one_ticket(people: People, engine: Engine) -> None:
    ticket = people.wang.complaints.open("C003", "fee", "扣费有误")
    seen_by_wang = people.wang.complaints.detail(ticket)
    seen_by_boss = people.boss.complaints.detail(ticket)
    clock.freeze("2026-11-23T09:05")
    people.wang.complaints.act(ticket, Change("respond", triage="now"), seen_by_wang.row.version)
    with pytest.raises(Conflict, match=r"王芳.*09:05"):
        people.boss.complaints.act(
            ticket, Change("reassign", to_login="liqiang"), seen_by_boss.row.version
        )
    d = people.boss.complaints.detail(ticket)
    assert (d.row.status, d.row.owner_login, d.triage) == ("in_progress", "wangfang", "now")
    assert [a for a, _, _ in events(d)] == ["receive", "respond"]
    with unit_of_work(engine) as s:
        row = s.exec(select(Complaint)).one()
        assert row.version == 2
        assert len(s.exec(select(ComplaintEvent)).all()) == 2


# -- drafts --------------------------------------------------------------------------------


def test_a_draft_is_kept_per_person_and_cleared(people: People) -> None:
    typed = {"description": "客户说月租多扣了", "category": "fee"}
    people.wang.drafts.save("complaint:C003", typed)
    assert people.wang.drafts.load("complaint:C003") == typed
    assert people.li.drafts.load("complaint:C003") is None
    people.wang.drafts.save("complaint:C003", {**typed, "description": "客户说月租多扣了20元"})
    assert people.wang.drafts.load("complaint:C003") == {
        **typed,
        "description": "客户说月租多扣了20元",
    }
    people.wang.drafts.clear("complaint:C003")
    assert people.wang.drafts.load("complaint:C003") is None
    people.wang.drafts.save("complaint:C003", {"description": "  "})
    assert people.wang.drafts.load("complaint:C003") is None
