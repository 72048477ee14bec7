"""The shared spreadsheet writer: streamed ``.xlsx`` and BOM'd ``.csv``, written atomically,
0600, cells as data (never formulas), nothing left behind when a write fails."""

from __future__ import annotations

import csv
import io
import stat
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cmworkbench.services.core import spreadsheet
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.output import output_file
from cmworkbench.services.core.spreadsheet import (
    column_widths,
    display_width,
    write_csv,
    write_xlsx,
)

HEADER = ["客户名称", "Amount", "Opened on", "Verified at"]
ROW = [
    "杭州西湖龙井茶业集团有限公司",
    1200000,
    date(2026, 1, 2),
    datetime(2026, 11, 23, 0, 30, tzinfo=UTC),
]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_xlsx_has_a_bold_frozen_header_real_dates_and_cjk_widths(tmp_path):
    path = tmp_path / "list.xlsx"

    assert write_xlsx(path, HEADER, [ROW], sheet="客户清单") == 1

    ws = load_workbook(path)["客户清单"]
    assert [c.value for c in ws[1]] == HEADER
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    name, amount, opened, verified = (c.value for c in ws[2])
    assert name == ROW[0] and amount == 1200000
    assert opened == datetime(2026, 1, 2) and ws["C2"].is_date, "a real Excel date"
    assert verified == datetime(2026, 11, 23, 8, 30), "aware instants in branch time"
    # 14 CJK characters take 28 columns; the header "客户名称" alone would take 8
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["B"].width == 9


def test_given_widths_are_used_as_they_are(tmp_path):
    path = tmp_path / "w.xlsx"
    write_xlsx(path, ["a", "b"], [[1, 2]], widths=[12, 40])
    ws = load_workbook(path).active
    assert ws is not None
    assert [ws.column_dimensions[c].width for c in "AB"] == [12, 40]


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    xlsx, csv_path = tmp_path / "f.xlsx", tmp_path / "f.csv"
    rows = [['=HYPERLINK("http://x")', "+86 138", "-x", "@SUM(A1)", "plain\x07bell"]]
    write_xlsx(xlsx, list("abcde"), rows)
    write_csv(csv_path, list("abcde"), rows)

    ws = load_workbook(xlsx).active
    assert ws is not None
    assert ws["A2"].data_type == "s" and ws["A2"].value == '=HYPERLINK("http://x")'
    assert ws["E2"].value == "plainbell", "XML cannot hold control characters"
    read = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert read[1][:4] == ['\'=HYPERLINK("http://x")', "'+86 138", "'-x", "'@SUM(A1)"]


def test_csv_has_a_bom_iso_dates_and_opens_with_the_csv_module(tmp_path):
    path = tmp_path / "list.csv"

    assert write_csv(path, HEADER, [ROW, [None, 0, None, None]]) == 2

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [
        HEADER,
        [ROW[0], "1200000", "2026-01-02", "2026-11-23 08:30"],
        ["", "0", "", ""],
    ]
    write_csv(output_file(path, force=True), HEADER, [], bom=False)
    assert path.read_bytes().startswith("客户名称".encode())


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_files_are_private_and_replace_the_old_one(tmp_path, writer):
    path = tmp_path / ("out.xlsx" if writer is write_xlsx else "out.csv")
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(InvalidInput, match="--force"):
        writer(path, ["a"], [[1]])
    assert path.read_bytes() == b"old", "replaced only with --force"

    writer(output_file(path, force=True), ["a"], [[1]])

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() != b"old"
    assert leftovers(tmp_path) == [path.name]


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_a_missing_folder_is_one_clear_error_and_nothing_is_written(tmp_path, writer):
    path = tmp_path / "no-such-folder" / "out.xlsx"
    with pytest.raises(InvalidInput, match="no-such-folder"):
        writer(path, ["a"], [[1]])
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_a_failure_half_way_leaves_the_old_file_and_no_temp_file(tmp_path, writer):
    path = tmp_path / "out.bin"
    path.write_bytes(b"the old file")
    target = output_file(path, force=True)

    def rows() -> Iterator[Sequence[object]]:
        for i in range(500):
            yield [i]
        raise RuntimeError("database went away")

    scratch_before = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    with pytest.raises(RuntimeError):
        writer(target, ["n"], rows())
    assert path.read_bytes() == b"the old file"
    assert leftovers(tmp_path) == ["out.bin"]
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) <= scratch_before


def test_a_folder_as_the_target_is_refused(tmp_path):
    with pytest.raises(InvalidInput):
        write_csv(tmp_path, ["a"], [[1]])


def test_more_rows_than_a_sheet_holds_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 11)
    path = tmp_path / "big.xlsx"
    with pytest.raises(InvalidInput, match="csv"):
        write_xlsx(path, ["n"], ([i] for i in range(20)))
    assert leftovers(tmp_path) == []


def test_rows_stream_from_a_generator(tmp_path):
    pulled = 0

    def rows() -> Iterator[list[object]]:
        nonlocal pulled
        for i in range(3000):
            pulled += 1
            yield [i, f"客户{i}"]

    path = tmp_path / "many.xlsx"
    assert write_xlsx(path, ["n", "name"], rows()) == 3000
    assert pulled == 3000
    ws = load_workbook(path, read_only=True).active
    assert ws is not None
    assert sum(1 for _ in ws.iter_rows(values_only=True)) == 3001


@pytest.mark.parametrize(
    ("text", "width"),
    [("abc", 3), ("张伟", 4), ("Ａ", 2), ("a\x07b", 2), ("", 0)],
    ids=["ascii", "cjk", "fullwidth", "control", "empty"],
)
def test_display_width(text, width):
    assert display_width(text) == width


def test_column_widths_are_bounded():
    assert column_widths(["a", "b"], [["x" * 200, None]]) == [60, 6]
