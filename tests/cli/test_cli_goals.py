"""cmw goals: the branch head sets a year's goal and sees it broken down, branch → team →
managers; a change by hand keeps the team's total; a manager cannot set one; bad input is
refused in one line naming the field; the table fits 80 columns in both languages (the
services themselves: tests/services/goals)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from wcwidth import wcswidth

from cmworkbench import clock, i18n
from cmworkbench.cli import main


@pytest.fixture
def url(database_url: str, build: Any) -> str:
    """对公一组 (陈主管: 王芳, 张伟, 李强) and 对公二组 (赵主管: 孙丽); 行长 (head). 张伟 owns
    three customers, 孙丽 one. Monday 23 November 2026."""
    clock.freeze("2026-11-23T08:30")
    with build() as f:
        home = f.branch()
        one, two = f.team(home), f.team(home, "对公二组")
        people = {
            login: f.staff(home, login, name, team=one)
            for login, name in (("wangfang", "王芳"), ("zhangwei", "张伟"), ("liqiang", "李强"))
        }
        sunli = f.staff(home, "sunli", "孙丽", team=two)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=one)
        f.staff(home, "zhaozg", "赵主管", role="supervisor", team=two)
        f.staff(home, "head", "周建国", role="branch_head")
        for n in range(3):
            f.customer(people["zhangwei"], f"C{n}", f"客户{n}")
        f.customer(sunli, "C9", "孙丽的客户")
    return database_url


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    yield
    i18n.set_language("zh_CN")


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


def amounts(goals: list[dict[str, Any]], level: str) -> dict[str, int]:
    return {g["name"]: g["amount"] for g in goals if g["level"] == level}


def test_the_head_sets_a_years_goal_and_sees_what_was_written(url, capsys):
    out = said(capsys, url, "goals set new_customers 2026 1200 --as head")
    assert "2026 年“新增客户”全行目标 1,200" in out and "平均" in out
    for month in ("2026-01", "2026-06", "2026-12"):
        assert f"{month}     100" in out
    # evenly over four managers: 对公一组's three have 900 of the year, 对公二组's one 300
    assert "对公一组" in out and "900" in out and "对公二组" in out and "300" in out
    goals = as_json(capsys, url, "goals show new_customers --as head")
    assert {"measure", "period", "level", "holder", "amount"} <= goals[0].keys()
    assert {(g["measure"], g["period"]) for g in goals} == {("new_customers", "2026")}
    assert amounts(goals, "branch") == {"示例支行": 1200}
    assert amounts(goals, "team") == {"对公一组": 900, "对公二组": 300}
    assert amounts(goals, "staff") == {"王芳": 300, "张伟": 300, "李强": 300, "孙丽": 300}


def test_show_groups_the_branch_its_teams_and_their_managers(url, capsys):
    said(capsys, url, "goals set deposit_growth 2026 20亿 --rule book --as head")
    out = said(capsys, url, "goals show deposit_growth --as head")
    lines = out.splitlines()
    assert lines[0] == "新增存款（元） · 2026"
    names = [next(w for w in line.split() if not w.startswith("-")) for line in lines[3:]]
    assert names == ["示例支行", "对公一组", "王芳（wangfang）", "张伟（zhangwei）",
                     "李强（liqiang）", "对公二组", "孙丽（sunli）"]  # fmt: skip
    # by book: 张伟's three customers and 孙丽's one share it, with thousands separators
    assert "2,000,000,000" in out and "1,500,000,000" in out and "500,000,000" in out
    assert "按客户数" in out


def test_a_manager_sees_the_branch_their_team_and_their_own(url, capsys):
    said(capsys, url, "goals set visits_done 2026 4800 --as head")
    goals = as_json(capsys, url, "goals show visits_done --period 2026-11 --as zhangwei")
    assert [(g["level"], g["name"]) for g in goals] == [
        ("branch", "示例支行"),
        ("team", "对公一组"),
        ("staff", "张伟"),
    ]
    assert [g["amount"] for g in goals] == [400, 300, 100]


def test_a_change_by_hand_keeps_the_teams_total(url, capsys):
    said(capsys, url, "goals set new_customers 2026 1200 --as head")
    out = said(capsys, url, "goals adjust new_customers 2026-11 40 --login zhangwei --as chenzg")
    assert "张伟（zhangwei）的目标改为 40" in out and "其他 2 个份额" in out
    assert "手工调整" in out
    month = as_json(capsys, url, "goals show new_customers --period 2026-11 --as head")
    assert amounts(month, "team") == {"对公一组": 75, "对公二组": 25}
    staff = amounts(month, "staff")
    assert (staff["张伟"], staff["孙丽"]) == (40, 25)
    assert sorted((staff["王芳"], staff["李强"])) == [17, 18]  # the 35 left, shared evenly
    year = as_json(capsys, url, "goals show new_customers --as head")
    assert amounts(year, "team") == {"对公一组": 900, "对公二组": 300}
    assert amounts(year, "staff")["张伟"] == 300 - 25 + 40


def test_a_team_changed_by_the_head_takes_its_managers_along(url, capsys):
    said(capsys, url, "goals set new_customers 2026 1200 --as head")
    change = as_json(capsys, url, "goals adjust new_customers 2026-11 50 --team 对公二组 --as head")
    assert {g["name"]: g["amount"] for g in change["changed"]} == {"对公一组": 50, "对公二组": 50}
    month = as_json(capsys, url, "goals show new_customers --period 2026-11 --as head")
    assert amounts(month, "staff")["孙丽"] == 50
    assert sum(amounts(month, "staff").values()) == 100


def test_a_manager_cannot_set_a_goal(url, capsys):
    err = refused(capsys, url, "goals set new_customers 2026 1200 --as zhangwei")
    assert "只有行长或系统管理员" in err
    assert as_json(capsys, url, "goals show --as head") == []


def test_a_supervisor_changes_only_their_own_teams_managers(url, capsys):
    said(capsys, url, "goals set new_customers 2026 1200 --as head")
    err = refused(capsys, url, "goals adjust new_customers 2026-11 10 --login sunli --as chenzg")
    assert "sunli 不在您的团队" in err


ADJUST = "goals adjust new_customers"


@pytest.mark.parametrize(
    ("command", "fragments"),
    [
        pytest.param("goals set new_customers 20x6 lots", ("年度", "20x6", "目标值", "lots"),
                     id="year-and-amount"),
        pytest.param("goals set deposits 2026 1200", ("指标", "deposits"), id="measure"),
        pytest.param(f"{ADJUST} 2026-13 10 --login zhangwei", ("月份", "2026-13"), id="month"),
        pytest.param(f"{ADJUST} 2027-01 10 --login zhangwei", ("2027-01", "cmw goals set"),
                     id="not-set-yet"),
        pytest.param(f"{ADJUST} 2026-11 9999 --login zhangwei", ("目标值", "75"), id="too-much"),
        pytest.param("goals breakdown visits_done 2026 --rule book", ("visits_done",),
                     id="no-goal"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_one_line_naming_it(url, capsys, command, fragments):
    said(capsys, url, "goals set new_customers 2026 1200 --as head")
    err = refused(capsys, url, f"{command} --as head")
    for fragment in fragments:
        assert fragment in err, err


def test_a_breakdown_by_another_rule_keeps_the_years_amount(url, capsys):
    said(capsys, url, "goals set new_customers 2026 1200 --as head")
    said(capsys, url, "goals adjust new_customers 2026-11 40 --login zhangwei --as head")
    out = said(capsys, url, "goals breakdown new_customers 2026 --rule book --as head")
    assert "手工调整已替换" in out and "按客户数" in out
    goals = as_json(capsys, url, "goals show new_customers --as head")
    assert amounts(goals, "branch") == {"示例支行": 1200}
    assert amounts(goals, "staff") == {"王芳": 0, "张伟": 900, "李强": 0, "孙丽": 300}


def test_english_output(url, capsys, monkeypatch):
    monkeypatch.setenv("CMW_LANGUAGE", "en")
    out = said(capsys, url, "goals set new_customers 2026 1200 --as head")
    assert "Set the branch's 2026 goal of new customers: 1,200 (rule: even)" in out
    out = said(capsys, url, "goals show new_customers --period 2026-11 --as head")
    assert out.splitlines()[0] == "new customers · 2026-11"
    assert "branch / team" in out and "张伟 (zhangwei)" in out and "even" in out
    out = said(capsys, url, "goals adjust new_customers 2026-11 40 --login zhangwei --as head")
    assert "张伟 (zhangwei)'s goal is now 40" in out and "by hand" in out
    assert "No goals to show for 2031" in said(capsys, url, "goals show --period 2031 --as head")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_show_fits_80_columns(url, capsys, monkeypatch, language):
    monkeypatch.setenv("CMW_LANGUAGE", language)
    for measure, amount in (("deposit_growth", "1500亿"), ("new_customers", "1200")):
        said(capsys, url, f"goals set {measure} 2026 {amount} --rule last_year --as head")
    said(capsys, url, "goals adjust deposit_growth 2026-11 1亿 --login zhangwei --as head")
    for period in ("", "--period 2026-11", "--period 2026-11-W48"):
        out = said(capsys, url, f"goals show {period} --as head")
        assert "150,000,000,000" in out or "2026-11" in period
        widest = max(wcswidth(line) for line in out.splitlines())
        assert widest <= 80, out


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_help_of_every_goals_command(capsys, monkeypatch, language):
    monkeypatch.setenv("CMW_LANGUAGE", language)
    for command in ("set", "breakdown", "adjust", "show"):
        assert cmw("sqlite://", f"goals {command} --help") == 0
        assert f"usage: cmw goals {command}" in capsys.readouterr().out
