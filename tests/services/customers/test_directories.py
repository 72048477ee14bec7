"""Staff directories as written (issue 22 item 1; telecom handbook: the internal staff
directory (通讯录) of an important group is refreshed at least every 6 months, and each
manager collects or refreshes at least 2 groups' directories a month).

Given 王芳 (wangfang) on Monday 2026-11-23, her group customers, made customers on
2026-01-01: G001 (A1, directory refreshed 2026-04-10: due), G002 (A1, refreshed 2026-09-01:
not due), G003 (C, never refreshed: not an important group), G004 (C but government-important,
never refreshed since it became a customer: due).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from conftest import Factory
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.i18n import t
from cmworkbench.services.workbench import login

Build = Callable[[], AbstractContextManager[Factory]]

pytestmark = pytest.mark.usefixtures("frozen_clock")  # Monday 2026-11-23 08:30


@pytest.fixture
def groups(build: Build) -> None:
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=team)
        f.staff(branch, "admin", "管理员", role="admin")
        for number, name, cls in [
            ("G001", "华东机械集团", "A1"),
            ("G002", "西湖茶业集团", "A1"),
            ("G003", "城南超市", "C"),
            ("G004", "区教育局", "C"),
        ]:
            customer = f.customer(wang, number, name, cls=cls)
            customer.created_at = clock.parse_instant("2026-01-01T09:00")
            customer.is_government = number == "G004"
            f.session.add(customer)


def refreshed(engine: Engine) -> None:
    """G001's directory was last refreshed on 04-10, G002's on 09-01."""
    from sqlmodel import Session, select

    from cmworkbench.db.models import Customer

    with Session(engine) as session:
        for number, when in [("G001", "2026-04-10T10:00"), ("G002", "2026-09-01T10:00")]:
            customer = session.exec(select(Customer).where(Customer.customer_no == number)).one()
            customer.directory_refreshed_at = clock.parse_instant(when)
            session.add(customer)
        session.commit()


def cmw(database_url: str, *args: str, when: str = "2026-11-23T08:30") -> int:
    clock.freeze(when)
    try:
        return main(["--db", database_url, *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def directory_tasks(engine: Engine, status: str = "open") -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.customer_no FROM task t JOIN customer c ON c.id = t.customer_id"
                " WHERE t.kind = 'directory_update' AND t.status = :s ORDER BY c.customer_no"
            ),
            {"s": status},
        )
        return [number for (number,) in rows]


def test_an_important_groups_directory_is_due_six_months_after_its_last_refresh(
    engine: Engine, database_url: str, groups: None
) -> None:
    refreshed(engine)
    assert cmw(database_url, "generate", when="2026-11-23T06:30") == 0
    assert directory_tasks(engine) == ["G001", "G004"]
    assert cmw(database_url, "generate", when="2026-11-23T06:40") == 0
    assert directory_tasks(engine) == ["G001", "G004"], "once"


def test_confirming_a_directory_by_hand_or_editing_a_contact_refreshes_it(
    engine: Engine, database_url: str, groups: None, settings: Settings
) -> None:
    refreshed(engine)
    assert cmw(database_url, "generate", when="2026-11-23T06:30") == 0
    assert cmw(database_url, "directory", "confirm", "G001", "--as", "wangfang") == 0
    bench = login(engine, settings, "wangfang")
    clock.freeze("2026-11-23T09:00")
    bench.customers.confirm_directory("G004")
    assert directory_tasks(engine) == []
    assert directory_tasks(engine, "done") == ["G001", "G004"]
    with engine.connect() as conn:
        stamped = conn.execute(
            text("SELECT COUNT(*) FROM customer WHERE directory_refreshed_at IS NOT NULL"),
        ).scalar()
        audited = conn.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'refresh_directory'")
        ).scalar()
    assert (stamped, audited) == (3, 2), "G002 still as it was"
    # G003's contact made its decision-maker: its directory was updated by hand
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contact (customer_id, name, role, is_key_person, updated_at)"
                " SELECT id, '周总', 'contact', :f, created_at FROM customer"
                " WHERE customer_no = 'G003'"
            ),
            {"f": False},
        )
        contact_id = conn.execute(text("SELECT MAX(id) FROM contact")).scalar()
    bench.customers.edit_contact("G003", contact_id, "decision_maker", True)
    with engine.connect() as conn:
        sources = (
            conn.execute(text("SELECT source FROM directory_refresh ORDER BY id")).scalars().all()
        )
    assert sources == ["hand", "hand", "contact"]
    assert cmw(database_url, "directory", "confirm", "G009", "--as", "wangfang") != 0


def test_an_import_of_a_groups_contacts_refreshes_its_directory(
    engine: Engine, database_url: str, groups: None, tmp_path: Path
) -> None:
    refreshed(engine)
    assert cmw(database_url, "generate", when="2026-11-23T06:30") == 0
    path = tmp_path / "contacts.csv"
    path.write_text(
        "客户编号,联系人,职务\nG001,李明,办公室主任\nG001,赵敏,财务\n", encoding="utf-8"
    )
    assert cmw(database_url, "import", "contacts", str(path), "--as", "admin") == 0
    assert directory_tasks(engine) == ["G004"]


def test_each_manager_refreshes_two_groups_a_month_in_the_report(
    engine: Engine, database_url: str, groups: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmw(database_url, "directory", "confirm", "G001", "--as", "wangfang") == 0
    capsys.readouterr()
    args = ["report", "manager", "--as", "wangfang", "--month", "2026-11", "--format", "json"]
    assert cmw(database_url, *args, when="2026-11-23T10:00") == 0
    report = json.loads(capsys.readouterr().out)
    figure = [f for f in report["total"]["figures"] if f["key"] == "directories"]
    assert [(f["numerator"], f["denominator"]) for f in figure] == [(1, 2)]


def test_the_monthly_task_asks_for_two_groups_not_two_new_people(language: str) -> None:
    text_ = t("reminder.monthly.directory_update", month="2026-12", n=2)
    assert {"zh_CN": "2 个", "en": "2 group"}[language] in text_
    assert "新增 2 人" not in text_ and "2 new" not in text_
