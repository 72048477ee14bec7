"""``cmw import goals``: the branch's year goals and changes by hand from a spreadsheet, each
year's goal broken down as ``cmw goals set`` does; a bad row refused naming its row and
column, and then nothing written."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from cmworkbench import i18n
from cmworkbench.cli import main
from cmworkbench.services.imports.importer import ImportRefused, import_file
from cmworkbench.services.imports.schemas import ImportSummary

HEADER = ["指标", "年度", "月份", "客户经理", "团队", "目标", "分解规则"]


@pytest.fixture(autouse=True)
def _english() -> None:
    i18n.set_language("en")


@pytest.fixture
def branch(build, frozen_clock) -> None:
    """对公一组 (张伟, 李娜) and 对公二组 (王芳); the branch head and the admin."""
    with build() as f:
        b = f.branch()
        one, two = f.team(b), f.team(b, "对公二组")
        f.staff(b, "zhangwei", "张伟", team=one)
        f.staff(b, "lina", "李娜", team=one)
        f.staff(b, "wangfang", "王芳", team=two)
        f.staff(b, "head", "周建国", role="branch_head")
        f.staff(b, "sunlei", "孙磊", role="admin")


def goals_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def run(engine: Engine, settings, path: Path, **options) -> ImportSummary:
    return import_file(
        engine=engine,
        actor=None,
        kind="goals",
        path=path,
        grades=settings.grades,
        settings=settings,
        **options,
    )


def goal(engine: Engine, measure: str, period: str, holder_like: str) -> list[int]:
    """The amounts of ``measure`` in ``period`` whose holder is like ``holder_like``."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT amount FROM goal WHERE measure = :m AND period = :p AND holder LIKE :h"
                " ORDER BY holder"
            ),
            {"m": measure, "p": period, "h": holder_like},
        ).all()
    return [amount for (amount,) in rows]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def staff_goals(engine: Engine, measure: str, period: str) -> dict[str, int]:
    """Login → amount of each manager's goal of ``measure`` in ``period``."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.login, g.amount FROM goal g JOIN staff s ON s.id = g.staff_id"
                " WHERE g.measure = :m AND g.period = :p"
            ),
            {"m": measure, "p": period},
        ).all()
    return dict(rows)


def test_a_csv_of_year_goals_and_a_change_by_hand(engine, settings, branch, tmp_path):
    source = goals_csv(
        tmp_path / "目标.csv",
        [
            # a change above the year's goal is still made after it: years first
            ["new_customers", "", "2026-11", "zhangwei", "", "200", ""],
            ["新增客户", "2026", "", "", "", "4,800", "平均"],
            ["deposit_growth", "2026", "", "", "", "12亿", "book"],
        ],
    )
    summary = run(engine, settings, source)
    assert (summary.inserted, summary.updated, summary.rejected) == (2, 1, 0)
    assert goal(engine, "new_customers", "2026", "branch:%") == [4800]
    assert goal(engine, "new_customers", "2026-11", "branch:%") == [400]
    # evenly over three managers: 对公一组's two have 267 of November's 400; by hand, 张伟
    # has 200 of them and 李娜 the rest
    assert goal(engine, "new_customers", "2026-11", "team:%") == [267, 133]
    assert staff_goals(engine, "new_customers", "2026-11") == {
        "zhangwei": 200,
        "lina": 67,
        "wangfang": 133,
    }
    assert goal(engine, "deposit_growth", "2026", "branch:%") == [1_200_000_000]
    assert sum(goal(engine, "deposit_growth", "2026", "team:%")) == 1_200_000_000


def test_an_xlsx_as_excel_keeps_numbers_and_months(engine, settings, branch, tmp_path):
    """Excel stores 2026 and 1200 as numbers, and a typed 2026-11 as 1 November 2026."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026 年销售目标", None, None, None, None])
    sheet.append(["指标", "年度", "月份", "团队", "目标"])
    sheet.append(["visits_done", 2026, None, None, 1200.0])
    sheet.append(["visits_done", None, datetime(2026, 11, 1), "对公二组", 40])
    path = tmp_path / "goals.xlsx"
    book.save(path)
    summary = run(engine, settings, path)
    assert (summary.inserted, summary.updated) == (1, 1)
    assert goal(engine, "visits_done", "2026-11", "team:%") == [60, 40]
    assert staff_goals(engine, "visits_done", "2026-11")["wangfang"] == 40
    assert goal(engine, "visits_done", "2026", "branch:%") == [1200]


def test_bad_rows_are_refused_by_row_and_column_and_nothing_is_written(
    engine, settings, branch, tmp_path
):
    source = goals_csv(
        tmp_path / "goals.csv",
        [
            ["new_customers", "2026", "", "", "", "1200", ""],
            ["deposits", "2026", "", "", "", "10亿", ""],
            ["visits_done", "20x6", "", "", "", "1200", ""],
            ["products_opened", "2026", "", "", "", "lots", ""],
            ["new_customers", "", "2026-11", "", "", "10", ""],
            ["new_customers", "", "2026-11", "nobody", "", "10", ""],
            ["new_customers", "2026", "", "", "", "1300", ""],
            ["visits_done", "2026", "", "", "", "1200", "by size"],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, source)
    assert refused.value.errors == [
        "Row 3, column 指标: deposits is not valid; use one of new_customers, deposit_growth,"
        " products_opened, opportunities_won, referrals_converted, visits_done",
        "Row 4, column 年度: '20x6' is not a year (e.g. 2027)",
        "Row 5, column 目标: 'lots' is not an amount (e.g. 1200, 500万)",
        "Row 6, column 客户经理: a month's change needs a manager or a team",
        "Row 7, column 客户经理: no staff member has the login nobody",
        "Row 8, column 指标: duplicate of row 2",
        "Row 9, column 分解规则: by size is not valid; use one of even, book, last_year",
    ]
    assert "7 bad rows" in str(refused.value)
    assert count(engine, "goal") == 0
    assert count(engine, "audit_log") == 0


def test_skip_bad_imports_the_good_rows_only(engine, settings, branch, tmp_path):
    source = goals_csv(
        tmp_path / "goals.csv",
        [
            ["new_customers", "2026", "", "", "", "1200", ""],
            ["visits_done", "2026", "", "", "", "1200", ""],
            ["visits_done", "", "2026-11", "wangfang", "", "500", ""],
        ],
    )
    summary = run(engine, settings, source, skip_bad=True, reject_path=tmp_path / "r.csv")
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert summary.errors == [
        "Row 4, column 目标: more than the whole (33) there is to share: the others' shares"
        " cannot go below 0"
    ]
    assert goal(engine, "visits_done", "2026-11", "branch:%") == [100]
    assert "wangfang" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_cmw_import_goals_as_the_administrator(engine, database_url, branch, tmp_path, capsys):
    source = goals_csv(tmp_path / "goals.csv", [["new_customers", "2026", "", "", "", "1200", ""]])
    assert main(["--db", database_url, "import", "goals", str(source), "--as", "sunlei"]) == 0
    assert "新增 1，更新 0" in capsys.readouterr().out  # the config's language: zh_CN
    assert goal(engine, "new_customers", "2026", "branch:%") == [1200]
    # the branch head sets goals with cmw goals set; files are the administrator's
    assert main(["--db", database_url, "import", "goals", str(source), "--as", "head"]) == 2
    assert "只有系统管理员" in capsys.readouterr().err
