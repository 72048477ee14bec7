"""The audit log: ``cmw audit`` with its filters, scope per role, reveals, and the log being
append-only in the database itself."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer, Staff
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.customers import reveal as privacy


def actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


@pytest.fixture
def url(database_url: str, build, engine: Engine, settings: Settings) -> str:
    """Team 1: 王芳 and 李强 (managers), 陈主管 (supervisor); team 2: 赵丽 (manager); the branch
    head 周行长 and the admin. Customers: C001 (王芳), C002 (李强), C003 (赵丽).

    Entries (branch time): Sunday 22nd 23:30 王芳 updates C001; Monday 23rd 00:10 李强
    updates C002; 09:00 陈主管 verifies C001; 10:00 赵丽 updates C003; 11:00 王芳 reveals
    C001's phone (through the privacy service); 12:00 a system entry with no customer.
    """
    with build() as f:
        branch = f.branch()
        team1, team2 = f.team(branch, "对公一组"), f.team(branch, "对公二组")
        wang = f.staff(branch, "wangfang", "王芳", team=team1)
        li = f.staff(branch, "liqiang", "李强", team=team1)
        chen = f.staff(branch, "chenzg", "陈主管", role="supervisor", team=team1)
        zhao = f.staff(branch, "zhaoli", "赵丽", team=team2)
        f.staff(branch, "zhouhz", "周行长", role="branch_head")
        f.staff(branch, "admin", "管理员", role="admin")
        customers = {
            no: f.customer(owner, no, name)
            for no, owner, name in (
                ("C001", wang, "小王商店"),
                ("C002", li, "小李超市"),
                ("C003", zhao, "小赵餐馆"),
            )
        }
        actors = {s.login: actor(s) for s in (wang, li, chen, zhao)}

    def write(at: str, login: str | None, action: str, customer_no: str | None) -> None:
        clock.freeze(at)
        clock.freeze_wall(at)  # done at that time for real: --since reads the real time
        with unit_of_work(engine) as session:
            customer: Customer | None = customers[customer_no] if customer_no else None
            audit.record(
                session,
                actor=actors[login] if login else None,
                action=action,
                object_type="customer" if customer else "job",
                object_id=customer.id if customer else None,
                customer_id=customer.id if customer else None,
                field_name="phone" if action == "update" else None,
                detail=f"{action} by {login}",
            )

    write("2026-11-22T23:30", "wangfang", "update", "C001")
    write("2026-11-23T00:10", "liqiang", "update", "C002")
    write("2026-11-23T09:00", "chenzg", "verify", "C001")
    write("2026-11-23T10:00", "zhaoli", "update", "C003")
    clock.freeze("2026-11-23T11:00")
    clock.freeze_wall("2026-11-23T11:00")
    with unit_of_work(engine) as session:
        privacy.reveal(
            session=session,
            actor=actors["wangfang"],
            settings=settings,
            customer_no="C001",
            field_name="phone",
        )
    write("2026-11-23T12:00", None, "export", None)
    clock.freeze("2026-11-23T13:00")
    return database_url


def cmw(url: str, command: str) -> int:
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def entries(capsys: pytest.CaptureFixture[str], url: str, command: str = "") -> list[Any]:
    assert cmw(url, f"audit {command} --json") == 0, capsys.readouterr().err
    out: list[Any] = json.loads(capsys.readouterr().out)
    return out


def seen(rows: list[Any]) -> list[tuple[str | None, str, str | None]]:
    return [(r["staff"], r["action"], r["customer_no"]) for r in rows]


def test_the_admin_sees_the_whole_branch_newest_first(url, capsys):
    rows = entries(capsys, url)
    assert seen(rows) == [
        (None, "export", None),
        ("wangfang", "reveal", "C001"),
        ("zhaoli", "update", "C003"),
        ("chenzg", "verify", "C001"),
        ("liqiang", "update", "C002"),
        ("wangfang", "update", "C001"),
    ]
    first_change = rows[-1]
    assert first_change["at"] == "2026-11-22T23:30:00+08:00"
    assert (first_change["staff_name"], first_change["object_type"]) == ("王芳", "customer")
    assert (first_change["field"], first_change["detail"]) == ("phone", "update by wangfang")
    assert isinstance(first_change["id"], int) and isinstance(first_change["object_id"], int)
    assert entries(capsys, url, "--limit 2") == rows[:2]


def test_a_reveal_of_masked_data_is_an_entry(url, capsys):
    (reveal,) = [r for r in entries(capsys, url, "--customer c001") if r["action"] == "reveal"]
    assert (reveal["staff"], reveal["field"], reveal["at"]) == (
        "wangfang",
        "phone",
        "2026-11-23T11:00:00+08:00",
    )


def test_filters_customer_staff_since(url, capsys):
    assert seen(entries(capsys, url, "--customer C001")) == [
        ("wangfang", "reveal", "C001"),
        ("chenzg", "verify", "C001"),
        ("wangfang", "update", "C001"),
    ]
    assert seen(entries(capsys, url, "--staff wangfang")) == [
        ("wangfang", "reveal", "C001"),
        ("wangfang", "update", "C001"),
    ]
    # the 23rd in branch time: 00:10 is in, the 22nd 23:30 is not (UTC: both on the 22nd)
    since = seen(entries(capsys, url, "--since 2026-11-23"))
    assert ("liqiang", "update", "C002") in since
    assert ("wangfang", "update", "C001") not in since and len(since) == 5
    assert seen(entries(capsys, url, "--staff wangfang --customer C001 --since 2026-11-23")) == [
        ("wangfang", "reveal", "C001")
    ]
    assert entries(capsys, url, "--since 2026-11-24") == []


def test_scope_per_role(url, capsys):
    # a manager: their own entries and those about their customers (陈主管's verify of C001)
    assert seen(entries(capsys, url, "--as wangfang")) == [
        ("wangfang", "reveal", "C001"),
        ("chenzg", "verify", "C001"),
        ("wangfang", "update", "C001"),
    ]
    assert seen(entries(capsys, url, "--as zhaoli")) == [("zhaoli", "update", "C003")]
    # a supervisor: the team's entries and those about the team's customers, not team 2's
    assert seen(entries(capsys, url, "--as chenzg")) == [
        ("wangfang", "reveal", "C001"),
        ("chenzg", "verify", "C001"),
        ("liqiang", "update", "C002"),
        ("wangfang", "update", "C001"),
    ]
    # the branch head: the branch, like the admin
    assert len(entries(capsys, url, "--as zhouhz")) == 6
    assert len(entries(capsys, url, "--as admin")) == 6


def test_out_of_scope_customer_and_staff_are_refused(url, capsys):
    assert cmw(url, "audit --customer C002 --as wangfang") == 2
    err = capsys.readouterr().err
    assert "C002" in err and len(err.strip().splitlines()) == 1
    assert cmw(url, "audit --customer C003 --as chenzg") == 2
    assert "C003" in capsys.readouterr().err
    assert cmw(url, "audit --staff zhaoli --as chenzg") == 2
    assert "zhaoli" in capsys.readouterr().err
    assert cmw(url, "audit --staff nobody") == 2
    assert "nobody" in capsys.readouterr().err
    assert cmw(url, "audit --since 23.11.2026") == 2
    capsys.readouterr()


def test_the_service_refuses_with_the_scope_message(url, engine):
    with unit_of_work(engine) as session:
        wang = session.exec(select(Staff).where(Staff.login == "wangfang")).one()
        me = actor(wang)
        with pytest.raises(NotFound, match="C002"):  # as for a customer that does not exist
            audit.search(session=session, actor=me, customer_no="C002")
        newest = audit.search(session=session, actor=me, limit=1)
    assert [(e.customer_no, e.action, e.staff_name) for e in newest] == [("C001", "reveal", "王芳")]


def test_the_table_shows_who_what_and_when(url, capsys):
    assert cmw(url, "audit --customer C001") == 0
    out = capsys.readouterr().out
    for part in ("王芳 (wangfang)", "查看明文", "2026-11-23 11:00", "customer#", "phone"):
        assert part in out
    assert cmw(url, "audit --since 2026-11-30") == 0
    assert "没有审计记录" in capsys.readouterr().out


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET detail = 'changed' WHERE id = 1", "DELETE FROM audit_log WHERE id = 1"],
)
def test_entries_cannot_be_edited_or_removed(url, engine, statement):
    with (
        pytest.raises((IntegrityError, OperationalError), match="append-only"),
        engine.begin() as conn,
    ):
        conn.execute(text(statement))
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_log WHERE id = 1")).scalar_one()
        count = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert (detail, count) == ("update by wangfang", 6)
