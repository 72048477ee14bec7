# ruff: noqa: F811 - the fixtures of test_reports, imported by name
"""The report's sums taken ahead by the scheduler (``services/reports/snapshot.py``).

In the world of ``test_reports`` (Monday 2026-11-23 08:30, clock frozen): the snapshot taken
at 08:30 gives every scope the figures the live report gives, and the trend its points; at
08:35, after a task was closed, the Dashboard still shows the figures of 08:30 and says so,
and the records behind a figure, read as of 08:30, sum to it; a handover, or a snapshot
older than twice the interval, sends the report back to the live figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import MONDAY_MORNING
from report_world import template  # noqa: F401 - the world
from sqlalchemy import Engine, text
from sqlmodel import Session
from test_reports import engine, world  # noqa: F401 - the same world

from cmworkbench import clock
from cmworkbench.config import SchedulerSettings, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.services.ops import lease
from cmworkbench.services.reports import report as reports
from cmworkbench.services.reports import snapshot
from cmworkbench.services.reports.schemas import DrillRow
from cmworkbench.services.staff.directory import actor_for_login

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
SETTINGS = Settings()


def figures(r: reports.Report) -> list[tuple[str, str, float, float, float | None, bool]]:
    return [
        (g.key, f.key, f.numerator, f.denominator, f.value, f.below_target)
        for g in (r.total, *r.groups)
        for f in g.figures
    ]


def report(engine: Engine, who: str, name: str, settings: Settings = SETTINGS) -> reports.Report:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login=who)
        return reports.report(
            session=session, actor=actor, settings=settings, name=name, start=NOV_1, end=NOV_30
        )


def trend(engine: Engine, who: str) -> dict[str, list[tuple[object, ...]]]:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login=who)
        points = reports.weekly_trend(session=session, actor=actor, settings=SETTINGS)
    return {k: [(p.week, p.value, p.below_target) for p in v] for k, v in points.items()}


def coverage_rows(engine: Engine, as_of: datetime | None = None) -> list[DrillRow]:
    """The branch head's records behind coverage (as they stood at ``as_of``, else now)."""
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login="head")
        return reports.drill(
            session=session,
            actor=actor,
            settings=SETTINGS,
            figure_key="coverage",
            start=NOV_1,
            end=NOV_30,
            as_of=as_of,
        )


def take(engine: Engine) -> None:
    taken = snapshot.take(engine, SETTINGS)
    with unit_of_work(engine) as session:
        snapshot.store(session, taken)


@pytest.fixture
def live(engine: Engine, world: None) -> Iterator[dict[str, object]]:
    """The live figures of every scope, then the snapshot taken at 08:30."""
    answers: dict[str, object] = {
        f"{who}/{name}": figures(report(engine, who, name))
        for who, name in (("head", "branch"), ("head", "team"), ("zhangwei", "manager"))
    }
    answers["trend"] = trend(engine, "head")
    take(engine)
    yield answers


SCOPES = [("head", "branch"), ("head", "team"), ("zhangwei", "manager")]


@pytest.mark.parametrize(("who", "name"), SCOPES)
def test_a_snapshot_gives_every_scope_the_live_figures(
    engine: Engine, live: dict[str, object], who: str, name: str
) -> None:
    served = report(engine, who, name)
    assert figures(served) == live[f"{who}/{name}"]
    assert served.as_of == clock.parse_instant(MONDAY_MORNING) and served.taken_ahead
    with unit_of_work(engine) as session:
        assert snapshot.usable(session, SETTINGS, 1, [(NOV_1, NOV_30)], [1]) is not None


def test_a_snapshot_gives_the_trend_s_eight_weeks(engine: Engine, live: dict[str, object]) -> None:
    assert trend(engine, "head") == live["trend"]


def test_five_minutes_later_the_figures_stand_at_8_30_and_the_drill_sums_to_them(
    engine: Engine, live: dict[str, object]
) -> None:
    clock.freeze("2026-11-23T08:35")
    with unit_of_work(engine) as session:  # 张伟 visits K3 (past A1's 30 days) at 08:32
        session.connection().execute(
            text(
                "INSERT INTO interaction (customer_id, staff_id, kind, status,"
                " happened_at, created_at)"
                " SELECT c.id, c.owner_id, 'visit', 'done', :at, :at"
                " FROM customer c WHERE c.customer_no = 'K3'"
            ),
            {"at": "2026-11-23 00:32:00.000000"},
        )
    served = report(engine, "head", "branch")
    assert served.as_of == clock.parse_instant(MONDAY_MORNING)
    assert figures(served) == live["head/branch"]
    covered = served.total.figure("coverage")
    rows = coverage_rows(engine, as_of=served.as_of)
    assert sum(r.numerator for r in rows) == pytest.approx(covered.numerator)
    assert sum(r.denominator for r in rows) == pytest.approx(covered.denominator)
    live_rows = coverage_rows(engine)
    assert sum(r.numerator for r in live_rows) > covered.numerator, "live, K3 is covered"
    clock.freeze("2026-11-23T08:51")  # twice the interval, and a minute: live again
    assert report(engine, "head", "branch").as_of == clock.parse_instant("2026-11-23T08:51")


def test_a_handover_sends_the_report_back_to_live_figures(
    engine: Engine, live: dict[str, object]
) -> None:
    with unit_of_work(engine) as session:  # one of 张伟's customers goes to 孙丽
        session.connection().execute(
            text(
                "UPDATE customer SET owner_id = (SELECT id FROM staff WHERE login = 'sunli')"
                " WHERE id = (SELECT MIN(c.id) FROM customer c JOIN staff s"
                " ON s.id = c.owner_id WHERE s.login = 'zhangwei')"
            )
        )
    clock.freeze("2026-11-23T08:31")
    served = report(engine, "zhangwei", "manager")
    assert served.as_of == clock.parse_instant("2026-11-23T08:31"), "computed live"
    assert not served.taken_ahead
    assert figures(served) != live["zhangwei/manager"]


def test_without_snapshots_configured_the_figures_are_always_live(
    engine: Engine, live: dict[str, object]
) -> None:
    clock.freeze("2026-11-23T08:31")
    never = Settings(scheduler=SchedulerSettings(report_snapshot_minutes=0))
    served = report(engine, "head", "branch", settings=never)
    assert served.as_of == clock.parse_instant("2026-11-23T08:31")


def test_the_job_reads_outside_its_unit_of_work_and_stores_every_period(
    engine: Engine,
    world: None,
    tmp_path: Path,
) -> None:
    assert lease.take(engine, "leader-a", SETTINGS.scheduler.lease_seconds)
    writes_during_read: list[bool] = []

    def prepare(engine_: Engine, settings: Settings) -> list[snapshot.Taken]:
        with unit_of_work(engine) as other:  # a writer is not kept waiting by the job
            other.connection().execute(text("UPDATE staff SET name = name WHERE id = 1"))
        writes_during_read.append(True)
        return snapshot.take(engine_, settings)

    def store(session: Session, settings: Settings, taken: list[snapshot.Taken]) -> str:
        return f"stored {snapshot.store(session, taken)}"

    def run() -> str | None:
        return lease.run_scheduled(
            engine,
            SETTINGS,
            holder="leader-a",
            job_id="report_snapshot",
            slot="2026-11-23T08:30:00",
            workdays_only=False,
            work=store,
            prepare=prepare,
        )

    outcome = run()
    assert outcome == "done" and writes_during_read == [True]
    with unit_of_work(engine) as session:
        stored = session.connection().execute(text("SELECT COUNT(*) FROM report_snapshot"))
        assert stored.scalar_one() == 9  # the month and eight weeks
    again = run()
    assert again is None and writes_during_read == [True], "the slot ran: nothing is read"
