"""Customer handover (客户移交): customers and their open work move; everything audited."""

import csv
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import (
    AuditLog,
    Complaint,
    ComplaintEvent,
    Customer,
    Notification,
    Staff,
    Task,
    VisitPlan,
    VisitPlanItem,
)
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.customers.handover import handover
from cmworkbench.services.customers.search import search_customers

GRADES = {"senior": ["A1", "A2", "B1", "B2", "C"], "second": ["B1", "B2", "C"]}
WEEK = "2026-W48"


@pytest.fixture
def world(build, frozen_clock):
    """wangfang (leaving) owns C1 (A1), C2 (B1) and C3 (C, area 西湖区); lina (senior, team
    1, supervisor zhouqiang) and zhaolei (grade second) may receive."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        wangfang = f.staff(branch, "wangfang", "王芳", team=team)
        lina = f.staff(branch, "lina", "李娜", team=team)
        zhaolei = f.staff(branch, "zhaolei", "赵磊", team=team)
        zhaolei.grade = "second"
        lina.backup_id = zhaolei.id
        f.staff(branch, "zhouqiang", "周强", role="supervisor", team=team)
        f.staff(branch, "head", "周建国", role="branch_head")
        c1 = f.customer(wangfang, "C1", "杭州钢铁", cls="A1")
        c2 = f.customer(wangfang, "C2", "西湖茶业", cls="B1")
        c3 = f.customer(wangfang, "C3", "王小明", cls="C")
        c3.area = "西湖区"
        c2.backup_id = lina.id  # the receiver was the B: her own partner takes that role
        # (C1 and C3 have no B: after the handover, each has lina's partner, 赵磊)
        f.customer(lina, "L1", "李的客户", cls="B2")
        f.session.add_all([zhaolei, lina, c2, c3])
        f.session.flush()
        for customer in (c1, c2):
            task = f.task(wangfang, "2026-11-24T10:00")
            task.customer_id = customer.id
            f.session.add(task)
        done = f.task(wangfang, "2026-11-20T10:00", status="done")
        done.customer_id = c1.id
        plan = f.visit_plan(wangfang, WEEK)
        plan.status = "approved"
        lina_plan = f.visit_plan(lina, WEEK)
        lina_plan.status = "approved"
        now = clock.now()
        for customer, hours in ((c1, 26), (c2, -2)):  # a visit tomorrow, one this morning
            f.session.add(
                VisitPlanItem(
                    plan_id=plan.id,
                    customer_id=customer.id,
                    starts_at=now + timedelta(hours=hours),
                    ends_at=now + timedelta(hours=hours + 1),
                    purpose="maintenance",
                )
            )
        f.complaint(wangfang, c1, "T1")
        f.complaint(wangfang, c2, "T2", status="closed")
        f.session.add_all([done, plan, lina_plan])
    return build


def _actor(engine, login):
    with engine.connect() as conn:
        return find_actor(conn, login)


def _hand(engine, actor="head", **kw):
    values = {"from_login": "wangfang", "to_login": "lina", **kw}
    with unit_of_work(engine) as s:
        return handover(session=s, actor=_actor(engine, actor), grades=GRADES, **values)


def _owners(engine):
    with Session(engine) as s:
        rows = s.exec(select(Customer.customer_no, Staff.login).join(
            Staff, col(Staff.id) == Customer.owner_id)).all()  # fmt: skip
    return dict(rows)


def test_the_whole_book_moves_with_open_tasks_planned_visits_and_open_complaints(engine, world):
    report = _hand(engine)
    assert (report.customers, report.tasks, report.visits, report.complaints) == (3, 2, 1, 1)
    assert report.by_class == {"A1": 1, "B1": 1, "C": 1}
    assert report.backups_changed == 3, "each customer's B角 is now the receiver's partner"
    assert [x.customer_no for x in report.lines] == ["C1", "C2", "C3"]
    assert _owners(engine) == {"C1": "lina", "C2": "lina", "C3": "lina", "L1": "lina"}
    with Session(engine) as s:
        ids = dict(s.exec(select(Staff.login, Staff.id)).all())
        tasks = s.exec(select(Task.status, Task.owner_id)).all()
        assert sorted(tasks) == sorted(
            [("open", ids["lina"]), ("open", ids["lina"]), ("done", ids["wangfang"])]
        ), "open tasks follow; a done task stays with who did it"
        items = s.exec(select(VisitPlanItem, VisitPlan).join(
            VisitPlan, col(VisitPlan.id) == VisitPlanItem.plan_id)).all()  # fmt: skip
        owners = {i.starts_at > clock.now(): p.owner_id for i, p in items}
        assert owners == {True: ids["lina"], False: ids["wangfang"]}, "only future visits move"
        plans = {p.owner_id: p.status for p in s.exec(select(VisitPlan)).all()}
        assert plans[ids["lina"]] == "submitted", "her approved plan gained a visit: re-approve"
        tickets = {c.ticket_no: c.owner_id for c in s.exec(select(Complaint)).all()}
        assert tickets == {"T1": ids["lina"], "T2": ids["wangfang"]}
        event = s.exec(select(ComplaintEvent).where(ComplaintEvent.action == "reassign")).one()
        assert "王芳" in (event.note or "") and "李娜" in (event.note or "")
        backups = dict(s.exec(select(Customer.customer_no, Customer.backup_id)).all())
        assert backups["C2"] == ids["zhaolei"], "A and B are never one person"
        assert backups["C1"] == backups["C3"] == ids["zhaolei"], "李娜's partner backs them up"
        audit = s.exec(select(AuditLog).where(AuditLog.action == "handover")).all()
        per_customer = sorted(a.customer_id for a in audit if a.object_type == "customer")
        assert len(per_customer) == 3 and len(set(per_customer)) == 3
        assert all(a.staff_id == ids["head"] for a in audit)
        assert any(a.object_type == "complaint" for a in audit)
        told = {n.recipient_id for n in s.exec(select(Notification)).all()}
        assert told == {ids["lina"], ids["wangfang"], ids["zhouqiang"]}
    with unit_of_work(engine) as s:
        hits = search_customers(session=s, actor=_actor(engine, "lina"), query="杭州钢铁")
        assert [h.customer_no for h in hits] == ["C1"], "the search index follows at once"
        assert search_customers(session=s, actor=_actor(engine, "wangfang"), query="杭州钢铁") == []


def test_a_part_of_the_book_by_class_area_or_number(engine, world):
    _hand(engine, to_login="zhaolei", classes=["c"], areas=["西湖区"])
    assert _owners(engine)["C3"] == "zhaolei"
    _hand(engine, customer_nos=["c2"])
    assert _owners(engine) == {"C1": "wangfang", "C2": "lina", "C3": "zhaolei", "L1": "lina"}


@pytest.mark.parametrize(
    ("kw", "error", "says"),
    [
        ({"to_login": "zhaolei"}, InvalidInput, "A1"),  # grade second may not own A1
        ({"to_login": "wangfang"}, InvalidInput, "wangfang"),
        ({"to_login": "zhouqiang"}, InvalidInput, "zhouqiang"),  # not a manager
        ({"to_login": "nobody"}, NotFound, "nobody"),
        ({"customer_nos": ["C1", "L1"]}, InvalidInput, "L1"),  # not in her book
        ({"classes": ["A2"]}, InvalidInput, "wangfang"),  # nothing matches
        ({"actor": "zhouqiang"}, OutOfScope, None),
        ({"actor": "lina"}, OutOfScope, None),
    ],
)
def test_refusals_say_why_and_move_nothing(engine, world, kw, error, says):
    before = _owners(engine)
    with pytest.raises(error, match=says):
        _hand(engine, **kw)
    assert _owners(engine) == before
    with Session(engine) as s:
        assert s.exec(select(AuditLog)).all() == []


def test_a_dry_run_reports_and_changes_nothing(engine, world):
    report = _hand(engine, dry_run=True)
    assert (report.done, report.customers, report.tasks) == (False, 3, 2)
    assert _owners(engine)["C1"] == "wangfang"
    with Session(engine) as s:
        assert s.exec(select(AuditLog)).all() == []


def test_cli_handover_writes_the_report(tmp_path, database_url, engine, world, capsys):
    url = database_url
    out = tmp_path / "移交清单.csv"
    run = ["--db", url, "--now", "2026-11-23T08:30", "handover", "--from", "wangfang"]
    assert main([*run, "--to", "zhaolei"]) == 2
    assert "A1" in capsys.readouterr().err
    assert main([*run, "--to", "lina", "--as", "head", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["customers"], report["done"]) == (3, True)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:]] == ["C1", "C2", "C3"]
    assert rows[1][1] == "杭州钢铁"
    assert main(["--db", url, "audit", "--staff", "head", "--as", "head", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {e["customer_no"] for e in entries if e["action"] == "handover"} == {"C1", "C2", "C3"}
