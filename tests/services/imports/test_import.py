"""``cmw import``: real files as Excel writes them, every bad row reported, all or nothing."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.config import ImportSettings
from cmworkbench.domain import idcard
from cmworkbench.services.core.errors import InvalidInput, OutOfScope
from cmworkbench.services.imports.importer import ImportRefused, import_file
from cmworkbench.services.imports.schemas import ImportSummary
from cmworkbench.services.workbench import login

GOOD_ID = idcard.make("110101", date(1990, 3, 7), 1)
BAD_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
HEADER = ["客户号", "客户名称", "类别", "客户经理", "电话", "证件号码", "开户日期", "资产"]
GOOD_ROWS = [
    ["C001", "张伟明", "A1", "zhangwei", "138 1234 5678", GOOD_ID, "2026/3/5", "1,234.50"],
    [
        "C002",
        "北京华信科技有限公司",
        "B1",
        "zhangwei",
        "010-12345678",
        "",
        "2026年3月5日",
        "12.5万",
    ],
]
BAD_ROWS = [
    ["C003", "李娜", "C", "nobody", "", "", "20260305", ""],
    ["C004", "王芳", "A1", "zhangwei", "", BAD_ID, "2026-02-30", ""],
    ["C001", "重复", "C", "zhangwei", "", "", "", ""],
    ["", "无号", "C", "zhangwei", "", "", "", ""],
    ["C005", "赵六", "Z9", "zhangwei", "", "", "", ""],
    ["C006", "钱七", "A1", "lina", "", "", "", ""],
]
EXPECTED = [
    "Row 4, column 客户经理: no customer manager with login nobody",
    f"Row 5, column 证件号码: check digit should be {GOOD_ID[17]}, not {BAD_ID[17]}",
    "Row 5, column 开户日期: the date 2026-02-30 does not exist",
    "Row 6, column 客户号: duplicate of row 2",
    "Row 7, column 客户号: required, but empty",
    "Row 8, column 类别: unknown value Z9 (one of A1, A2, B1, B2, C)",
    "Row 9, column 客户经理: lina (trainee) may not own class A1 customers",
]


@pytest.fixture(autouse=True)
def _english() -> None:
    i18n.set_language("en")


@pytest.fixture
def branch(build, frozen_clock) -> None:
    """A branch with two managers (one a trainee), a branch head and an admin."""
    with build() as f:
        b = f.branch()
        team = f.team(b)
        f.staff(b, "zhangwei", "张伟", team=team)
        lina = f.staff(b, "lina", "李娜", team=team)
        lina.grade = "trainee"
        f.staff(b, "head", "周建国", role="branch_head")
        f.staff(b, "sunlei", "孙磊", role="admin")


def gbk_csv(path: Path, rows: list[list[str]]) -> Path:
    """As Excel on a Chinese Windows saves "CSV": GBK bytes, CRLF, a trailing empty line."""
    lines = [",".join(f'"{c}"' if "," in c else c for c in row) for row in [HEADER, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n\r\n").encode("gbk"))
    return path


def bom_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def run(engine: Engine, config, path: Path, kind: str = "customers", **options) -> ImportSummary:
    options.setdefault("grades", config.grades)
    return import_file(engine=engine, actor=None, kind=kind, path=path, **options)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_gbk_csv_reports_every_bad_row_and_imports_nothing(engine, settings, branch, tmp_path):
    source = gbk_csv(tmp_path / "客户.csv", GOOD_ROWS + BAD_ROWS)
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, source)
    assert refused.value.errors == EXPECTED
    assert "6 bad rows" in str(refused.value)
    assert count(engine, "customer") == 0
    assert count(engine, "audit_log") == 0


def test_good_gbk_rows_are_normalised(engine, settings, branch, tmp_path):
    summary = run(engine, settings, gbk_csv(tmp_path / "c.csv", GOOD_ROWS))
    assert (summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (2, 0, 0, 0)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT customer_no, kind, phone, opened_on, assets_yuan FROM customer")
        ).all()
    rows = [(no, kind, phone, str(opened), assets) for no, kind, phone, opened, assets in rows]
    assert sorted(rows) == [
        ("C001", "individual", "13812345678", "2026-03-05", 1235),
        ("C002", "group", "010-12345678", "2026-03-05", 125000),
    ]


def test_a_large_group_s_assets_above_two_billion_yuan_are_kept(engine, settings, branch, tmp_path):
    """A group customer's assets of 50亿 (5,000,000,000 yuan) pass a 32-bit integer: they are
    stored and read back whole on SQLite and on PostgreSQL (BIGINT, migration 0022)."""
    rows = [
        ["C010", "浙江钱江控股集团有限公司", "A1", "zhangwei", "", "", "2020-01-02", "500000万"]
    ]
    run(engine, settings, gbk_csv(tmp_path / "big.csv", rows))
    with engine.connect() as conn:
        assets = conn.execute(text("SELECT assets_yuan FROM customer")).scalar_one()
    assert assets == 5_000_000_000


def test_dry_run_changes_nothing(engine, settings, branch, tmp_path):
    summary = run(engine, settings, gbk_csv(tmp_path / "c.csv", GOOD_ROWS), dry_run=True)
    assert summary.inserted == 2 and summary.dry_run
    assert count(engine, "customer") == 0
    assert count(engine, "audit_log") == 0
    assert search_triggers(engine) == 6


def search_triggers(engine):
    """How many search-queue triggers the database has (the bulk path drops them a while)."""
    if engine.dialect.name == "postgresql":
        sql = "SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'search_%'"
    else:
        sql = "SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'search_%'"
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_skip_bad_imports_good_rows_and_writes_rejects(engine, settings, branch, tmp_path):
    source = bom_csv(tmp_path / "c.csv", HEADER, GOOD_ROWS + BAD_ROWS)
    summary = run(engine, settings, source, skip_bad=True)
    assert (summary.inserted, summary.rejected) == (2, 6)
    assert summary.errors == EXPECTED
    rejects = (tmp_path / "c.csv.rejects.csv").read_bytes()
    assert rejects.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(rejects.decode("utf-8-sig").splitlines()))
    assert lines[0] == [*HEADER, "row", "reason"]
    assert [line[-2] for line in lines[1:]] == ["4", "5", "6", "7", "8", "9"]
    assert lines[2][-1] == "; ".join(EXPECTED[1:3])
    assert count(engine, "customer") == 2


def test_reimport_is_unchanged_and_an_update_is_audited_per_record(
    engine, settings, branch, tmp_path
):
    source = bom_csv(tmp_path / "c.csv", HEADER, GOOD_ROWS)
    run(engine, settings, source)
    again = run(engine, settings, source)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = [[*GOOD_ROWS[0][:2], "A2", *GOOD_ROWS[0][3:4], "139 0000 1111", *GOOD_ROWS[0][5:]]]
    third = run(engine, settings, bom_csv(tmp_path / "d.csv", HEADER, changed))
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 0)
    with engine.connect() as conn:
        audits = conn.execute(
            text("SELECT action, object_type, field_name, detail FROM audit_log ORDER BY id")
        ).all()
        version = conn.execute(text("SELECT version FROM customer WHERE customer_no='C001'"))
        assert version.scalar_one() == 2
    assert [a[0] for a in audits] == ["import", "import", "update", "import"]
    assert audits[2][3] == "import d.csv: cls, phone"
    assert '"sha256"' in audits[0][3] and '"inserted": 2' in audits[0][3]


def test_search_finds_imported_customers_by_name_and_pinyin(engine, settings, branch, tmp_path):
    run(engine, settings, gbk_csv(tmp_path / "c.csv", GOOD_ROWS))
    head = login(engine, settings, "head")
    assert [h.customer_no for h in head.customers.search("张伟明")] == ["C001"]
    assert [h.customer_no for h in head.customers.search("zhangweiming")] == ["C001"]
    assert [h.customer_no for h in head.customers.search("华信")] == ["C002"]
    assert [h.customer_no for h in head.customers.search("beijing")] == ["C002"]
    renamed = [["C002", "上海华信科技有限公司", "B1", "zhangwei", "", "", "", ""]]
    run(engine, settings, gbk_csv(tmp_path / "d.csv", renamed))
    assert [h.customer_no for h in head.customers.search("shanghai")] == ["C002"]
    assert head.customers.search("beijing") == []


def test_xlsx_with_serial_dates_and_merged_header(engine, settings, branch, tmp_path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["客户资料导入（2026年11月）", None, None, None, None])
    sheet.merge_cells("A1:E1")
    sheet.append(["客户号", "客户名称", "客户经理", "开户信息", None])
    sheet.append([None, None, None, "开户日期", "资产"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:E2")
    sheet.append([1001, "杭州西湖茶业有限公司", "zhangwei", 46086, 2500000])
    sheet.append(["C1002", "陈静", "zhangwei", datetime(2025, 12, 31), "3.5万"])
    sheet.append(["C1003", "坏日期", "zhangwei", "46086x", ""])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, path)
    assert refused.value.errors == [
        "Row 6, column 开户日期: 46086x is not a date (e.g. 2026-03-05, 2026/3/5, 20260305,"
        " 2026年3月5日)"
    ]
    summary = run(engine, settings, path, skip_bad=True, reject_path=tmp_path / "r.csv")
    assert (summary.inserted, summary.rejected) == (2, 1)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT customer_no, opened_on, assets_yuan FROM customer ORDER BY customer_no")
        ).all()
    assert [(no, str(opened), assets) for no, opened, assets in rows] == [
        ("1001", "2026-03-05", 2500000),
        ("C1002", "2025-12-31", 35000),
    ]


def test_contacts_holdings_and_staff(engine, settings, branch, tmp_path):
    run(engine, settings, gbk_csv(tmp_path / "c.csv", GOOD_ROWS))
    contacts = bom_csv(
        tmp_path / "contacts.csv",
        ["客户号", "联系人", "职务", "手机", "关键人"],
        [["C002", "刘洋", "总经理", "139-1234-5678", "是"], ["C999", "无名", "", "", ""]],
    )
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, contacts, kind="contacts")
    assert refused.value.errors == ["Row 3, column 客户号: no customer numbered C999"]
    summary = run(engine, settings, contacts, kind="contacts", skip_bad=True)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert [h.customer_no for h in login(engine, settings, "head").customers.search("liuyang")] == [
        "C002"
    ]
    holdings = bom_csv(
        tmp_path / "holdings.csv",
        ["customer_no", "product", "product_kind", "opened_on", "amount", "承诺开通日期"],
        [["C001", "一年期定期存款", "存款", "2026-01-05", "50,000", "2026-12-01"]],
    )
    assert run(engine, settings, holdings, kind="holdings").inserted == 1
    assert run(engine, settings, holdings, kind="holdings").unchanged == 1
    (held,) = login(engine, settings, "head").customers.view("C001").holdings
    assert held.promised_on == date(2026, 12, 1)  # the activation promised (issue 24)
    staff = bom_csv(
        tmp_path / "staff.csv",
        ["登录名", "姓名", "角色", "等级", "B角"],
        [
            ["chenjing", "陈静", "客户经理", "first", "zhangwei"],
            ["zhangwei", "张伟", "manager", "senior", ""],
            ["Bad Login", "某人", "manager", "", ""],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        run(engine, settings, staff, kind="staff")
    assert len(refused.value.errors) == 1 and refused.value.errors[0].startswith("Row 4: ")
    summary = run(engine, settings, staff, kind="staff", skip_bad=True)
    assert (summary.inserted, summary.unchanged, summary.rejected) == (1, 1, 1)


def test_only_an_admin_imports(engine, settings, branch, tmp_path):
    source = gbk_csv(tmp_path / "c.csv", GOOD_ROWS)
    with pytest.raises(OutOfScope):
        import_file(
            engine=engine,
            actor=login(engine, settings, "head").actor,
            kind="customers",
            path=source,
            grades=settings.grades,
        )
    admin = login(engine, settings, "sunlei").actor
    summary = import_file(
        engine=engine, actor=admin, kind="customers", path=source, grades=settings.grades
    )
    assert summary.inserted == 2


def test_cli_prints_rows_and_exits_2(engine, branch, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CMW_LANGUAGE", "en")
    source = gbk_csv(tmp_path / "c.csv", GOOD_ROWS + BAD_ROWS[:1])
    db = ["--db", engine.url.render_as_string(hide_password=False)]
    assert main(["import", "customers", str(source), *db]) == 2
    err = capsys.readouterr().err
    assert EXPECTED[0] in err and "nothing was imported" in err
    assert main(["import", "customers", str(source), "--skip-bad", *db]) == 0
    out = capsys.readouterr().out
    assert "inserted 2, updated 0, unchanged 0, rejected 1" in out
    assert main(["import", "customers", str(source), "--as", "head", *db]) == 2
    assert "Only an administrator" in capsys.readouterr().err


IMPORT_UNTIL_KILLED = """
import sys, time
from pathlib import Path
from cmworkbench import clock
from cmworkbench.config import load_settings
from cmworkbench.db.engine import make_engine
from cmworkbench.services.imports.importer import import_file

url, source, written = sys.argv[1:]
# after closing time: 40,000 rows are refused during opening hours on SQLite (a test run at
# 09:00 in Hangzhou failed here)
clock.set_now("2026-11-23T19:00")

def progress(done, total):
    # called after each batch is written (uncommitted): say so the first time, go on writing
    if done > 0 and not Path(written).exists():
        Path(written).touch()
    if done >= total:  # the last batch: wait here to be killed, never commit
        time.sleep(600)

import_file(engine=make_engine(url), actor=None, kind="customers", path=Path(source),
            grades=load_settings(env={}).grades, progress=progress)
"""
"""``python -c`` this with a database URL, a customers file and a path: imports the file,
touching the path once the first rows are written, and stops before the commit."""


@pytest.mark.sqlite_only  # kills a writer of a SQLite file
def test_killed_import_leaves_the_database_as_it_was(engine, settings, branch, tmp_path):
    run(engine, settings, gbk_csv(tmp_path / "c.csv", GOOD_ROWS))
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(40_000):
            out.writerow([f"B{i:07d}", f"客户{i}", "C", "zhangwei", "", "", "2026-01-05", "100"])
    before = {t: count(engine, t) for t in ("customer", "search_term", "audit_log")}
    engine.dispose()
    env = {**os.environ, "CMW_LANGUAGE": "en"}
    written = tmp_path / "rows-written"
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORT_UNTIL_KILLED,
         engine.url.render_as_string(hide_password=False), str(big), str(written)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:  # killed while it writes: once its first rows are in, before it could commit
        deadline = time.monotonic() + 60
        while not written.exists():
            assert process.poll() is None, "the import ended before it wrote a row"
            assert time.monotonic() < deadline, "the import wrote no row within 60 s"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the import finished before it was killed"
    path = engine.url.database
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        after = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("customer", "search_term", "audit_log")
        }
        triggers = conn.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'search_%'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert after == before
    assert triggers == 6


def test_a_big_file_waits_for_the_close_on_sqlite(engine, settings, branch, tmp_path):
    """Given a limit of 20 rows in business hours, a file of 30 customers at 10:00 on Monday
    is refused on SQLite (its dry run too), saying when it may run, and nothing is written;
    at the close (17:30) it is imported. PostgreSQL writers never wait for an import: no
    limit there."""
    limited = replace(settings, imports=ImportSettings(opening_hours_rows=20))
    rows = [[f"C{n:03d}", f"客户{n}", "C", "zhangwei", "", "", "", ""] for n in range(30)]
    source = bom_csv(tmp_path / "c.csv", HEADER, rows)

    def limited_run(**options) -> ImportSummary:
        return run(engine, limited, source, settings=limited, **options)

    clock.freeze("2026-11-23T10:00")
    if engine.dialect.name != "sqlite":
        assert limited_run().inserted == 30
        return
    for dry_run in (False, True):
        with pytest.raises(InvalidInput) as refused:
            limited_run(dry_run=dry_run)
        assert "more than 20 rows" in str(refused.value)
        assert "has about 30" in str(refused.value) and "after 17:30" in str(refused.value)
    assert count(engine, "customer") == 0
    clock.freeze("2026-11-23T17:30")
    assert limited_run().inserted == 30
