"""Referrals and leads (issue 26), in the words of the branch: a teller refers, the lead waits
in the pool, the supervisor allocates, the manager calls by the first-contact deadline, the
account opens and the referral converts; a teller sees nothing but their referrals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.imports.importer import import_file

SETTINGS = Settings()


@pytest.fixture
def branch(engine: Engine, build: Any) -> Iterator[None]:
    """王芳 (wangfang, a manager) and 陈主管 (chenzg) in one team with 柜员李娜 (lina, a teller);
    王芳 owns 远宇集团 (C1)."""
    clock.freeze("2026-11-23T09:00")  # a Monday
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "lina", "李娜", role="referrer", team=team)
        f.customer(wang, "C1", "远宇集团")
    yield


def local(at: Any) -> str:
    return at.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")


def import_csv(engine: Engine, tmp_path: Path, kind: str, header: str, *rows: str) -> Any:
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return import_file(
        engine=engine, actor=None, kind=kind, path=path, grades=SETTINGS.grades, settings=SETTINGS
    )


def test_a_teller_s_lead_is_allocated_contacted_merged_and_converts(
    engine: Engine, branch: None, tmp_path: Path
) -> None:
    teller = as_login(engine, "lina")
    made = teller.referrals.new(
        need="想买一年期理财", product="wealth", name="赵敏", phone_number="138 1234 5678"
    )
    # a new lead: it waits in the branch pool, with no first-contact clock yet
    assert made.matched == "lead"
    assert made.referral.to is None and made.referral.contact_due is None
    assert made.referral.name == "赵*"  # the teller sees what came of it, not the file
    supervisor = as_login(engine, "chenzg")
    (pooled,) = supervisor.leads.list(pool=True)
    assert (pooled.name, pooled.phone, pooled.referrer) == ("赵敏", "138****5678", "lina")

    # allocated at 10:00 Monday: the first contact is owed by the close of Tuesday
    clock.freeze("2026-11-23T10:00")
    (move,) = supervisor.leads.allocate([pooled.id], "wangfang")
    assert move.to_login == "wangfang"
    wang = as_login(engine, "wangfang")
    today = wang.tasks.plan()
    (row,) = [r for r in today.rows if r.kind == "first_contact"]
    assert row.customer_name == "赵敏" and row.customer_no is None
    assert local(row.deadline_at) == "2026-11-24 17:30"
    assert "李娜" in (row.task_reason or "")

    # Tuesday 09:15 she reaches the prospect: contacted in time, the task leaves Today
    clock.freeze("2026-11-24T09:15")
    wang.leads.contact(pooled.id, "call", "reached", "约周四来行")
    assert not [r for r in wang.tasks.plan().rows if r.kind == "first_contact"]
    (referral,) = wang.referrals.list()
    assert referral.contacted_in_time is True and referral.state == "open"

    # Wednesday the core system opens the account: the lead merges into the new customer
    clock.freeze("2026-11-25T08:00")
    summary = import_csv(
        engine, tmp_path, "customers", "客户号,客户名称,客户类型,客户经理,手机",
        "P100,赵敏,individual,wangfang,13812345678",
    )  # fmt: skip
    assert summary.leads_merged == 1
    (merged,) = supervisor.leads.list(status="merged")
    assert merged.customer_no == "P100"
    timeline = wang.customers.view("P100")
    assert any("约周四来行" in entry.summary for entry in timeline.timeline)
    (referral,) = wang.referrals.list()
    assert referral.customer_no == "P100" and referral.state == "open"

    # a wealth product opened within the window converts the referral
    summary = import_csv(
        engine, tmp_path, "holdings", "客户号,产品,产品类型,开户日期",
        "P100,稳健一年期理财,wealth,2026-11-25",
    )  # fmt: skip
    assert summary.referrals_converted == 1
    (referral,) = teller.referrals.list()
    assert referral.state == "converted" and referral.name == "赵*"
    board = supervisor.referrals.board()
    (line,) = board.referrers
    assert (line.key, line.referrals, line.contacted_in_time, line.converted) == ("lina", 1, 1, 1)
    assert line.conversion == 1.0


def test_a_teller_sees_no_customer_and_refers_only_by_the_exact_number(
    engine: Engine, branch: None
) -> None:
    teller = as_login(engine, "lina")
    with pytest.raises(NotFound):
        teller.customers.view("C1")
    assert teller.customers.search("远宇") == []
    with pytest.raises(OutOfScope):
        teller.leads.allocate_by_rule()
    with pytest.raises(NotFound):
        teller.referrals.new(need="贷款", product="loan", customer_no="C9")
    made = teller.referrals.new(need="流动资金贷款", product="loan", customer_no="c1")
    assert made.matched == "customer" and made.referral.to == "wangfang"
    assert made.referral.name == "远***"
    with pytest.raises(FieldsInvalid):
        teller.referrals.new(need="", product="rocket", name="", phone_number="123")
    # the manager has it on Today, due by the close of the next working day
    (row,) = [
        r for r in as_login(engine, "wangfang").tasks.plan().rows if r.kind == "first_contact"
    ]
    assert row.customer_no == "C1" and local(row.deadline_at) == "2026-11-24 17:30"


def test_a_phone_under_another_name_is_only_a_possible_match_until_the_manager_confirms(
    engine: Engine, branch: None, build: Any
) -> None:
    with build() as f:
        c1 = f.session.exec(select(Customer).where(Customer.customer_no == "C1")).one()
        c1.phone = "13900001111"
        f.session.add(c1)
    teller = as_login(engine, "lina")
    made = teller.referrals.new(
        need="给女儿办卡", product="card", name="赵小敏", phone_number="13900001111"
    )
    assert made.matched == "possible" and made.referral.customer_no is None
    # the same prospect referred again joins the open lead: one lead, two referrals
    again = teller.referrals.new(need="还想了解保险", product="insurance", name="赵小敏",
                                 phone_number="13900001111")  # fmt: skip
    assert again.matched == "lead_again"
    supervisor = as_login(engine, "chenzg")
    (lead,) = supervisor.leads.list()
    assert (lead.match_customer_no, lead.match_name) == ("C1", "远宇集团")
    supervisor.leads.allocate([lead.id], "wangfang")
    wang = as_login(engine, "wangfang")
    first = [r for r in wang.tasks.plan().rows if r.kind == "first_contact"]
    assert len(first) == 2 and {r.prospect_id for r in first} == {lead.id}
    merged = wang.leads.merge(lead.id, "C1")
    assert merged.status == "merged" and merged.customer_no == "C1"
    # now the customer's: a call that reaches C1 is the first contact of both referrals
    rows = [r for r in wang.tasks.plan().rows if r.kind == "first_contact"]
    assert {r.customer_no for r in rows} == {"C1"}
    wang.tasks.log_contact("C1", "call", "reached", "问清了需求")
    assert not [r for r in wang.tasks.plan().rows if r.kind == "first_contact"]
    assert all(r.contacted_in_time for r in wang.referrals.list())


def test_the_manager_marks_a_referral_lost_with_a_reason_and_a_dropped_lead_loses_its_own(
    engine: Engine, branch: None
) -> None:
    teller = as_login(engine, "lina")
    to_c1 = teller.referrals.new(need="大额存单", product="deposit", customer_no="C1").referral
    wang = as_login(engine, "wangfang")
    with pytest.raises(FieldsInvalid):
        wang.referrals.outcome(to_c1.id, "lost")
    with pytest.raises(NotFound):  # a teller decides nothing
        teller.referrals.outcome(to_c1.id, "won")
    lost = wang.referrals.outcome(to_c1.id, "lost", "客户已在他行办理")
    assert (lost.state, lost.lost_reason) == ("lost", "客户已在他行办理")
    with pytest.raises(Conflict):
        wang.referrals.outcome(to_c1.id, "won")
    made = teller.referrals.new(
        need="理财", product="wealth", name="钱多", id_number="11010519491231002X"
    )
    supervisor = as_login(engine, "chenzg")
    supervisor.leads.allocate([made.referral.lead_id or 0], "wangfang")
    wang.leads.drop(made.referral.lead_id or 0, "电话停机，联系不上")
    states = {r.id: (r.state, r.lost_reason) for r in teller.referrals.list()}
    assert states[made.referral.id] == ("lost", "电话停机，联系不上")
    assert not [r for r in wang.tasks.plan().rows if r.kind == "first_contact"]
    board = supervisor.referrals.board()
    assert (board.total.referrals, board.total.converted, board.total.decided) == (2, 0, 2)
