"""Spreadsheet files for people: ``.xlsx`` for Excel/WPS, ``.csv`` for anything else.

The one writer every export, report and handover list uses. Both functions take a header and
an iterable of rows and stream them: rows are consumed one at a time (openpyxl's write-only
mode keeps only the first :data:`WIDTH_SAMPLE_ROWS` rows in memory to size the columns), so a
million customers are written in bounded memory.

Files hold customer data, so they are written through :mod:`cmworkbench.services.core.output`: never
over the live database, an input or a database file, an existing file only with ``--force``, to
a temporary file in the target folder, mode 0600, put in place only once complete. A failure
(no such folder, disk full, a bad row) leaves the target as it was and no temporary file
behind, and is one clear line.

Cells are data, never formulas: a text starting with ``=`` stays text in the ``.xlsx``, and
in the ``.csv`` a text starting with ``= + - @`` gets a leading ``'`` (OWASP CSV injection),
since Excel would run it when the file is opened.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from itertools import islice
from typing import IO, Any

from wcwidth import wcswidth, wcwidth

from cmworkbench import clock
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.output import OutputFile, as_output, atomic_write

WIDTH_SAMPLE_ROWS = 200
"""Rows after the header that size the columns when no widths are given."""
MIN_WIDTH, MAX_WIDTH = 6, 60
"""Bounds of a computed column width, in Excel character units."""
XLSX_MAX_ROWS = 1_048_576
"""Rows in one Excel worksheet, the header included (Excel's own limit)."""
DEFAULT_SHEET = "Sheet1"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML 1.0 cannot hold (openpyxl refuses them); dropped from cells."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_xlsx(
    path: OutputFile | str | os.PathLike[str],
    header: list[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: list[int] | None = None,
    sheet: str = DEFAULT_SHEET,
) -> int:
    """Write ``header`` (bold, frozen above the rows) and ``rows`` to the ``.xlsx`` file
    ``path``; returns the number of rows written (the header not counted).

    Dates and date-times become real Excel dates (aware ones in branch-local time); column
    widths come from the display width (CJK counts double) of the header and the first rows
    unless ``widths`` is given. More rows than one worksheet holds is refused (use CSV).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    iterator = iter(rows)
    sample = list(islice(iterator, WIDTH_SAMPLE_ROWS))
    sizes = widths if widths is not None else column_widths(header, sample)
    target = as_output(path)
    with atomic_write(target) as out:
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(title=_sheet_title(sheet))
        # Write-only sheets emit their settings before the first row: set them now.
        ws.freeze_panes = "A2"
        for index, width in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        cells = []
        for title in header:
            cell = WriteOnlyCell(ws, value=_xlsx_value(title))
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        count = 0
        try:
            for row in _chain(sample, iterator):
                count += 1
                if count >= XLSX_MAX_ROWS:
                    limit = XLSX_MAX_ROWS - 1
                    raise InvalidInput(t("export.too_many_rows", path=target.path, limit=limit))
                ws.append(_xlsx_row(ws, row, WriteOnlyCell))
            workbook.save(out)
        except BaseException:
            _discard(ws)
            raise
    return count


def _discard(ws: Any) -> None:
    """Close a write-only sheet that will not be saved and delete its scratch file
    (openpyxl keeps the sheet's XML in a 0600 temporary file until the save)."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    with suppress(Exception):
        ws.close()
    with suppress(Exception):
        writer.cleanup()


def write_csv(
    path: OutputFile | str | os.PathLike[str],
    header: list[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = True,
) -> int:
    """Write ``header`` and ``rows`` to the CSV file ``path`` (UTF-8, with a BOM by default
    so Excel in China opens it as UTF-8); returns the number of rows written.

    Dates are ISO (``2026-11-23``), aware date-times branch-local ``2026-11-23 08:30``.
    """
    count = 0
    with csv_rows(path, header, bom=bom) as write:
        for row in rows:
            write(row)
            count += 1
    return count


@contextmanager
def csv_rows(
    path: OutputFile | str | os.PathLike[str], header: list[str], *, bom: bool = True
) -> Iterator[Callable[[Sequence[object]], None]]:
    """A CSV file written row by row (``write(row)``) while the block runs, put in place when
    it completes; the same cells, encoding and safety as :func:`write_csv`."""
    with atomic_write(as_output(path)) as raw:
        text = _text(raw, "utf-8-sig" if bom else "utf-8")
        writer = csv.writer(text)
        writer.writerow([_csv_value(v) for v in header])
        yield lambda row: writer.writerow([_csv_value(v) for v in row])
        text.flush()
        text.detach()


def column_widths(header: Sequence[object], rows: Iterable[Sequence[object]]) -> list[int]:
    """Excel column widths that fit ``header`` and ``rows`` (display width: CJK is 2)."""
    widest = [display_width(_shown(v)) for v in header]
    for row in rows:
        for i, value in enumerate(row):
            width = display_width(_shown(value))
            if i >= len(widest):
                widest.append(width)
            elif width > widest[i]:
                widest[i] = width
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widest]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a spreadsheet cell (CJK characters take 2)."""
    width = wcswidth(text)
    if width >= 0:
        return int(width)
    return sum(max(0, wcwidth(ch)) for ch in text)  # control characters count as nothing


def _text(raw: IO[bytes], encoding: str) -> Any:
    import io

    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _chain(first: list[Sequence[object]], rest: Iterator[Sequence[object]]) -> Iterator[Any]:
    yield from first
    first.clear()  # the sample is written: let it go
    yield from rest


def _sheet_title(name: str) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or DEFAULT_SHEET
    return cleaned[:31]


def _local(value: datetime) -> datetime:
    """Excel has no time zones: an aware instant is shown in branch-local time."""
    if value.tzinfo is None:
        return value
    return value.astimezone(clock.branch_tz()).replace(tzinfo=None)


def _xlsx_value(value: object) -> object:
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    return value


def _xlsx_row(ws: Any, row: Sequence[object], make_cell: Callable[..., Any]) -> list[object]:
    out: list[object] = []
    for value in row:
        value = _xlsx_value(value)
        if isinstance(value, str) and value.startswith("="):
            cell = make_cell(ws, value=value)
            cell.data_type = "s"  # text, not a formula Excel would run
            out.append(cell)
        else:
            out.append(value)
    return out


def _shown(value: object) -> str:
    """How a value reads in a cell, for sizing its column."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
