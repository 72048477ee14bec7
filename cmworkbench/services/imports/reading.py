"""Reading an import file as rows of cells: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX.

Streaming either way: CSV through :mod:`csv` on an incrementally decoded text stream, XLSX
with openpyxl's read-only mode (rows are parsed as they are iterated), so memory does not
grow with the file.

Encoding, when not given: a UTF-8 BOM means UTF-8; otherwise the first 256 KiB are tried as
UTF-8, and if they are not valid UTF-8 the file is read as GB18030 — the superset of GBK
that Excel writes for "CSV" on a Chinese Windows, so every GBK file reads the same.

The header row is found, not assumed: of the first :data:`HEADER_SCAN` rows, the one where
most cells name a known column wins (a title row above it, as branch spreadsheets often
have, is skipped). A header cell that is empty takes the text above it, which is how a
vertically merged header cell reads (openpyxl gives the merged text to the top-left cell
only). Row numbers in messages are the row numbers Excel shows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmworkbench.domain.normalize import clean
from cmworkbench.i18n import t
from cmworkbench.services.errors import InvalidInput

HEADER_SCAN = 10
"""Rows searched for the header."""
SNIFF_BYTES = 256 * 1024


@dataclass
class Sheet:
    """An open import file: its header and an iterator over its data rows."""

    header: list[str]
    """The header cells as written (cleaned), one per column."""
    header_row: int
    """The header's row number (1-based, as Excel shows it)."""
    rows: Iterator[tuple[int, list[Any]]]
    """``(row number, cells)`` of each data row; wholly empty rows are skipped."""
    encoding: str | None
    """The CSV encoding used (``None`` for XLSX)."""
    position: Callable[[], tuple[int, int]]
    """``(done, total)`` for a progress bar (bytes for CSV, rows for XLSX)."""
    close: Callable[[], None]


def is_xlsx(path: Path) -> bool:
    """XLSX by its content (a zip file), whatever the name says."""
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with or without a BOM) or ``gb18030``; see the module doc."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # final=False: a character cut in two at the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def open_sheet(path: Path, known: Callable[[str], bool], encoding: str | None = None) -> Sheet:
    """Open ``path`` and find its header; ``known(name)`` says whether a header names a column."""
    if not path.is_file():
        raise InvalidInput(t("import.no_file", path=str(path)))
    if is_xlsx(path):
        return _xlsx(path, known)
    return _csv(path, known, encoding or detect_encoding(path))


def _csv(path: Path, known: Callable[[str], bool], encoding: str) -> Sheet:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(t("import.bad_encoding", encoding=encoding)) from None
    raw = path.open("rb")
    total = path.stat().st_size
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text)
    # Records, not lines: a quoted cell holding a line break (an address typed in Excel with
    # Alt+Enter) is still one row in Excel, and messages name Excel's row numbers.
    numbered = enumerate(_decoded(reader, path, encoding), start=1)
    try:
        header, header_row, rest = _find_header(numbered, known)
    except BaseException:
        raw.close()
        raise
    return Sheet(header, header_row, rest, encoding, lambda: (raw.tell(), total), raw.close)


def _decoded(reader: Iterator[list[str]], path: Path, encoding: str) -> Iterator[list[str]]:
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            t("import.undecodable", path=path.name, encoding=encoding, offset=exc.start)
        ) from None
    except csv.Error as exc:
        raise InvalidInput(t("import.bad_csv", path=path.name, reason=str(exc))) from None


def _xlsx(path: Path, known: Callable[[str], bool]) -> Sheet:
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a broken zip, not a workbook: say so in one line
        raise InvalidInput(t("import.bad_xlsx", path=path.name, reason=str(exc))) from None
    sheet = book.worksheets[0]
    total = sheet.max_row or 0
    numbered = (
        (number, list(cells))
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    done = [0]

    def counted() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in rest:
            done[0] = number
            yield number, cells

    try:
        header, header_row, rest = _find_header(numbered, known)
    except BaseException:
        book.close()
        raise
    return Sheet(header, header_row, counted(), None, lambda: (done[0], total), book.close)


def _find_header(
    numbered: Iterator[tuple[int, list[Any]]], known: Callable[[str], bool]
) -> tuple[list[str], int, Iterator[tuple[int, list[Any]]]]:
    """The best header among the first rows, and the data rows after it."""
    head: list[tuple[int, list[Any]]] = []
    for item in numbered:
        head.append(item)
        if len(head) >= HEADER_SCAN:
            break
    best, best_score, above = -1, 0, [""]
    for i, (_, cells) in enumerate(head):
        names = _names(cells, above)
        score = sum(1 for n in names if known(n))
        if score > best_score:
            best, best_score = i, score
        above = [clean(c) for c in cells]
    if best < 0:
        raise InvalidInput(t("import.no_header", rows=HEADER_SCAN))
    above = [clean(c) for c in head[best - 1][1]] if best > 0 else [""]
    header = _names(head[best][1], above)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in [*head[best + 1 :]]:
            if _filled(cells):
                yield number, cells
        for number, cells in numbered:
            if _filled(cells):
                yield number, cells

    return header, head[best][0], rows()


def _names(cells: Sequence[Any], above: Sequence[str]) -> list[str]:
    """Header names: a blank cell takes the text above it (a vertically merged cell)."""
    names = []
    for i, cell in enumerate(cells):
        name = clean(cell)
        if not name and i < len(above):
            name = above[i]
        names.append(name)
    return names


def _filled(cells: Sequence[Any]) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def write_rejects(
    path: Path, header: Sequence[str], rejects: Sequence[tuple[int, Sequence[Any], str]]
) -> None:
    """The rejected rows as CSV in UTF-8 with a BOM (Excel opens it without a dialog): the
    original columns first, so the file can be corrected and imported again (the two extra
    columns, the row number in the source file and the reason, are not import columns)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*header, t("import.reject.row"), t("import.reject.reason")])
        for number, cells, reason in rejects:
            padded = [_cell_text(c) for c in cells] + [""] * (len(header) - len(cells))
            writer.writerow([*padded[: len(header)], number, reason])


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (for the audit row: which file exactly was imported)."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
