"""``cmw export customers``: scope per role, masked by default, unmasked only for the roles in
``privacy.export_unmasked_roles`` (and the service account), every export audited, the
files as Excel reads them, and nothing left behind when the write fails."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import i18n
from cmworkbench.cli import main
from cmworkbench.config import Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import AuditLog, Staff
from cmworkbench.services.core.errors import InvalidInput, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.customers import export
from cmworkbench.services.customers.export import COLUMNS, export_customers

PHONE, ID_NUMBER = "13812345678", "110101199003071234"


def actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


@pytest.fixture
def branch(build, frozen_clock) -> dict[str, Actor]:
    """Team 1: 张伟 (C001, C002) and 陈静 (C003, backed up by 张伟), 王主管 supervising;
    team 2: 赵丽 (C004); the branch head 周行长 and the admin."""
    with build() as f:
        b = f.branch()
        team1, team2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        zhang = f.staff(b, "zhangwei", "张伟", team=team1)
        chen = f.staff(b, "chenjing", "陈静", team=team1)
        zhao = f.staff(b, "zhaoli", "赵丽", team=team2)
        people = [
            zhang,
            chen,
            zhao,
            f.staff(b, "wangzg", "王主管", role="supervisor", team=team1),
            f.staff(b, "zhouhz", "周行长", role="branch_head"),
            f.staff(b, "admin", "管理员", role="admin"),
        ]
        c1 = f.customer(zhang, "C001", "杭州西湖龙井茶业集团有限公司", cls="A1")
        c1.phone, c1.id_number, c1.is_vip, c1.is_government = PHONE, ID_NUMBER, True, True
        c1.revenue_yuan, c1.opened_on = 3_500_000, date(2020, 5, 6)
        c1.info_verified_at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
        f.customer(zhang, "C002", "小张商店", cls="C")
        c3 = f.customer(chen, "C003", "陈记餐馆", cls="B1")
        c3.backup_id = zhang.id
        f.customer(zhao, "C004", "赵家超市", cls="A2")
        f.session.flush()
        return {p.login: actor(p) for p in people}


def run(engine: Engine, settings: Settings, who: Actor, path: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("force", True)  # the same file again and again (without: see below)
    with unit_of_work(engine) as session:
        return export_customers(session=session, actor=who, settings=settings, path=path, **kwargs)


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def audit_rows(engine: Engine) -> list[AuditLog]:
    with unit_of_work(engine) as session:
        return list(session.exec(select(AuditLog).order_by(col(AuditLog.id))).all())


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        pytest.param("zhangwei", ["C001", "C002", "C003"], id="manager-own-book-and-backed-up"),
        pytest.param("chenjing", ["C003"], id="manager-own-book-only"),
        pytest.param("wangzg", ["C001", "C002", "C003"], id="supervisor-the-team"),
        pytest.param("zhouhz", ["C001", "C002", "C003", "C004"], id="branch-head-the-branch"),
    ],
)
def test_an_export_holds_the_customers_in_scope(
    engine, settings, branch, tmp_path, login, expected
):
    result = run(engine, settings, branch[login], tmp_path / "c.csv")

    assert result.count == len(expected)
    assert [r["客户号"] for r in read_csv(tmp_path / "c.csv")] == expected


def test_class_and_owner_narrow_the_export_within_scope(engine, settings, branch, tmp_path):
    path = tmp_path / "c.csv"
    run(engine, settings, branch["zhouhz"], path, classes=["a1", "A2"])
    assert [r["客户号"] for r in read_csv(path)] == ["C001", "C004"]
    run(engine, settings, branch["zhangwei"], path, owner_login="chenjing")
    assert [r["客户号"] for r in read_csv(path)] == ["C003"], "only what 张伟 backs up"
    with pytest.raises(OutOfScope):
        run(engine, settings, branch["zhangwei"], path, owner_login="zhaoli")
    with pytest.raises(InvalidInput, match="D9"):
        run(engine, settings, branch["zhouhz"], path, classes=["D9"])


def test_phones_and_id_numbers_are_masked_by_default(engine, settings, branch, tmp_path):
    path = tmp_path / "c.csv"
    result = run(engine, settings, branch["zhangwei"], path)

    first = read_csv(path)[0]
    assert result.masked
    assert first["联系电话"] == "138****5678"
    assert first["证件号码"] == "1101**********1234"
    assert PHONE not in path.read_text(encoding="utf-8-sig")
    assert first["标识"] == "VIP/政府重要"
    assert first["客户经理"] == "张伟" and first["客户经理登录名"] == "zhangwei"
    assert first["资产/年收入（元）"] == "3500000"
    assert first["信息核实时间"] == "2026-11-20 10:00", "branch-local time"
    assert read_csv(path)[2]["B角"] == "张伟 (zhangwei)"


def test_unmasked_is_refused_for_a_manager_with_a_clear_message(engine, settings, branch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutOfScope, match="export_unmasked_roles") as refused:
        run(engine, settings, branch["zhangwei"], out / "c.csv", unmasked=True)

    assert "客户经理" in str(refused.value) and "\n" not in str(refused.value)
    assert list(out.iterdir()) == []
    assert audit_rows(engine) == []


def test_unmasked_for_the_branch_head_is_audited_as_a_reveal(engine, settings, branch, tmp_path):
    path = tmp_path / "全行客户.csv"
    result = run(engine, settings, branch["zhouhz"], path, unmasked=True)

    first = read_csv(path)[0]
    assert not result.masked
    assert (first["联系电话"], first["证件号码"]) == (PHONE, ID_NUMBER)
    export, reveal = audit_rows(engine)
    assert (export.action, reveal.action) == ("export", "reveal")
    assert export.staff_id == reveal.staff_id == branch["zhouhz"].id
    assert export.detail == "4 customers; UNMASKED; file 全行客户.csv"
    assert reveal.field_name == "phone,phone2,id_number"


def test_the_roles_allowed_unmasked_come_from_config(engine, settings, branch, tmp_path):
    privacy = replace(settings.privacy, export_unmasked_roles=["manager"])
    allowed = replace(settings, privacy=privacy)
    assert not run(engine, allowed, branch["zhangwei"], tmp_path / "c.csv", unmasked=True).masked
    with pytest.raises(OutOfScope):
        run(engine, allowed, branch["zhouhz"], tmp_path / "c.csv", unmasked=True)


def test_a_masked_export_is_one_audit_row(engine, settings, branch, tmp_path):
    run(engine, settings, branch["zhangwei"], tmp_path / "mine.xlsx", classes=["A1"])

    (row,) = audit_rows(engine)
    assert (row.action, row.object_type, row.staff_id) == (
        "export",
        "customer",
        branch["zhangwei"].id,
    )
    assert row.detail == "1 customers; masked; file mine.xlsx; class A1"


def test_the_xlsx_reads_back_as_excel_shows_it(engine, settings, branch, tmp_path, language):
    path = tmp_path / "c.xlsx"
    run(engine, settings, branch["zhangwei"], path)

    workbook = load_workbook(path)
    ws = workbook.worksheets[0]
    assert ws.title == i18n.t("export.sheet.customers")
    assert [c.value for c in ws[1]] == [i18n.t(f"export.col.{c}") for c in COLUMNS]
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 30
    row = {name: cell.value for name, cell in zip(COLUMNS, ws[2], strict=True)}
    assert row["name"] == "杭州西湖龙井茶业集团有限公司"
    assert row["phone"] == "138****5678"
    assert row["opened_on"] == datetime(2020, 5, 6) and ws["Q2"].is_date
    assert row["info_verified_at"] == datetime(2026, 11, 20, 10, 0)
    assert row["kind"] == i18n.label("kind", "group")
    assert ws.max_row == 4


def test_the_csv_starts_with_a_bom(engine, settings, branch, tmp_path):
    path = tmp_path / "c.csv"
    run(engine, settings, branch["zhangwei"], path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(read_csv(path)) == 3


def test_a_write_that_fails_leaves_nothing_behind(engine, settings, branch, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput, match="no-such-folder"):
        run(engine, settings, branch["zhouhz"], out / "no-such-folder" / "c.xlsx", unmasked=True)
    assert list(out.iterdir()) == []

    (out / "c.csv").write_text("yesterday's file", encoding="utf-8")
    calls = iter(range(100))

    def failing_mask(phone: str | None) -> str:
        if next(calls) == 3:
            raise OSError("disk full")
        return ""

    monkeypatch.setattr(export, "mask_phone", failing_mask)
    with pytest.raises(InvalidInput, match="disk full"):
        run(engine, settings, branch["zhouhz"], out / "c.csv")
    assert [p.name for p in out.iterdir()] == ["c.csv"]
    assert (out / "c.csv").read_text(encoding="utf-8") == "yesterday's file"
    assert audit_rows(engine) == [], "no file, no audit row"


def test_only_xlsx_and_csv(engine, settings, branch, tmp_path):
    with pytest.raises(InvalidInput, match=r"\.xlsx"):
        run(engine, settings, branch["zhouhz"], tmp_path / "c.txt")


def test_cli_as_a_manager_and_as_the_service_account(engine, branch, tmp_path, capsys):
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "mine.csv"

    assert main(["--db", url, "export", "customers", "-o", str(path), "--as", "zhangwei"]) == 0
    assert "3" in capsys.readouterr().out
    refused = ["--db", url, "export", "customers", "-o", str(path), "--unmasked"]
    assert main([*refused, "--as", "zhangwei"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--unmasked" in err

    assert main([*refused, "--class", "a1", "--class", "A2"]) == 2  # mine.csv exists
    assert "--force" in capsys.readouterr().err
    assert main([*refused, "--class", "a1", "--class", "A2", "--force"]) == 0
    assert [r["联系电话"] for r in read_csv(path)] == [PHONE, ""]
    detail = audit_rows(engine)[-1].detail
    assert detail is not None and detail.endswith("service account")
