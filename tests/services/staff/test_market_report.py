"""The monthly market report reaches the supervisor (issue 22 item 2; telecom handbook: a
competitor/market intelligence report every month).

The team: 陈主管 (chenzg, supervisor), 王芳 (wangfang) with group G001, 李强 (liqiang); 孙丽
(sunli) leads another team. November's report is due by the close of business five working
days after the first working day of December: Tuesday 2026-12-08 17:30.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.services.tasks.reminders import monthly_rules
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]

SUBMIT = "market submit --month 2026-11 --text '华东机械集团在比较竞品专线报价' --group G001"


@pytest.fixture
def team(frozen_clock: object, build: Build) -> None:
    with build() as f:
        branch = f.branch()
        group = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=group)
        f.staff(branch, "liqiang", "李强", team=group)
        f.staff(branch, "chenzg", "陈主管", role="supervisor", team=group)
        f.staff(branch, "sunli", "孙丽", role="supervisor", team=f.team(branch, "对公二组"))
        f.customer(wang, "G001", "华东机械集团", cls="A1")


def cmw(url: str, command: str, at: str) -> int:
    clock.freeze(at)
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def as_json(capsys: pytest.CaptureFixture[str], url: str, command: str, at: str) -> Any:
    capsys.readouterr()
    assert cmw(url, f"{command} --json", at) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def refused(capsys: pytest.CaptureFixture[str], url: str, command: str, at: str) -> str:
    capsys.readouterr()
    assert cmw(url, command, at) != 0
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_a_submitted_report_tells_the_supervisor_and_closes_the_monthly_task(
    database_url: str, engine: Engine, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.freeze("2026-12-01T09:00")  # the first working day: the monthly tasks are made
    with unit_of_work(engine) as session:
        assert monthly_rules(session=session, settings=Settings()) > 0
    report = as_json(capsys, database_url, f"{SUBMIT} --as wangfang", "2026-12-02T16:00")
    assert (report["month"], report["groups"], report["late"]) == ("2026-11", ["G001"], False)
    told = as_json(capsys, database_url, "notifications --as chenzg", "2026-12-02T16:05")
    told = [n for n in told if n["kind"] == "market_report"]  # (not the on-site summary)
    assert len(told) == 1
    assert "王芳" in told[0]["title"] and "2026-11" in told[0]["title"]
    with engine.connect() as conn:
        status = conn.execute(
            text(
                "SELECT t.status FROM task t JOIN staff s ON s.id = t.owner_id"
                " WHERE t.kind = 'market_report' AND s.login = 'wangfang'"
            )
        ).scalar()
    assert status == "done"


def test_the_supervisor_sees_the_teams_reports_and_acknowledges_them(
    database_url: str, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    report = as_json(capsys, database_url, f"{SUBMIT} --as wangfang", "2026-12-02T16:00")
    listed = as_json(
        capsys, database_url, "market list --month 2026-11 --as chenzg", "2026-12-09T09:00"
    )
    assert [(r["login"], r["state"]) for r in listed] == [
        ("liqiang", "missing"),  # past its deadline, Tuesday 12-08 17:30
        ("wangfang", "on_time"),
    ]
    assert refused(
        capsys, database_url, f"market ack {report['id']} --as liqiang", "2026-12-09T09:05"
    )
    assert refused(
        capsys, database_url, f"market ack {report['id']} --as sunli", "2026-12-09T09:05"
    )
    acked = as_json(
        capsys, database_url, f"market ack {report['id']} --as chenzg", "2026-12-09T09:10"
    )
    assert acked["acknowledged_by"] == "chenzg"
    told = as_json(capsys, database_url, "notifications --as wangfang", "2026-12-09T09:15")
    assert any(n["kind"] == "market_report" for n in told), "the author hears it was read"


def test_a_report_after_its_deadline_is_late_on_the_team_board(
    database_url: str, engine: Engine, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    as_json(capsys, database_url, f"{SUBMIT} --as wangfang", "2026-12-09T10:00")

    def board(at: str) -> dict[str, str]:
        clock.freeze(at)
        bench = login(engine, Settings(), "chenzg")
        return {row.login: row.market_report for row in bench.staff.board()}

    assert board("2026-12-09T11:00") == {"wangfang": "late", "liqiang": "missing"}
    assert board("2026-12-03T11:00")["liqiang"] == "pending"


def test_bad_reports_are_refused_saying_what_and_nothing_is_saved(
    database_url: str, team: None, capsys: pytest.CaptureFixture[str]
) -> None:
    at = "2026-12-02T16:00"
    unknown = "market submit --month 2026-11 --text '竞品降价' --group G404 --as wangfang"
    assert "G404" in refused(capsys, database_url, unknown, at)
    empty = "market submit --month 2026-11 --text '  ' --as wangfang"
    assert refused(capsys, database_url, empty, at)
    future = SUBMIT.replace("2026-11", "2027-01") + " --as wangfang"
    assert "2027-01" in refused(capsys, database_url, future, at)
    listed = as_json(capsys, database_url, "market list --month 2026-11 --as chenzg", at)
    assert {r["state"] for r in listed} == {"pending"}
