"""Nothing lost, nothing leaked: the workbench used as a careless or a hostile IT person would.

Given a branch with two teams (王芳 and 李强 back each other up in team 1, 赵丽 and 孙艳 in
team 2), a supervisor, the branch head and the administrator, and a customer in each team,
when someone points an output at the live database, restores a file that is no branch,
imports a file that moves customers or hides what it holds, widens who they are, types
escape sequences, probes for records they may not see or gives absurd dates, then nothing is
lost, nothing is shown to the wrong person, and every refusal is one clear line.

One test (or a few) per finding of the issue "Nothing lost, nothing leaked"; the reliability
suite runs the destructive commands again with a writer at work
(``tests/reliability/test_live_careless_operator.py``).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shlex
import sqlite3
import stat
import struct
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from cmworkbench import i18n
from cmworkbench.cli import main
from cmworkbench.config import load_settings
from cmworkbench.domain import idcard
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.customers.schemas import CustomerEdit
from cmworkbench.services.staff.people import add_staff
from cmworkbench.services.workbench import login

pytestmark = pytest.mark.sqlite_only  # files beside a SQLite database; PostgreSQL: its own tests


ID_1 = idcard.make("110101", date(1990, 3, 7), 1)
ID_2 = idcard.make("330106", date(1985, 12, 1), 2)
SETTINGS = load_settings(env={})


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are matched in English (conftest puts the language back)."""
    monkeypatch.setenv("CMW_LANGUAGE", "en")
    i18n.set_language("en")


@pytest.fixture
def db(database_url: str, build, frozen_clock) -> Path:
    """The branch; returns the path of its SQLite file."""
    with build() as f:
        b = f.branch()
        team1, team2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        wang = f.staff(b, "wangfang", "王芳", team=team1)
        li = f.staff(b, "liqiang", "李强", team=team1)
        zhao = f.staff(b, "zhaoli", "赵丽", team=team2)
        sun = f.staff(b, "sunyan", "孙艳", team=team2)
        for a, partner in ((wang, li), (li, wang), (zhao, sun), (sun, zhao)):
            a.backup_id = partner.id
        f.staff(b, "chenzg", "陈主管", role="supervisor", team=team1)
        f.staff(b, "zhouhz", "周行长", role="branch_head")
        f.staff(b, "sunlei", "孙磊", role="admin")
        c1 = f.customer(wang, "C001", "小王商店", cls="A1")
        c1.backup_id, c1.phone, c1.id_number = li.id, "13812345678", ID_1
        c2 = f.customer(zhao, "C002", "小赵餐馆", cls="B1")
        c2.backup_id, c2.phone = sun.id, "13987654321"
        f.session.add_all([wang, li, zhao, sun, c1, c2])
        f.session.flush()
        f.complaint(zhao, c2, "TS-2026-0001")
    return Path(database_url.removeprefix("sqlite:///"))


@pytest.fixture
def running_cmw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the running program is …/bin/cmw (the forced command of a key names it)."""
    program = tmp_path / "bin" / "cmw"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    monkeypatch.setattr("sys.argv", [str(program)])


def cmw(db: Path, command: str, *, now: str | None = "2026-11-23T08:30") -> int:
    """Run ``cmw`` on the branch (``command`` is split like a shell would)."""
    args = ["--db", f"sqlite:///{db}"]
    if now is not None:
        args += ["--now", now]
    try:
        return main([*args, *shlex.split(command)])
    except SystemExit as exited:  # argparse: a usage error
        return int(exited.code or 0)


def one_line(err: str) -> str:
    """The refusal: exactly one line on stderr, no traceback, no exception class name."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "Error:" not in lines[0].replace("cmw: error:", ""), err
    return lines[0]


def intact(db: Path) -> int:
    """The live database is still a whole cmworkbench database; its customer count."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0])
    finally:
        conn.close()


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig",
              delimiter: str = ",") -> Path:  # fmt: skip
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


CUSTOMER_HEADER = ["客户号", "客户名称", "类别", "客户经理", "电话", "证件号码", "资产"]


# -- 1. Output paths never destroy data -------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["{db}", "{parent}/./{name}", "{parent}/../{parentname}/{name}", "{db}-wal", "{db}-shm"],
    ids=["same-path", "dot-spelling", "dotdot-spelling", "wal", "shm"],
)
def test_a_report_never_overwrites_the_live_database_whatever_the_spelling(
    db: Path, capsys, spelling: str
) -> None:
    before = intact(db)
    target = spelling.format(db=db, parent=db.parent, name=db.name, parentname=db.parent.name)
    code = cmw(db, f"report branch --format csv -o {target} --force --as zhouhz")
    assert code == 2
    assert "database" in one_line(capsys.readouterr().err)
    assert intact(db) == before
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"


def test_a_handover_dry_run_report_never_overwrites_the_live_database(db: Path, capsys) -> None:
    before = intact(db)
    code = cmw(db, f"handover --from wangfang --to liqiang --dry-run -o {db} --force")
    assert code == 2
    assert "database" in one_line(capsys.readouterr().err)
    assert intact(db) == before


def test_an_export_never_follows_a_link_onto_the_live_database(db: Path, capsys) -> None:
    link = db.with_name("alias.csv")
    link.symlink_to(db)
    assert cmw(db, f"export customers -o {link} --force") == 2
    assert "database" in one_line(capsys.readouterr().err)
    assert intact(db) == 2


def test_a_backup_with_force_never_swaps_out_the_live_database(db: Path, capsys) -> None:
    before = intact(db)
    inode = db.stat().st_ino
    code = cmw(db, f"backup {db.parent}/./{db.name} --force")
    assert code == 2
    assert "database" in one_line(capsys.readouterr().err)
    assert db.stat().st_ino == inode, "the running sessions' file was replaced"
    assert intact(db) == before


def test_an_output_is_never_written_over_a_sqlite_database_or_a_dump(
    db: Path, tmp_path: Path, capsys
) -> None:
    other = tmp_path / "last-week.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    dump = tmp_path / "branch.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00rest of a pg_dump archive")
    for target in (other, dump):
        before = target.read_bytes()
        assert cmw(db, f"report branch --format csv -o {target} --force --as zhouhz") == 2
        line = one_line(capsys.readouterr().err).lower()
        assert "database" in line or "dump" in line
        assert target.read_bytes() == before


def test_an_existing_file_is_replaced_only_with_force(db: Path, tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes\n", encoding="utf-8")
    assert cmw(db, f"report branch --format csv -o {notes} --as zhouhz") == 2
    assert "--force" in one_line(capsys.readouterr().err)
    assert notes.read_text(encoding="utf-8") == "my own notes\n"
    assert cmw(db, f"report branch --format csv -o {notes} --force --as zhouhz") == 0
    assert "my own notes" not in notes.read_text(encoding="utf-8-sig")
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600


def test_an_import_never_writes_its_rejects_over_its_own_source(
    db: Path, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "customers.csv",
        [CUSTOMER_HEADER, ["C010", "新客户", "Z9", "wangfang", "", "", ""]],
    )
    before = source.read_bytes()
    code = cmw(db, f"import customers {source} --skip-bad --reject {source}")
    assert code == 2
    assert "customers.csv" in one_line(capsys.readouterr().err)
    assert source.read_bytes() == before, "the source file was destroyed"


@pytest.mark.usefixtures("running_cmw")
def test_authorized_keys_are_never_written_over_the_database_or_the_key_file(
    db: Path, tmp_path: Path, capsys
) -> None:
    key = tmp_path / "wang.pub"
    key.write_text(_rsa_key(3072), encoding="utf-8")
    before = intact(db)
    for target in (db, key):
        assert cmw(db, f"staff grant-key wangfang {key} --authorized-keys {target}") == 2
        one_line(capsys.readouterr().err)
    assert intact(db) == before
    assert key.read_text(encoding="utf-8").startswith("ssh-rsa ")


# -- 2. Restore checks it is a cmworkbench database -----------------------------------------


def test_restore_refuses_a_file_that_only_claims_the_schema_version(
    db: Path, tmp_path: Path, capsys
) -> None:
    fake = tmp_path / "fake.db"
    conn = sqlite3.connect(fake)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('0006')")
    conn.commit()
    conn.close()
    before = intact(db)
    assert cmw(db, f"restore {fake} --force") == 2
    assert "fake.db" in one_line(capsys.readouterr().err)
    assert intact(db) == before


def test_restore_refuses_a_cmworkbench_schema_without_a_branch(
    db: Path, tmp_path: Path, capsys
) -> None:
    empty = tmp_path / "empty.db"
    assert main(["--db", f"sqlite:///{empty}", "init"]) == 0
    capsys.readouterr()
    before = intact(db)
    assert cmw(db, f"restore {empty} --force") == 2
    assert "staff" in one_line(capsys.readouterr().err)
    assert intact(db) == before


def test_restore_keeps_the_replaced_database_beside_it_and_says_where(
    db: Path, tmp_path: Path, capsys
) -> None:
    saved = tmp_path / "saved.db"
    assert cmw(db, f"backup {saved}") == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE customer SET name = '改过的名字' WHERE customer_no = 'C001'")
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert cmw(db, f"restore {saved} --force") == 0
    out = capsys.readouterr().out
    kept = [p for p in db.parent.iterdir() if p.name.startswith(db.name + ".before-restore")]
    assert len(kept) == 1 and str(kept[0]) in out
    conn = sqlite3.connect(kept[0])
    assert conn.execute("SELECT name FROM customer WHERE customer_no = 'C001'").fetchone() == (
        "改过的名字",
    )
    conn.close()
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600


# -- 3. Imports that change ownership keep scope right ----------------------------------------


def _finds(engine: Engine, who: str, query: str) -> list[str]:
    bench = login(engine, SETTINGS, who)
    return [h.customer_no for h in bench.customers.search(query)]


def test_an_import_that_moves_a_customer_gives_it_the_new_owners_partner_as_b(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "moved.csv", [CUSTOMER_HEADER, ["C001", "小王商店", "A1", "zhaoli", "", "", ""]]
    )
    assert cmw(db, f"import customers {source}") == 0, capsys.readouterr().err
    assert _finds(engine, "zhaoli", "C001") == ["C001"]
    assert _finds(engine, "sunyan", "C001") == ["C001"], "the new owner's partner is the B"
    assert _finds(engine, "liqiang", "C001") == [], "the old team's backup still sees it"


def test_a_handover_gives_the_customers_the_receivers_partner_as_b(
    db: Path, engine: Engine, capsys
) -> None:
    assert cmw(db, "handover --from wangfang --to zhaoli --customer C001") == 0
    assert _finds(engine, "sunyan", "C001") == ["C001"]
    assert _finds(engine, "liqiang", "C001") == []


# -- 4. Imports lose nothing silently ---------------------------------------------------------


def test_a_customer_imported_without_an_owner_is_counted_and_found(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "pool.csv", [CUSTOMER_HEADER, ["C020", "无主客户", "C", "", "", "", ""]]
    )
    assert cmw(db, f"import customers {source}") == 0
    assert "1 without an owner" in capsys.readouterr().out
    assert _finds(engine, "zhouhz", "C020") == ["C020"]
    assert _finds(engine, "sunlei", "C020") == ["C020"]
    out = tmp_path / "all.csv"
    assert cmw(db, f"export customers -o {out}") == 0
    assert "C020" in {r[0] for r in rows_of(out)}


def _workbook(path: Path, *, active_hidden: bool = False) -> Path:
    """Sheet 1 (hidden) holds an old list, sheet 2 (active) the new one; ``active_hidden``
    saves the hidden sheet as the active one, as some tools do (Excel itself cannot)."""
    book = Workbook()
    old = book.active
    old.title = "旧名单"
    old.append(CUSTOMER_HEADER)
    old.append(["C099", "旧的", "C", "wangfang", "", "", ""])
    old.sheet_state = "hidden"
    new = book.create_sheet("客户")
    new.append(CUSTOMER_HEADER)
    new.append(["C030", "新名单客户", "C", "wangfang", "", "", ""])
    book.active = 1
    book.save(path)
    if active_hidden:  # openpyxl saves a visible sheet as active: edit the workbook part
        import zipfile

        parts = {}
        with zipfile.ZipFile(path) as z:
            parts = {name: z.read(name) for name in z.namelist()}
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b'activeTab="1"', b'activeTab="0"'
        )
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


def test_an_xlsx_imports_its_active_visible_sheet_and_says_which(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    source = _workbook(tmp_path / "book.xlsx")
    assert cmw(db, f"import customers {source}") == 0
    assert "客户" in capsys.readouterr().out
    assert _finds(engine, "wangfang", "C030") == ["C030"]
    assert _finds(engine, "wangfang", "C099") == []


def test_an_xlsx_sheet_can_be_named_and_a_hidden_one_is_never_chosen_silently(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    source = _workbook(tmp_path / "hidden-active.xlsx", active_hidden=True)
    assert cmw(db, f"import customers {source}") == 2
    assert "hidden" in one_line(capsys.readouterr().err)
    assert cmw(db, f"import customers {source} --sheet 客户") == 0
    assert _finds(engine, "wangfang", "C030") == ["C030"]
    assert cmw(db, f"import customers {source} --sheet 没有这页") == 2
    assert "没有这页" in one_line(capsys.readouterr().err)


def test_a_row_with_more_cells_than_the_header_is_an_error_naming_the_row(
    db: Path, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "shifted.csv",
        [
            CUSTOMER_HEADER,
            ["C040", "好的一行", "C", "wangfang", "", "", ""],
            ["C041", "北京,华信", "C", "wangfang", "", "", "", "100"],  # an unquoted comma
        ],
    )
    assert cmw(db, f"import customers {source}") == 2
    assert "Row 3" in capsys.readouterr().err


def test_negative_assets_or_revenue_are_an_error(db: Path, tmp_path: Path, capsys) -> None:
    header = [*CUSTOMER_HEADER, "收入"]
    source = write_csv(
        tmp_path / "negative.csv",
        [
            header,
            ["C050", "负资产", "C", "wangfang", "", "", "-1,000", ""],
            ["C051", "负收入", "C", "wangfang", "", "", "", "-5万"],
        ],
    )
    assert cmw(db, f"import customers {source}") == 2
    err = capsys.readouterr().err
    assert "Row 2, column 资产" in err and "Row 3, column 收入" in err


def test_a_15_digit_id_number_is_upgraded_to_18_digits(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    old = "110101900307001"  # 1990-03-07, sequence 001: ID_1 as issued before 1999
    source = write_csv(
        tmp_path / "old-id.csv", [CUSTOMER_HEADER, ["C060", "老证件", "C", "wangfang", "", old, ""]]
    )
    assert cmw(db, f"import customers {source}") == 0, capsys.readouterr().err
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id_number FROM customer WHERE customer_no = 'C060'"))
        assert stored.scalar() == ID_1


def test_an_18_digit_id_that_excel_stored_as_a_number_says_so(
    db: Path, tmp_path: Path, capsys
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(CUSTOMER_HEADER)
    sheet.append(["C070", "数字证件", "C", "wangfang", "", float(ID_2[:17] + "0"), ""])
    book.save(tmp_path / "number-id.xlsx")
    assert cmw(db, f"import customers {tmp_path / 'number-id.xlsx'}") == 2
    err = capsys.readouterr().err
    assert "Row 2, column 证件号码" in err and "number" in err and "text" in err


@pytest.mark.parametrize(
    "encoding",
    ["klingon", "hex", "cp037"],
    ids=str,
)
def test_an_unknown_or_unusable_encoding_is_one_line(
    db: Path, tmp_path: Path, capsys, encoding: str
) -> None:
    source = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADER])
    assert cmw(db, f"import customers {source} --encoding {encoding}") == 2
    assert encoding in one_line(capsys.readouterr().err)


def test_rejects_at_a_folder_and_an_empty_file_are_one_line_each(
    db: Path, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "c.csv", [CUSTOMER_HEADER, ["C080", "坏类别", "Z9", "wangfang", "", "", ""]]
    )
    assert cmw(db, f"import customers {source} --skip-bad --reject {tmp_path}") == 2
    assert str(tmp_path) in one_line(capsys.readouterr().err)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert cmw(db, f"import customers {empty}") == 2
    assert "empty" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-16", "\t"), ("utf-8-sig", "\t"), ("utf-8-sig", ";")],
    ids=["utf16-tabs-as-excel-unicode-text", "tabs", "semicolons"],
)
def test_utf16_tab_and_semicolon_files_import(
    db: Path, engine: Engine, tmp_path: Path, capsys, encoding: str, delimiter: str
) -> None:
    source = write_csv(
        tmp_path / "c.txt",
        [CUSTOMER_HEADER, ["C090", "分隔符客户", "C", "wangfang", "138 0000 1111", "", ""]],
        encoding=encoding,
        delimiter=delimiter,
    )
    assert cmw(db, f"import customers {source}") == 0, capsys.readouterr().err
    assert _finds(engine, "wangfang", "C090") == ["C090"]


# -- 5. Files that leave the server are safe --------------------------------------------------


def test_reject_files_are_private_masked_and_carry_no_formulas(
    db: Path, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "c.csv",
        [
            CUSTOMER_HEADER,
            ["C100", '=HYPERLINK("http://x")', "Z9", "wangfang", "13812345678", ID_2, ""],
        ],
    )
    rejects = tmp_path / "rejects.csv"
    assert cmw(db, f"import customers {source} --skip-bad --reject {rejects} --as sunlei") == 0
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    body = rejects.read_text(encoding="utf-8-sig")
    assert "13812345678" not in body and ID_2 not in body, "admin may not export unmasked"
    assert "138****5678" in body
    row = rows_of(rejects)[1]
    assert row[1].startswith("'="), "a formula Excel would run"


def test_handover_reports_are_private_and_carry_no_formulas(
    db: Path, engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE customer SET name = '=1+1' WHERE customer_no = 'C001'"))
    report = tmp_path / "handover.csv"
    assert cmw(db, f"handover --from wangfang --to liqiang --dry-run -o {report}") == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert rows_of(report)[1][1] == "'=1+1"


# -- 6. Identity cannot be widened or backdated ----------------------------------------------


def test_an_empty_as_is_a_usage_error_not_the_service_account(
    db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "all.csv"
    assert cmw(db, f"export customers -o {out} --as ''") == 2
    one_line(capsys.readouterr().err)
    assert not out.exists()
    assert cmw(db, "tasks --as ''") == 2


@pytest.mark.parametrize("bad", ["-h", "--db", ".", "..", "-x", ".hidden"], ids=repr)
def test_logins_that_look_like_options_or_paths_are_refused(engine: Engine, db: Path, bad: str):
    from cmworkbench.db.engine import unit_of_work

    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        add_staff(session=session, actor=None, grades=SETTINGS.grades, login=bad, name="某某",
                  role="manager", grade="senior")  # fmt: skip


def test_staff_phone_numbers_are_validated_as_imports_validate_them(db: Path, capsys) -> None:
    assert cmw(db, "staff add liuxin --name 刘欣 --role manager --grade senior --phone 12345") == 2
    assert "12345" in one_line(capsys.readouterr().err)
    assert cmw(db, "staff add liuxin --name 刘欣 --role manager --grade senior --phone "
                   "'138 1234 0000' --json") == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["phone"] == "13812340000"


def test_the_audit_log_keeps_the_real_time_and_since_filters_on_it(
    db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "all.csv"
    assert cmw(db, f"export customers --unmasked -o {out}", now="2019-01-01T09:00") == 0
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    capsys.readouterr()
    assert cmw(db, f"audit --since {today} --json", now=None) == 0
    entries = json.loads(capsys.readouterr().out)
    exported = [e for e in entries if e["action"] in ("export", "reveal")]
    assert len(exported) == 2, "a backdated unmasked export hides from audit --since"
    assert exported[0]["at"].startswith("2019-01-01")
    assert exported[0]["recorded_at"].startswith(str(today))


def _rsa_key(bits: int) -> str:
    def mpint(value: int) -> bytes:
        raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return struct.pack(">I", len(raw)) + raw

    def string(value: bytes) -> bytes:
        return struct.pack(">I", len(value)) + value

    modulus = (1 << (bits - 1)) | int.from_bytes(os.urandom(bits // 8), "big") >> 1 | 1
    blob = string(b"ssh-rsa") + mpint(65537) + mpint(modulus)
    return f"ssh-rsa {base64.b64encode(blob).decode()} someone@laptop"


@pytest.mark.usefixtures("running_cmw")
def test_rsa_keys_under_2048_bits_are_refused(db: Path, tmp_path: Path, capsys) -> None:
    weak, strong = tmp_path / "weak.pub", tmp_path / "strong.pub"
    weak.write_text(_rsa_key(1024), encoding="utf-8")
    strong.write_text(_rsa_key(3072), encoding="utf-8")
    keys = tmp_path / "authorized_keys"
    assert cmw(db, f"staff grant-key wangfang {weak} --authorized-keys {keys}") == 2
    assert "1024" in one_line(capsys.readouterr().err)
    assert cmw(db, f"staff grant-key wangfang {strong} --authorized-keys {keys}") == 0


# -- 7. The terminal shows only text ----------------------------------------------------------

ESCAPE = "红\x1b[41m\x1b]0;PWNED\x07色\x9b31m公司"


def test_control_characters_are_refused_at_import(db: Path, tmp_path: Path, capsys) -> None:
    source = write_csv(
        tmp_path / "c.csv", [CUSTOMER_HEADER, ["C110", ESCAPE, "C", "wangfang", "", "", ""]]
    )
    assert cmw(db, f"import customers {source}") == 2
    err = capsys.readouterr().err
    assert "Row 2, column 客户名称" in err and "\x1b" not in err


def test_control_characters_are_refused_in_edits_and_on_the_command_line(
    db: Path, engine: Engine, capsys
) -> None:
    bench = login(engine, SETTINGS, "wangfang")
    profile = bench.customers.view("C001").profile
    with pytest.raises(InvalidInput):
        bench.customers.update("C001", profile.version, CustomerEdit(address=ESCAPE))
    code = cmw(
        db,
        "complaints new --customer C001 --category fee --severity normal "
        f"--description {shlex.quote(ESCAPE)} --as wangfang",
    )
    assert code == 2
    assert "\x1b" not in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM complaint")).scalar() == 1


def test_stored_control_characters_never_reach_a_terminal(db: Path, engine: Engine, capsys) -> None:
    with engine.begin() as conn:  # as if written before this release, or by hand
        conn.execute(
            text("UPDATE customer SET name = :n WHERE customer_no = 'C001'"), {"n": ESCAPE}
        )
    assert cmw(db, "search C001 --as wangfang") == 0
    out = capsys.readouterr().out
    assert "C001" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b"), "escape sequences reached the terminal"
    hits = login(engine, SETTINGS, "wangfang").customers.search("C001")  # what the TUI shows
    assert hits and not any(ch in hits[0].name for ch in "\x1b\x07\x9b")


def test_a_single_supplementary_plane_character_finds_the_customer(
    db: Path, engine: Engine, tmp_path: Path, capsys
) -> None:
    source = write_csv(
        tmp_path / "c.csv", [CUSTOMER_HEADER, ["C120", "𠮷野家", "C", "wangfang", "", "", ""]]
    )
    assert cmw(db, f"import customers {source}") == 0
    assert _finds(engine, "wangfang", "𠮷") == ["C120"]


# -- 8. One message for "not found" and "not yours" -------------------------------------------


def test_an_out_of_scope_customer_reads_exactly_like_a_missing_one(db: Path, capsys) -> None:
    assert cmw(db, "audit --customer C002 --as wangfang") == 2
    hidden = one_line(capsys.readouterr().err).replace("C002", "<no>")
    assert cmw(db, "audit --customer C999 --as wangfang") == 2
    missing = one_line(capsys.readouterr().err).replace("C999", "<no>")
    assert hidden == missing


def test_a_refusal_never_prints_another_teams_ticket_number(
    db: Path, engine: Engine, capsys
) -> None:
    with engine.connect() as conn:
        ticket_id = conn.execute(text("SELECT id FROM complaint")).scalar()
    assert cmw(db, f"complaints show {ticket_id} --as wangfang") == 2
    hidden = one_line(capsys.readouterr().err)
    assert "TS-2026-0001" not in hidden
    assert cmw(db, "complaints show 987654 --as wangfang") == 2
    missing = one_line(capsys.readouterr().err)
    assert hidden.replace(str(ticket_id), "<n>") == missing.replace("987654", "<n>")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("tasks --as wangfang --no-such-option", 2),
        ("tasks --as wangfang --date 23.11.2026", 2),
        ("audit --customer C002 --as wangfang", 2),
        ("complaints show C001 --as wangfang", 2),
        ("report branch --format csv -o {tmp}/r.csv --as zhouhz", 1),
        ("--db postgresql+psycopg://nobody@127.0.0.1:9/none tasks --as wangfang", 1),
    ],
    ids=["usage", "bad-input", "refusal", "not-found", "disk-full", "database-unreachable"],
)
def test_exit_codes_two_for_people_one_for_the_machine(
    db: Path, tmp_path: Path, capsys, monkeypatch, command: str, expected: int
) -> None:
    """Exit code 2: the person asked for something wrong (usage, bad input, a refusal);
    1: the machine failed them (a full disk, a database that does not answer)."""
    if "-o" in command:  # the disk fills up while the file is written
        import errno

        def full(_fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", full)
    assert cmw(db, command.format(tmp=tmp_path)) == expected
    one_line(capsys.readouterr().err)


# -- 9. Years out of range ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "now"),
    [
        ("tasks --as wangfang --date 0001-01-01", "2026-11-23T08:30"),
        ("tasks --as wangfang --date 9999-12-31", "2026-11-23T08:30"),
        ("tasks --as wangfang", "9999-12-31T23:59"),
        ("tasks --as wangfang", "0001-01-01T00:00"),
        ("report branch --month 0000-01 --as zhouhz", "2026-11-23T08:30"),
        ("audit --since 0001-01-01", "2026-11-23T08:30"),
        ("complaints show 99999999999999999999999 --as wangfang", "2026-11-23T08:30"),
        ("tasks --as wangfang", "garbage"),
    ],
    ids=[
        "date-year-1",
        "date-year-9999",
        "now-9999",
        "now-year-1",
        "month-0",
        "since-year-1",
        "huge-ticket",
        "now-garbage",
    ],
)
def test_years_out_of_range_and_bad_now_are_one_localised_line(
    db: Path, capsys, monkeypatch, command: str, now: str
) -> None:
    monkeypatch.setenv("CMW_LANGUAGE", "zh_CN")
    code = cmw(db, command, now=now)
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert "Overflow" not in line and "int too large" not in line
    message = line.removeprefix("cmw: ").removeprefix("错误：")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), line
