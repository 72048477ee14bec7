"""The calendar past this year (issue 21, item 4): the official holidays come year by year; a
year nobody knows would count every holiday as a working day. ``cmw calendar check`` says
which years are known and exits 1 when a needed one is not (this year, and from 1 December the
next); every other command prints one warning line then; the admin enters the year (``cmw
calendar set``), which wins over the package and moves the open tickets' deadlines.

The official source here knows 2026 only (the installed package's coverage does not matter).
The 2027 Spring Festival holiday runs 02-06 … 02-12, with Sunday 02-14 worked (the dates of
this test, not a prediction of the State Council's).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from datetime import date
from typing import Any

import chinese_calendar
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog
from cmworkbench.domain import calendar

XFAIL = pytest.mark.xfail(strict=True, reason="issue 21 item 4: the calendar past this year")
SPRING = "2027-01-01,2027-02-06..2027-02-12"
SET = "calendar set 2027 --holidays"


def only_2026(day: date) -> bool | None:
    return bool(chinese_calendar.is_workday(day)) if day.year == 2026 else None


@pytest.fixture
def url(database_url: str, build: Any) -> Iterator[str]:
    calendar.set_official_source(only_2026)
    with build() as f:
        f.customer(f.wang_and_her_supervisor(), "C003", "小张便利店", cls="B1")
        f.staff(f.branch("0202", "城西支行"), "admin", "管理员", role="admin")
    yield database_url


def cmw(url: str, command: str, at: str) -> int:
    clock.freeze(at)
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def take_ticket(url: str, capsys: pytest.CaptureFixture[str], at: str) -> Any:
    new = "complaints new --customer C003 --category fee --severity normal --description 扣费有误"
    assert cmw(url, f"{new} --as wangfang --json", at) == 0
    return json.loads(capsys.readouterr().out)


def test_check_names_next_year_from_the_first_of_december(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(url, "calendar check --json", "2026-11-23T08:30") == 0
    assert json.loads(capsys.readouterr().out)["missing"] == []
    assert cmw(url, "calendar check --json", "2026-12-01T08:30") == 1
    found = json.loads(capsys.readouterr().out)
    assert found["missing"] == [2027]
    assert {y["year"]: y["source"] for y in found["years"]} == {
        2025: "none", 2026: "official", 2027: "none"
    }  # fmt: skip


def test_every_other_command_warns_in_one_line_and_keeps_its_output(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(url, "tasks --as wangfang --json", "2026-12-02T08:30") == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == []
    assert len(err.strip().splitlines()) == 1 and "2027" in err


def test_the_admins_year_wins_and_moves_the_open_tickets_deadlines(
    url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ticket taken on Friday 2027-02-05, before anyone knew the holidays, was due on
    Thursday 02-11, inside the Spring Festival; once the admin enters 2027 it is due on 02-17
    (02-05, Sunday 02-14 worked, 02-15, 02-16, 02-17), and so is one taken afterwards."""
    before = take_ticket(url, capsys, "2027-02-05T07:50")  # its clock starts at 08:30
    assert before["resolution_due"] == "2027-02-11T17:30:00+08:00"
    command = f"calendar set 2027 --holidays {SPRING} --workdays 2027-02-14 --as admin"
    assert cmw(url, command, "2027-02-05T08:00") == 0
    capsys.readouterr()
    assert cmw(url, f"complaints show {before['ticket_no']} --as wangfang --json",
               "2027-02-05T08:05") == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["resolution_due"] == "2027-02-17T17:30:00+08:00"
    after = take_ticket(url, capsys, "2027-02-05T08:30")
    assert after["resolution_due"] == "2027-02-17T17:30:00+08:00"
    assert cmw(url, "calendar check --json", "2027-02-05T10:05") == 0
    years = {y["year"]: y["source"] for y in json.loads(capsys.readouterr().out)["years"]}
    assert years[2027] == "admin"
    with unit_of_work(engine) as session:
        audited = session.exec(select(AuditLog).where(col(AuditLog.action) == "calendar_set"))
        assert [a.object_id for a in audited] == [2027]


@pytest.mark.parametrize(
    ("command", "words"),
    [
        pytest.param(f"{SET} {SPRING} --as wangfang", "管理员", id="not-admin"),
        pytest.param(f"{SET} 2027-13-01 --as admin", "2027-13-01", id="bad-day"),
        pytest.param(f"{SET} 2026-10-01 --as admin", "2026-10-01", id="last-year"),
        pytest.param(f"{SET} 2027-02-12..2027-02-06 --as admin", "2027-02-12", id="backwards"),
        pytest.param(f"{SET} 2027-02-14 --workdays 2027-02-14 --as admin", "2027-02-14", id="both"),
    ],
)  # fmt: skip
def test_a_wrong_entry_is_refused_naming_what_and_nothing_is_stored(
    url: str, engine: Engine, capsys: pytest.CaptureFixture[str], command: str, words: str
) -> None:
    assert cmw(url, command, "2026-12-02T08:30") != 0
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    from cmworkbench.db.models import CalendarYear

    with unit_of_work(engine) as session:
        assert session.exec(select(CalendarYear)).all() == []
