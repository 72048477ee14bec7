"""Credit files (issue 29), in the words of the branch: a 1,000,000-yuan loan with guarantors
worth 1,500,000 in all is refused with the reason; without the risk manager's signature no file
is approved; an approved file's post-loan checks come to Today on their working days and only a
visit with findings closes one; a late check reaches the supervisor and the risk manager; a
risk manager sees only the files submitted to them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from cmworkbench import clock
from cmworkbench.config import CreditSettings, Settings
from cmworkbench.db.models import AuditLog, CreditFile, Holding, Notification, PostLoanCheck, Task
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.credit.api import escalate_overdue
from cmworkbench.services.tasks.generate import generate
from cmworkbench.services.workbench import Workbench

SETTINGS = Settings()
ITEMS = SETTINGS.credit.items


@pytest.fixture
def branch(engine: Engine, build: Any) -> Iterator[None]:
    """王芳 (wangfang) and 李强 (liqiang), managers in 陈主管's (chenzg) team; risk managers
    赵风控 (zhaofk) and 钱风控 (qianfk); 王芳 owns 远宇商贸 (C1), 李强 owns 北辰物流 (C2)."""
    clock.freeze("2026-11-20T09:00")  # a Friday
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        li = f.staff(home, "liqiang", "李强", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "zhaofk", "赵风控", role="risk_manager")
        f.staff(home, "qianfk", "钱风控", role="risk_manager")
        f.customer(wang, "C1", "远宇商贸", cls="A1")
        f.customer(li, "C2", "北辰物流")
    yield


def investigated(bench: Workbench, *, guarantors: tuple[int, ...] = (1_500_000, 600_000)) -> int:
    """王芳's file for a 1,000,000-yuan working-capital loan to 远宇商贸, every item checked and
    passed, with guarantors of ``guarantors`` net assets."""
    made = bench.credit.new(
        customer_no="C1",
        product="流动资金贷款",
        amount="100万",
        term_months=12,
        purpose="采购原材料",
    )
    file_id = made.file.id
    assert (made.file.state, made.file.amount, made.file.open_items) == ("draft", 1_000_000, 8)
    for item in ITEMS:
        bench.credit.check(file_id, item, "pass", finding="无异常", document_ref=f"DOC-{item}")
    bench.credit.figures(
        file_id,
        total_assets="800万",
        total_liabilities="300万",
        monthly_sales="120万",
        settlement="对公转账",
        collection="月结30天",
    )
    for i, net in enumerate(guarantors):
        bench.credit.add_guarantor(file_id, name=f"担保人{i + 1}", net_assets=net)
    return file_id


def test_a_million_yuan_loan_with_guarantors_worth_one_and_a_half_million_is_refused_approval(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    file_id = investigated(wang, guarantors=(900_000, 600_000))
    shown = wang.credit.show(file_id)
    assert (shown.net_assets, shown.coverage_needed, shown.file.coverage) == (
        5_000_000,
        2_000_000,
        1.5,
    )
    assert shown.file.coverage_ok is False
    # the manager cannot sign (submit) it: the reason names the figures and the rule
    with pytest.raises(Conflict) as refused:
        wang.credit.submit(file_id)
    assert "150万" in str(refused.value) and "100万" in str(refused.value)
    assert "2 倍" in str(refused.value) and "200万" in str(refused.value)
    assert wang.credit.show(file_id).file.state == "draft"
    # another guarantor brings the cover to 2×: it goes to a risk manager
    wang.credit.add_guarantor(file_id, name="担保人3", net_assets="50万", relation="股东")
    submitted = wang.credit.submit(file_id, to="zhaofk")
    assert (submitted.file.state, submitted.file.risk_manager) == ("submitted", "zhaofk")
    # the branch tightens the rule to 3× before the risk manager signs: approval is refused
    strict = replace(SETTINGS, credit=replace(SETTINGS.credit, guarantor_coverage=3.0))
    zhao = as_login(engine, "zhaofk", strict)
    with pytest.raises(Conflict, match="300万"):
        zhao.credit.sign(file_id)
    assert zhao.credit.show(file_id).file.state == "submitted"
    assert zhao.credit.show(file_id).file.signed_at is None


def test_without_the_risk_managers_signature_no_file_is_approved(
    engine: Engine, branch: None
) -> None:
    wang, chen = as_login(engine, "wangfang"), as_login(engine, "chenzg")
    made = wang.credit.new(
        customer_no="C1", product="流动资金贷款", amount="100万", term_months=12, purpose="采购"
    )
    # an open item keeps the manager from signing; a concern needs a note
    with pytest.raises(Conflict, match="8 项调查未完成"):
        wang.credit.submit(made.file.id)
    with pytest.raises(FieldsInvalid) as no_note:
        wang.credit.check(made.file.id, "blacklist", "concern", finding="曾有逾期记录")
    assert set(no_note.value.fields) == {"note"}
    file_id = investigated(wang)
    # nobody but the risk manager gives the second signature
    wang.credit.submit(file_id)  # to the risk manager with the fewest files waiting
    for who in (wang, chen):
        with pytest.raises(OutOfScope):
            who.credit.sign(file_id)
    risk = wang.credit.show(file_id).file.risk_manager
    assert risk == "qianfk" or risk == "zhaofk"
    signer = as_login(engine, risk or "")
    # the risk manager returns it with a comment: a follow-up on 王芳's Today carries it
    signer.credit.return_file(file_id, comment="请补充近三个月银行流水")
    rows = [r for r in wang.tasks.today() if r.kind == "follow_up"]
    assert [r.task_reason for r in rows] == [f"信贷档案 #{file_id} 被退回：远宇商贸"]
    wang.credit.check(file_id, "ledger", "pass", finding="近三个月流水正常", document_ref="LS-3")
    wang.credit.submit(file_id)  # goes back to who returned it; the follow-up closes
    assert wang.credit.show(file_id).file.risk_manager == risk
    assert [r for r in wang.tasks.today() if r.kind == "follow_up"] == []
    approved = signer.credit.sign(file_id)
    assert approved.file.state == "approved"
    actions = [e.action for e in approved.events]
    assert actions[0] == "new" and actions[-1] == "sign" and actions.count("submit") == 2
    # an approved file is read-only: a change is a new version needing both signatures again
    with pytest.raises(Conflict, match="revise"):
        wang.credit.add_guarantor(file_id, name="担保人4", net_assets="10万")
    with pytest.raises(Conflict):
        signer.credit.sign(file_id)
    second = wang.credit.revise(file_id)
    assert (second.file.state, second.file.file_version, second.file.previous_id) == (
        "draft",
        2,
        file_id,
    )
    assert second.file.open_items == 0  # the investigation carries over
    wang.credit.figures(second.file.id, monthly_sales="150万")
    with pytest.raises(NotFound):  # not submitted to the risk manager yet: not theirs to see
        signer.credit.show(second.file.id)
    wang.credit.submit(second.file.id, to=risk)
    assert wang.credit.show(file_id).file.state == "approved"  # in force until the new one is
    signer.credit.sign(second.file.id)
    assert wang.credit.show(file_id).file.state == "superseded"
    # the loan's post-loan schedule goes on under the new version (counted from 11-20)
    assert [(c.seq, c.due_on) for c in wang.credit.show(second.file.id).checks] == [
        (1, date(2026, 12, 21))
    ]
    assert [f.id for f in wang.credit.list(customer_no="C1")] == [second.file.id, made.file.id]
    with Session(engine) as session:
        audited = session.exec(
            select(AuditLog.action).where(AuditLog.object_type == "credit_file")
        ).all()
    assert {"credit_new", "credit_check", "credit_submit", "credit_return", "credit_sign"} <= set(
        audited
    )
    assert "credit_revise" in audited and "credit_superseded" in audited


def approved_file(engine: Engine, grade: str = "medium") -> int:
    wang = as_login(engine, "wangfang")
    file_id = investigated(wang)
    wang.credit.figures(file_id, risk_grade=grade)
    wang.credit.submit(file_id, to="zhaofk")
    as_login(engine, "zhaofk").credit.sign(file_id)  # on Friday 2026-11-20
    return file_id


def post_loan_rows(bench: Workbench) -> list[Any]:
    return [r for r in bench.tasks.today() if r.kind == "post_loan"]


def test_an_approved_files_post_loan_checks_come_to_today_on_their_working_days(
    engine: Engine, branch: None
) -> None:
    file_id = approved_file(engine)
    wang = as_login(engine, "wangfang")
    # the first check: 30 days after Friday 2026-11-20 is Sunday 12-20, so Monday 12-21
    assert [(c.seq, c.due_on) for c in wang.credit.show(file_id).checks] == [
        (1, date(2026, 12, 21))
    ]
    clock.freeze("2026-12-21T08:00")
    with engine.begin() as conn:
        generate(conn, SETTINGS)
    rows = post_loan_rows(wang)
    assert len(rows) == 1 and rows[0].customer_no == "C1"
    assert rows[0].due_at.astimezone(clock.branch_tz()).date() == date(2026, 12, 21)
    clock.freeze("2026-12-21T10:00")
    # a check by phone does not close it, nor does a visit without findings
    wang.tasks.log_call(rows[0].task_id, "reached", note="电话了解经营情况")
    assert len(post_loan_rows(wang)) == 1
    with pytest.raises(FieldsInvalid) as refused:
        wang.tasks.log_visit(rows[0].task_id, "done")
    assert "检查发现" in str(refused.value)
    assert len(post_loan_rows(wang)) == 1
    wang.tasks.log_visit(rows[0].task_id, "done", note="厂房正常生产，存货与账面相符")
    assert post_loan_rows(wang) == []
    checks = wang.credit.show(file_id).checks
    assert (checks[0].seq, checks[0].done_by, checks[0].findings) == (
        1,
        "wangfang",
        "厂房正常生产，存货与账面相符",
    )
    # the next, three months on (medium risk): Saturday 2027-03-20, so Monday 03-22
    assert (checks[1].seq, checks[1].due_on, checks[1].done_at) == (2, date(2027, 3, 22), None)


def test_a_higher_risk_grade_is_checked_more_often(engine: Engine, branch: None) -> None:
    file_id = approved_file(engine, grade="high")
    wang = as_login(engine, "wangfang")
    clock.freeze("2026-12-21T10:00")
    with engine.begin() as conn:
        generate(conn, SETTINGS)
    row = post_loan_rows(wang)[0]
    wang.tasks.log_visit(row.task_id, "done", note="经营正常")
    # a month after the planned Sunday 12-20: Wednesday 2027-01-20
    assert wang.credit.show(file_id).checks[1].due_on == date(2027, 1, 20)


def test_a_late_check_reaches_the_supervisor_and_the_risk_manager_once(
    engine: Engine, branch: None
) -> None:
    file_id = approved_file(engine)
    clock.freeze("2026-12-21T17:00")  # due today: not late yet
    with Session(engine) as session:
        assert escalate_overdue(session=session, settings=SETTINGS) == 0
        session.commit()
    clock.freeze("2026-12-22T09:00")
    with Session(engine) as session:
        assert escalate_overdue(session=session, settings=SETTINGS) == 2
        assert escalate_overdue(session=session, settings=SETTINGS) == 0
        session.commit()
    for login in ("chenzg", "zhaofk"):
        titles = [n.title for n in as_login(engine, login).notifications.inbox()]
        assert any("贷后检查逾期" in title and f"#{file_id}" in title for title in titles)
    assert as_login(engine, "zhaofk").credit.queue()[0].check_overdue is True


def test_a_risk_manager_sees_only_the_files_submitted_to_them(engine: Engine, branch: None) -> None:
    wang = as_login(engine, "wangfang")
    zhao, qian = as_login(engine, "zhaofk"), as_login(engine, "qianfk")
    draft = wang.credit.new(
        customer_no="C1", product="流动资金贷款", amount="50万", term_months=6, purpose="备货"
    )
    file_id = investigated(wang)
    wang.credit.submit(file_id, to="zhaofk")
    assert [f.id for f in zhao.credit.queue()] == [file_id]
    assert [f.id for f in zhao.credit.list()] == [file_id]
    assert qian.credit.queue() == [] and qian.credit.list() == []
    for bench, hidden in ((qian, file_id), (zhao, draft.file.id)):
        with pytest.raises(NotFound):
            bench.credit.show(hidden)
    with pytest.raises(NotFound):  # no book: no customer's file beyond the credit file
        zhao.customers.view("C1")
    with pytest.raises(OutOfScope):  # and they do not make files
        zhao.credit.new(customer_no="C1", product="x", amount="1万", term_months=1, purpose="x")
    # a colleague's manager does not see 王芳's customer's files either
    with pytest.raises(NotFound):
        as_login(engine, "liqiang").credit.show(file_id)


def test_an_imported_post_loan_date_still_works_for_a_loan_without_a_file(
    engine: Engine, branch: None, build: Any
) -> None:
    with Session(engine) as session:
        customer_id = session.exec(text("SELECT id FROM customer WHERE customer_no = 'C1'")).one()[
            0
        ]
        for product in ("经营贷", "房贷"):
            session.add(
                Holding(
                    customer_id=customer_id,
                    product=product,
                    product_kind="loan",
                    amount_yuan=1_000_000,
                    next_check_on=date(2026, 11, 23),
                )
            )
        session.commit()
        held = session.exec(select(Holding).order_by(Holding.id)).all()
    wang = as_login(engine, "wangfang")
    # a file on the first loan, approved: its own checks replace the imported date
    made = wang.credit.new(customer_no="C1", holding_id=held[0].id, term_months=12, purpose="周转")
    assert (made.file.product, made.file.amount) == ("经营贷", 1_000_000)
    with pytest.raises(Conflict):  # one file in work per loan
        wang.credit.new(customer_no="C1", holding_id=held[0].id, term_months=12, purpose="周转")
    for item in ITEMS:
        wang.credit.check(made.file.id, item, "pass", finding="正常")
    wang.credit.add_guarantor(made.file.id, name="担保人", net_assets="200万")
    wang.credit.submit(made.file.id, to="zhaofk")
    as_login(engine, "zhaofk").credit.sign(made.file.id)
    clock.freeze("2026-11-23T08:00")
    with engine.begin() as conn:
        generate(conn, SETTINGS)
    with Session(engine) as session:
        keys = session.exec(select(Task.idem_key).where(Task.kind == "post_loan")).all()
    assert keys == [f"post_loan:{held[1].id}:2026-11-23"]


def test_a_check_with_a_concern_and_its_note_can_be_signed_and_nothing_is_half_saved(
    engine: Engine, branch: None
) -> None:
    wang = as_login(engine, "wangfang")
    file_id = investigated(wang)
    wang.credit.check(
        file_id, "blacklist", "concern", finding="2019 年一笔逾期", note="已结清，非恶意"
    )
    before = wang.credit.show(file_id)
    with pytest.raises(FieldsInvalid) as refused:  # every problem of the form at once
        wang.credit.add_guarantor(file_id, name="", net_assets="很多", id_no="110105")
    assert set(refused.value.fields) == {"name", "net_assets", "id_no"}
    with pytest.raises(FieldsInvalid):
        wang.credit.check(file_id, "no_such_item", "pass", finding="x")
    with pytest.raises(FieldsInvalid) as too_long:  # each text within its column
        wang.credit.add_guarantor(file_id, name="甲" * 101, net_assets="1万", relation="乙" * 41)
    assert set(too_long.value.fields) == {"name", "relation"}
    with pytest.raises(FieldsInvalid) as long_product:
        wang.credit.new(
            customer_no="C1", product="贷" * 101, amount="1万", term_months=1, purpose="x"
        )
    assert set(long_product.value.fields) == {"product"}
    assert wang.credit.show(file_id) == before
    wang.credit.submit(file_id, to="zhaofk")
    assert as_login(engine, "zhaofk").credit.sign(file_id).file.state == "approved"
    with Session(engine) as session:
        assert session.exec(select(PostLoanCheck)).one().due_on == date(2026, 12, 21)
        assert session.get(CreditFile, file_id) is not None
        assert session.exec(select(Notification.kind)).all().count("credit_submitted") == 1


def test_config_refuses_a_bad_credit_rule(tmp_path: Any) -> None:
    from cmworkbench.config import ConfigError, load_settings

    assert CreditSettings().guarantor_coverage == 2.0
    for body, key in (
        ('default_grade = "extreme"', "credit.default_grade"),
        ("guarantor_coverage = -1", "credit.guarantor_coverage"),
        ('items = ["blacklist", "blacklist"]', "credit.items"),
        ("[credit.check_months]\nhigh = 0", "credit.check_months.high"),
    ):
        path = tmp_path / "cmw.toml"
        path.write_text(f"[credit]\n{body}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=key):
            load_settings(path)
