"""Data quality of the customer files (issue 25): completeness, accuracy and compliance,
counted by hand on a small team, at Monday 2026-11-23 08:30.

Team 一组: 张伟 and 李娜 (senior managers, each other's B角) and 小王 (a trainee).

=====  ==========  =====  ==============================================  ============
file   owner       class  what it holds                                   compliant?
=====  ==========  =====  ==============================================  ============
P1     张伟        A2     individual: name, phone, ID, address             yes
P2     张伟        B1     individual: no ID number                         no (ID)
G1     张伟        B2     group: every field, a decision maker             yes
T1     小王        A1     group: every field, a decision maker             no (grade)
=====  ==========  =====  ==============================================  ============

Every file was re-verified on 2026-11-10 and has 李娜 (or 张伟, for 李娜's) as its B角.
Completeness: 3 of 4 (P2 lacks its ID number); compliance: 2 of 4.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy import Engine, text
from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import DataQualitySettings, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Contact
from cmworkbench.domain import idcard
from cmworkbench.i18n import t
from cmworkbench.services.customers.verification import verify_file
from cmworkbench.services.imports.importer import import_file
from cmworkbench.services.reports import report as reports
from cmworkbench.services.staff.directory import actor_for_login

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
ID_P1 = idcard.make("110105", date(1985, 3, 7), 123)
VERIFIED = datetime.fromisoformat("2026-11-10T10:00:00+08:00")


@pytest.fixture
def world(frozen_clock: object, build: Callable[[], AbstractContextManager[Factory]]) -> None:
    with build() as f:
        branch = f.branch()
        team = f.team(branch, "一组")
        zhang = f.staff(branch, "zhangwei", "张伟", team=team)
        li = f.staff(branch, "lina", "李娜", team=team)
        wang = f.staff(branch, "xiaowang", "小王", team=team)
        f.staff(branch, "head", "行长", role="branch_head")
        zhang.grade, li.grade, wang.grade = "senior", "senior", "trainee"
        zhang.backup_id, li.backup_id = li.id, zhang.id

        def file(owner: Any, no: str, cls: str, kind: str, **fields: Any) -> Any:
            c = f.customer(owner, no, f"客户{no}", cls=cls)
            c.kind, c.backup_id, c.info_verified_at = kind, li.id, VERIFIED
            c.created_at = datetime.fromisoformat("2026-10-01T09:00:00+08:00")
            c.phone, c.address = "13812345678", "杭州市西湖区文三路 1 号"
            for name, value in fields.items():
                setattr(c, name, value)
            f.session.add(c)
            if kind == "group":
                f.session.flush()
                f.session.add(
                    Contact(customer_id=c.id, name="赵总", role="decision_maker",
                            updated_at=clock.now())
                )  # fmt: skip
            return c

        file(zhang, "P1", "A2", "individual", id_number=ID_P1)
        file(zhang, "P2", "B1", "individual")
        file(zhang, "G1", "B2", "group", industry="制造业", area="西湖区")
        file(wang, "T1", "A1", "group", industry="制造业", area="滨江区")
        f.session.add_all([zhang, li, wang])


def _report(engine: Engine, who: str, settings: Settings | None = None) -> reports.Report:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login=who)
        return reports.report(
            session=session, actor=actor, settings=settings or Settings(), name="manager",
            start=NOV_1, end=NOV_30,
        )  # fmt: skip


def _sums(report: reports.Report, key: str) -> tuple[float, float]:
    figure = report.total.figure(key)
    return figure.numerator, figure.denominator


def _drill(engine: Engine, key: str, who: str = "head") -> list[tuple[str, str]]:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login=who)
        rows = reports.drill(
            session=session, actor=actor, settings=Settings(), figure_key=key, start=NOV_1,
            end=NOV_30,
        )  # fmt: skip
    return [(r.ref, r.detail) for r in rows if r.numerator < r.denominator]


def _verify(engine: Engine, customer_no: str, **kw: Any) -> None:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login="zhangwei")
        verify_file(
            session=session, actor=actor, settings=Settings(), customer_no=customer_no, **kw
        )


def _later(minutes: int) -> None:
    clock.freeze(clock.now().replace(minute=30 + minutes))


def test_a_customer_missing_its_id_number_counts_against_completeness(
    world: None, engine: Engine
) -> None:
    assert _sums(_report(engine, "zhangwei"), "data_completeness") == (2, 3)
    assert _sums(_report(engine, "head"), "data_completeness") == (3, 4)
    # the drill-down lists the incomplete file with what it lacks
    assert _drill(engine, "data_completeness") == [("P2", t("customer.field.id_number"))]


def test_a_trainee_owning_an_a1_customer_fails_compliance(world: None, engine: Engine) -> None:
    report = _report(engine, "head")
    assert _sums(report, "data_compliance") == (2, 4)
    assert report.total.figure("data_compliance").below_target  # 50% against 90%
    assert sorted(_drill(engine, "data_compliance")) == [
        ("P2", t("quality.rule.id_number_valid")),
        ("T1", t("quality.rule.grade_may_own")),
    ]


def test_a_verification_that_corrects_a_wrong_phone_lowers_accuracy_by_one_field(
    world: None, engine: Engine
) -> None:
    assert _sums(_report(engine, "zhangwei"), "data_accuracy") == (0, 0)  # nothing checked
    _verify(engine, "G1")  # five fields, all right
    _later(5)
    assert _sums(_report(engine, "zhangwei"), "data_accuracy") == (5, 5)
    _verify(engine, "P1", corrected={"phone": "13998765432"})  # 4 checked, the phone wrong
    _later(10)
    report = _report(engine, "zhangwei")
    assert _sums(report, "data_accuracy") == (5 + 3, 5 + 4)
    accuracy = report.total.figure("data_accuracy")
    parts = {p.key: (p.numerator, p.denominator, p.target, p.below_target) for p in accuracy.parts}
    assert parts == {"A2": (3, 4, 0.95, True), "B2": (5, 5, 0.95, False)}
    assert accuracy.below_target
    # the drill-down lists the correction first, phones masked
    ((ref, detail), *_rest) = _drill(engine, "data_accuracy", "zhangwei")
    assert ref == "P1" and detail.endswith("phone: 138****5678 → 139****5432")
    # October's report does not count a November verification
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login="zhangwei")
        october = reports.report(
            session=session, actor=actor, settings=Settings(), name="manager",
            start=date(2026, 10, 1), end=date(2026, 10, 31),
        )  # fmt: skip
    assert _sums(october, "data_accuracy") == (0, 0)


def _core_file(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(
            [["客户号", "客户名称", "联系电话"], ["G1", "客户G1", "13812345678"]]
        )
    return path


@pytest.mark.parametrize(
    ("source", "counted"), [("core", (2, 2)), ("crm_export", (0, 0)), (None, (0, 0))]
)
def test_an_authoritative_import_that_confirms_a_phone_counts_as_a_check(
    world: None, engine: Engine, tmp_path: Path, source: str | None, counted: tuple[int, int]
) -> None:
    settings = Settings(data_quality=DataQualitySettings(authoritative=["core"]))
    summary = import_file(
        engine=engine, actor=None, kind="customers", path=_core_file(tmp_path / "core.csv"),
        grades=settings.grades, settings=settings, source=source,
    )  # fmt: skip
    assert summary.authoritative is (source == "core")
    _later(5)
    # name and phone carried, both right; the file's address, industry and area not carried
    assert _sums(_report(engine, "zhangwei", settings), "data_accuracy") == counted


def test_a_refused_correction_writes_nothing(world: None, engine: Engine) -> None:
    from cmworkbench.services.customers.edit import CustomerInvalid

    with pytest.raises(CustomerInvalid):
        _verify(engine, "P1", corrected={"phone": "123", "id_number": "110105198503071231"})
    with Session(engine) as session:
        row = (
            session.connection()
            .execute(text("SELECT phone, info_verified_at FROM customer WHERE customer_no = 'P1'"))
            .one()
        )
        n = session.connection().execute(text("SELECT COUNT(*) FROM verification")).scalar()
    assert row[0] == "13812345678" and n == 0


def test_figures_of_the_trend_are_the_reports(world: None, engine: Engine) -> None:
    with unit_of_work(engine) as session:
        actor = actor_for_login(session=session, login="head")
        trend = reports.weekly_trend(session=session, actor=actor, settings=Settings(), weeks=2)
    # the files as they stand: this week's point is the report's figure
    assert trend["data_completeness"][-1].value == pytest.approx(3 / 4)
    assert trend["data_compliance"][-1].value == pytest.approx(2 / 4)
    assert trend["data_compliance"][-1].below_target


@pytest.fixture(autouse=True)
def _no_stale_clock() -> Iterator[None]:
    yield
    clock.set_now(None)
