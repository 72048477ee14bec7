"""Opportunities through the pipeline's steps (issue 27), in the words of the branch: a proposal
at 1:1.2 waits for the supervisor; a returned one comes back to the owner's Today with the
comment; a negotiation on Friday owes feedback by Tuesday; a won opportunity converts its
referral; a colleague's opportunities are out of reach."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine
from sqlmodel import Session, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import OpportunityEvent, Promise, Referral, Task
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.imports.importer import import_file
from cmworkbench.services.pipeline.api import quiet_tasks
from cmworkbench.services.tasks.generate import generate
from cmworkbench.services.workbench import Workbench

SETTINGS = Settings()


@pytest.fixture
def branch(engine: Engine, build: Any) -> Iterator[None]:
    """王芳 (wangfang) and 李强 (liqiang), managers in 陈主管's (chenzg) team; 柜员李娜 (lina);
    王芳 owns 远宇集团 (C1), 李强 owns 北辰物流 (C2)."""
    clock.freeze("2026-11-16T09:00")  # a Monday
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        li = f.staff(home, "liqiang", "李强", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "lina", "李娜", role="referrer", team=team)
        f.customer(wang, "C1", "远宇集团", cls="A1")
        f.customer(li, "C2", "北辰物流")
    yield


def local(at: Any) -> str:
    return at.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def at_assess(wang: Workbench) -> int:
    """An opportunity of 王芳's with 远宇集团 moved up to the step before the proposal."""
    opp = wang.opportunities.new(
        customer_no="C1",
        product="loan",
        need="流动资金贷款 800 万",
        value="800万",
        expected_close="2026-12-31",
    )
    assert (opp.stage, opp.value, opp.owner) == ("select", 8_000_000, "wangfang")
    for step in ("prepare", "approach", "needs", "assess"):
        opp = wang.opportunities.move(opp.id)
        assert opp.stage == step
    return opp.id


def test_a_proposal_at_1_to_1_2_waits_for_the_supervisor_before_it_passes_the_solution_step(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    opp_id = at_assess(wang)
    # entering the solution step asks for the proposal's cost and expected return
    with pytest.raises(FieldsInvalid) as refused:
        wang.opportunities.move(opp_id)
    assert set(refused.value.fields) == {"cost", "expected_return"}
    opp = wang.opportunities.move(opp_id, cost="100万", expected_return="120万")
    assert (opp.stage, opp.proposal, opp.ratio) == ("solution", "waiting", "1:1.20")
    # it cannot pass the solution step, nor be won, before the supervisor approves
    with pytest.raises(Conflict, match="主管"):
        wang.opportunities.move(opp_id)
    with pytest.raises(Conflict):
        wang.opportunities.won(opp_id)
    # a colleague is no decider; the supervisor sees it on Today and approves
    with pytest.raises(OutOfScope):
        as_login(engine, "liqiang").opportunities.approve(opp_id)
    boss = as_login(engine, "chenzg")
    (row,) = [r for r in boss.tasks.plan().rows if r.item == "proposal"]
    assert (row.ref, row.customer_name, row.staff_login) == (str(opp_id), "远宇集团", "wangfang")
    assert "1:1.20" in row.reason
    assert boss.opportunities.approve(opp_id).proposal == "approved"
    assert not [r for r in boss.tasks.plan().rows if r.item == "proposal"]
    assert wang.opportunities.move(opp_id).stage == "close"
    won = wang.opportunities.won(opp_id, reason="签约")
    assert (won.status, won.stage) == ("won", "relationship")


def test_a_proposal_at_the_ratio_needs_no_approval(engine: Engine, branch: None) -> None:
    wang = as_login(engine, "wangfang")
    opp_id = at_assess(wang)
    # moving past the solution step in one go: a clear proposal lets it through
    opp = wang.opportunities.move(
        opp_id, to_stage="close", cost=1_000_000, expected_return=1_500_000
    )
    assert (opp.stage, opp.proposal, opp.ratio) == ("close", "clear", "1:1.50")


def test_a_returned_proposal_comes_back_to_the_owner_s_today_with_the_comment(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    opp_id = at_assess(wang)
    # asked to jump to closing below the ratio: it stops at the solution step, waiting
    opp = wang.opportunities.move(opp_id, to_stage="close", cost="100万", expected_return="120万")
    assert (opp.stage, opp.proposal) == ("solution", "waiting")
    boss = as_login(engine, "chenzg")
    with pytest.raises(FieldsInvalid):
        boss.opportunities.return_proposal(opp_id, comment="  ")
    clock.freeze("2026-11-16T15:00")
    returned = boss.opportunities.return_proposal(opp_id, comment="收益率太低，请重新测算")
    assert (returned.proposal, returned.proposal_comment) == ("returned", "收益率太低，请重新测算")
    (row,) = [r for r in wang.tasks.plan().rows if "收益率太低" in (r.task_reason or r.reason)]
    assert (row.customer_no, row.opportunity_id) == ("C1", opp_id)  # Enter opens it
    # a working day to answer it: overdue past Tuesday's close
    assert row.deadline_at is not None
    assert local(row.deadline_at) == "2026-11-17 17:30"
    with pytest.raises(Conflict, match="收益率太低"):
        wang.opportunities.move(opp_id)
    # a revised proposal at 1:1.6 is clear: the follow-up closes and the way is open
    revised = wang.opportunities.propose(opp_id, cost="100万", expected_return="160万")
    assert revised.proposal == "clear"
    assert not [r for r in wang.tasks.plan().rows if "收益率太低" in (r.task_reason or r.reason)]
    assert wang.opportunities.move(opp_id).stage == "close"
    history = [e.action for e in wang.opportunities.show(opp_id).events]
    assert history[-3:] == ["return", "propose", "move"]


def test_a_negotiation_on_friday_owes_feedback_on_tuesday_and_a_breach_shows_on_the_opportunity(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    opp_id = at_assess(wang)
    clock.freeze("2026-11-20T15:00")  # Friday 20 November 2026
    wang.tasks.log_contact("C1", "visit", "done", purpose="negotiation", settings=SETTINGS)
    (detail,) = [wang.opportunities.show(opp_id)]
    (promise,) = detail.promises
    due = promise.due_at.astimezone(clock.branch_tz())
    assert due.date() == date(2026, 11, 24)  # Tuesday: two working days after Friday
    assert wang.opportunities.show(opp_id).opportunity.feedback_breached == 0
    # no word to the customer by Tuesday's close: on Wednesday the promise is broken
    clock.freeze("2026-11-25T09:00")
    as_login(engine, "chenzg").promises.sweep()
    with Session(engine) as session:
        p = session.get(Promise, promise.id)
        assert p is not None and (p.opportunity_id, p.state) == (opp_id, "broken")
    assert wang.opportunities.show(opp_id).opportunity.feedback_breached == 1
    (listed,) = wang.opportunities.list()
    assert listed.feedback_breached == 1


def test_a_won_opportunity_converts_its_referral(engine: Engine, branch: None) -> None:
    teller = as_login(engine, "lina")
    made = teller.referrals.new(customer_no="C1", need="想做现金管理", product="deposit")
    wang = as_login(engine, "wangfang")
    opp = wang.opportunities.new(referral_id=made.referral.id, value="50万", expected_close="+20")
    assert (opp.product, opp.need, opp.referral_id) == ("deposit", "想做现金管理", made.referral.id)
    wang.opportunities.won(opp.id, value="60万")
    with Session(engine) as session:
        referral = session.get(Referral, made.referral.id)
        assert referral is not None and referral.status == "converted"
    (mine,) = teller.referrals.list()
    assert mine.state == "converted"


def test_a_colleague_s_opportunity_is_out_of_reach(engine: Engine, branch: None) -> None:
    li = as_login(engine, "liqiang")
    theirs = li.opportunities.new(
        customer_no="C2", product="card", need="公务卡", value=1, expected_close="+5"
    )
    wang = as_login(engine, "wangfang")
    for action in (
        lambda: wang.opportunities.show(theirs.id),
        lambda: wang.opportunities.move(theirs.id),
        lambda: wang.opportunities.lost(theirs.id, reason="x"),
    ):
        with pytest.raises(NotFound):
            action()
    with pytest.raises(NotFound):
        wang.opportunities.new(
            customer_no="C2", product="card", need="x", value=1, expected_close="+5"
        )
    assert [o.id for o in wang.opportunities.list()] == []
    assert [o.id for o in as_login(engine, "chenzg").opportunities.list()] == [theirs.id]
    with pytest.raises(OutOfScope):
        as_login(engine, "lina").opportunities.list()


def test_bad_input_is_named_field_by_field_and_nothing_is_written(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    with pytest.raises(FieldsInvalid) as refused:
        wang.opportunities.new(
            customer_no="C1", product="yacht", need="", value="很多", expected_close="2020-01-01"
        )
    assert set(refused.value.fields) == {"product", "need", "value", "expected_close"}
    with Session(engine) as session:
        assert not session.exec(select(OpportunityEvent)).all()


def test_a_quiet_opportunity_comes_back_to_its_owner_s_today(engine: Engine, branch: None) -> None:
    wang = as_login(engine, "wangfang")
    opp = wang.opportunities.new(
        customer_no="C1", product="loan", need="贷款", value="10万", expected_close="+30"
    )
    clock.freeze("2026-12-01T08:00")  # 15 days later: the morning's generation finds it
    with engine.begin() as conn:
        made = generate(conn, SETTINGS)
    assert made.created.get("follow_up") == 1
    with Session(engine) as session:
        assert quiet_tasks(session, SETTINGS) == 0  # once per quiet spell
    rows = [r for r in wang.tasks.plan().rows if f"#{opp.id}" in (r.task_reason or r.reason)]
    assert rows and rows[0].customer_no == "C1"
    assert wang.opportunities.list(quiet=True)[0].id == opp.id
    wang.opportunities.next_step(opp.id, "约财务总监面谈", "明天 10:00")
    with Session(engine) as session:
        open_quiet = session.exec(
            select(Task).where(Task.rule == "opportunity_quiet", Task.status == "open")
        ).all()
        assert open_quiet == []


def test_an_opportunity_made_for_a_referred_customer_comes_from_the_referral(
    engine: Engine, branch: None
) -> None:
    teller = as_login(engine, "lina")
    made = teller.referrals.new(customer_no="C1", need="想办公务卡", product="card")
    wang = as_login(engine, "wangfang")
    # from the 360 view: the customer's number, the referred product
    opp = wang.opportunities.new(
        customer_no="C1", product="card", need="公务卡 30 张", value="3万", expected_close="+10"
    )
    assert opp.referral_id == made.referral.id
    other = wang.opportunities.new(
        customer_no="C1", product="loan", need="贷款", value="100万", expected_close="+30"
    )
    assert other.referral_id is None  # another product: not what was referred
    wang.opportunities.lost(opp.id, reason="客户暂缓")
    (mine,) = teller.referrals.list()
    assert mine.state == "open"  # a lost opportunity decides nothing for the referral


def test_a_lead_s_opportunity_follows_the_lead_into_the_customer(
    engine: Engine, branch: None, tmp_path: Any
) -> None:
    teller = as_login(engine, "lina")
    made = teller.referrals.new(
        need="想买理财", product="wealth", name="赵敏", phone_number="13812345678"
    )
    lead_id = made.referral.lead_id
    assert lead_id is not None
    as_login(engine, "chenzg").leads.allocate([lead_id], "wangfang")
    wang = as_login(engine, "wangfang")
    opp = wang.opportunities.new(
        lead_id=lead_id, need="理财 50 万", value="50万", expected_close="+20", product="wealth"
    )
    assert (opp.customer_no, opp.name, opp.referral_id) == (None, "赵敏", made.referral.id)
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_no,kind,name,phone,owner\nC9,individual,赵敏,13812345678,wangfang\n",
        encoding="utf-8",
    )
    import_file(
        engine=engine,
        actor=None,
        kind="customers",
        path=path,
        grades=SETTINGS.grades,
        settings=SETTINGS,
    )
    (after,) = wang.opportunities.list()
    assert (after.id, after.customer_no) == (opp.id, "C9")
