"""The demo is a normal Monday (issue 20): what a new user sees first is a steady branch's day.

Built, generated and read the way ``scripts/run-demo.sh`` and a new user do: ``cmw demo``,
the scheduler's 06:30 ``cmw generate``, then at 08:30 the demo login's Today and the branch
head's monthly report.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cmworkbench.cli import main

MONDAY = "2026-11-23"


@pytest.fixture(scope="module")
def demo_day(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-day') / 'demo.db'}"
    assert main(["--db", url, "init"]) == 0
    at_six = ["--now", f"{MONDAY}T06:00"]
    assert main(["--db", url, *at_six, "demo", "--customers", "5000", "--seed", "7"]) == 0
    assert main(["--db", url, "--now", f"{MONDAY}T06:30", "generate"]) == 0
    return url


def _json(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> Any:
    capsys.readouterr()
    assert main(["--db", url, "--now", f"{MONDAY}T08:30", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_login_has_a_days_work_not_the_whole_backlog(
    demo_day: str, capsys: pytest.CaptureFixture[str]
) -> None:
    today = _json(capsys, demo_day, "today", "--as", "zhangwei", "--json")
    rows = today["rows"]
    overdue = [r for r in rows if r["state"] == "overdue"]
    assert 15 <= len(rows) <= 60, "tens of rows, not a thousand"
    assert 1 <= len(overdue) <= len(rows) // 3, "a few overdue, not a wall of red"
    assert today["backlog"]["total"] < 100, "what is left for later is counted, and small"


def test_the_dashboard_figures_are_a_steady_branchs(
    demo_day: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _json(
        capsys, demo_day, "report", "branch", "--as", "head", "--month", "2026-11",
        "--format", "json",
    )  # fmt: skip
    figures = {f["key"]: f["value"] for f in report["total"]["figures"]}
    assert 0.90 <= figures["coverage"] <= 1.0, "coverage within a few points of its 95% target"
    assert figures["tasks_overdue"] < 0.2, "under a fifth of this month's tasks ran overdue"
    assert figures["freshness"] >= 0.9
    assert figures["return_visit"] >= 0.9, "after-sale return visits were made"
    assert figures["visits_done"] is not None and figures["visits_done"] >= 0.8
    assert figures["worklog"] >= 0.95
    assert figures["workload"] <= 1.0, "no book above its rule"
