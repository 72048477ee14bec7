"""Reading an import file as rows of cells: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX.

Streaming either way: CSV through :mod:`csv` on an incrementally decoded text stream, XLSX
with openpyxl's read-only mode (rows are parsed as they are iterated), so memory does not
grow with the file.

Encoding, when not given: a byte order mark decides (UTF-8; UTF-16, which Excel writes for
"Unicode Text"; UTF-32); otherwise the first 256 KiB are tried as UTF-8, and if they are not
valid UTF-8 the file is read as GB18030 — the superset of GBK that Excel writes for "CSV" on a
Chinese Windows, so every GBK file reads the same. ``--encoding`` must name a text encoding
that reads commas and line ends as ASCII does (or UTF-16/32); anything else is refused in one
line rather than read as nonsense.

Delimiter: comma, tab (Excel's "Unicode Text" and "Text") or semicolon (CSV from a European
Excel), whichever makes the best header of the first rows.

Sheet (XLSX): the sheet that was active when the file was saved (the one Excel opens), or the
one named with ``--sheet``; the name is reported. A hidden sheet is never chosen silently: if
the active sheet is hidden, the import is refused naming the visible ones.

A data row with more filled cells than the header has columns is reported as bad (an unquoted
comma inside a name shifts every cell after it, which would otherwise import as wrong data).

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
from cmworkbench.services.core.errors import InvalidInput

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
    sheet_name: str | None
    """The XLSX sheet read (``None`` for CSV)."""
    position: Callable[[], tuple[int, int]]
    """``(done, total)`` for a progress bar (bytes for CSV, rows for XLSX)."""
    close: Callable[[], None]


def is_xlsx(path: Path) -> bool:
    """XLSX by its content (a zip file), whatever the name says."""
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
WIDE_ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
"""Encodings that are not ASCII-compatible but read correctly (Excel's "Unicode Text")."""
DELIMITERS = (",", "\t", ";")


def detect_encoding(path: Path) -> str:
    """The encoding of a CSV file without ``--encoding``; see the module doc."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    try:
        # final=False: a character cut in two at the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def usable_encoding(encoding: str) -> str:
    """``encoding`` (``--encoding``) if a CSV file can be read with it; else one line why."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):
        raise InvalidInput(t("import.bad_encoding", encoding=encoding)) from None
    if not getattr(info, "_is_text_encoding", True):  # hex, base64, rot13, zlib …
        raise InvalidInput(t("import.encoding_unusable", encoding=encoding))
    if info.name in WIDE_ENCODINGS:
        return info.name
    try:
        ascii_compatible = b',;\t\r\n"az09'.decode(info.name) == ',;\t\r\n"az09'
    except (UnicodeDecodeError, ValueError):
        ascii_compatible = False
    if not ascii_compatible:  # EBCDIC (cp037 …), UTF-7: commas and line ends are not bytes
        raise InvalidInput(t("import.encoding_unusable", encoding=encoding))
    return encoding


def open_sheet(
    path: Path,
    known: Callable[[str], bool],
    encoding: str | None = None,
    sheet: str | None = None,
) -> Sheet:
    """Open ``path`` and find its header; ``known(name)`` says whether a header names a column;
    ``sheet`` names the XLSX sheet (else the active one)."""
    if not path.is_file():
        raise InvalidInput(t("import.no_file", path=str(path)))
    if _empty(path):
        raise InvalidInput(t("import.empty_file", path=path.name))
    if is_xlsx(path):
        return _xlsx(path, known, sheet)
    if sheet is not None:
        raise InvalidInput(t("import.sheet_not_xlsx", path=path.name))
    return _csv(path, known, usable_encoding(encoding) if encoding else detect_encoding(path))


def _empty(path: Path) -> bool:
    """Nothing in the file but white space and perhaps a byte order mark."""
    with path.open("rb") as f:
        head = f.read(64)
    for bom, _ in _BOMS:
        head = head.removeprefix(bom)
    return not head.strip(b" \t\r\n\x00") and path.stat().st_size <= 64


def _csv(path: Path, known: Callable[[str], bool], encoding: str) -> Sheet:
    delimiter = _delimiter(path, known, encoding)
    raw = path.open("rb")
    total = path.stat().st_size
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    # Records, not lines: a quoted cell holding a line break (an address typed in Excel with
    # Alt+Enter) is still one row in Excel, and messages name Excel's row numbers.
    numbered = enumerate(_decoded(reader, path, encoding), start=1)
    try:
        header, header_row, rest = _find_header(numbered, known)
    except BaseException:
        raw.close()
        raise
    return Sheet(header, header_row, rest, encoding, None, lambda: (raw.tell(), total), raw.close)


def _delimiter(path: Path, known: Callable[[str], bool], encoding: str) -> str:
    """The delimiter that makes the best header of the first rows (ties: the comma)."""
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    lines = text.splitlines()[: HEADER_SCAN * 4]
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))[:HEADER_SCAN]
        except csv.Error:
            continue
        score = max((sum(1 for c in row if known(clean(c))) for row in rows), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _decoded(reader: Iterator[list[str]], path: Path, encoding: str) -> Iterator[list[str]]:
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            t("import.undecodable", path=path.name, encoding=encoding, offset=exc.start)
        ) from None
    except csv.Error as exc:
        raise InvalidInput(t("import.bad_csv", path=path.name, reason=str(exc))) from None


def _xlsx(path: Path, known: Callable[[str], bool], name: str | None) -> Sheet:
    from openpyxl import load_workbook  # imported here: only imports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a broken zip, not a workbook: say so in one line
        raise InvalidInput(t("import.bad_xlsx", path=path.name, reason=str(exc))) from None
    try:
        sheet = _chosen_sheet(book, path, name)
    except BaseException:
        book.close()
        raise
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
    return Sheet(
        header, header_row, counted(), None, sheet.title, lambda: (done[0], total), book.close
    )


def _chosen_sheet(book: Any, path: Path, name: str | None) -> Any:
    """The sheet named ``name``, or the active one if it is visible; see the module doc."""
    titles = [ws.title for ws in book.worksheets]
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    if name is not None:
        if name not in titles:
            raise InvalidInput(
                t("import.no_such_sheet", path=path.name, sheet=name, sheets="、".join(titles))
            )
        return book[name]
    sheet = book.active if book.active is not None else book.worksheets[0]
    if sheet.sheet_state != "visible":
        raise InvalidInput(
            t(
                "import.hidden_sheet",
                path=path.name,
                sheet=sheet.title,
                sheets="、".join(visible) or "-",
            )
        )
    return sheet


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


def extra_cells(header: Sequence[str], cells: Sequence[Any]) -> int:
    """How many filled cells ``cells`` has beyond the header's columns."""
    return sum(1 for c in cells[len(header) :] if c is not None and str(c).strip())


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


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def rows_at_most(path: Path, sheet: Sheet) -> int:
    """An upper bound of the file's data rows, read without parsing them: the lines after the
    header (a CSV; a quoted cell may hold a line break) or the sheet's last row (an XLSX)."""
    if sheet.sheet_name is not None:
        return max(sheet.position()[1] - sheet.header_row, 0)
    lines = 0
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - sheet.header_row, 0)


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (for the audit row: which file exactly was imported)."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
