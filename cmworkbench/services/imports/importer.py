"""``cmw import``: customers, contacts, holdings, staff and sales goals from the spreadsheets a
branch has (goals: :mod:`.goal_rows`).

The administrator's job (the service account, or ``--as`` a member of staff with role admin).
Files are CSV (UTF-8 with or without BOM, GBK/GB18030 as Excel saves them in China) or XLSX;
see :mod:`.reading` for how they are read and :mod:`.columns` for the header names.

Every row is checked before anything is written: each bad cell is reported as ``Row 17,
column 证件号码: check digit should be 7, not 3`` (the row number Excel shows, the header as
written). Then, by default, **all or nothing**: one bad row and nothing is imported. With
``skip_bad`` the good rows are imported and the bad ones are written to a reject file (the
original columns, the row number and the reason; CSV in UTF-8 with BOM so Excel opens it).

One transaction per import: a failure, or the process being killed at any point, leaves the
database exactly as it was; a dry run does all the work and rolls it back (it writes no
reject file either). The reject file is an output like any other (:mod:`..output`): never the
source, the mapping or the database, an existing file only with ``force``; it is written
through the one spreadsheet writer (0600, no formulas) and masked like an export unless the
actor may export unmasked data (``privacy.export_unmasked_roles``, or the service account).

Nothing is lost silently: customers without an owner are imported into the branch pool and
counted in the summary (the branch head and the administrator see them); a customer whose
owner changes moves as a handover moves it (:mod:`..ownership`).

The import is audited in the same transaction: one row for the import (file name, SHA-256,
counts), one per updated record naming the changed fields (staff: per field, by
:mod:`cmworkbench.services.staff.people`).

Speed: customers, contacts and holdings are written in batches with ``executemany`` (see
:mod:`.bulk`); a million customers take about three minutes on the branch server's two cores
(``bench/import.py``). Memory stays bounded except for the set of keys already seen, which
the duplicate check needs (about 100 MiB per million rows).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import SOURCE_NAME, Settings
from cmworkbench.db.engine import database_file
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.domain.normalize import BadValue, clean
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.calendar_years import load as load_calendar
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.output import OutputFile, output_file
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.core.spreadsheet import csv_rows
from cmworkbench.services.customers import api as customers
from cmworkbench.services.imports.bulk import (
    BATCH,
    Row,
    Verifies,
    Writer,
    restore_triggers,
    set_triggers_aside,
)
from cmworkbench.services.imports.columns import Column, knows, load_mapping, resolve
from cmworkbench.services.imports.reading import (
    Sheet,
    extra_cells,
    open_sheet,
    rows_at_most,
    sha256_of,
)
from cmworkbench.services.imports.schemas import KINDS, ImportSummary
from cmworkbench.services.pipeline import api as pipeline
from cmworkbench.services.promises import api as promises
from cmworkbench.services.tasks import api as tasks

MAX_REPORTED = 200
"""Row messages kept for the report when the import is refused (all are counted)."""
BOOK_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)
_Pending = tuple[int, list[Any], dict[str, Any]]
"""A row that passed its own checks: row number, cells, values by field."""


class ImportRefused(InvalidInput):
    """Bad rows and no ``skip_bad``: nothing was imported. ``errors`` holds the row messages."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__(t("import.refused", rejected=summary.rejected, file=summary.file))
        self.summary = summary
        self.errors = summary.errors


@dataclass
class _Problems:
    """Bad rows met so far: counted, reported, and (``skip_bad``) written as rejects."""

    header: list[str]
    reject: Callable[[Sequence[object]], None] | None
    masks: dict[int, Callable[[str | None], str]] = field(default_factory=dict)
    """Column index → how its cells are masked in the reject file (phones, ID numbers)."""
    messages: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0

    def add(self, number: int, cells: Sequence[Any], reasons: list[str]) -> None:
        self.rows += 1
        if len(self.messages) < MAX_REPORTED:
            self.messages.extend((number, m) for m in reasons)
        if self.reject is not None:
            padded = [_cell_text(c) for c in cells] + [""] * (len(self.header) - len(cells))
            for i, mask in self.masks.items():
                if i < len(padded) and padded[i]:
                    padded[i] = mask(padded[i])
            self.reject([*padded[: len(self.header)], number, "; ".join(reasons)])


def import_file(
    *,
    engine: Engine,
    actor: Actor | None,
    kind: str,
    path: Path,
    grades: Mapping[str, Sequence[str]],
    dry_run: bool = False,
    mapping: Path | None = None,
    encoding: str | None = None,
    skip_bad: bool = False,
    reject_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    sheet_name: str | None = None,
    force: bool = False,
    unmasked_roles: Sequence[str] = (),
    settings: Settings | None = None,
    source: str | None = None,
) -> ImportSummary:
    """Import ``path`` as ``kind`` (one of :data:`KINDS`); see the module doc.

    ``sheet_name`` names the XLSX sheet (else the active one); ``force`` lets the reject file
    replace an existing file; ``unmasked_roles`` may have rejects unmasked; ``settings`` gives
    the churn rules (a group's members falling in bulk opens a retention task). Raises
    :class:`ImportRefused` when rows are bad and ``skip_bad`` is off.

    ``source`` names the system the file came from; a customer file from a source of
    ``[data_quality] authoritative`` verifies each existing file it carries, field by field
    (the accuracy figure), a value it changes counting as a correction.
    """
    require_role(actor, (Role.ADMIN,), "import.admin_only")
    settings = settings or Settings()
    if kind not in KINDS:
        raise InvalidInput(t("import.bad_kind", kind=kind, kinds=", ".join(KINDS)))
    started = time.perf_counter()
    names = load_mapping(mapping, kind) if mapping is not None else {}
    rejects = None
    if skip_bad and not dry_run:  # checked before any work: never the source or the database
        rejects = output_file(
            reject_path or path.with_name(path.name + ".rejects.csv"),
            force=force,
            database=database_file(engine),
            inputs=(path, mapping),
        )
    if source is not None and not SOURCE_NAME.match(source):
        raise InvalidInput(t("import.bad_source", source=source))
    summary = ImportSummary(kind, path.name, sha256_of(path) if path.is_file() else "")
    summary.dry_run = dry_run
    summary.source = source
    summary.authoritative = (
        source is not None and kind == "customers" and source in settings.data_quality.authoritative
    )
    sheet = open_sheet(path, knows(kind, names), encoding, sheet_name)
    summary.sheet = sheet.sheet_name
    try:
        if kind not in ("staff", "goals"):  # a few hundred rows at most
            _refuse_in_opening_hours(engine, settings, path, sheet)
        columns = resolve(kind, sheet.header, names)
        if rejects is not None:
            summary.reject_file = str(rejects.path)
        masked = actor is not None and actor.role not in unmasked_roles
        with _reject_writer(rejects, sheet.header) as reject:
            problems = _Problems(sheet.header, reject, _masks(columns) if masked else {})
            if kind == "staff":
                from cmworkbench.services.imports.staff_rows import import_staff

                import_staff(engine, actor, grades, sheet, columns, problems, summary, skip_bad)
            elif kind == "goals":
                from cmworkbench.services.imports.goal_rows import import_goals

                import_goals(engine, actor, settings, sheet, columns, problems, summary, skip_bad)
            else:
                _import_bulk(engine, actor, grades, kind, sheet, columns, problems, summary,
                             skip_bad, progress, settings)  # fmt: skip
    finally:
        sheet.close()
    summary.rejected = problems.rows
    summary.errors = [m for _, m in sorted(problems.messages, key=lambda p: p[0])]
    summary.seconds = round(time.perf_counter() - started, 3)
    if problems.rows and not skip_bad:
        raise ImportRefused(summary)
    return summary


def _refuse_in_opening_hours(engine: Engine, settings: Settings, path: Path, sheet: Sheet) -> None:
    """On SQLite, refuse a file of more than ``imports.opening_hours_rows`` rows during business
    hours on a working day (a dry run too: it holds the write lock as long). The import is one
    transaction taking the write lock up front (:func:`_transaction`), so every session's save
    would wait for all of it and give up after the busy timeout. Decided over committing in
    chunks through a staging table: the branch's big files come at night (the scheduler's
    import, issue 31), and all-or-nothing stays one transaction, simple to trust."""
    limit = settings.imports.opening_hours_rows
    if not limit or engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        load_calendar(conn)  # the holidays the admin entered
    calendar = BranchCalendar.from_settings(settings.calendar)
    now, today = clock.now(), clock.now_local().date()
    if not calendar.is_workday(today):
        return
    opening, closing = calendar.opening(today), calendar.closing(today)
    if not opening <= now < closing:
        return
    rows = rows_at_most(path, sheet)
    if rows > limit:
        raise InvalidInput(
            t(
                "import.opening_hours",
                rows=rows,
                limit=limit,
                opening=f"{opening.astimezone(calendar.tz):%H:%M}",
                closing=f"{closing.astimezone(calendar.tz):%H:%M}",
            )
        )


@contextmanager
def _reject_writer(
    target: OutputFile | None, header: list[str]
) -> Iterator[Callable[[Sequence[object]], None] | None]:
    """The reject file's ``write(row)``: the original columns, the row number and the reason
    (put in place when the import completes; nothing is left behind when it fails)."""
    if target is None:
        yield None
        return
    columns = [*header, t("import.reject.row"), t("import.reject.reason")]
    with csv_rows(target, columns) as write:
        yield write


_MASKED_FIELDS = {"phone": mask_phone, "phone2": mask_phone, "id_number": mask_id}


def _masks(columns: dict[int, Column]) -> dict[int, Callable[[str | None], str]]:
    """Column index → mask, for the columns holding phones and ID numbers."""
    return {i: _MASKED_FIELDS[c.field] for i, c in columns.items() if c.field in _MASKED_FIELDS}


def _import_bulk(
    engine: Engine,
    actor: Actor | None,
    grades: Mapping[str, Sequence[str]],
    kind: str,
    sheet: Sheet,
    columns: dict[int, Column],
    problems: _Problems,
    summary: ImportSummary,
    skip_bad: bool,
    progress: Callable[[int, int], None] | None,
    settings: Settings,
) -> None:
    """Customers, contacts, holdings: validate and write in batches, one transaction."""
    with _transaction(engine) as conn:
        triggers = set_triggers_aside(conn)
        now = clock.now()
        writer = Writer(
            conn,
            kind,
            actor=actor,
            source=f"import {summary.file}",
            now=now,
            member_drop=settings.tasks.churn_member_drop,
            verifies=Verifies(
                f"import:{summary.source}",
                lambda kind, cls: customers.asked_fields(settings, kind, cls),
            )
            if summary.authoritative
            else None,
        )
        checker = _Checker(kind, columns, sheet.header, _staff(conn), grades)
        batch: list[tuple[int, list[Any], dict[str, Any]]] = []

        def flush() -> None:
            rows = checker.references(writer, batch, problems)
            if not problems.rows or skip_bad:
                writer.write(rows)
            batch.clear()
            if progress is not None:
                progress(*sheet.position())

        for number, cells in sheet.rows:
            values = checker.row(number, cells, problems)
            if values is not None:
                batch.append((number, cells, values))
                if len(batch) >= BATCH:
                    flush()
        flush()
        writer.finish()
        restore_triggers(conn, triggers)
        counts = writer.counts
        holdings = counts.touched if kind == "holdings" else []
        if (
            counts.member_drops
            or counts.groups
            or counts.new_customers
            or counts.changed_customers
            or holdings
        ):
            session = Session(bind=conn)
            try:
                drops = counts.member_drops
                summary.retention = tasks.open_for_member_drops(session, settings, drops, now)
                summary.directories = customers.refreshed_by_import(session, counts.groups, now)
                new, changed = counts.new_customers, counts.changed_customers
                summary.promises = promises.imported(session, settings, actor, new, changed)
                # new accounts may be leads arriving; products opened may convert referrals
                summary.leads_merged, _ = pipeline.customers_arrived(session, [*new, *changed])
                summary.referrals_converted = pipeline.convert(session, holdings) if holdings else 0
                session.flush()
            finally:
                session.close()
        counts = writer.counts
        summary.inserted, summary.updated = counts.inserted, counts.updated
        summary.unchanged, summary.unowned = counts.unchanged, counts.unowned
        summary.moved = counts.moved
        summary.verified, summary.corrected = counts.verified, counts.corrected
        writer.audit_import(_audit_detail(summary, problems.rows))
        if summary.dry_run or (problems.rows and not skip_bad):
            conn.rollback()
        else:
            conn.commit()


def finish_rows(
    session: Session,
    actor: Actor | None,
    object_type: str,
    summary: ImportSummary,
    rejected: int,
    skip_bad: bool,
) -> None:
    """The end of an import written through the services row by row (staff, goals): its
    audit row, then all or nothing: a dry run, or a bad row without ``--skip-bad``, keeps
    nothing."""
    audit.record(
        session,
        actor=actor,
        action="import",
        object_type=object_type,
        detail=_audit_detail(summary, rejected),
    )
    if summary.dry_run or (rejected and not skip_bad):
        session.rollback()
    else:
        session.commit()


def _audit_detail(summary: ImportSummary, rejected: int) -> str:
    return json.dumps(
        {
            "file": summary.file,
            "sha256": summary.sha256,
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": rejected,
        },
        ensure_ascii=False,
    )


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    """One connection, one transaction; SQLite takes the write lock up front (``BEGIN
    IMMEDIATE``) so the ids chosen and the rows looked up stay true until the commit."""
    conn = engine.connect()
    sqlite = engine.dialect.name == "sqlite"
    try:
        if sqlite:
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB while bulk loading
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={int(cache or -2000)}")
    finally:
        conn.close()


def _staff(conn: Connection) -> dict[str, tuple[int, str, str | None, bool]]:
    """Login → (id, role, grade, active) of every member of staff."""
    return {
        login: (sid, role, grade, bool(active))
        for sid, login, role, grade, active in conn.exec_driver_sql(
            "SELECT id, login, role, grade, active FROM staff"
        )
    }


_FILE_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "customers": lambda v: v.get("customer_no"),
    "contacts": lambda v: (v.get("customer_no"), v.get("name")),
    "holdings": lambda v: (v.get("customer_no"), v.get("product"), v.get("opened_on")),
    "staff": lambda v: (v.get("login"),),
}
"""How a row is named within its file, for the duplicate check (customers: the bare number,
which keeps the set of a million numbers seen small)."""
_KEY_FIELDS = {"customers": "customer_no", "contacts": "name", "holdings": "product"}
"""The column a duplicate is reported in."""


class _Checker:
    """Reads and checks one row at a time; cross-row checks (duplicates, references) too.

    Each column's reader is looked up once (:meth:`Column.text_reader`) and each cell cleaned
    once: a million rows are read cell by cell, so the per-cell work is what an import costs.
    """

    def __init__(
        self,
        kind: str,
        columns: dict[int, Column],
        header: list[str],
        staff: dict[str, tuple[int, str, str | None, bool]],
        grades: Mapping[str, Sequence[str]],
    ) -> None:
        self.kind, self.columns, self.header = kind, columns, header
        self.staff, self.grades = staff, grades
        self.seen: dict[Any, int] = {}
        self.where = {c.field: header[i] for i, c in columns.items()}
        self.plan = [(i, c.field, c.text_reader(), c.parse, c.required) for i, c in columns.items()]
        """Per column: cell index, field, reader of cleaned text (or None), parser, required."""
        self.file_key = _FILE_KEYS.get(kind, _FILE_KEYS["staff"])
        self.key_field = _KEY_FIELDS.get(kind, "login")
        self.owners: dict[tuple[str, str | None], tuple[str | None, int]] = {}
        """(login, class) → the owner check's problem, or None and the owner's id."""

    def row(self, number: int, cells: list[Any], problems: _Problems) -> dict[str, Any] | None:
        """The row's values by field, or ``None`` (reported) when a cell is bad."""
        if len(cells) > len(self.header):
            extra = extra_cells(self.header, cells)
            if extra:
                filled = len(self.header) + extra
                reason = t("import.reason.extra_cells", cells=filled, columns=len(self.header))
                message = t("import.row_error_nocol", row=number, reason=reason)
                problems.add(number, cells, [message])
                return None
        values: dict[str, Any] = {}
        reasons: list[str] = []
        width = len(cells)
        for i, name, read, parse, required in self.plan:
            cell = cells[i] if i < width else None
            text = clean(cell)
            if not text:
                if required:
                    reasons.append(self._message(number, name, t("import.reason.required")))
                continue
            try:
                values[name] = read(text) if read is not None and type(cell) is str else parse(cell)
            except BadValue as bad:
                reason = t(f"import.value.{bad.key}", **bad.params)
                reasons.append(self._message(number, name, reason))
        if not reasons:
            reasons = self._cross_checks(number, values)
        if reasons:
            problems.add(number, cells, reasons)
            return None
        return values

    def _cross_checks(self, number: int, values: dict[str, Any]) -> list[str]:
        if self.kind == "goals":  # checked by :mod:`.goal_rows`, which knows the row's shape
            return []
        reasons = []
        first = self.seen.setdefault(self.file_key(values), number)
        if first != number:
            reason = t("import.reason.duplicate", row=first)
            reasons.append(self._message(number, self.key_field, reason))
        if self.kind == "customers" and "owner" in values:
            problem = self._owner(values)
            if problem:
                reasons.append(self._message(number, "owner", problem))
        return reasons

    def _owner(self, values: dict[str, Any]) -> str | None:
        """Checks the owner login and turns it into ``owner_id``; a problem, if any (decided
        once per login and class)."""
        login = values.pop("owner")
        cls = values.get("cls")
        decided = self.owners.get((login, cls))
        if decided is None:
            decided = self.owners[(login, cls)] = self._owner_check(login, cls)
        problem, staff_id = decided
        if problem is None:
            values["owner_id"] = staff_id
        return problem

    def _owner_check(self, login: str, cls: str | None) -> tuple[str | None, int]:
        found = self.staff.get(login)
        if found is None:
            return t("import.reason.unknown_owner", login=login), 0
        staff_id, role, grade, active = found
        if not active:
            return t("import.reason.owner_inactive", login=login), 0
        if role not in BOOK_ROLES:
            return t("import.reason.owner_role", login=login), 0
        if cls is not None and grade is not None and cls not in self.grades.get(grade, ()):
            return t("import.reason.owner_grade", login=login, grade=grade, cls=cls), 0
        return None, staff_id

    def references(
        self,
        writer: Writer,
        batch: list[tuple[int, list[Any], dict[str, Any]]],
        problems: _Problems,
    ) -> list[Row]:
        """Contacts and holdings: the customer numbers must exist (one look-up per batch)."""
        if self.kind == "customers":
            return [Row(number, values) for number, _, values in batch]
        ids = writer.customer_ids(v["customer_no"] for _, _, v in batch)
        rows = []
        for number, cells, values in batch:
            customer_id = ids.get(values["customer_no"])
            if customer_id is None:
                reason = t("import.reason.unknown_customer", customer_no=values["customer_no"])
                problems.add(number, cells, [self._message(number, "customer_no", reason)])
                continue
            values = {k: v for k, v in values.items() if k != "customer_no"}
            rows.append(Row(number, {"customer_id": customer_id, **values}))
        return rows

    def _message(self, number: int, field_name: str, reason: str) -> str:
        return t("import.row_error", row=number, column=self.where.get(field_name, field_name),
                 reason=reason)  # fmt: skip


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
