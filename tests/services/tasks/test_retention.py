"""Churn reaches the supervisor (issue 22 item 4).

The sources: losses of A/B customers are reported to the leader; members of a group leaving
in bulk are a churn signal; each signal opens a retention task (挽留), and the retention talk
ends retained, still at risk, or lost.

Given 王芳 (wangfang), a manager, and 陈主管 (chenzg), her team's supervisor, on Monday
2026-11-23: her customers G001 (A1), G002 (C) and G003 (B1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]

pytestmark = pytest.mark.usefixtures("frozen_clock")  # Monday 2026-11-23 08:30


@pytest.fixture
def team(build: Build) -> None:
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=group)
        f.staff(branch, "chenzg", "陈主管", role="supervisor", team=group)
        f.staff(branch, "admin", "管理员", role="admin")
        for number, name, cls in [
            ("G001", "华东机械集团", "A1"),
            ("G002", "城南超市", "C"),
            ("G003", "西湖茶业集团", "B1"),
        ]:
            f.customer(wang, number, name, cls=cls)


def cmw(database_url: str, *args: str, at: str = "2026-11-23T08:30") -> int:
    clock.freeze(at)
    try:
        return main(["--db", database_url, *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def notices(database_url: str, who: str, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    capsys.readouterr()
    assert cmw(database_url, "notifications", "--as", who, "--json", at="2026-11-23T09:00") == 0
    return list(json.loads(capsys.readouterr().out))


def mark_at_risk(engine: Engine, *numbers: str) -> None:
    with engine.begin() as conn:
        for number in numbers:
            conn.execute(
                text("UPDATE customer SET status = 'at_risk' WHERE customer_no = :n"), {"n": number}
            )


def retention_tasks(engine: Engine) -> dict[str, int]:
    """Customer number → id of its open retention task."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.customer_no, t.id FROM task t JOIN customer c ON c.id = t.customer_id"
                " WHERE t.kind = 'retention' AND t.status = 'open'"
            )
        )
        return {number: task_id for number, task_id in rows}


def test_a_retention_task_on_an_a1_customer_tells_the_supervisor_at_once(
    engine: Engine, database_url: str, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    mark_at_risk(engine, "G001", "G002")
    assert cmw(database_url, "generate", at="2026-11-23T06:30") == 0
    assert set(retention_tasks(engine)) == {"G001", "G002"}
    told = notices(database_url, "chenzg", capsys)
    assert [n["kind"] for n in told] == ["retention_alert"], "G001 (A1) only: G002 is C-class"
    assert "华东机械集团" in told[0]["title"] and "王芳" in told[0]["title"]
    # Generating again (a retry, a second scheduler) tells nobody twice.
    assert cmw(database_url, "generate", at="2026-11-23T06:40") == 0
    assert len(notices(database_url, "chenzg", capsys)) == 1


def members_file(tmp_path: Path, name: str, rows: list[tuple[str, int]]) -> Path:
    path = tmp_path / name
    lines = ["客户编号,客户名称,集团成员数"] + [f"{no},{no}名,{n}" for no, n in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_members_leaving_in_bulk_between_two_imports_open_a_retention_task(
    engine: Engine,
    database_url: str,
    team: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = members_file(tmp_path, "10.csv", [("G001", 400), ("G003", 200), ("G002", 50)])
    assert cmw(database_url, "import", "customers", str(first), "--as", "admin") == 0
    assert retention_tasks(engine) == {}, "the first count is no drop"
    # G001 loses 30% of its members (above the 20% default), G003 10%, G002 grows
    second = members_file(tmp_path, "11.csv", [("G001", 280), ("G003", 180), ("G002", 60)])
    assert cmw(database_url, "import", "customers", str(second), "--as", "admin") == 0
    assert set(retention_tasks(engine)) == {"G001"}
    with engine.connect() as conn:
        reason = conn.execute(text("SELECT reason FROM task WHERE kind = 'retention'")).scalar()
    assert "400" in str(reason) and "280" in str(reason)
    told = notices(database_url, "chenzg", capsys)
    assert [n["kind"] for n in told] == ["retention_alert"]


def test_a_held_retention_call_records_how_it_ended_and_the_customer_follows(
    engine: Engine, database_url: str, team: None, settings: Settings
) -> None:
    mark_at_risk(engine, "G001", "G003")
    assert cmw(database_url, "generate", at="2026-11-23T06:30") == 0
    ids = retention_tasks(engine)
    clock.freeze("2026-11-23T10:00")
    bench = login(engine, settings, "wangfang")
    with pytest.raises(FieldsInvalid, match="挽留结果"):  # held, but how did it end?
        bench.tasks.log_call(ids["G001"], "reached")
    assert set(retention_tasks(engine)) == {"G001", "G003"}, "nothing half-saved"
    bench.tasks.log_call(ids["G001"], "reached", retention="retained")
    bench.tasks.log_contact("G003", "visit", "done", for_tasks=[ids["G003"]], retention="lost")
    assert retention_tasks(engine) == {}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.customer_no, i.retention_result, c.status FROM interaction i"
                " JOIN customer c ON c.id = i.customer_id ORDER BY c.customer_no"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("G001", "retained", "active"), ("G003", "lost", "lost")]
    with pytest.raises(FieldsInvalid, match="挽留结果"):  # a result without a retention task
        bench.tasks.log_contact("G002", "call", "reached", retention="retained")


def test_the_report_counts_retention_results(
    engine: Engine, database_url: str, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    mark_at_risk(engine, "G001", "G003")
    assert cmw(database_url, "generate", at="2026-11-23T06:30") == 0
    ids = retention_tasks(engine)
    for number, result in [("G001", "retained"), ("G003", "at_risk")]:
        args = ["log", "call", number, "--outcome", "reached", "--for", str(ids[number])]
        assert cmw(database_url, *args, "--retention", result, "--as", "wangfang") == 0
    capsys.readouterr()
    drill = ["report", "manager", "--as", "wangfang", "--month", "2026-11", "--drill"]
    assert cmw(database_url, *drill, "retention", "--format", "json", at="2026-11-23T11:00") == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted((r["ref"], r["group"], r["numerator"]) for r in rows) == [
        ("G001", "retained", 1),
        ("G003", "at_risk", 0),
    ]
