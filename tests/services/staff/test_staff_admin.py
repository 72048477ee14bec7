"""Staff administration: add, edit, deactivate, teams, and leave with the A/B rule."""

import json
import sys
from datetime import date

import pytest
from sqlmodel import Session, col, select

from cmworkbench.cli import main
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, Customer, Staff, StaffLeave, Team
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.staff import leave, people, ssh_keys, teams

GRADES = {"senior": ["A1", "A2", "B1", "B2", "C"], "second": ["B1", "B2", "C"], "trainee": ["C"]}
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGn7KXlmTq7rGqgO7C4ns5ZDQJ3aZ+6wQk0kq1y5h2xZ test"


@pytest.fixture
def world(build, frozen_clock):
    """One branch, two teams; wangfang and lina are A/B partners in team 1 (supervisor
    zhouqiang); liuyang manages team 2; customer C1 of wangfang has zhaolei (team 2) as B."""
    with build() as f:
        branch = f.branch()
        one, two = f.team(branch, "对公一组"), f.team(branch, "对公二组")
        wangfang = f.staff(branch, "wangfang", "王芳", team=one)
        lina = f.staff(branch, "lina", "李娜", team=one)
        wangfang.backup_id = lina.id
        f.staff(branch, "zhouqiang", "周强", role="supervisor", team=one)
        f.staff(branch, "liuyang", "刘洋", role="supervisor", team=two)
        zhaolei = f.staff(branch, "zhaolei", "赵磊", team=two)
        f.staff(branch, "head", "周建国", role="branch_head")
        f.staff(branch, "admin", "孙磊", role="admin")
        shared = f.customer(wangfang, "C1", "杭州钢铁", cls="A1")
        shared.backup_id = zhaolei.id
        f.session.add_all([wangfang, shared])
    return build


def _as(engine, login):
    with engine.connect() as conn:
        return find_actor(conn, login)


def test_add_edit_and_show_a_manager_with_every_change_audited(engine, world):
    with unit_of_work(engine) as s:
        added = people.add_staff(
            session=s, actor=None, grades=GRADES, login="qianduo", name=" 钱  多 ",
            role="manager", grade="second", team="对公一组", backup="lina", phone="13800001111",
        )  # fmt: skip
    assert (added.name, added.team, added.backup, added.grade) == (
        "钱 多",
        "对公一组",
        "lina",
        "second",
    )
    with unit_of_work(engine) as s:
        edited = people.edit_staff(
            session=s, actor=_as(engine, "admin"), grades=GRADES, login="qianduo",
            team="对公二组", backup=None, grade="trainee",
        )  # fmt: skip
    assert (edited.team, edited.backup, edited.grade) == ("对公二组", None, "trainee")
    with Session(engine) as s:
        entries = s.exec(select(AuditLog).where(AuditLog.object_type == "staff")).all()
    fields = sorted(e.field_name or e.action for e in entries)
    assert fields == ["backup_id", "create", "grade", "team_id"]
    assert any("对公一组" not in (e.detail or "") for e in entries)


@pytest.mark.parametrize(
    ("fields", "error", "says"),
    [
        ({"login": "Wang Fang"}, InvalidInput, "a-z"),
        ({"login": "wangfang"}, Conflict, "wangfang"),
        ({"role": "teller"}, InvalidInput, "teller"),
        ({"grade": "junior"}, InvalidInput, "junior"),
        ({"team": "对公九组"}, NotFound, "对公九组"),
        ({"backup": "nobody"}, NotFound, "nobody"),
        ({"name": "   "}, InvalidInput, None),
    ],
)
def test_bad_staff_input_is_refused_with_what_and_nothing_is_saved(
    engine, world, fields, error, says
):
    values = {"login": "qianduo", "name": "钱多", "role": "manager", **fields}
    with pytest.raises(error, match=says), unit_of_work(engine) as s:
        people.add_staff(session=s, actor=None, grades=GRADES, **values)
    with Session(engine) as s:
        assert len(s.exec(select(Staff)).all()) == 7, "nobody was added"
        assert s.exec(select(AuditLog)).all() == []


def test_only_the_administrator_changes_staff(engine, world):
    for login in ("head", "zhouqiang", "wangfang"):
        with pytest.raises(OutOfScope), unit_of_work(engine) as s:
            people.add_staff(session=s, actor=_as(engine, login), grades=GRADES, login="x",
                            name="x", role="manager")  # fmt: skip
        with pytest.raises(OutOfScope), unit_of_work(engine) as s:
            people.deactivate_staff(session=s, actor=_as(engine, login), login="lina")


def test_a_grade_below_the_book_and_a_role_without_a_book_are_refused(engine, world):
    with pytest.raises(InvalidInput, match="A1"), unit_of_work(engine) as s:
        people.edit_staff(session=s, actor=None, grades=GRADES, login="wangfang", grade="second")
    with pytest.raises(InvalidInput, match="1"), unit_of_work(engine) as s:
        people.edit_staff(session=s, actor=None, grades=GRADES, login="wangfang", role="supervisor")
    with Session(engine) as s:
        person = s.exec(select(Staff).where(Staff.login == "wangfang")).one()
        assert (person.grade, person.role) == ("senior", "manager")


def test_deactivation_needs_an_empty_book_then_revokes_keys_and_clears_b_roles(
    engine, world, tmp_path
):
    with pytest.raises(InvalidInput, match="1"), unit_of_work(engine) as s:
        people.deactivate_staff(session=s, actor=None, login="wangfang")
    with unit_of_work(engine) as s:
        ssh_keys.grant_key(session=s, login="zhaolei", public_key_text=KEY)
    with unit_of_work(engine) as s:
        done = people.deactivate_staff(session=s, actor=_as(engine, "admin"), login="zhaolei")
    assert (done.keys_revoked, done.customers_without_backup) == (1, 1)
    with Session(engine) as s:
        assert s.exec(select(Customer.backup_id).where(Customer.customer_no == "C1")).one() is None
        assert ssh_keys.active_keys(s) == []
        assert not s.exec(select(Staff.active).where(Staff.login == "zhaolei")).one()
        entry = s.exec(select(AuditLog).where(AuditLog.action == "deactivate")).one()
        assert entry.staff_id is not None
    with pytest.raises(OutOfScope, match="zhaolei"), engine.connect() as conn:
        find_actor(conn, "zhaolei")


def test_teams_are_added_listed_and_renamed(engine, world):
    with unit_of_work(engine) as s:
        teams.add_team(session=s, actor=None, name="零售一组")
    with pytest.raises(Conflict), unit_of_work(engine) as s:
        teams.add_team(session=s, actor=None, name="零售一组")
    with unit_of_work(engine) as s:
        renamed = teams.rename_team(session=s, actor=None, team="对公一组", new_name="公司一组")
    assert (renamed.name, renamed.supervisor, renamed.members) == ("公司一组", "zhouqiang", 3)
    with Session(engine) as s:
        names = sorted(s.exec(select(Team.name)).all())
        listed = teams.list_teams(session=s, actor=None)
    assert names == ["公司一组", "对公二组", "零售一组"]
    assert [t.name for t in listed] == sorted(names)


def _leave(engine, login, starts, ends, actor=None):
    with unit_of_work(engine) as s:
        return leave.add_leave(
            session=s, actor=actor, login=login, starts_on=date.fromisoformat(starts),
            ends_on=date.fromisoformat(ends),
        )  # fmt: skip


def test_a_and_b_are_never_on_leave_at_the_same_time(engine, world):
    _leave(engine, "wangfang", "2026-11-25", "2026-11-27")
    # the staff partner, overlapping by one day: refused, naming who and when
    with pytest.raises(Conflict, match=r"wangfang.*2026-11-25.*2026-11-27"):
        _leave(engine, "lina", "2026-11-27", "2026-11-30")
    # the customer-level B of C1 (another team) is a partner too
    with pytest.raises(Conflict, match="wangfang"):
        _leave(engine, "zhaolei", "2026-11-20", "2026-11-25")
    # the day after is fine; so is someone who backs nobody up
    _leave(engine, "lina", "2026-11-28", "2026-11-30")
    _leave(engine, "zhouqiang", "2026-11-25", "2026-11-27")
    with pytest.raises(Conflict, match=r"wangfang.*2026-11-25"):
        _leave(engine, "wangfang", "2026-11-27", "2026-11-27")
    with pytest.raises(InvalidInput, match="2026-12-01"):
        _leave(engine, "liuyang", "2026-12-02", "2026-12-01")
    with Session(engine) as s:
        rows = s.exec(select(StaffLeave).order_by(col(StaffLeave.id))).all()
        assert [(r.starts_on.isoformat(), r.ends_on.isoformat()) for r in rows] == [
            ("2026-11-25", "2026-11-27"),
            ("2026-11-28", "2026-11-30"),
            ("2026-11-25", "2026-11-27"),
        ]
        assert len(s.exec(select(AuditLog).where(AuditLog.object_type == "staff_leave")).all()) == 3


def test_leave_is_recorded_by_the_supervisor_of_the_team_not_by_others(engine, world):
    _leave(engine, "lina", "2026-12-01", "2026-12-02", actor=_as(engine, "zhouqiang"))
    _leave(engine, "zhaolei", "2026-12-07", "2026-12-08", actor=_as(engine, "head"))
    for login in ("liuyang", "wangfang"):
        with pytest.raises(OutOfScope, match="lina"):
            _leave(engine, "lina", "2026-12-10", "2026-12-11", actor=_as(engine, login))
    with unit_of_work(engine) as s:
        seen = leave.list_leave(session=s, actor=_as(engine, "liuyang"))
    assert [r.login for r in seen] == ["zhaolei"], "a supervisor lists their team's leave"


def test_cancelled_leave_frees_the_partner(engine, world):
    """Given wangfang's leave, her A/B partner lina may not be away on those days; once
    wangfang's leave is cancelled, lina's leave on the same days is accepted and stored."""
    first = _leave(engine, "wangfang", "2026-11-25", "2026-11-27")
    with pytest.raises(Conflict, match=r"wangfang.*2026-11-25.*2026-11-27"):
        _leave(engine, "lina", "2026-11-25", "2026-11-27")
    with unit_of_work(engine) as s:
        cancelled = leave.cancel_leave(session=s, actor=None, leave_id=first.id)
    assert (cancelled.id, cancelled.login) == (first.id, "wangfang")
    second = _leave(engine, "lina", "2026-11-25", "2026-11-27")
    with Session(engine) as s:
        stored = s.exec(
            select(StaffLeave.id, Staff.login, StaffLeave.starts_on, StaffLeave.ends_on).join(
                Staff, col(Staff.id) == StaffLeave.staff_id
            )
        ).all()
        listed = leave.list_leave(session=s, actor=None)
    assert [(i, who, f"{a}", f"{b}") for i, who, a, b in stored] == [
        (second.id, "lina", "2026-11-25", "2026-11-27")
    ], "wangfang's leave is gone, lina's is kept"
    assert [(r.id, r.login) for r in listed] == [(second.id, "lina")]


def test_cli_staff_commands(tmp_path, database_url, world, capsys, monkeypatch):
    url = database_url
    program = tmp_path / "bin" / "cmw"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(program)])
    run = ["--db", url, "--now", "2026-11-23T08:30"]
    assert main([*run, "staff", "add", "qianduo", "--name", "钱多", "--role", "manager",
                 "--grade", "senior", "--team", "对公二组", "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["team"] == "对公二组"
    assert main([*run, "staff", "edit", "qianduo", "--team", "-", "--backup", "zhaolei"]) == 0
    out = capsys.readouterr().out
    assert "zhaolei" in out
    assert main([*run, "team", "list", "--json"]) == 0
    assert {t["name"] for t in json.loads(capsys.readouterr().out)} == {"对公一组", "对公二组"}
    assert (
        main([*run, "staff", "leave", "qianduo", "--from", "2026-12-01", "--to", "2026-12-03"]) == 0
    )
    assert (
        main([*run, "staff", "leave", "zhaolei", "--from", "2026-12-03", "--to", "2026-12-04"]) == 2
    )
    assert "qianduo" in capsys.readouterr().err
    assert main([*run, "staff", "leave", "zhaolei", "--from", "2026-12-03"]) == 2
    assert main([*run, "staff", "leaves", "--json"]) == 0
    assert [r["login"] for r in json.loads(capsys.readouterr().out)] == ["qianduo"]
    keyfile = tmp_path / "k.pub"
    keyfile.write_text(KEY + "\n")
    keys = tmp_path / "authorized_keys"
    assert (
        main([*run, "staff", "grant-key", "qianduo", str(keyfile), "--authorized-keys", str(keys)])
        == 0
    )
    assert "qianduo" in keys.read_text()
    assert main([*run, "staff", "deactivate", "qianduo", "--authorized-keys", str(keys)]) == 0
    assert "qianduo" not in keys.read_text().split("Do not edit")[1]
    assert main([*run, "staff", "deactivate", "wangfang", "--authorized-keys", str(keys)]) == 2
    assert "handover" in capsys.readouterr().err
