"""cmw complaints: take a ticket, walk it through its lifecycle, list, sweep; exit codes and
one-line refusals (the services themselves: test_complaints.py)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.cli.complaints import TRANSITIONS

NEW = "complaints new --customer C003 --category fee --severity normal --description 扣费有误"


@pytest.fixture
def url(database_url: str, build) -> str:
    """A branch with one team: 王芳 and 李强 (managers), 陈主管 (their supervisor), and 王芳's
    customer C003 (class B1, not VIP: the normal SLA rule on business hours)."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=team)
        f.staff(branch, "liqiang", "李强", team=team)
        f.staff(branch, "chenzg", "陈主管", role="supervisor", team=team)
        f.customer(wang, "C003", "小张便利店", cls="B1")
    return database_url


def cmw(url: str, command: str, at: str | None = None) -> int:
    """Run ``cmw --db URL COMMAND`` (split like a shell does); ``at``: the clock stands still
    there (branch time) instead of starting at ``--now`` and running on."""
    if at:
        clock.freeze(at)
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def as_json(
    capsys: pytest.CaptureFixture[str], url: str, command: str, at: str | None = None
) -> Any:
    assert cmw(url, f"{command} --json", at) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def new_ticket(capsys: pytest.CaptureFixture[str], url: str) -> Any:
    """A normal fee complaint of C003 taken by 王芳 on Monday 08:30."""
    return as_json(capsys, url, f"{NEW} --as wangfang", at="2026-11-23T08:30")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_new_prints_the_ticket_with_its_deadlines(url, capsys):
    ticket = new_ticket(capsys, url)
    assert isinstance(ticket["id"], int) and ticket["ticket_no"] == "T202611230001"
    assert (ticket["status"], ticket["owner"], ticket["sla_rule"]) == (
        "received",
        "wangfang",
        "normal",
    )
    # Monday 08:30: 4 business hours → 14:00; 5 working days → the end of Friday
    assert ticket["first_response_due"] == "2026-11-23T14:00:00+08:00"
    assert ticket["resolution_due"] == "2026-11-27T17:30:00+08:00"
    assert {k for k in ticket if k.endswith("_due")} >= {"return_call_due", "backoffice_due"}

    assert cmw(url, "complaints show T202611230001 --as wangfang") == 0
    out = capsys.readouterr().out
    for part in ("T202611230001", "已受理", "C003 小张便利店", "王芳", "2026-11-23 14:00"):
        assert part in out
    assert "2026-11-27 17:30" in out and "4h00m（工作时间）" in out
    assert "受理 → 已受理" in out, "show prints the history"


def test_the_now_option_sets_the_clock(url, capsys):
    ticket = as_json(capsys, url, f"--now 2026-11-24T10:00 {NEW} --as wangfang")
    assert ticket["ticket_no"] == "T202611240001"
    # a ticket's times are whole seconds (the clock runs on from --now while the command
    # starts up, usually for less than one)
    received = ticket["received_at"]
    assert received.startswith("2026-11-24T10:00:") and received.endswith("+08:00")
    seconds = received[len("2026-11-24T10:00:") :]
    assert ticket["first_response_due"] == "2026-11-24T15:30:" + seconds  # 2 h + 2 h
    assert ticket["resolution_due"] == "2026-12-01T10:00:" + seconds


def test_every_transition_then_the_supervisor_closes(url, capsys):
    no = new_ticket(capsys, url)["ticket_no"]

    def act(login: str, at: str, command: str) -> Any:
        action, _, options = command.partition(" ")
        return as_json(capsys, url, f"complaints {action} {no} {options} --as {login}", at)

    d = act("wangfang", "2026-11-23T09:00", "respond --triage shortly")
    assert (d["status"], d["triage"]) == ("in_progress", "shortly")
    assert act("wangfang", "2026-11-23T09:10", "note --note 客户情绪激动")["version"] == 3
    d = act("wangfang", "2026-11-23T10:00", "wait-customer --note 等客户提供账单")
    assert (d["status"], d["paused"]) == ("waiting_customer", True)
    assert act("wangfang", "2026-11-24T09:30", "resume")["status"] == "in_progress"
    d = act("wangfang", "2026-11-24T10:00", "hand-off --to 计费中心 --due '2026-11-25 17:00'")
    assert (d["status"], d["backoffice_to"]) == ("waiting_backoffice", "计费中心")
    assert d["backoffice_due"] == "2026-11-25T17:00:00+08:00"
    assert act("wangfang", "2026-11-25T10:00", "resume --note 已核实")["status"] == "in_progress"
    assert (
        act("wangfang", "2026-11-25T11:00", "resolve --resolution 解释资费")["status"] == "resolved"
    )
    d = act("wangfang", "2026-11-25T14:00", "reject --note 客户不接受解释")
    assert (d["status"], d["rejected_solution"]) == ("in_progress", True)
    act("wangfang", "2026-11-25T15:00", "resolve --resolution 已退还多收费用")
    d = act("wangfang", "2026-11-26T10:00", "return-call --result 认可 --satisfaction satisfied")
    assert (d["status"], d["satisfaction"]) == ("return_call_done", 4)  # the sources' scale
    d = act("wangfang", "2026-11-27T09:00", "reopen --reason 客户再次来电")
    assert (d["status"], d["reopen_count"]) == ("in_progress", 1)
    assert act("chenzg", "2026-11-27T09:30", "reassign --to liqiang")["owner"] == "liqiang"
    act("liqiang", "2026-11-27T11:00", "resolve --resolution 再次核对后退费")
    act("liqiang", "2026-11-30T10:00", "return-call --result 满意")
    d = act("chenzg", "2026-11-30T16:00", "close --satisfaction 4")
    assert (d["status"], d["satisfaction"], d["closed_by"]) == ("closed", 4, "陈主管")
    assert d["closed_at"] == "2026-11-30T16:00:00+08:00"
    steps = [e["action"] for e in d["events"] if e["action"] != "inform_supervisor"]
    assert steps == [
        *("receive", "respond", "note", "wait_customer", "resume", "hand_off", "resume"),
        *("resolve", "solution_rejected", "resolve", "return_call", "reopen", "reassign"),
        *("resolve", "return_call", "close"),
    ]
    assert {action for action, _, _ in TRANSITIONS.values()} <= set(steps)

    assert cmw(url, f"complaints show {d['id']} --as chenzg") == 0, "the id works too"
    out = capsys.readouterr().out
    for odd in ("¹", "①"):  # digits to str.isdigit(), not to int(): no such ticket, no crash
        assert cmw(url, f"complaints show {odd} --as chenzg") == 2
        assert odd in capsys.readouterr().err
    assert i18n.label("complaint_status", "closed") in out
    assert "陈主管" in out and "王芳 → 李强" in out and "客户再次来电" in out


def test_a_manager_may_not_close(url, capsys):
    no = new_ticket(capsys, url)["ticket_no"]
    assert cmw(url, f"complaints resolve {no} --resolution 已处理 --as wangfang") == 0
    assert cmw(url, f"complaints return-call {no} --result 认可 --as wangfang") == 0
    capsys.readouterr()
    assert cmw(url, f"complaints close {no} --satisfaction 5 --as wangfang") == 2
    assert "结案" in one_line_error(capsys)
    d = as_json(capsys, url, f"complaints show {no} --as wangfang")
    assert d["status"] == "return_call_done" and "close" not in d["actions"]


def test_the_sweep_marks_a_breach_that_list_breached_shows(url, capsys):
    late = new_ticket(capsys, url)["ticket_no"]
    answered = new_ticket(capsys, url)["ticket_no"]
    assert cmw(url, f"complaints respond {answered} --triage now --as wangfang") == 0
    capsys.readouterr()
    later = "--now 2026-11-23T15:00 complaints"
    assert as_json(capsys, url, f"{later} list --breached --as wangfang") == [], "not swept yet"

    swept = as_json(capsys, url, f"{later} sweep")
    assert (swept["checked"], swept["breached"]) == (2, 1)
    rows = as_json(capsys, url, f"{later} list --breached --as wangfang")
    assert [r["ticket_no"] for r in rows] == [late]
    assert (rows[0]["breached"], rows[0]["next_clock"]) == (True, "first_response")
    assert rows[0]["next_due"] == "2026-11-23T14:00:00+08:00"
    assert -3660 < rows[0]["left_seconds"] <= -3600  # one business hour late
    team = as_json(capsys, url, f"{later} list --team --breached --as chenzg")
    assert [r["ticket_no"] for r in team] == [late]

    assert cmw(url, f"{later} list --as wangfang") == 0
    table = capsys.readouterr().out.splitlines()
    assert "剩余" in table[0] and len(table) == 4
    assert late in table[2] and "-1h00m（工作时间）" in table[2] and "超时" in table[2]
    assert answered in table[3] and "超时" not in table[3]
    assert cmw(url, f"{later} sweep") == 0
    assert "0 条提醒" in capsys.readouterr().out, "a second sweep tells no one twice"


def test_a_stale_version_is_refused_as_a_conflict(url, capsys):
    ticket = new_ticket(capsys, url)
    no, seen = ticket["ticket_no"], ticket["version"]
    change = f"complaints respond {no} --triage now --version {seen} --as wangfang"
    assert cmw(url, change, at="2026-11-23T09:05") == 0
    capsys.readouterr()
    assert cmw(url, f"complaints note {no} --note 补充 --version {seen} --as chenzg") == 2
    err = one_line_error(capsys)
    assert no in err and "王芳" in err and "09:05" in err
    after = as_json(capsys, url, f"complaints show {no} --as chenzg")
    assert after["version"] == seen + 1
    assert [e["action"] for e in after["events"]] == ["receive", "respond"]


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        pytest.param(NEW.replace("fee", "price"), "投诉类别", id="unknown-category"),
        pytest.param("complaints respond T202611230001", "--triage", id="missing-option"),
        pytest.param(
            "complaints hand-off T202611230001 --to 计费中心 --due soon", "--due", id="bad-due"
        ),
        pytest.param("complaints respond T202611230001 --triage maybe", "研判", id="bad-triage"),
        pytest.param("complaints show T209901010001", "T209901010001", id="no-such-ticket"),
    ],
)
def test_bad_input_exits_2_naming_the_field(url, capsys, command, fragment):
    new_ticket(capsys, url)
    assert cmw(url, f"{command} --as wangfang") == 2
    assert fragment in one_line_error(capsys)
    assert len(as_json(capsys, url, "complaints list --all --as wangfang")) == 1


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_help_of_every_complaints_command(capsys, monkeypatch, language):
    monkeypatch.setenv("CMW_LANGUAGE", language)
    for command in ("new", "show", "list", "sweep", *TRANSITIONS):
        assert cmw("sqlite://", f"complaints {command} --help") == 0
        assert f"usage: cmw complaints {command}" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["difficult", "escalated", "over_level"])
def test_a_hard_complaint_tells_the_supervisor_whatever_the_customers_class(
    url: str, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """C003 is B1 (no A-class rule): taken as difficult, escalating or over-level, the
    ticket still reaches 陈主管 at once (the sources: such complaints go to the leader)."""
    ticket = as_json(capsys, url, f"{NEW} --kind {kind} --as wangfang", at="2026-11-23T08:30")
    told = as_json(capsys, url, "notifications --as chenzg", at="2026-11-23T08:31")
    assert any(ticket["ticket_no"] in n["title"] for n in told), told


def test_a_normal_complaint_of_a_b_class_customer_tells_nobody(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new_ticket(capsys, url)
    assert as_json(capsys, url, "notifications --as chenzg", at="2026-11-23T08:31") == []


# -- complaints while the owner is away (issue 22 item 5) ------------------------------------


def owner_away(url: str, build: Any, *, partner: str | None, b_role: str | None) -> None:
    """王芳 is on leave all week; her A/B partner (``partner``) and C003's B角 (``b_role``)."""
    from datetime import date

    from sqlmodel import select

    from cmworkbench.db.models import Customer, Staff, StaffLeave

    with build() as f:
        ids = {s.login: s.id for s in f.session.exec(select(Staff)).all()}
        if "zhaolei" not in ids:
            li = f.session.exec(select(Staff).where(Staff.login == "liqiang")).one()
            zhao = Staff(
                login="zhaolei", name="赵磊", role="manager", branch_id=li.branch_id,
                team_id=li.team_id, created_at=clock.now(),
            )  # fmt: skip
            f.session.add(zhao)
            f.session.flush()
            ids["zhaolei"] = zhao.id
        wang = f.session.exec(select(Staff).where(Staff.login == "wangfang")).one()
        wang.backup_id = ids[partner] if partner else None
        c003 = f.session.exec(select(Customer).where(Customer.customer_no == "C003")).one()
        c003.backup_id = ids[b_role] if b_role else None
        f.session.add_all([wang, c003])
        f.session.add(
            StaffLeave(staff_id=wang.id, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27))
        )


def taken_before_leave(capsys: pytest.CaptureFixture[str], url: str) -> str:
    """王芳's ticket of C003, taken last Friday at 16:00: its first response is due on
    Monday at 11:00 (four business hours), so the warning comes on Monday morning."""
    ticket = as_json(capsys, url, f"{NEW} --as wangfang", at="2026-11-20T16:00")
    return str(ticket["ticket_no"])


def listed_for(capsys: pytest.CaptureFixture[str], url: str, login: str) -> list[str]:
    rows = as_json(capsys, url, f"complaints list --as {login}", at="2026-11-23T09:00")
    return [r["ticket_no"] for r in rows]


def today_tickets(capsys: pytest.CaptureFixture[str], url: str, login: str) -> list[str]:
    plan = as_json(capsys, url, f"today --as {login}", at="2026-11-23T09:00")
    return [r["ref"] for r in plan["rows"] if r["item"] == "complaint"]


def warned(capsys: pytest.CaptureFixture[str], url: str, login: str, ticket: str) -> bool:
    capsys.readouterr()  # what the sweep printed
    told = as_json(capsys, url, f"notifications --as {login}", at="2026-11-23T11:00")
    return any(ticket in n["title"] and n["kind"] == "sla_warn" for n in told)


def test_while_the_owner_is_on_leave_her_b_role_sees_and_is_warned_of_her_tickets(
    url: str, build: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = taken_before_leave(capsys, url)
    owner_away(url, build, partner="liqiang", b_role="liqiang")
    assert ticket in listed_for(capsys, url, "liqiang")
    assert ticket in today_tickets(capsys, url, "liqiang"), "the first response is due today"
    assert cmw(url, "complaints sweep", at="2026-11-23T10:30") == 0  # past half the time
    assert warned(capsys, url, "liqiang", ticket)
    assert not warned(capsys, url, "wangfang", ticket), "she is away: her cover is told"
    assert ticket not in listed_for(capsys, url, "chenzg")  # the supervisor's own list


@pytest.mark.parametrize(
    ("partner", "b_role"),
    [
        pytest.param("liqiang", None, id="no-b-role"),
        pytest.param("zhaolei", "liqiang", id="b-role-changed-meanwhile"),
    ],
)
def test_without_a_b_role_the_supervisor_covers_the_tickets(
    url: str, build: Any, capsys: pytest.CaptureFixture[str], partner: str, b_role: str | None
) -> None:
    ticket = taken_before_leave(capsys, url)
    owner_away(url, build, partner=partner, b_role=b_role)
    assert ticket in listed_for(capsys, url, "chenzg")
    assert ticket not in listed_for(capsys, url, "liqiang")
    assert ticket in today_tickets(capsys, url, "chenzg")
    assert cmw(url, "complaints sweep", at="2026-11-23T10:30") == 0
    assert warned(capsys, url, "chenzg", ticket)
    assert not warned(capsys, url, "liqiang", ticket)
