"""cmw opportunities: a manager makes an opportunity and moves it through the pipeline's steps;
a proposal below 1:1.5 waits for the supervisor, who approves or returns it; won and lost;
one-line refusals with exit code 2 (the services themselves: test_opportunities.py)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from cmworkbench import clock
from cmworkbench.cli import main

NEW = (
    "opportunities new --customer C1 --product loan --need '流动资金贷款 800 万'"
    " --value 800万 --close 2026-12-31 --as wangfang"
)


@pytest.fixture
def url(database_url: str, build: Any) -> str:
    """王芳 (wangfang) and 李强 (liqiang), managers in 陈主管's (chenzg) team; 王芳 owns
    远宇集团 (C1). Monday 16 November 2026, 09:00."""
    clock.freeze("2026-11-16T09:00")
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "liqiang", "李强", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.customer(wang, "C1", "远宇集团", cls="A1")
    return database_url


def cmw(url: str, command: str) -> int:
    """Run ``cmw --db URL COMMAND`` (split like a shell does)."""
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def said(capsys: pytest.CaptureFixture[str], url: str, command: str) -> str:
    """What a command that succeeds prints."""
    assert cmw(url, command) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def as_json(capsys: pytest.CaptureFixture[str], url: str, command: str) -> Any:
    return json.loads(said(capsys, url, f"{command} --json"))


def refused(capsys: pytest.CaptureFixture[str], url: str, command: str) -> str:
    """A command that is refused: exit code 2 and one line on stderr, no traceback."""
    assert cmw(url, command) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def at_assess(capsys: pytest.CaptureFixture[str], url: str) -> int:
    """王芳's opportunity with 远宇集团, moved up to the step before the proposal."""
    opp_id = int(as_json(capsys, url, NEW)["id"])
    for _ in ("prepare", "approach", "needs", "assess"):
        said(capsys, url, f"opportunities move {opp_id} --as wangfang")
    return opp_id


def test_a_manager_makes_an_opportunity_and_moves_it(url, capsys):
    out = said(capsys, url, NEW)
    assert "商机 #1 已建立" in out and "C1 远宇集团" in out and "8,000,000 元" in out
    out = said(capsys, url, "opportunities move 1 --next-step 约见财务总监 --as wangfang")
    assert "已进入“拜访准备”" in out
    listed = said(capsys, url, "opportunities list --as wangfang")
    for part in (
        "1 个商机",
        "C1 远宇集团",
        "贷款",
        "拜访准备",
        "8,000,000",
        "王芳",
        "约见财务总监",
    ):
        assert part in listed, part
    out = said(capsys, url, "opportunities move 1 --to needs --as wangfang")
    assert "已进入“沟通并发掘需求”" in out


def test_json_has_what_scripts_need(url, capsys):
    made = as_json(capsys, url, f"{NEW} --next-step 送资料 --next-due '2026-11-18 10:00'")
    assert {"id", "customer_no", "stage", "value", "owner", "next_due"} <= made.keys()
    assert (made["customer_no"], made["stage"], made["value"], made["owner"]) == (
        "C1",
        "select",
        8_000_000,
        "wangfang",
    )
    assert made["next_due"] == "2026-11-18T10:00:00+08:00"
    (listed,) = as_json(capsys, url, "opportunities list --as wangfang")
    assert listed["id"] == made["id"] and listed["expected_close"] == "2026-12-31"
    shown = as_json(capsys, url, f"opportunities show {made['id']} --as wangfang")
    assert shown["stage"] == "select" and shown["events"][0]["action"] == "new"
    assert shown["promises"] == [] and shown["can_decide"] is False


def test_entering_the_solution_step_without_the_figures_is_refused_naming_both(url, capsys):
    opp_id = at_assess(capsys, url)
    err = refused(capsys, url, f"opportunities move {opp_id} --as wangfang")
    assert "方案成本" in err and "预期收益" in err
    assert as_json(capsys, url, f"opportunities show {opp_id} --as wangfang")["stage"] == "assess"


def test_a_proposal_at_1_to_1_2_waits_for_the_supervisor_who_approves_it(url, capsys):
    opp_id = at_assess(capsys, url)
    out = said(
        capsys, url, f"opportunities move {opp_id} --cost 100万 --return 120万 --as wangfang"
    )
    assert "停在“方案设计与展示”" in out and "1:1.20" in out and "提交主管审批" in out
    err = refused(capsys, url, f"opportunities move {opp_id} --as wangfang")
    assert "主管" in err
    # a colleague is no decider; the supervisor finds it waiting for them
    refused(capsys, url, f"opportunities approve {opp_id} --as liqiang")
    (waiting,) = as_json(capsys, url, "opportunities waiting --as chenzg")
    assert (waiting["id"], waiting["proposal"], waiting["ratio"]) == (opp_id, "waiting", "1:1.20")
    shown = said(capsys, url, f"opportunities show {opp_id} --as chenzg")
    assert f"cmw opportunities approve {opp_id}" in shown
    out = said(capsys, url, f"opportunities approve {opp_id} --as chenzg")
    assert "已批准" in out and "王芳" in out
    assert "已进入“促成成交”" in said(capsys, url, f"opportunities move {opp_id} --as wangfang")
    won = as_json(capsys, url, f"opportunities won {opp_id} --reason 签约 --as wangfang")
    assert (won["status"], won["stage"], won["close_reason"]) == ("won", "relationship", "签约")
    listed = said(capsys, url, "opportunities list --status won --as wangfang")
    assert "客户关系管理 · 赢单" in listed


def test_a_returned_proposal_shows_its_comment(url, capsys):
    opp_id = at_assess(capsys, url)
    said(
        capsys,
        url,
        f"opportunities move {opp_id} --to close --cost 100万 --return 120万 --as wangfang",
    )
    refused(capsys, url, f"opportunities return {opp_id} --comment ' ' --as chenzg")
    out = said(
        capsys, url, f"opportunities return {opp_id} --comment 收益率太低，请重新测算 --as chenzg"
    )
    assert "收益率太低" in out
    shown = said(capsys, url, f"opportunities show {opp_id} --as wangfang")
    assert "方案被退回：收益率太低，请重新测算" in shown
    assert "退回" in shown and "方案设计与展示" in shown, "the history shows the return"
    out = said(
        capsys, url, f"opportunities propose {opp_id} --cost 100万 --return 160万 --as wangfang"
    )
    assert "1:1.60" in out and "无需审批" in out
    assert "已进入“促成成交”" in said(capsys, url, f"opportunities move {opp_id} --as wangfang")


def test_lost_needs_a_reason_and_closes_it(url, capsys):
    opp_id = int(as_json(capsys, url, NEW)["id"])
    assert cmw(url, f"opportunities lost {opp_id} --as wangfang") == 2
    capsys.readouterr()
    out = said(capsys, url, f"opportunities lost {opp_id} --reason 客户选择他行 --as wangfang")
    assert "输单" in out and "客户选择他行" in out
    err = refused(capsys, url, f"opportunities move {opp_id} --as wangfang")
    assert f"#{opp_id}" in err
    assert as_json(capsys, url, "opportunities list --as wangfang") == []
    (closed,) = as_json(capsys, url, "opportunities list --status lost --as wangfang")
    assert closed["close_reason"] == "客户选择他行"


def test_in_english(url, capsys, monkeypatch):
    monkeypatch.setenv("CMW_LANGUAGE", "en")
    opp_id = at_assess(capsys, url)
    out = said(
        capsys, url, f"opportunities move {opp_id} --cost 1000000 --return 1200000 --as wangfang"
    )
    assert "stops at “Design the solution”" in out and "sent to the supervisor" in out
    shown = said(capsys, url, f"opportunities show {opp_id} --as wangfang")
    assert "waiting for approval · 1:1.20" in shown and "¥1,000,000" in shown
    assert "waits for the supervisor's approval" in shown
    err = refused(capsys, url, f"opportunities move {opp_id} --as wangfang")
    assert "waits for the supervisor" in err
    listed = said(capsys, url, "opportunities list --as wangfang")
    assert "Design the solution" in listed and "8,000,000" in listed


def test_a_colleague_gets_not_found_for_someone_else_s_opportunity(url, capsys):
    opp_id = int(as_json(capsys, url, NEW)["id"])
    for command in ("show", "move", "next --step 拜访", "lost --reason 无"):
        action, _, options = command.partition(" ")
        err = refused(capsys, url, f"opportunities {action} {opp_id} {options} --as liqiang")
        assert f"找不到商机 #{opp_id}" in err
    assert as_json(capsys, url, "opportunities list --as liqiang") == []


def test_the_next_step_and_a_typed_amount_that_is_no_amount(url, capsys):
    opp_id = int(as_json(capsys, url, NEW)["id"])
    out = said(
        capsys,
        url,
        f"opportunities next {opp_id} --step 送授信材料 --due 2026-11-18T10:00 --as wangfang",
    )
    assert "送授信材料" in out and "2026-11-18 10:00" in out
    err = refused(capsys, url, NEW.replace("800万", "很多"))
    assert "预计金额" in err and "很多" in err


def test_an_opportunity_left_quiet_for_two_weeks_is_flagged(url, capsys):
    opp_id = int(as_json(capsys, url, NEW)["id"])
    assert as_json(capsys, url, "opportunities list --quiet --as wangfang") == []
    clock.freeze("2026-12-02T09:00")  # 16 days without a step ([pipeline] stale_days = 14)
    (quiet,) = as_json(capsys, url, "opportunities list --quiet --as wangfang")
    assert (quiet["id"], quiet["quiet"]) == (opp_id, True)
    assert "沉寂" in said(capsys, url, "opportunities list --as wangfang")


def test_an_opportunity_is_for_one_customer_lead_or_referral(url, capsys):
    err = refused(capsys, url, NEW.replace("--customer C1 ", ""))
    assert "客户号、线索或转介之一" in err
