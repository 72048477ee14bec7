"""``cmw report leaderboard``: the morning leaderboard read aloud from a terminal of 80
columns, in both languages, as JSON, and drilled to a manager's records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wcwidth import wcswidth

from cmworkbench import clock, i18n
from cmworkbench.cli import main

NOW = ["--now", "2026-11-23T08:30"]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Keep a developer's own config and clock out of the tests."""
    for name in ("CMW_CONFIG", "CMW_DATABASE_URL", "CMW_NOW", "CMW_LANGUAGE", "CMW_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    yield
    clock.set_now(None)
    i18n.set_language("zh_CN")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo branch on Monday 23 November 2026, with 2026's goals on four measures."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('leaderboard')) / 'demo.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, *NOW, "demo", "--customers", "300"]) == 0
    for measure, amount in (
        ("new_customers", "240"),
        ("visits_done", "1200"),
        ("deposit_growth", "5000万"),
        ("products_opened", "600"),
    ):
        command = ["goals", "set", measure, "2026", amount, "--as", "head"]
        assert main(["--db", url, *NOW, *command]) == 0
    return url


def run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["--db", url, *NOW, "report", "leaderboard", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="every-measure"),
        pytest.param(("--measure", "deposit_growth"), id="deposits-in-yuan"),
        pytest.param(("--measure", "products_opened"), id="products"),
        pytest.param(("--date", "2026-11-02"), id="a-weekend-across-months"),
    ],
)
def test_every_line_fits_80_columns(
    demo_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    options: tuple[str, ...],
) -> None:
    monkeypatch.setenv("CMW_LANGUAGE", language)
    out = run(demo_url, capsys, "--as", "zhangwei", *options)
    lines = out.splitlines()
    assert max(wcswidth(line) for line in lines) <= 80, out
    assert len(lines) <= 45, "read aloud in ten minutes: one line a manager, team, teller"
    mine = [line for line in lines if line.startswith("*") and line[1:2].isdigit()]
    assert len(mine) == 2 and any("张伟" in line for line in mine), "his row and his team's"


def test_the_table_says_what_ranks_and_reads_the_changes(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(demo_url, capsys, "--as", "head")
    lines = out.splitlines()
    assert lines[0] == "晨会排行榜 2026-11-23（昨日 2026-11-20；本月 2026-11-01 至 2026-11-22）"
    assert "平均完成率" in lines[1]
    assert "团队" in lines and "转介人（本月转介成功、转介数）" in lines
    first = lines[5].split()
    assert first[0] == "1" and first[1][0] in "↑↓=" and first[-2].endswith("%")
    by_measure = run(demo_url, capsys, "--as", "head", "--measure", "deposit_growth")
    assert by_measure.splitlines()[3].split()[-4:] == ["目标", "本月", "完成率", "昨日"]


def test_json_has_the_managers_teams_and_referrers_ranked_by_share(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = json.loads(run(demo_url, capsys, "--as", "head", "--json"))
    assert (board["day"], board["yesterday"], board["month"]) == (
        "2026-11-23",
        "2026-11-20",
        "2026-11",
    )
    shares = [m["share"] for m in board["managers"] if m["rank"] is not None]
    assert shares == sorted(shares, reverse=True) and len(shares) == 14
    assert [m["rank"] for m in board["managers"]][:1] == [1]
    assert {"key", "name", "team", "rank", "share", "gained", "change", "measures"} <= set(
        board["managers"][0]
    )
    assert len(board["teams"]) == 3 and board["referrers"]
    again = json.loads(run(demo_url, capsys, "--as", "head", "--format", "json"))
    assert again == board, "the same order every time"


def test_a_manager_s_line_drills_to_records_that_sum_to_it(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    board = json.loads(run(demo_url, capsys, "--as", "zhangwei", "--json"))
    zhang = next(m for m in board["managers"] if m["key"] == "zhangwei")
    month = {m["measure"]: m["month"] for m in zhang["measures"] if m["goal"]}
    rows = json.loads(run(demo_url, capsys, "--as", "zhangwei", "--drill", "zhangwei", "--json"))
    found: dict[str, int] = {}
    for row in rows:
        found[row["measure"]] = found.get(row["measure"], 0) + row["amount"]
    assert {m: found.get(m, 0) for m in month} == month
    text = run(demo_url, capsys, "--as", "zhangwei", "--drill", "zhangwei")
    assert max(wcswidth(line) for line in text.splitlines()) <= 80
    assert "拜访完成：" in text


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(["report", "leaderboard", "--month", "2026-10"], "--month", id="no-month"),
        pytest.param(["report", "manager", "--date", "2026-11-20"], "--date", id="date-alone"),
        pytest.param(["report", "leaderboard", "--format", "csv"], "--format", id="no-spreadsheet"),
    ],
)
def test_options_of_the_other_reports_are_refused_in_one_line(
    demo_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    assert main(["--db", demo_url, *NOW, *argv, "--as", "head"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_a_colleague_s_records_are_refused(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", "leaderboard", "--drill", "lina", "--as", "zhangwei"]
    assert main(["--db", demo_url, *NOW, *argv]) == 2
    assert "lina" in capsys.readouterr().err
