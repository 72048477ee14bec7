"""The branch pool (issue 20, item 2): a customer without an owner is never invisible and its
work is never lost; it is allocated by hand or by rule, through the one ownership change.

Given a branch: 王芳 (wangfang, senior) and 李强 (liqiang) are A/B partners in team 1 and serve
西湖区; 小新 (xiaoxin, a trainee) serves 滨江区; 电话经理 刘洋 (liuyang) phones the mass
customers; 陈主管 leads team 1; 周行长 (zhouhz) is the branch head and keeps the pool. On Monday
2026-11-23 the branch imports customers without a manager.
"""

from __future__ import annotations

import csv
import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.config import load_settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, Customer, Staff, Task
from cmworkbench.services.workbench import login

SETTINGS = load_settings(env={})
HEADER = ["客户号", "客户名称", "类别", "客户经理", "区域", "行业"]


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CMW_LANGUAGE", "en")
    i18n.set_language("en")
    clock.freeze("2026-11-23T08:30")
    yield
    clock.set_now(None)


@pytest.fixture
def db(database_url: str, build) -> str:
    """The branch's database URL (SQLite, or PostgreSQL with ``CMW_TEST_DATABASE``)."""
    with build() as f:
        b = f.branch()
        team1, team2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        wang = f.staff(b, "wangfang", "王芳", team=team1)
        li = f.staff(b, "liqiang", "李强", team=team1)
        wang.backup_id, li.backup_id = li.id, wang.id
        xin = f.staff(b, "xiaoxin", "小新", team=team2)
        xin.grade = "trainee"
        liu = f.staff(b, "liuyang", "刘洋", role="phone_manager", team=team2)
        f.staff(b, "chenzg", "陈主管", role="supervisor", team=team1)
        f.staff(b, "zhouhz", "周行长", role="branch_head")
        for n, (owner, area) in enumerate(((wang, "西湖区"), (xin, "滨江区"), (liu, "西湖区"))):
            customer = f.customer(owner, f"K{n}", f"老客户{n}", cls="B1" if n < 2 else "C")
            customer.area = area
            f.session.add(customer)
    return database_url


def cmw(db: str, command: str, now: str = "2026-11-23T08:30") -> int:
    try:
        return main(["--db", db, "--now", now, *shlex.split(command)])
    except SystemExit as exited:
        return int(exited.code or 0)


def pooled(db: str, tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "pool.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    assert cmw(db, f"import customers {path}") == 0


def finds(engine: Engine, who: str, query: str) -> list[str]:
    return [h.customer_no for h in login(engine, SETTINGS, who).customers.search(query)]


def owner_of(engine: Engine, customer_no: str) -> tuple[str | None, str | None]:
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer).where(Customer.customer_no == customer_no)).one()
        people = {s.id: s.login for s in session.exec(select(Staff)).all()}
        return people.get(customer.owner_id), people.get(customer.backup_id)


def test_a_customer_imported_without_an_owner_is_found_kept_and_then_assigned(
    db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pooled(db, tmp_path, [["P001", "西湖制造", "A1", "", "西湖区", "制造业"]])
    assert "1 without an owner" in capsys.readouterr().out
    # Found by the branch head and the supervisor, in search and export; not by a manager.
    assert finds(engine, "zhouhz", "P001") == ["P001"]
    assert finds(engine, "chenzg", "P001") == ["P001"]
    assert finds(engine, "wangfang", "P001") == []
    out = tmp_path / "all.csv"
    assert cmw(db, f"export customers -o {out} --as zhouhz") == 0
    with out.open(encoding="utf-8-sig") as f:
        assert "P001" in {row[0] for row in csv.reader(f)}
    # In the pool list, kept by the branch head; the morning's generation gives him its work.
    capsys.readouterr()
    assert cmw(db, "pool list --as zhouhz --json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["customer_no"], c["keeper"]) for c in listed] == [("P001", "zhouhz")]
    assert cmw(db, "generate", now="2026-11-23T06:30") == 0
    capsys.readouterr()
    assert cmw(db, "today --as zhouhz --json") == 0
    today = json.loads(capsys.readouterr().out)
    shown = {r["customer_no"] for r in today["rows"]}
    assert "P001" in shown, "the pooled customer's work is on the keeper's Today"
    # Assigned by hand: in 王芳's book with her B角, found by both, its work with it.
    assert cmw(db, "pool assign P001 --to wangfang --as zhouhz") == 0
    assert owner_of(engine, "P001") == ("wangfang", "liqiang")
    assert finds(engine, "wangfang", "P001") == ["P001"]
    assert finds(engine, "liqiang", "P001") == ["P001"], "the B角 sees it"
    with unit_of_work(engine) as session:
        wang = session.exec(select(Staff).where(Staff.login == "wangfang")).one()
        tasks = session.exec(
            select(Task).join(Customer).where(Customer.customer_no == "P001", Task.status == "open")
        ).all()
        assert tasks and {t.owner_id for t in tasks} == {wang.id}
        moved = session.exec(
            select(AuditLog).where(AuditLog.action == "handover", AuditLog.detail == "- → wangfang")
        ).all()
        assert len(moved) == 1
    capsys.readouterr()
    assert cmw(db, "pool list --as zhouhz --json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_allocating_by_area_as_a_dry_run_changes_nothing_and_says_what_would_move(
    db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pooled(
        db,
        tmp_path,
        [
            ["P001", "西湖制造", "A1", "", "西湖区", ""],
            ["P002", "西湖小店", "C", "", "西湖区", ""],
            ["P003", "远郊农场", "B1", "", "萧山区", ""],
        ],
    )
    capsys.readouterr()
    assert cmw(db, "pool allocate --by area --dry-run --as zhouhz --json") == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["done"] is False
    assert {m["customer_no"]: m["to_login"] for m in plan["moves"]} == {
        "P001": "wangfang",  # the senior manager serving 西湖区
        "P002": "liuyang",  # C-class: the phone manager's book, who serves 西湖区 too
        "P003": None,  # nobody serves 萧山区 yet
    }
    assert "萧山区" in next(m["reason"] for m in plan["moves"] if m["customer_no"] == "P003")
    assert [owner_of(engine, no)[0] for no in ("P001", "P002", "P003")] == [None, None, None]
    assert cmw(db, "pool allocate --by area --as zhouhz") == 0
    assert [owner_of(engine, no)[0] for no in ("P001", "P002", "P003")] == [
        "wangfang",
        "liuyang",
        None,
    ]


def test_a_trainee_is_never_given_an_a1_customer_by_allocation(
    db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """滨江区 is served by the trainee only: the A1 customer there stays in the pool, said so;
    by class it goes to the smallest book among those whose grade may own A1 (李强, empty)."""
    pooled(db, tmp_path, [["P009", "滨江集团", "A1", "", "滨江区", ""]])
    capsys.readouterr()
    assert cmw(db, "pool allocate --by area --as zhouhz --json") == 0
    (move,) = json.loads(capsys.readouterr().out)["moves"]
    assert move["to_login"] is None and owner_of(engine, "P009") == (None, None)
    assert cmw(db, "pool allocate --by class --as zhouhz") == 0
    assert owner_of(engine, "P009") == ("liqiang", "wangfang")


def test_only_supervisors_the_branch_head_and_the_admin_work_the_pool(
    db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pooled(db, tmp_path, [["P001", "西湖制造", "A1", "", "西湖区", ""]])
    capsys.readouterr()
    assert cmw(db, "pool list --as wangfang") != 0
    assert "branch pool is for supervisors" in capsys.readouterr().err
    # An owned customer is not in the pool: refused, and nothing moves.
    assert cmw(db, "pool assign P001 K0 --to liqiang --as zhouhz") != 0
    assert "K0" in capsys.readouterr().err
    assert owner_of(engine, "P001") == (None, None)
    # A trainee may not be given an A1 customer by hand either.
    assert cmw(db, "pool assign P001 --to xiaoxin --as zhouhz") != 0
    assert "trainee" in capsys.readouterr().err
    assert owner_of(engine, "P001") == (None, None)
    with unit_of_work(engine) as session:
        assert session.exec(select(AuditLog).where(col(AuditLog.action) == "handover")).all() == []


def test_a_manager_claims_a_pooled_customer_named_exactly_and_the_first_claim_wins(
    db: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """李强 served 西湖制造 at the counter: he claims it by its phone, it is his, audited; 王芳
    claiming it after him finds nothing, as she would for any number that is not pooled."""
    path = tmp_path / "pool.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(
            [
                ["客户号", "客户名称", "类别", "客户经理", "电话"],
                ["P001", "西湖制造", "B1", "", "13800001234"],
            ]
        )
    assert cmw(db, f"import customers {path}") == 0
    capsys.readouterr()
    assert cmw(db, "pool claim 1380000 --as liqiang") != 0, "no browsing by part of a number"
    refused = capsys.readouterr().err
    assert "No customer in the branch pool" in refused and "1380000" not in refused, "masked"
    assert cmw(db, f"pool claim {'X' * 5000} --as liqiang") != 0
    assert len(capsys.readouterr().err) < 300, "a huge typed value is not echoed whole"
    assert cmw(db, "pool claim 138-0000-1234 --as liqiang") == 0
    assert "P001" in capsys.readouterr().out
    assert owner_of(engine, "P001") == ("liqiang", "wangfang")
    assert cmw(db, "pool claim P001 --as wangfang") != 0
    assert "No customer in the branch pool" in capsys.readouterr().err
    assert cmw(db, "pool claim K1 --as wangfang") != 0, "an owned customer is not claimable"
    with unit_of_work(engine) as session:
        claims = session.exec(select(AuditLog).where(AuditLog.action == "claim")).all()
        assert [(a.detail, a.customer_id is not None) for a in claims] == [("- → liqiang", True)]


def test_a_manager_who_leaves_can_hand_the_book_to_the_pool_and_no_work_is_dropped(
    db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(db, "generate", now="2026-11-23T06:30") == 0
    with unit_of_work(engine) as session:
        open_before = session.exec(
            select(Task.id)
            .join(Customer)
            .where(Customer.customer_no == "K0", Task.status == "open")
        ).all()
    assert open_before, "王芳's customer has work due"
    assert cmw(db, "handover --from wangfang --to pool --dry-run --as zhouhz") == 0
    assert owner_of(engine, "K0")[0] == "wangfang", "a dry run moves nothing"
    assert cmw(db, "handover --from wangfang --to pool --as zhouhz") == 0
    assert owner_of(engine, "K0") == (None, None)
    assert finds(engine, "wangfang", "K0") == [], "she no longer sees it"
    assert finds(engine, "zhouhz", "K0") == ["K0"]
    with unit_of_work(engine) as session:
        head = session.exec(select(Staff).where(Staff.login == "zhouhz")).one()
        tasks = session.exec(select(Task).where(col(Task.id).in_(open_before))).all()
        assert {(t.status, t.owner_id) for t in tasks} == {("open", head.id)}
    capsys.readouterr()
    assert cmw(db, "pool list --as chenzg --json") == 0
    assert [(c["customer_no"], c["keeper"]) for c in json.loads(capsys.readouterr().out)] == [
        ("K0", "zhouhz")
    ]
