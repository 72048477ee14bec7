"""The credit files' figures (issue 29), counted by hand in the report tests' world (Monday
2026-11-23 at 08:30, :mod:`report_world`), with the drill-downs that sum to them.

The files, with the risk managers 冯控 (fengkong) and 赵风控 (zhaofk):

* 张伟's: F1 (K1) submitted 10-12 10:00, signed by 冯控 10-14 10:00 (2 days), its first check
  due 11-13 done the day before; F2 (K2) made 10-28, submitted 11-05 10:00, signed by 冯控
  11-09 16:00 (4.25 days); F3 (K3) waiting for 冯控 since 11-18; F4 (K4) a draft; F8 (K1)
  returned by 赵风控 on Friday; F9 (K4) submitted 10-16 10:00, signed by 赵风控 10-19 10:00 (3
  days), its first check due 11-18 not done (escalated); F10 (K2) submitted 10-21 10:00,
  signed by 冯控 10-22 16:00 (1.25 days), its first check due today, not done yet.
* 孙丽's (K9): F5 returned by 赵风控 on 11-11, submitted again 11-16 09:00 and signed a day
  later; F6, approved in August, its third check due 11-02 done at 07:00 the next morning,
  superseded on 11-20 by its second version F7 (submitted 11-19 10:00, signed 11-20 10:00).

So in November so far: 张伟 has seven files (a draft, one waiting, one returned, four
approved), 孙丽 two (F6 is a superseded version: no file of its own); three were signed, after
4.25 days (F2), 1 (F5) and 1 (F7); of the post-loan checks due, F1's was done on its day,
F6's late and F9's not at all (F10's, due today, is not decided yet). At October's end
张伟 had F2 as a draft and F1, F9, F10 approved, 孙丽 F6 approved.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING, Factory
from report_world import build_world, template  # noqa: F401 - the world
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.models import CreditFile
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.services.reports import report as reports
from cmworkbench.services.staff.directory import actor_for_login

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)
CREDIT = ("credit_files", "credit_sign_days", "post_loan_on_time")


@pytest.fixture
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    template: Path | None,  # noqa: F811
) -> Iterator[Engine]:
    """The world: a copy of the template, or on PostgreSQL built in the test's own database."""
    if template is None:
        engine = make_engine(request.getfixturevalue("database_url"))
        clock.freeze(MONDAY_MORNING)
        with unit_of_work(engine) as session:
            build_world(Factory(session))
    else:
        shutil.copyfile(template, tmp_path / "t.db")
        engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    yield engine
    engine.dispose()


@pytest.fixture
def session(frozen_clock: object, engine: Engine) -> Iterator[Session]:
    with unit_of_work(engine) as session:
        yield session


def run(
    session: Session, who: str, name: str = "manager", start: date = NOV_1, end: date = NOV_30,
    **kw: Any,
) -> reports.Report:  # fmt: skip
    actor = actor_for_login(session=session, login=who)
    return reports.report(
        session=session, actor=actor, settings=Settings(), name=name, start=start, end=end, **kw
    )


def credit(group: reports.ReportGroup) -> dict[str, tuple[float, float]]:
    return {k: (group.figure(k).numerator, group.figure(k).denominator) for k in CREDIT}


def parts(figure: reports.Figure) -> list[tuple[str, float, float]]:
    return [(p.key, p.numerator, p.denominator) for p in figure.parts]


def drill(session: Session, who: str, key: str, **kw: Any) -> list[Any]:
    actor = actor_for_login(session=session, login=who)
    return reports.drill(
        session=session,
        actor=actor,
        settings=Settings(),
        figure_key=key,
        start=kw.pop("start", NOV_1),
        end=kw.pop("end", NOV_30),
        **kw,
    )


def refs(session: Session) -> dict[str, str]:
    """F1 … F10 → their ``#id`` (the world makes them in this order)."""
    ids = session.exec(select(CreditFile.id).order_by(col(CreditFile.id))).all()
    return {f"F{n}": f"#{i}" for n, i in enumerate(ids, start=1)}


def test_a_managers_credit_figures_are_the_ones_counted_by_hand(session: Session) -> None:
    total = run(session, "zhangwei").total
    assert credit(total) == {
        "credit_files": (7, 7),
        "credit_sign_days": (4.25, 1),  # F2 only: F1, F9 and F10 were signed in October
        "post_loan_on_time": (1, 2),  # F1's on its day, F9's not done; F10's due today
    }
    files = total.figure("credit_files")
    assert (files.unit, files.value, files.target, files.below_target) == ("count", 7, None, False)
    assert parts(files) == [  # in the order a file goes
        ("草稿", 1, 1),
        ("待风险经理签字", 1, 1),
        ("已退回", 1, 1),
        ("已双签", 4, 4),
    ]
    days = total.figure("credit_sign_days")
    assert (days.unit, days.value, parts(days)) == ("days", 4.25, [("冯控", 4.25, 1)])
    checks = total.figure("post_loan_on_time")
    assert (checks.unit, checks.value, checks.target) == ("ratio", 0.5, None)
    assert parts(checks) == [("按期完成", 1, 1), ("逾期未做", 0, 1)]


def test_the_branch_by_manager_and_the_team(session: Session) -> None:
    report = run(session, "head")
    by_manager = {g.key: credit(g) for g in report.groups}
    assert by_manager["sunli"] == {
        "credit_files": (2, 2),  # F5 and F7: F6 is superseded by F7, no file of its own
        "credit_sign_days": (2, 2),  # F5 a day after its second submission, F7 a day after
        "post_loan_on_time": (0, 1),  # F6's third check, done the morning after its day
    }
    assert by_manager["lina"] == {k: (0, 0) for k in CREDIT}
    total = report.total
    assert credit(total) == {
        "credit_files": (9, 9),
        "credit_sign_days": (6.25, 3),
        "post_loan_on_time": (1, 3),
    }
    assert total.figure("credit_sign_days").value == pytest.approx(6.25 / 3)
    assert parts(total.figure("credit_sign_days")) == [("冯控", 4.25, 1), ("赵风控", 2, 2)]
    assert parts(total.figure("credit_files"))[-1] == ("已双签", 6, 6)
    assert parts(total.figure("post_loan_on_time")) == [
        ("按期完成", 1, 1),
        ("逾期完成", 0, 1),
        ("逾期未做", 0, 1),
    ]
    team = run(session, "wangfang", name="team")  # 对公一组: 张伟 and 李娜
    assert credit(team.total) == {
        "credit_files": (7, 7),
        "credit_sign_days": (4.25, 1),
        "post_loan_on_time": (1, 2),
    }


def test_a_past_month_counts_the_files_as_they_stood_at_its_end(session: Session) -> None:
    report = run(session, "head", start=OCT_1, end=OCT_31)
    by_manager = {g.key: g for g in report.groups}
    zhang, sun = by_manager["zhangwei"], by_manager["sunli"]
    assert credit(zhang) == {
        "credit_files": (4, 4),  # F2 a draft then; F1, F9, F10 approved
        "credit_sign_days": (2 + 3 + 1.25, 3),
        "post_loan_on_time": (0, 0),
    }
    assert parts(zhang.figure("credit_files")) == [("草稿", 1, 1), ("已双签", 3, 3)]
    assert zhang.figure("post_loan_on_time").value is None, "none due: —, not 0%"
    assert credit(sun) == {
        "credit_files": (1, 1),  # F6, approved then (superseded since)
        "credit_sign_days": (0, 0),
        "post_loan_on_time": (1, 1),  # F6's second check, due on 10-09 and done that day
    }


def test_each_drill_down_sums_to_its_figure_and_lists_the_files(session: Session) -> None:
    f = refs(session)
    total = run(session, "head", name="branch").total
    for key in CREDIT:
        rows = drill(session, "head", key)
        figure = total.figure(key)
        assert sum(r.numerator for r in rows) == pytest.approx(figure.numerator), key
        assert sum(r.denominator for r in rows) == pytest.approx(figure.denominator), key
    files = drill(session, "head", "credit_files")
    assert [(r.group, r.ref) for r in files[:3]] == [
        ("草稿", f["F4"]),
        ("待风险经理签字", f["F3"]),
        ("已退回", f["F8"]),
    ], "in the order a file goes"
    assert f["F6"] not in {r.ref for r in files}, "a superseded version is no file"
    assert (files[0].owner_login, files[0].name, files[0].detail) == (
        "zhangwei",
        "客户K4",
        "K4 · 流动资金贷款 · v1",
    )
    seven = next(r for r in files if r.ref == f["F7"])
    assert seven.detail == "K9 · 流动资金贷款 · v2"
    days = drill(session, "head", "credit_sign_days")
    assert [(r.ref, r.group, r.numerator, r.day) for r in days] == [  # the slowest first
        (f["F2"], "冯控", 4.25, "2026-11-09"),
        (f["F5"], "赵风控", 1, "2026-11-17"),
        (f["F7"], "赵风控", 1, "2026-11-20"),
    ]
    assert days[0].detail == "K2 · 2026-11-05 10:00 → 2026-11-09 16:00"
    checks = drill(session, "head", "post_loan_on_time")
    assert [(r.ref, r.owner_login, r.numerator, r.day, r.detail) for r in checks] == [
        (f["F6"], "sunli", 0, "2026-11-02", "K9 · 2026-11-02 / 2026-11-03 07:00"),  # misses first
        (f["F9"], "zhangwei", 0, "2026-11-18", "K4 · 2026-11-18 / —"),
        (f["F1"], "zhangwei", 1, "2026-11-13", "K1 · 2026-11-13 / 2026-11-12 15:00"),
    ]
    october = drill(session, "head", "credit_files", start=OCT_1, end=OCT_31)
    assert sorted(r.ref for r in october) == sorted(f[k] for k in ("F1", "F2", "F6", "F9", "F10"))


def test_a_manager_sees_their_own_and_a_risk_manager_has_no_report(session: Session) -> None:
    f = refs(session)
    mine = drill(session, "zhangwei", "credit_files")
    assert {r.owner_login for r in mine} == {"zhangwei"} and len(mine) == 7
    assert f["F5"] not in {r.ref for r in mine}
    with pytest.raises(OutOfScope):
        run(session, "fengkong")
    with pytest.raises(OutOfScope):
        drill(session, "zhaofk", "credit_sign_days")


def test_the_credit_figures_on_the_command_line(
    engine: Engine, frozen_clock: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    now = MONDAY_MORNING
    capsys.readouterr()
    assert main(["--db", url, "--now", now, "report", "branch", "--as", "head"]) == 0
    table = capsys.readouterr().out.splitlines()
    line = next(i for i, text in enumerate(table) if "信贷档案" in text)
    assert "9" in table[line] and "已双签" in table[line + 4] and "6" in table[line + 4]
    assert any("风险经理平均签字天数" in text and "2.1天" in text for text in table)
    assert any("赵风控" in text for text in table)
    on_time = next(i for i, text in enumerate(table) if "贷后检查按期率" in text)
    assert "33.3%" in table[on_time] and "按期完成" in table[on_time + 1]
    argv = ["report", "manager", "--drill", "post_loan_on_time", "--as", "zhangwei"]
    assert main(["--db", url, "--now", now, *argv]) == 0
    out = capsys.readouterr().out
    assert "K4 · 2026-11-18 / —" in out and "应检查日" in out  # the rows, then what it counts
