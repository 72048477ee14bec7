"""The management report: figures counted by hand, drill-downs that sum to them, scope, CLI.

Given, on Monday 2026-11-23 at 08:30 (clock frozen), the report of November so far:

* 张伟 (zhangwei, team 对公一组) owns four customers with a cadence: K1 (A1) called on 11-10
  (a retention talk: retained), K2 (A1) visited on 11-01, K3 (A1) last visited on 10-20
  (past A1's 30 days), K4 (B1) called on 10-01 (within B1's 60 days) and texted on 11-01 (a
  text is no contact for B1), and K5, lost; so coverage is 3/4, A1 2/3, B1 1/1. K1 was
  re-verified on 11-01, K2 on 10-01 (past 30 days), K3 never, K4 on 10-01 (within 60):
  freshness 2/4.
* After-sale return visits: K1's product activated 09-10 was visited (purpose after_sale) on
  10-15; K2's activated 09-05 never was; K4's activated 09-20 had its after-sale task closed on
  11-18 by a call logged from it, which is the return visit of K4's product activated 09-25 as
  well (its window, to 11-25, was open: decided early); K3's activated 10-01 is due in
  December: 3/4.
* Complaints, all of K1 (gold: a VIP by its tier): T1 (11-02) answered in time and resolved
  in 72 h, satisfaction 5; T2 (11-03) answered late and resolved late after 216 h,
  satisfaction 3 (recorded on the old scale); T3 (this morning) still within its clocks; T4
  (10-28) resolved on 11-02 after 120 h. First response 1/2, resolution 1/2, 136 h on average
  over three, satisfaction 4.0, satisfied 1/2 (VIP 1/2), one answer on the old scale.
* Visits of week 46: one done, one cancelled, one rescheduled (not counted), one next week
  (not yet): 1/2. Tasks due in November so far: one done on time, one done late, one still
  open, one cancelled (not counted), and the after-sale task done in time: done 3/4, overdue
  2/4.
* Work logs: 15 working days (11-02 … 11-20; today's is due tonight); 张伟 submitted five; 李娜
  was on leave 11-16 … 11-20 and submitted all ten others: 张伟 5/15, the team 15/25.
* 孙丽 (sunli) in team 对公二组 owns K9, called yesterday; the branch head sees both teams.
* Referrals by the teller 刘洋 and by 李娜, each counted in the period it was decided. To 张伟:
  R1 (K1, 刘洋, 11-02) contacted in time and converted on 11-10; R2 (K2, 李娜, 11-09) contacted
  late and lost on 11-15; R3 (the lead 钱多多, 李娜, 11-16) contacted in time, in its window;
  R4 (K3, 刘洋, Friday 11-20) due this evening, not contacted yet (undecided); R5 (K4, 刘洋,
  10-30) contacted on 10-31 before its deadline of 11-02 and converted on 10-31 (October's);
  R6 (K2, 刘洋, August) open past its window, which closed on 11-20 (lapsed). First contact
  in time 2/3 (刘洋 1/1, 李娜 1/2), conversion 1/3 (R1 of R1, R2, R6; 刘洋 1/2, 李娜 0/1).
  R7 (K9, 李娜) reached 孙丽 on 11-05 and was contacted late; R8 waits in the pool (nobody's).
* The pipeline (商机). 张伟: O1 (K1, 50万) 10 days at select, 16 at prepare (left 11-05), at
  approach since; O2 (K2, 120万) 4 days at needs (left 11-06), 10 at assess (left 11-16),
  at solution since with its proposal waiting since 11-16 10:00 (6.9375 days by now); O3 (K3,
  30万) 6 days at select, 9.5 at prepare, won from there on 11-18 at 21:00; O4 (K4, 80万),
  made 10-28, lost at select on 11-20; O5 (the lead 钱多多, 20万) at select since 11-17. So
  now his pipeline is 190万 in three (select 20万, approach 50万, solution 120万), won 30万,
  win rate 1/2, 45.5 days over five steps left (select 6, prepare 16 + 9.5, needs 4, assess
  10), one proposal waiting. 孙丽: O6 (K9, 200万) at approach since October; O7 (K9, 10万)
  won on 10-25 after 20 days at select; O8 (K9, 60万) 9 days at assess, its proposal waited
  from 11-10 09:00 until the branch head approved it on 11-12, 3 days at solution, at close
  since 11-13.
* Credit files of their customers, with their post-loan checks, are counted in
  :mod:`test_credit_figures`.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING, Factory
from openpyxl import load_workbook
from report_world import build_world, template  # noqa: F401 - the world
from sqlalchemy import Engine
from sqlmodel import Session, select
from wcwidth import wcswidth

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import RoleWorkload, Settings, WorkloadSettings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.models import Lead, Opportunity
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.reports import report as reports
from cmworkbench.services.reports.figures import FIGURES
from cmworkbench.services.reports.schemas import month_period
from cmworkbench.services.staff.directory import actor_for_login

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
at = clock.parse_instant


@pytest.fixture
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    template: Path | None,  # noqa: F811
) -> Iterator[Engine]:
    """The world (the conftest's ``engine``, already built): a copy of the template, or on
    PostgreSQL the test's own database with the world built in it (at Monday 08:30; the
    clock is put back after the test)."""
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
def world(frozen_clock: object, engine: Engine) -> None:
    """The world of the module doc, at Monday 08:30."""


@pytest.fixture
def session(engine: Engine, world: None) -> Iterator[Session]:
    with unit_of_work(engine) as session:
        yield session


def run(
    session: Session, who: str, name: str = "manager", settings: Settings | None = None, **kw: Any
) -> reports.Report:
    actor = actor_for_login(session=session, login=who)
    return reports.report(
        session=session,
        actor=actor,
        settings=settings or Settings(),
        name=name,
        start=kw.pop("start", NOV_1),
        end=kw.pop("end", NOV_30),
        **kw,
    )


def figures(group: reports.ReportGroup) -> dict[str, tuple[float, float]]:
    return {f.key: (f.numerator, f.denominator) for f in group.figures}


def test_a_managers_figures_are_the_ones_counted_by_hand(session: Session) -> None:
    report = run(session, "zhangwei")
    assert [g.key for g in report.groups] == ["zhangwei"]
    assert figures(report.total) == {
        "coverage": (3, 4),
        "freshness": (2, 4),
        "return_visit": (3, 4),
        "sla_first_response": (1, 2),
        "sla_resolution": (1, 2),
        "resolution_hours": (72 + 216 + 120, 3),
        "promises_kept": (1, 3),  # the cancelled one and December's do not count
        "satisfaction": (8, 2),
        "satisfaction_rate": (1, 2),
        "vip_satisfaction_rate": (1, 2),  # K1 is gold: a VIP without the flag
        "visits_done": (1, 2),
        "tasks_done": (3, 4),
        "tasks_overdue": (2, 4),
        "worklog": (5, 15),
        "retention": (1, 1),  # K1's call of 11-10 was a retention talk: retained
        "directories": (0, 2),  # no staff directory refreshed: 0 of the month's 2
        "workload": (4, 150),  # four customers in a book of 150 households (the rule)
        # the world's files hold a name only (no phone, address…): none complete, none
        # compliant (test_data_quality.py counts these figures on files that are)
        "data_completeness": (0, 4),
        "data_accuracy": (3, 4),  # K1 verified on 11-12: four fields checked, the phone wrong
        "data_compliance": (0, 4),
        "referral_contacted": (2, 3),  # R1 and R3 in time, R2 late; R4 not decided yet
        "referral_conversion": (1, 3),  # R1 converted, R2 lost, R6 lapsed; R3 in its window
        "pipeline_value": (1_900_000, 3),  # O1, O2, O5 open; O3 won, O4 lost
        "won_value": (300_000, 1),  # O3
        "win_rate": (1, 2),  # O3 won, O4 lost
        "stage_days": (6 + 16 + 9.5 + 4 + 10, 5),  # a loss (O4) is no step's time
        "proposals_waiting": (1, 1),  # O2's
        # the credit files (test_credit_figures counts them)
        "credit_files": (7, 7),
        "credit_sign_days": (4.25, 1),
        "post_loan_on_time": (1, 2),
    }
    coverage = report.total.figure("coverage")
    assert coverage.value == 0.75 and coverage.target == 0.95 and coverage.below_target
    assert [(p.key, p.numerator, p.denominator) for p in coverage.parts] == [
        ("A1", 2, 3),
        ("B1", 1, 1),
    ]
    assert report.total.figure("resolution_hours").value == 136
    kept = report.total.figure("promises_kept")
    assert [(p.key, p.numerator, p.denominator) for p in kept.parts] == [
        ("callback_same_day", 1, 1),
        ("complaint_feedback", 0, 1),
        ("negotiation_feedback", 0, 1),
    ]
    assert report.total.figure("satisfaction").value == 4.0


def test_the_satisfaction_figures_say_how_many_answers_are_on_the_old_scale(
    session: Session,
) -> None:
    total = run(session, "zhangwei").total
    for key in ("satisfaction", "satisfaction_rate", "vip_satisfaction_rate"):
        parts = {p.key: p.denominator for p in total.figure(key).parts}
        assert parts.get("old_scale") == 1, key
    vip = total.figure("vip_satisfaction_rate")
    assert (vip.value, vip.target, vip.below_target) == (0.5, 0.95, True)


def test_tasks_are_broken_down_by_kind_and_hours_have_no_target(session: Session) -> None:
    total = run(session, "zhangwei").total
    parts = {p.key: (p.numerator, p.denominator) for p in total.figure("tasks_done").parts}
    assert parts == {"after_sale": (1, 1), "contact": (2, 3)}
    hours = total.figure("resolution_hours")
    assert hours.unit == "hours" and hours.target is None and not hours.below_target


def test_targets_come_from_config(session: Session) -> None:
    from dataclasses import replace

    relaxed = Settings()
    relaxed = replace(relaxed, targets=replace(relaxed.targets, coverage=0.7, satisfaction=4.0))
    total = run(session, "zhangwei", settings=relaxed).total
    assert not total.figure("coverage").below_target
    assert not total.figure("satisfaction").below_target, "4.0 meets a 4.0 target"


@pytest.mark.parametrize("figure", [f.key for f in FIGURES])
def test_every_drill_down_sums_to_its_figure(session: Session, figure: str) -> None:
    actor = actor_for_login(session=session, login="head")
    total = run(session, "head", name="branch").total.figure(figure)
    rows = reports.drill(
        session=session,
        actor=actor,
        settings=Settings(),
        figure_key=figure,
        start=NOV_1,
        end=NOV_30,
    )
    assert sum(r.numerator for r in rows) == pytest.approx(total.numerator)
    assert sum(r.denominator for r in rows) == pytest.approx(total.denominator)
    assert total.denominator > 0, "the world has records behind every figure"


def parts(figure: Any) -> dict[str, tuple[float, float]]:
    return {p.key: (p.numerator, p.denominator) for p in figure.parts}


def test_referrals_count_for_the_manager_they_reached_per_referrer(session: Session) -> None:
    total = run(session, "zhangwei").total
    contacted = total.figure("referral_contacted")
    assert (contacted.target, contacted.below_target) == (0.95, True)
    assert parts(contacted) == {"刘洋": (1, 1), "李娜": (1, 2)}
    conversion = total.figure("referral_conversion")
    assert conversion.target is None and not conversion.below_target
    assert parts(conversion) == {"刘洋": (1, 2), "李娜": (0, 1)}
    branch = figures(run(session, "head", name="branch").total)
    assert branch["referral_contacted"] == (2, 4), "R7, late, is 孙丽's; R8 is in the pool"
    assert branch["referral_conversion"] == (1, 3)
    assert figures(run(session, "head", staff_login="sunli").total)["referral_contacted"] == (0, 1)


def test_a_referral_counts_in_the_month_it_was_decided_once(session: Session) -> None:
    """R5, received on 10-30 with its deadline on 11-02, was contacted on 10-31 and converted
    the same day: October's, not November's too; R6, contacted in August, is November's
    conversion only (its window closed on 11-20)."""
    october = figures(
        run(session, "zhangwei", start=date(2026, 10, 1), end=date(2026, 10, 31)).total
    )
    assert october["referral_contacted"] == (1, 1)
    assert october["referral_conversion"] == (1, 1)
    august = figures(run(session, "zhangwei", start=date(2026, 8, 1), end=date(2026, 8, 31)).total)
    assert august["referral_contacted"] == (1, 1)
    assert august["referral_conversion"] == (0, 0)
    # R4's deadline is this evening: decided once it passes
    week = dict(start=date(2026, 11, 23), end=date(2026, 11, 29))
    assert figures(run(session, "zhangwei", **week).total)["referral_contacted"] == (0, 0)
    clock.freeze(at("2026-11-23T18:00"))
    assert figures(run(session, "zhangwei", **week).total)["referral_contacted"] == (0, 1)


def test_the_referrals_drill_down_says_who_what_and_how_it_ended(session: Session) -> None:
    actor = actor_for_login(session=session, login="zhangwei")

    def drill(key: str) -> list[tuple[str, str, str, str, str, float]]:
        rows = reports.drill(
            session=session, actor=actor, settings=Settings(), figure_key=key, start=NOV_1,
            end=NOV_30,
        )  # fmt: skip
        return [(r.group, r.ref, r.name, r.day, r.detail, r.numerator) for r in rows]

    lead = session.exec(select(Lead)).one()
    assert drill("referral_contacted") == [
        ("李娜", "K2", "客户K2", "2026-11-10", "2026-11-10 17:30 / 2026-11-12 10:00", 0),
        ("刘洋", "K1", "客户K1", "2026-11-03", "2026-11-03 17:30 / 2026-11-02 15:00", 1),
        ("李娜", f"L{lead.id}", "钱多多", "2026-11-17", "2026-11-17 17:30 / 2026-11-17 09:00", 1),
    ]
    assert drill("referral_conversion") == [
        ("李娜", "K2", "客户K2", "2026-11-15", "理财 · 未成交 2026-11-15 · 已在他行购买", 0),
        ("刘洋", "K2", "客户K2", "2026-11-20", "理财 · 已过期未成交 2026-11-20", 0),
        ("刘洋", "K1", "客户K1", "2026-11-10", "理财 · 已成交 2026-11-10", 1),
    ]


def test_a_drill_down_lists_misses_first_with_what_explains_them(session: Session) -> None:
    actor = actor_for_login(session=session, login="zhangwei")
    rows = reports.drill(
        session=session,
        actor=actor,
        settings=Settings(),
        figure_key="coverage",
        start=NOV_1,
        end=NOV_30,
    )
    assert [(r.ref, r.numerator, r.detail) for r in rows[:1]] == [("K3", 0, "2026-10-20")]
    assert {r.ref for r in rows} == {"K1", "K2", "K3", "K4"}, "the lost K5 does not count"


def test_the_team_and_the_branch(session: Session) -> None:
    team = run(session, "wangfang", name="team")
    assert [g.name for g in team.groups] == ["对公一组"]
    assert figures(team.total)["worklog"] == (15, 25)
    branch = run(session, "head", name="team")
    assert [g.name for g in branch.groups] == ["对公一组", "对公二组"]
    assert figures(branch.total)["coverage"] == (4, 5)
    by_manager = run(session, "head", name="manager", team="对公一组")
    assert [g.key for g in by_manager.groups] == ["lina", "zhangwei"]


@pytest.mark.parametrize(
    ("who", "name", "narrow", "refusal"),
    [
        pytest.param(
            "zhangwei", "manager", {"staff_login": "lina"}, OutOfScope, id="manager-on-colleague"
        ),
        pytest.param("zhangwei", "team", {}, OutOfScope, id="manager-by-team"),
        pytest.param(
            "zhangwei", "manager", {"team": "对公一组"}, OutOfScope, id="manager-narrows-to-team"
        ),
        pytest.param(
            "wangfang", "manager", {"team": "对公二组"}, OutOfScope, id="supervisor-other-team"
        ),
        pytest.param(
            "wangfang",
            "manager",
            {"staff_login": "sunli"},
            OutOfScope,
            id="supervisor-other-teams-manager",
        ),
        pytest.param("wangfang", "branch", {}, OutOfScope, id="supervisor-by-branch"),
        pytest.param("head", "manager", {"team": "零售组"}, NotFound, id="unknown-team"),
        pytest.param("head", "manager", {"staff_login": "nobody"}, NotFound, id="unknown-login"),
        pytest.param("head", "weekly", {}, InvalidInput, id="unknown-report"),
    ],
)
def test_a_report_outside_ones_scope_is_refused(
    session: Session, who: str, name: str, narrow: dict[str, str], refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        run(session, who, name=name, **narrow)


def test_the_head_may_narrow_to_anyone_in_the_branch(session: Session) -> None:
    assert figures(run(session, "head", staff_login="sunli").total)["coverage"] == (1, 1)
    assert run(session, "wangfang", staff_login="lina").scope == "李娜"


def test_a_period_must_have_begun_and_be_in_order(session: Session) -> None:
    with pytest.raises(InvalidInput):
        run(session, "zhangwei", start=date(2026, 12, 1), end=date(2026, 12, 31))
    with pytest.raises(InvalidInput):
        run(session, "zhangwei", start=NOV_30, end=NOV_1)
    with pytest.raises(InvalidInput):
        month_period("2026-13")


def test_a_weekly_trend_point_is_the_report_of_that_week(session: Session) -> None:
    actor = actor_for_login(session=session, login="zhangwei")
    trend = reports.weekly_trend(session=session, actor=actor, settings=Settings(), weeks=3)
    assert [p.week for p in trend["coverage"]] == ["2026-W46", "2026-W47", "2026-W48"]
    for key in ("coverage", "tasks_done", "worklog"):
        for point in trend[key]:
            week = run(session, "zhangwei", start=point.start, end=point.end).total
            assert point.value == week.figure(key).value, (key, point.week)
    assert [p.value for p in trend["tasks_done"]] == [0.0, 1.0, None]


@pytest.mark.parametrize("who", ["zhangwei", "head"])
def test_every_trend_point_is_the_report_of_its_week(session: Session, who: str) -> None:
    # Coverage, freshness and return visits compute all weeks in one pass: K1 called in W46
    # is covered from W46 on; return visits are judged in the week they fall due: K2 (W45)
    # missed, K1 (W46) and K4 (W47) held, the second of K4 (W48) held by the same call.
    actor = actor_for_login(session=session, login=who)
    trend = reports.weekly_trend(session=session, actor=actor, settings=Settings(), weeks=6)
    assert set(trend) == {f.key for f in FIGURES}
    for key, points in trend.items():
        for point in points:
            week = run(session, who, start=point.start, end=point.end).total.figure(key)
            assert (point.value, point.below_target) == (week.value, week.below_target), (
                key,
                point.week,
            )
    assert [p.value for p in trend["return_visit"]] == [None, None, 0.0, 1.0, 1.0, 1.0]


def test_the_trends_last_week_is_the_report_of_this_week_so_far(session: Session) -> None:
    actor = actor_for_login(session=session, login="head")
    trend = reports.weekly_trend(session=session, actor=actor, settings=Settings())
    monday = date(2026, 11, 23)
    this_week = run(session, "head", name="branch", start=monday, end=monday + timedelta(6))
    assert [p.week for p in trend["coverage"]][-1] == "2026-W48"
    for figure in this_week.total.figures:
        assert trend[figure.key][-1].value == figure.value, figure.key
    assert trend["coverage"][-1].value == 0.8, "K1, K2, K4 and K9 of five; K3 is overdue"


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def url(engine: Engine, world: None) -> str:
    return engine.url.render_as_string(hide_password=False)


def cmw(url: str, command: str) -> int:
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_the_table_lines_up_with_chinese_labels(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(url, "report manager --month 2026-11 --as zhangwei") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "2026-11-01" in lines[0] and "张伟" in lines[0]
    table = lines[1:]
    coverage = next(line for line in table if "联系覆盖率" in line)
    assert "75.0%" in coverage and "95.0%" in coverage and "✗" in coverage
    values = {"数值", "75.0%", "66.7%", "33.3%"}
    starts = {
        wcswidth(line[: line.index(value)])
        for line in table[:40]
        for value in values
        if value in line
    }
    assert len(starts) == 1, "the value column lines up under double-width labels"


def test_csv_and_json(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cmw(url, "report manager --from 2026-11-01 --to 2026-11-30 --format csv --as zhangwei") == 0
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    coverage = next(r for r in rows if r[1] == "coverage" and r[0] == "张伟")
    assert coverage[3:7] == ["0.75", "ratio", "3", "4"]
    assert cmw(url, "report manager --month 2026-11 --format json --as zhangwei") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["figures"][0]["key"] == "coverage"
    assert data["total"]["figures"][0]["value"] == 0.75


def test_xlsx_has_a_header_and_a_frozen_pane(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.xlsx"
    assert cmw(url, f"report team --month 2026-11 --format xlsx -o {out} --as wangfang") == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["范围", "指标", "指标名称", "数值"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 8


def test_the_drill_down_on_the_command_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cmw(url, "report manager --month 2026-11 --drill return_visit --as zhangwei") == 0
    out = capsys.readouterr().out
    assert "K2" in out and "共 4 条记录：分子合计 3，分母合计 4" in out
    assert cmw(url, "report manager --month 2026-11 --as zhangwei") == 0
    assert "其中旧量表（满意 = 5）" in capsys.readouterr().out


def test_the_command_line_refuses_in_one_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cmw(url, "report manager --staff lina --as zhangwei") == 2
    err = capsys.readouterr().err.strip()
    assert "lina" in err and len(err.splitlines()) == 1
    assert cmw(url, "report manager --drill nosuch --as zhangwei") == 2
    assert "coverage" in capsys.readouterr().err
    assert cmw(url, "report manager --format xlsx --as zhangwei") == 2


MONTH_ENDS = [
    date(2026, 1, 31), date(2026, 8, 31), date(2024, 2, 29), date(2026, 3, 31),
    date(2026, 12, 31), date(2026, 5, 30), date(2026, 11, 15), date(2027, 1, 29),
]  # fmt: skip


@pytest.mark.parametrize("months", [1, 2, 3, 6, 11, 12, 13])
def test_months_are_added_as_a_calendar_does_on_both_databases(engine: Engine, months: int) -> None:
    """Generation's after-sale deadline and the report's are one piece of SQL per database;
    both keep the day within the month (31 August + 3 months = 30 November), as
    ``relativedelta`` does, where SQLite's own ``date()`` would run over into December."""
    from dateutil.relativedelta import relativedelta
    from sqlalchemy import text

    from cmworkbench.db.dialect import dialect_of

    dialect = dialect_of(engine.dialect.name)
    with engine.connect() as conn:
        for day in MONTH_ENDS:
            sql = "SELECT " + dialect.plus_months.format(":day", ":months")
            found = conn.execute(
                text(sql), {"day": day.isoformat() if dialect.name == "sqlite" else day,
                            "months": months},
            ).scalar_one()  # fmt: skip
            assert str(found) == (day + relativedelta(months=months)).isoformat(), day


def test_a_book_twice_its_rule_is_flagged_and_its_customers_are_the_drill_down(
    session: Session,
) -> None:
    """张伟 holds four customers (the lost one does not count); with a rule of two households a
    manager, his book is 200% of the rule: above the target of 100%, flagged."""
    settings = Settings(workload=WorkloadSettings(manager=RoleWorkload(households=2)))
    workload = run(session, "zhangwei", settings=settings).total.figure("workload")
    assert (workload.numerator, workload.denominator, workload.value) == (4, 2, 2.0)
    assert workload.below_target, "above 100% of the rule is flagged"
    rows = reports.drill(
        session=session,
        actor=actor_for_login(session=session, login="zhangwei"),
        settings=settings,
        figure_key="workload",
        start=NOV_1,
        end=NOV_30,
    )
    assert sorted(r.ref for r in rows if r.numerator) == ["K1", "K2", "K3", "K4"]
    assert [(r.ref, r.denominator) for r in rows if r.denominator] == [("zhangwei", 2)]


# -- the pipeline ----------------------------------------------------------------------------


def test_a_managers_pipeline_by_step_product_with_the_oldest_proposal_waiting(
    session: Session,
) -> None:
    total = run(session, "zhangwei").total
    pipeline = total.figure("pipeline_value")
    assert (pipeline.unit, pipeline.value, pipeline.target) == ("yuan", 1_900_000, None)
    assert list(parts(pipeline).items()) == [  # in the pipeline's order
        ("甄选目标客户", (200_000, 1)),
        ("接近客户建立信任", (500_000, 1)),
        ("方案设计与展示", (1_200_000, 1)),
    ]
    assert [p.value for p in pipeline.parts] == [200_000, 500_000, 1_200_000]
    won = total.figure("won_value")
    assert (won.value, parts(won)) == (300_000, {"基金": (300_000, 1)})
    win = total.figure("win_rate")
    assert (win.value, parts(win)) == (0.5, {"基金": (1, 1), "理财": (0, 1)})
    days = total.figure("stage_days")
    assert (days.unit, days.value) == ("days", pytest.approx(9.1))
    assert list(parts(days).items()) == [
        ("甄选目标客户", (6, 1)),
        ("拜访准备", (25.5, 2)),
        ("沟通并发掘需求", (4, 1)),
        ("风险评估价值评估", (10, 1)),
    ]
    waiting = total.figure("proposals_waiting")
    assert (waiting.unit, waiting.value, waiting.oldest_days) == ("count", 1, 6.9375)
    for figure in (pipeline, won, win, days, waiting):
        assert figure.target is None and not figure.below_target, figure.key
    assert total.figure("coverage").oldest_days is None


def test_the_branch_heads_pipeline_by_manager_and_the_supervisors_by_team(
    session: Session,
) -> None:
    report = run(session, "head")
    by_manager = {g.key: figures(g) for g in report.groups}
    assert by_manager["zhangwei"]["pipeline_value"] == (1_900_000, 3)
    assert by_manager["sunli"]["pipeline_value"] == (2_600_000, 2)
    assert by_manager["lina"]["pipeline_value"] == (0, 0)
    assert report.groups[0].figure("pipeline_value").value == 0, "李娜 has none: 0, not —"
    total = report.total
    assert list(parts(total.figure("pipeline_value")).items()) == [
        ("甄选目标客户", (200_000, 1)),
        ("接近客户建立信任", (2_500_000, 2)),
        ("方案设计与展示", (1_200_000, 1)),
        ("促成成交", (600_000, 1)),
    ]
    branch = figures(total)
    assert branch["pipeline_value"] == (4_500_000, 5)
    assert branch["won_value"] == (300_000, 1), "孙丽's O7 was won in October"
    assert branch["win_rate"] == (1, 2)
    assert branch["stage_days"] == (45.5 + 9 + 3, 7)
    assert branch["proposals_waiting"] == (1, 1), "O8's proposal was approved on 11-12"
    assert total.figure("proposals_waiting").oldest_days == 6.9375
    team = run(session, "wangfang", name="team")
    assert figures(team.total)["pipeline_value"] == (1_900_000, 3), "对公一组: 张伟 and 李娜"


def test_the_pipeline_of_a_past_period_is_the_one_at_its_end(session: Session) -> None:
    """A stock at the period's end, each opportunity at the step it stood at then: October
    ends with O1 at prepare (it moved on 11-05) and O4 at select (lost on 11-20, open then)."""
    october = dict(start=date(2026, 10, 1), end=date(2026, 10, 31))
    zhang = run(session, "zhangwei", **october).total
    assert parts(zhang.figure("pipeline_value")) == {
        "甄选目标客户": (800_000, 1),
        "拜访准备": (500_000, 1),
    }
    assert figures(zhang)["won_value"] == (0, 0) and zhang.figure("won_value").value == 0
    assert figures(zhang)["stage_days"] == (10, 1), "O1 left select on 10-20"
    assert figures(zhang)["win_rate"] == (0, 0) and zhang.figure("win_rate").value is None
    sun = figures(run(session, "head", staff_login="sunli", **october).total)
    assert (sun["won_value"], sun["win_rate"], sun["stage_days"]) == (
        (100_000, 1),
        (1, 1),
        (20, 1),
    )
    assert sun["pipeline_value"] == (2_000_000, 1), "O7 won before the month's end"
    # on 11-10 O8's proposal had waited 15 hours (approved on 11-12); O2 and O3 stood at
    # assess and prepare, O8 at solution
    early = run(session, "head", name="branch", start=NOV_1, end=date(2026, 11, 10)).total
    assert parts(early.figure("pipeline_value")) == {
        "甄选目标客户": (800_000, 1),
        "拜访准备": (300_000, 1),
        "接近客户建立信任": (2_500_000, 2),
        "风险评估价值评估": (1_200_000, 1),
        "方案设计与展示": (600_000, 1),
    }
    waiting = early.figure("proposals_waiting")
    assert (waiting.numerator, waiting.oldest_days) == (1, 0.625)


def test_the_pipeline_drill_down_lists_the_opportunities_behind_each_figure(
    session: Session,
) -> None:
    actor = actor_for_login(session=session, login="zhangwei")
    ids = {o.value_yuan: o.id for o in session.exec(select(Opportunity))}
    lead = session.exec(select(Lead)).one()

    def drill(key: str) -> list[tuple[str, str, str, str, float, str]]:
        rows = reports.drill(
            session=session, actor=actor, settings=Settings(), figure_key=key, start=NOV_1,
            end=NOV_30,
        )  # fmt: skip
        assert {r.owner_login for r in rows} == {"zhangwei"}, "his own only"
        return [(r.group, r.ref, r.name, r.day, r.numerator, r.detail) for r in rows]

    assert drill("pipeline_value") == [  # the biggest first
        ("方案设计与展示", f"#{ids[1_200_000]}", "客户K2", "2026-11-23", 1_200_000,
         "K2 · 保险 · 预计成交日 2026-12-31"),
        ("接近客户建立信任", f"#{ids[500_000]}", "客户K1", "2026-11-23", 500_000,
         "K1 · 理财 · 预计成交日 2026-12-31"),
        ("甄选目标客户", f"#{ids[200_000]}", "钱多多", "2026-11-23", 200_000,
         f"L{lead.id} · 理财 · 预计成交日 2026-12-31"),
    ]  # fmt: skip
    assert drill("won_value") == [
        ("基金", f"#{ids[300_000]}", "客户K3", "2026-11-18", 300_000,
         "K3 · 2026-11-03 → 2026-11-18 · 客户认购"),
    ]  # fmt: skip
    assert drill("win_rate") == [  # the loss first
        ("理财", f"#{ids[800_000]}", "客户K4", "2026-11-20", 0,
         "K4 · 输单 2026-11-20 · 已在他行购买"),
        ("基金", f"#{ids[300_000]}", "客户K3", "2026-11-18", 1,
         "K3 · 赢单 2026-11-18 · 客户认购"),
    ]  # fmt: skip
    stays = drill("stage_days")  # the longest first
    assert [(group, ref, days) for group, ref, _, _, days, _ in stays] == [
        ("拜访准备", f"#{ids[500_000]}", 16),
        ("风险评估价值评估", f"#{ids[1_200_000]}", 10),
        ("拜访准备", f"#{ids[300_000]}", 9.5),
        ("甄选目标客户", f"#{ids[300_000]}", 6),
        ("沟通并发掘需求", f"#{ids[1_200_000]}", 4),
    ]
    assert stays[0][3:] == ("2026-11-05", 16, "K1 · 2026-10-20 09:00 → 2026-11-05 09:00")
    assert drill("proposals_waiting") == [
        ("", f"#{ids[1_200_000]}", "客户K2", "2026-11-23", 1, "K2 · 2026-11-16 10:00 · 6.9 天"),
    ]


def test_a_referrer_gets_no_pipeline_report(session: Session) -> None:
    with pytest.raises(OutOfScope):
        run(session, "liuyang")


def test_the_pipeline_on_the_command_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cmw(url, "report manager --month 2026-11 --drill pipeline_value --as zhangwei") == 0
    out = capsys.readouterr().out
    assert "钱多多" in out and "共 3 条记录：分子合计 1900000，分母合计 3" in out
    assert "期末（本月为此刻）仍在进行中的商机的预计金额合计" in out, "what it counts"
    assert cmw(url, "report manager --month 2026-11 --as zhangwei") == 0
    table = capsys.readouterr().out.splitlines()
    pipeline = next(line for line in table if "商机储备金额" in line)
    assert "190.0万" in pipeline and "1900000" in pipeline
    step = next(line for line in table if "方案设计与展示" in line)
    assert "120.0万" in step
    assert "平均阶段停留天数" in "".join(table) and "9.1天" in "".join(table)
    oldest = next(line for line in table if "其中最久已等待" in line)
    assert "6.9天" in oldest
