"""Promises with a clock (issue 24), through the workbench as staff use it: where promises
come from without extra typing, how they are kept, and the sweep that warns and escalates
once per step, on the branch calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine, text
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Branch, Customer, Holding, Notification, Promise, StaffLeave
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.core.errors import InvalidInput, OutOfScope
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.promises import api as promises
from cmworkbench.services.workbench import Workbench

SETTINGS = Settings()


@pytest.fixture
def bench(engine: Engine, build: Any) -> Iterator[Workbench]:
    """王芳 (wangfang) in 陈主管's team with a group customer C1 and a government-important C2."""
    clock.freeze("2026-11-20T09:00")
    with build() as f:
        wang = f.wang_and_her_supervisor()
        f.customer(wang, "C1", "远宇集团")
        gov = f.customer(wang, "C2", "区政务中心")
        gov.is_government = True
        f.session.add(gov)
        f.session.add(Holding(customer_id=gov.id, product="政务专线", product_kind="telecom"))
    yield as_login(engine, "wangfang")


def local(at: datetime) -> str:
    """An instant in branch time, as staff read it."""
    return at.astimezone(clock.branch_tz()).isoformat()


def sweep(engine: Engine, now: str) -> tuple[int, int]:
    clock.freeze(now)
    with unit_of_work(engine) as session:
        out = promises.sweep(session=session, settings=SETTINGS)
    return out.notified, out.broken


def notices(engine: Engine) -> list[tuple[str, str, str]]:
    """(recipient login, kind, title) of every promise notice, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.login, n.kind, n.title FROM notification n"
                " JOIN staff s ON s.id = n.recipient_id WHERE n.object_type = 'promise'"
                " ORDER BY n.id"
            )
        )
        return [(a, b, c) for a, b, c in rows]


def test_an_incoming_call_is_owed_a_reply_the_same_day_and_the_reply_keeps_it(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T16:50")  # a Friday, forty minutes before the close
    made = bench.promises.incoming("C1", "问本月账单为何多扣")
    assert made.kind == "callback_same_day" and made.state == "open"
    assert local(made.promise_due) == "2026-11-20T17:30:00+08:00"
    assert [p.id for p in bench.promises.list()] == [made.id]
    clock.freeze("2026-11-20T17:10")
    bench.tasks.log_contact("C1", "call", "reached", "已解释账单")
    (kept,) = bench.promises.list(customer_no="C1", owed=False)
    assert kept.state == "kept" and kept.done_at is not None
    assert bench.promises.list() == []


def test_a_call_not_answered_keeps_nothing_and_after_hours_the_reply_is_owed_next_day(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T18:05")  # Friday evening: owed by Monday's close
    made = bench.promises.incoming("C1", "留言：要报价", channel="message")
    assert local(made.promise_due) == "2026-11-23T17:30:00+08:00"
    clock.freeze("2026-11-23T09:00")
    bench.tasks.log_contact("C1", "call", "no_answer")
    assert [p.state for p in bench.promises.list()] == ["open"]


def test_a_negotiation_round_owes_feedback_within_two_working_days(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T16:50")
    bench.tasks.log_contact("C1", "visit", "done", "谈专线价格", purpose="negotiation")
    (owed,) = bench.promises.list()
    assert owed.kind == "negotiation_feedback"
    assert local(owed.promise_due) == "2026-11-24T17:30:00+08:00"
    with pytest.raises(InvalidInput):
        bench.tasks.log_contact("C1", "visit", "done", purpose="haggling")


def test_a_government_request_is_due_in_two_hours_of_calendar_time(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T16:30")
    card = bench.promises.urgent("C2", "government_urgent_card", "补办单位卡")
    assert local(card.promise_due) == "2026-11-20T18:30:00+08:00"
    goods = bench.promises.urgent("C2", "government_urgent_goods", "送终端")
    assert local(goods.promise_due) == "2026-11-20T22:30:00+08:00"
    with pytest.raises(InvalidInput, match="C1"):
        bench.promises.urgent("C1", "government_urgent_card", "补卡")
    clock.freeze("2026-11-20T19:00")
    late = bench.promises.keep(card.id, "已送达")
    assert late.state == "broken" and late.done_at is not None  # done, but late


def test_an_activation_at_risk_owes_notice_two_working_days_before(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T10:00")
    with pytest.raises(InvalidInput):  # no promised date known yet
        bench.promises.at_risk("C2", "政务专线")
    notice = bench.promises.at_risk("C2", "政务专线", date(2026, 11, 25))
    assert notice.kind == "delay_notice"
    assert local(notice.promise_due) == "2026-11-23T17:30:00+08:00"
    again = bench.promises.at_risk("C2", "政务专线")  # marked twice: one promise
    assert again.id == notice.id and len(bench.promises.list()) == 1
    assert bench.customers.view("C2").holdings[0].at_risk


def test_a_complaint_owes_feedback_daily_the_owner_is_warned_and_the_supervisor_told(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-23T10:00")  # Monday
    ticket = bench.complaints.open("C1", "fee", "月租多扣")
    (owed,) = bench.promises.list()
    assert owed.kind == "complaint_feedback" and owed.ticket_no == ticket
    assert local(owed.promise_due) == "2026-11-24T17:30:00+08:00"
    assert sweep(engine, "2026-11-23T17:00") == (0, 0)
    # the first silent working day: the owner is warned in its afternoon
    assert sweep(engine, "2026-11-24T14:00") == (1, 0)
    assert notices(engine)[-1][:2] == ("wangfang", "promise_warn")
    # a whole working day without a word: broken, the owner told
    assert sweep(engine, "2026-11-24T17:31") == (1, 1)
    assert notices(engine)[-1][:2] == ("wangfang", "promise_breach")
    assert sweep(engine, "2026-11-25T09:00") == (0, 0)  # nothing twice
    # the configured limit (2 working days): the supervisor is told
    assert sweep(engine, "2026-11-25T17:31") == (1, 0)
    assert notices(engine)[-1][:2] == ("chenzg", "promise_escalate")
    assert [p.state for p in bench.promises.list(breached=True)] == ["broken"]
    # feedback given at last: the broken promise is done (late) and the next one owed
    clock.freeze("2026-11-26T09:00")
    bench.complaints.act(ticket, Change("respond", triage="shortly", note="已致电说明进度"))
    (next_one,) = bench.promises.list()
    assert next_one.state == "open" and next_one.id != owed.id
    assert local(next_one.promise_due) == "2026-11-27T17:30:00+08:00"
    # resolved: no more feedback owed
    clock.freeze("2026-11-26T11:00")
    bench.complaints.act(ticket, Change("resolve", resolution="已退费"))
    assert bench.promises.list() == []


def test_a_weekend_down_tells_each_person_once(engine: Engine, bench: Workbench) -> None:
    clock.freeze("2026-11-20T16:50")
    bench.promises.incoming("C1", "要发票")
    bench.promises.new("C1", "callback_same_day", "回电说明套餐", None)
    # the scheduler was down from Friday 16:55 to Monday 08:00: one sweep catches up
    assert sweep(engine, "2026-11-23T08:00") == (4, 2)  # a warning and a breach each
    assert sweep(engine, "2026-11-23T08:01") == (0, 0)
    assert len(notices(engine)) == 4


def test_a_new_customer_s_incomplete_file_is_owed_today_and_kept_when_filled(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-23T10:00")
    with unit_of_work(engine) as session:
        wang = find_actor(session.connection(), "wangfang")
        new = Customer.model_validate(
            {
                "customer_no": "C9",
                "kind": "individual",
                "name": "刘新",
                "owner_id": wang.id,
                "opened_on": date(2026, 11, 23),
                "created_at": clock.now(),
                "updated_at": clock.now(),
            }
        )
        old = Customer.model_validate({**new.model_dump(exclude={"id"}), "customer_no": "C8"})
        old.opened_on = date(2025, 1, 6)  # an existing account loaded: no promise
        session.add_all([new, old])
        session.flush()
        assert new.id and old.id
        assert promises.imported(session, SETTINGS, None, [new.id, old.id], []) == 1
    (owed,) = bench.promises.list()
    assert owed.kind == "new_customer_file" and owed.customer_no == "C9"
    assert "phone" in owed.what and "id_number" in owed.what
    assert local(owed.promise_due) == "2026-11-23T17:30:00+08:00"
    from cmworkbench.services.customers.schemas import CustomerEdit

    profile = bench.customers.view("C9").profile
    bench.customers.update(
        "C9",
        profile.version,
        CustomerEdit(
            phone="13812345678",
            id_number="11010519491231002X",
            address="东大街 1 号",
        ),
    )
    assert bench.promises.list() == []
    (kept,) = bench.promises.list(owed=False, customer_no="C9")
    assert kept.state == "kept"


def test_keep_and_cancel_say_what_is_wrong_and_it_admin_makes_none(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T10:00")
    made = bench.promises.new("C1", "callback_same_day", "回电", None)
    with pytest.raises(InvalidInput):
        bench.promises.cancel(made.id, "  ")
    cancelled = bench.promises.cancel(made.id, "客户已到店办理")
    assert cancelled.state == "cancelled" and cancelled.cancel_reason == "客户已到店办理"
    with pytest.raises(InvalidInput):
        bench.promises.keep(made.id)
    with pytest.raises(InvalidInput):
        bench.promises.new("C1", "no_such_kind", "x", None)
    with pytest.raises(InvalidInput):
        bench.promises.new("C1", "callback_same_day", "", None)
    with unit_of_work(engine) as session:
        assert session.exec(select(Promise)).all()[0].state == "cancelled"
        assert not session.exec(select(Notification)).all()


def test_the_team_board_shows_a_broken_promise(engine: Engine, bench: Workbench) -> None:
    clock.freeze("2026-11-20T16:50")
    bench.promises.incoming("C1", "要发票")
    sweep(engine, "2026-11-20T17:31")
    lead = as_login(engine, "chenzg")
    (row,) = [r for r in lead.staff.board() if r.login == "wangfang"]
    assert (row.promises_owed, row.promises_broken) == (1, 1)
    assert [p.customer_no for p in lead.promises.list(team=True, breached=True)] == ["C1"]


def test_it_makes_no_promises(engine: Engine, bench: Workbench, build: Any) -> None:
    with build() as f:
        branch = f.session.exec(select(Branch)).one()
        f.staff(branch, "it", "IT", role="admin")
    admin = as_login(engine, "it")
    with pytest.raises(OutOfScope):
        admin.promises.incoming("C1", "x")


def test_a_deadline_named_outside_business_hours_is_not_broken_at_the_close(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T16:00")  # Friday
    saturday = clock.parse_instant("2026-11-21T10:00")
    made = bench.promises.new("C1", "callback_same_day", "周六上门送发票", saturday)
    assert sweep(engine, "2026-11-20T18:00") == (0, 0)  # nothing at Friday's close
    assert sweep(engine, "2026-11-21T01:01") == (1, 0)  # halfway in wall time: warned
    assert sweep(engine, "2026-11-21T10:00") == (1, 1)  # at the deadline: broken
    assert [p.id for p in bench.promises.list(breached=True)] == [made.id]
    monday = clock.parse_instant("2026-11-23T10:00")
    clock.freeze("2026-11-20T16:00")
    by_monday = bench.promises.new("C1", "callback_same_day", "周一回电", monday)
    # Friday's last hour and a half and Monday's first: business time reaches it exactly,
    # so half of it is gone at Friday's close (the owner warned), none over the weekend
    assert sweep(engine, "2026-11-20T18:00") == (1, 0)
    assert sweep(engine, "2026-11-23T09:59") == (0, 0)
    assert sweep(engine, "2026-11-23T10:00") == (1, 1)
    assert by_monday.id in [p.id for p in bench.promises.list(breached=True)]


def test_a_colleague_on_leave_s_promise_is_on_the_coverer_s_today(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-23T09:00")
    made = bench.promises.incoming("C1", "要报价")
    lead = as_login(engine, "chenzg")
    assert [r.ref for r in lead.tasks.plan().rows if r.item == "promise"] == []
    with unit_of_work(engine) as session:
        session.add(
            StaffLeave(
                staff_id=bench.actor.id, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 24)
            )
        )
    # 王芳 away and no partner: her supervisor covers her promise, on his Today at 17:30
    (row,) = [r for r in lead.tasks.plan().rows if r.item == "promise"]
    assert row.ref == str(made.id) and local(row.due_at) == "2026-11-23T17:30:00+08:00"


def test_a_response_in_the_same_second_as_the_receipt_still_owes_the_next_feedback(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-23T10:00")
    ticket = bench.complaints.open("C1", "service", "排队太久")
    bench.complaints.act(ticket, Change("respond", triage="now", note="当场致歉"))
    states = [p.state for p in bench.promises.list(owed=False, customer_no="C1")]
    assert sorted(states) == ["kept", "open"]


def test_a_promise_past_its_deadline_reads_broken_before_any_sweep(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-20T16:50")
    made = bench.promises.incoming("C1", "要发票")
    assert bench.promises.list(breached=True) == []
    clock.freeze("2026-11-20T17:31")  # no scheduler ran: the lists still tell the truth
    assert [(p.id, p.state) for p in bench.promises.list(breached=True)] == [(made.id, "broken")]
    (row,) = [r for r in as_login(engine, "chenzg").staff.board() if r.login == "wangfang"]
    assert (row.promises_owed, row.promises_broken) == (1, 1)


def test_a_contact_logged_after_the_fact_never_leaves_a_ticket_owing_two_feedbacks(
    engine: Engine, bench: Workbench
) -> None:
    clock.freeze("2026-11-23T10:00")
    ticket = bench.complaints.open("C1", "fee", "月租多扣")
    clock.freeze("2026-11-23T15:00")
    bench.complaints.act(ticket, Change("respond", triage="shortly", note="已致电"))
    # a call of 11:00 logged at 16:00: it is older than the feedback owed since 15:00
    clock.freeze("2026-11-23T16:00")
    bench.tasks.log_contact(
        "C1", "call", "reached", "上午回访", at=clock.parse_instant("2026-11-23T11:00")
    )
    owed = [p for p in bench.promises.list() if p.kind == "complaint_feedback"]
    assert len(owed) == 1 and local(owed[0].made_at) == "2026-11-23T15:00:00+08:00"
