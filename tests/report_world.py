"""The report tests' world (November 2026, Monday the 23rd at 08:30), built once per module into
a SQLite file each test copies: every figure of it is counted by hand in
:mod:`test_reports`, and the Dashboard's screen tests show the same."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING, POSTGRESQL, Factory
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import (
    CreditEvent,
    CreditFile,
    Customer,
    Holding,
    Interaction,
    Lead,
    Opportunity,
    OpportunityEvent,
    PostLoanCheck,
    Promise,
    Referral,
    Staff,
    StaffLeave,
    Verification,
    VisitPlan,
    VisitPlanItem,
    WorkLog,
)

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
at = clock.parse_instant


def build_world(f: Factory) -> None:
    long_ago = at("2026-01-01T09:00")
    branch = f.branch()
    team1, team2 = f.team(branch, "对公一组"), f.team(branch, "对公二组")
    people = [
        f.staff(branch, "wangfang", "王芳", role="supervisor", team=team1),
        zhang := f.staff(branch, "zhangwei", "张伟", team=team1),
        lina := f.staff(branch, "lina", "李娜", team=team1),
        sun := f.staff(branch, "sunli", "孙丽", team=team2),
        f.staff(branch, "head", "行长", role="branch_head"),
        teller := f.staff(branch, "liuyang", "刘洋", role="referrer"),
    ]
    for person in people:
        person.created_at = long_ago
    s = f.session
    customers = {}
    for no, cls in (("K1", "A1"), ("K2", "A1"), ("K3", "A1"), ("K4", "B1"), ("K5", "A1")):
        customers[no] = f.customer(zhang, no, f"客户{no}", cls=cls)
        customers[no].created_at = long_ago
    customers["K5"].status = "lost"
    customers["K1"].tier = "gold"  # a VIP by its tier (no flag): its tickets are VIPs'
    customers["K9"] = f.customer(sun, "K9", "客户K9", cls="A1")
    customers["K9"].created_at = long_ago
    verified = {"K1": "2026-11-01T10:00", "K2": "2026-10-01T10:00", "K4": "2026-10-01T10:00"}
    for no, when in verified.items():
        customers[no].info_verified_at = at(when)
    s.flush()
    # K1's file gone through with the customer on 11-12: four fields, the phone corrected
    s.add(
        Verification(
            customer_id=customers["K1"].id, at=at("2026-11-12T10:00"), staff_id=zhang.id,
            source="hand", checked=4, confirmed=3, fields="name,phone!,id_number,address",
            detail="phone: 138****0000 → 139****0000",
        )
    )  # fmt: skip

    def contact(
        no: str, kind: str, when: str, purpose: str | None = None, retention: str | None = None
    ) -> None:
        owner = sun if no == "K9" else zhang
        s.add(
            Interaction(
                customer_id=customers[no].id,
                staff_id=owner.id,
                kind=kind,
                status="done",  # type: ignore[arg-type]
                happened_at=at(when),
                purpose=purpose,
                outcome={"call": "reached", "visit": "done", "sms": "sent"}[kind],
                retention_result=retention,
                created_at=at(when),
            )
        )

    contact("K1", "call", "2026-11-10T10:00", purpose="retention", retention="retained")
    contact("K2", "visit", "2026-11-01T10:00")
    contact("K3", "visit", "2026-10-20T10:00")
    contact("K4", "call", "2026-10-01T10:00")
    contact("K4", "sms", "2026-11-01T10:00")
    contact("K5", "call", "2026-09-01T10:00")
    contact("K9", "call", "2026-11-22T10:00")
    contact("K1", "visit", "2026-10-15T10:00", purpose="after_sale")

    def holding(no: str, activated: str) -> Holding:
        row = Holding(
            customer_id=customers[no].id,  # type: ignore[arg-type]
            product=f"宽带{activated}",
            product_kind="telecom",
            activated_on=date.fromisoformat(activated),
        )
        s.add(row)
        s.flush()
        return row

    holding("K1", "2026-09-10")
    holding("K2", "2026-09-05")
    early = holding("K4", "2026-09-20")
    holding("K4", "2026-09-25")
    holding("K3", "2026-10-01")
    after_sale = f.task(zhang, "2026-11-20T08:30", status="done")
    after_sale.kind, after_sale.idem_key = "after_sale", f"after_sale:{early.id}"
    after_sale.closed_at, after_sale.customer_id = at("2026-11-18T10:00"), customers["K4"].id
    contact("K4", "call", "2026-11-18T09:50", purpose="after_sale")  # the call that closed it

    def ticket(no: str, received: str, first_due: str, first: str | None, **more: Any) -> None:
        row = f.complaint(zhang, customers["K1"], no)
        row.received_at, row.first_response_due = at(received), at(first_due)
        row.first_response_at = at(first) if first else None
        for name, value in more.items():
            setattr(row, name, at(value) if name.endswith(("_at", "_due")) else value)

    ticket(
        "T1",
        "2026-11-02T10:00",
        "2026-11-02T14:00",
        "2026-11-02T11:00",
        resolution_due="2026-11-09T17:00",
        resolved_at="2026-11-05T10:00",
        closed_at="2026-11-06T10:00",
        satisfaction=5,
        status="closed",
    )
    ticket(
        "T2",
        "2026-11-03T10:00",
        "2026-11-03T12:00",
        "2026-11-03T15:00",
        resolution_due="2026-11-10T17:00",
        resolved_at="2026-11-12T10:00",
        closed_at="2026-11-13T10:00",
        satisfaction=3,
        satisfaction_old_scale=True,  # recorded before the sources' scale
        status="closed",
    )
    ticket("T3", "2026-11-23T08:00", "2026-11-23T12:00", None, resolution_due="2026-11-30T17:00")
    ticket(
        "T4",
        "2026-10-28T10:00",
        "2026-10-28T14:00",
        "2026-10-28T11:00",
        resolution_due="2026-11-04T17:00",
        resolved_at="2026-11-02T10:00",
    )

    def promise(kind: str, due: str, state: str, done: str | None) -> None:
        made = at(due) - timedelta(hours=5)
        s.add(
            Promise(
                customer_id=customers["K1"].id,  # type: ignore[arg-type]
                owner_id=zhang.id,  # type: ignore[arg-type]
                kind=kind,
                what="承诺",
                made_at=made,
                due_at=at(due),
                clock_start=made,
                clock_seconds=5 * 3600,
                clock_business=False,
                state=state,
                done_at=at(done) if done else None,
            )
        )

    promise("callback_same_day", "2026-11-04T17:30", "kept", "2026-11-04T15:00")
    promise("negotiation_feedback", "2026-11-10T17:30", "broken", "2026-11-12T10:00")
    promise("callback_same_day", "2026-11-11T17:30", "cancelled", "2026-11-11T09:00")
    promise("complaint_feedback", "2026-11-20T17:30", "broken", None)
    promise("callback_same_day", "2026-12-01T17:30", "open", None)  # due after the month

    plan = VisitPlan(owner_id=zhang.id, week="2026-W46", status="approved")  # type: ignore[arg-type]
    s.add(plan)
    s.flush()
    for day, status in (
        ("10", "done"),
        ("11", "cancelled"),
        ("12", "rescheduled"),
        ("25", "planned"),
    ):
        starts = at(f"2026-11-{day}T10:00")
        s.add(
            VisitPlanItem(
                plan_id=plan.id,
                customer_id=customers["K1"].id,
                starts_at=starts,  # type: ignore[arg-type]
                ends_at=starts + timedelta(hours=1),
                purpose="courtesy_call",
                status=status,
            )
        )

    def task(due: str, status: str, closed: str | None) -> None:
        row = f.task(zhang, due, status=status)
        row.closed_at = at(closed) if closed else None

    task("2026-11-05T08:30", "done", "2026-11-04T15:00")
    task("2026-11-06T08:30", "done", "2026-11-08T15:00")
    task("2026-11-10T08:30", "open", None)
    task("2026-11-12T08:30", "cancelled", "2026-11-11T15:00")
    task("2026-11-24T08:30", "open", None)
    # the after-sale task above is due 11-20 and done before: on time

    referrals(f, customers, zhang=zhang, sun=sun, lina=lina, teller=teller)
    opportunities(f, customers, zhang=zhang, sun=sun, head=people[4])
    credit_files(f, customers, zhang=zhang, sun=sun)

    s.add(StaffLeave(staff_id=lina.id, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20)))  # type: ignore[arg-type]
    for day in range(2, 21):
        d = date(2026, 11, day)
        if d.weekday() >= 5:
            continue
        for person, submits in ((zhang, day <= 6), (lina, day < 16)):
            if submits:
                s.add(
                    WorkLog(
                        staff_id=person.id,
                        day=d,
                        content="日志",  # type: ignore[arg-type]
                        submitted_at=at(f"2026-11-{day:02d}T17:20"),
                    )
                )


def referrals(f: Factory, customers: dict[str, Customer], **staff: Staff) -> None:
    """Referrals to 张伟 and 孙丽 by the teller 刘洋 and by 李娜 (test_reports counts them)."""
    s = f.session
    zhang, sun, lina, teller = (staff[k] for k in ("zhang", "sun", "lina", "teller"))
    lead = Lead(
        name="钱多多", phone="13800000001", source="referral", referrer_id=lina.id,
        owner_id=zhang.id, created_at=at("2026-11-16T10:00"), allocated_at=at("2026-11-16T14:00"),
    )  # fmt: skip
    s.add(lead)
    s.flush()

    def referral(
        by: Staff, to: Staff | None, who: str, made: str, due: str | None, contacted: str | None,
        window: str, status: str = "open", outcome: str | None = None, **more: Any,
    ) -> None:  # fmt: skip
        s.add(
            Referral(
                at=at(made), referrer_id=by.id, need="想了解理财", product="wealth",  # type: ignore[arg-type]
                customer_id=customers[who].id if who in customers else None,
                lead_id=lead.id if who == "lead" else None, to_id=to.id if to else None,
                received_at=at(made) if to else None, contact_due=at(due) if due else None,
                contacted_at=at(contacted) if contacted else None,
                window_ends=date.fromisoformat(window), status=status,
                outcome_at=at(outcome) if outcome else None, **more,
            )
        )  # fmt: skip

    # R1: contacted in time, converted on 11-10
    referral(teller, zhang, "K1", "2026-11-02T10:00", "2026-11-03T17:30", "2026-11-02T15:00",
             "2027-01-31", "converted", "2026-11-10T09:00")  # fmt: skip
    # R2: contacted late (its deadline in November), lost on 11-15
    referral(lina, zhang, "K2", "2026-11-09T10:00", "2026-11-10T17:30", "2026-11-12T10:00",
             "2027-02-07", "lost", "2026-11-15T11:00", lost_reason="已在他行购买")  # fmt: skip
    # R3: a lead from the pool, allocated the same day and contacted in time; in its window
    referral(lina, zhang, "lead", "2026-11-16T14:00", "2026-11-17T17:30", "2026-11-17T09:00",
             "2027-02-14")  # fmt: skip
    # R4: received on Friday, its deadline this evening (after now): not decided yet
    referral(teller, zhang, "K3", "2026-11-20T16:00", "2026-11-23T17:30", None, "2027-02-18")
    # R5: received 10-30, contacted 10-31 before its deadline of 11-02, converted 10-31: both
    # decided in October
    referral(teller, zhang, "K4", "2026-10-30T16:00", "2026-11-02T17:30", "2026-10-31T10:00",
             "2027-01-28", "converted", "2026-10-31T12:00")  # fmt: skip
    # R6: made in August, contacted then; its window closed on 11-20 without a product: lapsed
    referral(teller, zhang, "K2", "2026-08-22T10:00", "2026-08-24T17:30", "2026-08-24T10:00",
             "2026-11-20")  # fmt: skip
    # R7: 孙丽's K9, by 李娜: contacted late; in its window
    referral(lina, sun, "K9", "2026-11-05T10:00", "2026-11-06T17:30", "2026-11-06T18:00",
             "2027-02-03")  # fmt: skip
    # R8: waiting in the branch pool: nobody's yet
    referral(teller, None, "K1", "2026-11-20T10:00", None, None, "2027-02-18")


Step = tuple[str, str, str | None, str | None]
"""One entry in an opportunity's history: when, action, from step, to step."""


def opportunities(f: Factory, customers: dict[str, Customer], **staff: Staff) -> None:
    """The pipeline of 张伟 and 孙丽, with its history (test_reports counts its figures)."""
    s = f.session
    zhang, sun, head = (staff[k] for k in ("zhang", "sun", "head"))
    lead = s.exec(select(Lead)).one()

    def opportunity(
        owner: Staff, who: str, product: str, value: int, steps: list[Step], **more: Any
    ) -> None:
        entries = [(when, went) for when, _, _, went in steps if went]
        row = Opportunity(
            customer_id=customers[who].id if who in customers else None,
            lead_id=lead.id if who == "lead" else None, product=product, need="需求",
            value_yuan=value, expected_close=date(2026, 12, 31), stage=entries[-1][1],
            stage_since=at(entries[-1][0]), owner_id=owner.id,  # type: ignore[arg-type]
            last_step_at=at(steps[-1][0]), created_at=at(steps[0][0]), **more,
        )  # fmt: skip
        s.add(row)
        s.flush()
        for when, action, came, went in steps:
            by = head if action == "approve" else owner
            s.add(
                OpportunityEvent(
                    opportunity_id=row.id, at=at(when), staff_id=by.id, action=action,  # type: ignore[arg-type]
                    from_stage=came, to_stage=went,
                )
            )  # fmt: skip

    # O1 (张伟, K1): 10 days at select, 16 at prepare (left 11-05); at approach since
    opportunity(zhang, "K1", "wealth", 500_000, [
        ("2026-10-10T09:00", "new", None, "select"),
        ("2026-10-20T09:00", "move", "select", "prepare"),
        ("2026-11-05T09:00", "move", "prepare", "approach"),
    ])  # fmt: skip
    # O2 (张伟, K2): 4 days at needs, 10 at assess; its proposal (1:1.20) waits since 11-16
    opportunity(zhang, "K2", "insurance", 1_200_000, [
        ("2026-11-02T10:00", "new", None, "needs"),
        ("2026-11-06T10:00", "move", "needs", "assess"),
        ("2026-11-16T10:00", "move", "assess", "solution"),
        ("2026-11-16T10:00", "propose", None, None),
    ], proposal="waiting", proposal_at=at("2026-11-16T10:00"), cost_yuan=1_000_000,
       return_yuan=1_200_000)  # fmt: skip
    # O3 (张伟, K3): 6 days at select, 9.5 at prepare, won from there on 11-18 at 21:00
    opportunity(zhang, "K3", "fund", 300_000, [
        ("2026-11-03T09:00", "new", None, "select"),
        ("2026-11-09T09:00", "move", "select", "prepare"),
        ("2026-11-18T21:00", "won", "prepare", "relationship"),
    ], status="won", closed_at=at("2026-11-18T21:00"), close_reason="客户认购")  # fmt: skip
    # O4 (张伟, K4): made in October, lost at select on 11-20 (a loss is no step's time)
    opportunity(zhang, "K4", "wealth", 800_000, [
        ("2026-10-28T09:00", "new", None, "select"),
        ("2026-11-20T10:00", "lost", "select", None),
    ], status="lost", closed_at=at("2026-11-20T10:00"), close_reason="已在他行购买")  # fmt: skip
    # O5 (张伟, the lead 钱多多): at select since 11-17
    opportunity(zhang, "lead", "wealth", 200_000, [("2026-11-17T10:00", "new", None, "select")])
    # O6 (孙丽, K9): at approach since October
    opportunity(sun, "K9", "deposit", 2_000_000, [("2026-10-01T09:00", "new", None, "approach")])
    # O7 (孙丽, K9): won in October after 20 days at select
    opportunity(sun, "K9", "fund", 100_000, [
        ("2026-10-05T09:00", "new", None, "select"),
        ("2026-10-25T09:00", "won", "select", "relationship"),
    ], status="won", closed_at=at("2026-10-25T09:00"))  # fmt: skip
    # O8 (孙丽, K9): 9 days at assess; its proposal waited from 11-10 09:00 until the branch
    # head approved it on 11-12; 3 days at solution; at close since 11-13
    opportunity(sun, "K9", "insurance", 600_000, [
        ("2026-11-01T09:00", "new", None, "assess"),
        ("2026-11-10T09:00", "move", "assess", "solution"),
        ("2026-11-10T09:00", "propose", None, None),
        ("2026-11-12T09:00", "approve", None, None),
        ("2026-11-13T09:00", "move", "solution", "close"),
    ], proposal="approved", proposal_at=at("2026-11-10T09:00"),
       decided_at=at("2026-11-12T09:00"), decided_by_id=head.id, cost_yuan=500_000,
       return_yuan=600_000)  # fmt: skip


Entry = tuple[str, str]
"""One entry in a credit file's history: when, action (signed, returned and superseded by the
risk manager, the rest by the file's manager)."""

_BY_RISK = ("sign", "return", "superseded")
_STATE_AFTER = {"new": "draft", "revise": "draft", "submit": "submitted", "sign": "approved",
                "return": "returned", "superseded": "superseded"}  # fmt: skip


def credit_files(f: Factory, customers: dict[str, Customer], **staff: Staff) -> None:
    """The credit files of 张伟's and 孙丽's customers, submitted to the risk managers 冯控
    (fengkong) and 赵风控 (zhaofk), with their history and post-loan checks (test_credit_figures
    counts them)."""
    s = f.session
    zhang, sun = staff["zhang"], staff["sun"]
    risk = {
        login: Staff(login=login, name=name, role="risk_manager", branch_id=zhang.branch_id,
                     created_at=at("2026-01-01T09:00"))
        for login, name in (("fengkong", "冯控"), ("zhaofk", "赵风控"))
    }  # fmt: skip
    s.add_all(risk.values())
    s.flush()
    made: dict[str, CreditFile] = {}

    def credit(
        key: str, who: str, grade: str, to: str, entries: list[Entry], previous: str = ""
    ) -> None:
        owner = sun if who == "K9" else zhang
        state = _STATE_AFTER[entries[-1][1]]

        def when(action: str) -> list[datetime]:
            return [at(moment) for moment, done in entries if done == action]

        submits, signs, returns = when("submit"), when("sign"), when("return")
        before = made.get(previous)
        row = CreditFile(
            customer_id=customers[who].id, product="流动资金贷款", amount_yuan=1_000_000,  # type: ignore[arg-type]
            term_months=12, purpose="采购原材料", risk_grade=grade, state=state,
            owner_id=owner.id, risk_manager_id=risk[to].id if submits else None,  # type: ignore[arg-type]
            submitted_at=submits[-1] if submits else None,
            submitted_by_id=owner.id if submits else None,
            signed_at=signs[0] if signs else None,
            returned_at=returns[-1] if returns else None,
            return_comment="请补充近三个月银行流水" if state == "returned" else None,
            file_version=2 if before else 1, previous_id=before.id if before else None,
            schedule_from=before.schedule_from if before else (
                signs[0].astimezone(clock.branch_tz()).date() if signs else None
            ),
            created_at=at(entries[0][0]), updated_at=at(entries[-1][0]),
        )  # fmt: skip
        s.add(row)
        s.flush()
        for moment, action in entries:
            by = risk[to] if action in _BY_RISK else owner
            s.add(CreditEvent(file_id=row.id, at=at(moment), staff_id=by.id, action=action))  # type: ignore[arg-type]
        made[key] = row

    def check(
        key: str, seq: int, planned: str, due: str, done: str | None = None, late: str = ""
    ) -> None:
        file = made[key]
        s.add(
            PostLoanCheck(
                file_id=file.id, seq=seq, planned_on=date.fromisoformat(planned),  # type: ignore[arg-type]
                due_on=date.fromisoformat(due), done_at=at(done) if done else None,
                done_by_id=file.owner_id if done else None,
                findings="经营正常" if done else None, escalated_at=at(late) if late else None,
            )
        )  # fmt: skip

    # F1 (张伟, K1): signed by 冯控 in October after 2 days; its first check, due 11-13, done
    # the day before: on time
    credit("F1", "K1", "medium", "fengkong", [("2026-10-08T10:00", "new"),
           ("2026-10-12T10:00", "submit"), ("2026-10-14T10:00", "sign")])  # fmt: skip
    check("F1", 1, "2026-11-13", "2026-11-13", "2026-11-12T15:00")
    check("F1", 2, "2027-02-13", "2027-02-15")
    # F2 (张伟, K2): made in October (a draft at its end), signed by 冯控 on 11-09 4.25 days
    # after its submission
    credit("F2", "K2", "high", "fengkong", [("2026-10-28T10:00", "new"),
           ("2026-11-05T10:00", "submit"), ("2026-11-09T16:00", "sign")])  # fmt: skip
    check("F2", 1, "2026-12-09", "2026-12-09")
    # F3 (张伟, K3): waiting for 冯控 since 11-18; F4 (张伟, K4): a draft
    credit("F3", "K3", "medium", "fengkong", [("2026-11-16T10:00", "new"),
           ("2026-11-18T14:00", "submit")])  # fmt: skip
    credit("F4", "K4", "medium", "", [("2026-11-19T10:00", "new")])
    # F5 (孙丽, K9): returned by 赵风控, submitted again on 11-16 and signed a day later
    credit("F5", "K9", "medium", "zhaofk", [("2026-11-02T10:00", "new"),
           ("2026-11-10T09:00", "submit"), ("2026-11-11T09:00", "return"),
           ("2026-11-16T09:00", "submit"), ("2026-11-17T09:00", "sign")])  # fmt: skip
    # F6 (孙丽, K9, high risk: a check a month): approved in August; its third check, due
    # 11-02, done at 07:00 the next morning (late: 23:00 UTC on its day); superseded on 11-20
    # by its second version F7 (revised 11-18, signed by 赵风控 a day after its submission),
    # which took its open check along
    credit("F6", "K9", "high", "zhaofk", [("2026-07-20T10:00", "new"),
           ("2026-07-30T10:00", "submit"), ("2026-08-03T10:00", "sign"),
           ("2026-11-20T10:00", "superseded")])  # fmt: skip
    check("F6", 1, "2026-09-02", "2026-09-02", "2026-09-02T10:00")
    check("F6", 2, "2026-10-02", "2026-10-09", "2026-10-09T10:00")
    check("F6", 3, "2026-11-02", "2026-11-02", "2026-11-03T07:00")
    credit("F7", "K9", "high", "zhaofk", [("2026-11-18T10:00", "revise"),
           ("2026-11-19T10:00", "submit"), ("2026-11-20T10:00", "sign")], "F6")  # fmt: skip
    check("F7", 4, "2026-12-02", "2026-12-02")
    # F8 (张伟, K1): returned by 赵风控 on Friday
    credit("F8", "K1", "medium", "zhaofk", [("2026-11-17T10:00", "new"),
           ("2026-11-19T10:00", "submit"), ("2026-11-20T11:00", "return")])  # fmt: skip
    # F9 (张伟, K4): signed by 赵风控 in October after 3 days; its first check, due 11-18, not
    # done (escalated at midnight): late
    credit("F9", "K4", "medium", "zhaofk", [("2026-10-12T10:00", "new"),
           ("2026-10-16T10:00", "submit"), ("2026-10-19T10:00", "sign")])  # fmt: skip
    check("F9", 1, "2026-11-18", "2026-11-18", late="2026-11-19T00:01")
    # F10 (张伟, K2): signed by 冯控 in October after 1.25 days; its first check, planned on
    # Saturday 11-21, is due today and not done yet: undecided
    credit("F10", "K2", "medium", "fengkong", [("2026-10-15T10:00", "new"),
           ("2026-10-21T10:00", "submit"), ("2026-10-22T16:00", "sign")])  # fmt: skip
    check("F10", 1, "2026-11-21", "2026-11-23")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The world, built once per module into a SQLite file each test copies (on PostgreSQL
    each test builds it in its own database instead: ``None``)."""
    if POSTGRESQL:
        return None
    path = tmp_path_factory.mktemp("reports") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    clock.freeze(MONDAY_MORNING)
    try:
        with unit_of_work(engine) as session:
            build_world(Factory(session))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        clock.set_now(None)
        engine.dispose()
    return path
