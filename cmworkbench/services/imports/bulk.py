"""Upserting customers, contacts and holdings in batches, inside one transaction.

For each batch of :data:`BATCH` valid rows: one ``SELECT … WHERE key IN (…)`` finds the
records that exist (none to look for when the table was empty: a first import), each row is
compared with its record field by field, and the new rows are written with one
``executemany`` INSERT (PostgreSQL: one ``COPY``), the changed ones with one ``executemany``
UPDATE per set of changed columns (unchanged rows are not written at all, so a re-import of
the same file writes nothing but its audit row). Each updated record gets one audit row
naming the changed fields; inserts are covered by the import's own audit row.

Natural keys: a customer by its number; a contact by customer + name (the first of several
namesakes); a holding by customer + product + opening date.

The search index (see :mod:`cmworkbench.db.search`): on SQLite its triggers are set aside
for the import (DDL is transactional there, so a killed or failed import puts them back with
everything else) and the touched customers are re-indexed at the end, in the same
transaction — a big import rebuilds the whole index in bulk, as ``cmw demo`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime
from sqlmodel import Session, SQLModel

from cmworkbench import clock
from cmworkbench.db import search
from cmworkbench.db.bulk import copy_rows
from cmworkbench.db.models import Staff
from cmworkbench.domain.file_quality import verification_row
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.customers import api as ownership
from cmworkbench.services.tasks import api as tasks
from cmworkbench.services.tasks.api import MemberDrop

BATCH = 5_000
"""Rows validated, looked up and written per step."""
FULL_REBUILD_AT = 50_000
"""Touched customers from which the whole index is rebuilt in bulk instead of row by row
(when they are also at least a third of all customers)."""

TABLE_FIELDS = {
    "customers": (
        "customer_no", "name", "kind", "cls", "tier", "owner_id", "phone", "phone2", "id_number",
        "opened_on", "birthday", "assets_yuan", "revenue_yuan", "staff_count", "member_count",
        "industry", "area", "address",
    ),
    "contacts": (
        "customer_id", "name", "role", "title", "phone", "phone2", "birthday", "is_key_person",
        "preferences",
    ),
    "holdings": (
        "customer_id", "product", "product_kind", "opened_on", "activated_on", "matures_on",
        "amount_yuan", "next_check_on", "promised_on",
    ),
}  # fmt: skip
"""The stored columns each import may write (besides ids and stamps)."""
TABLES = {"customers": "customer", "contacts": "contact", "holdings": "holding"}
INSERT_ONLY: dict[str, dict[str, Any]] = {
    "customers": {
        "is_vip": False, "is_government": False, "is_dual_span": False, "is_benchmark": False,
        "status": "active", "version": 1,
    },
}  # fmt: skip
"""Columns a new record gets with these values (the model's defaults; no file sets them)."""


@dataclass(frozen=True)
class Verifies:
    """An import from an authoritative source (``[data_quality] authoritative``)."""

    source: str
    """As stored: ``import:NAME``."""
    asked: Callable[[str, str | None], list[str]]
    """The fields a verification of a file of a kind and class asks."""


@dataclass
class Row:
    """A valid row: where it came from and its values by stored column."""

    number: int
    values: dict[str, Any]


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    unowned: int = 0
    """Customers of the file without an owner after the import (the branch pool)."""
    moved: int = 0
    """Customers of the file that changed owner."""
    touched: list[int] = field(default_factory=list)
    """Customers whose search terms may have changed."""
    groups: set[int] = field(default_factory=set)
    """Customers whose contacts the file holds (their staff directory is refreshed)."""
    member_drops: list[MemberDrop] = field(default_factory=list)
    """Groups whose members fell by more than the churn share (a retention task each)."""
    new_customers: list[int] = field(default_factory=list)
    """Customers the file added (a new account's file must be complete: a promise)."""
    changed_customers: list[int] = field(default_factory=list)
    """Customers whose fields the file changed (a file now complete keeps its promise)."""
    verified: int = 0
    """Customers whose file an authoritative source checked (a verification each)."""
    corrected: int = 0
    """Fields of theirs it found wrong (and corrected)."""


class Writer:
    """Writes batches of one kind into ``conn`` (a transaction is open)."""

    def __init__(
        self,
        conn: Connection,
        kind: str,
        *,
        actor: Actor | None,
        source: str,
        now: datetime,
        member_drop: float = 1.0,
        verifies: Verifies | None = None,
    ) -> None:
        self.conn, self.kind, self.table = conn, kind, TABLES[kind]
        self.fields = TABLE_FIELDS[kind]
        self.actor = actor
        staff_id = actor.id if actor is not None else None
        self.partners = ownership.partners(conn) if kind == "customers" else {}
        """Owner → their A/B partner: the B角 of the customers they get."""
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.staff_id, self.source = staff_id, source
        self.now_instant = now
        self.now = self.stored(now)
        self.recorded = self.stored(clock.wall_now())
        self.next_id = int(self.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")) + 1
        self.first_id = self.next_id
        self.empty_before = self.first_id == 1
        """The table held nothing: no row of the file can exist (duplicates are refused)."""
        self.converted = _converted(self.table, self.fields) if self.sqlite else ()
        """Positions in :attr:`fields` of dates and flags, which :meth:`stored` converts."""
        self.counts = Counts()
        self.member_drop = member_drop
        """A group's members falling by more than this share is a churn signal."""
        self.verifies = verifies
        """An authoritative source (customers): each existing file it carries is checked."""
        self.verifications: list[tuple[Any, ...]] = []

    # -- reading ---------------------------------------------------------------------------

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.exec_driver_sql(sql.replace("?", self.mark), tuple(params)).scalar()

    def rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        result = self.conn.exec_driver_sql(sql.replace("?", self.mark), tuple(params))
        return [tuple(r) for r in result]

    def customer_ids(self, numbers: Iterable[str]) -> dict[str, int]:
        """Customer number → id of those that exist."""
        wanted = sorted(set(numbers))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for cid, number in self.rows(
                f"SELECT id, customer_no FROM customer WHERE customer_no IN ({marks})", part
            ):
                found[number] = cid
        return found

    def _existing(self, rows: Sequence[Row]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """Natural key → (id, *stored fields) of the records the rows name."""
        if self.empty_before:  # a first import: nothing to look up, batch after batch
            return {}
        cols = ", ".join(self.fields)
        if self.kind == "customers":
            numbers = [r.values["customer_no"] for r in rows]
            marks = ",".join("?" * len(numbers))
            sql = f"SELECT id, {cols} FROM customer WHERE customer_no IN ({marks})"
            return {(rec[1],): rec for rec in self.rows(sql, numbers)}
        ids = sorted({r.values["customer_id"] for r in rows})
        marks = ",".join("?" * len(ids))
        found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        sql = f"SELECT id, {cols} FROM {self.table} WHERE customer_id IN ({marks}) ORDER BY id"
        for rec in self.rows(sql, ids):
            found.setdefault(self.key(dict(zip(self.fields, rec[1:], strict=True))), rec)
        return found

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The natural key, in stored form."""
        if self.kind == "customers":
            return (values["customer_no"],)
        if self.kind == "contacts":
            return (values["customer_id"], values["name"])
        return (values["customer_id"], values["product"], _canon(values.get("opened_on")))

    # -- writing ---------------------------------------------------------------------------

    def write(self, rows: Sequence[Row]) -> None:
        """Insert, update or leave each row; audit the updates."""
        if not rows:
            return
        existing = self._existing(rows)
        if self.kind == "contacts":
            self.counts.groups.update(row.values["customer_id"] for row in rows)
        inserts: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        moves: dict[tuple[int | None, int], list[int]] = {}
        audits: list[tuple[Any, ...]] = []
        for row in rows:
            record = existing.get(self.key(row.values))
            if record is None:
                inserts.append(row.values)
                continue
            stored = dict(zip(self.fields, record[1:], strict=True))
            changed = tuple(
                f
                for f, v in row.values.items()
                if v is not None and _canon(v) != _canon(stored.get(f))
            )
            if self.verifies is not None:
                self._verification(record[0], stored, row.values, changed)
            if self.kind == "customers" and stored.get("owner_id") is None:
                self.counts.unowned += "owner_id" not in changed
            if not changed:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            written = changed
            if "owner_id" in changed:  # a change of owner moves the customer's work too
                moves.setdefault((stored["owner_id"], row.values["owner_id"]), []).append(record[0])
                written = tuple(f for f in changed if f != "owner_id")
            if written:
                updates.setdefault(written, []).append(
                    (*(self.stored(row.values[f]) for f in written), record[0])
                )
            if "member_count" in changed:
                before, after = stored["member_count"], row.values["member_count"]
                if tasks.member_dropped(before, after, self.member_drop):
                    self.counts.member_drops.append(tasks.MemberDrop(record[0], before, after))
            customer_id = record[0] if self.kind == "customers" else stored["customer_id"]
            self.counts.touched.append(customer_id)
            if self.kind == "customers":
                self.counts.changed_customers.append(customer_id)
            audits.append(self._audit(record[0], customer_id, changed))
        self._insert(inserts)
        for changed, params in updates.items():
            self._update(changed, params)
        self._move(moves)
        self._insert_audit(audits)
        self._insert_verifications()

    def _verification(
        self,
        customer_id: int,
        stored: dict[str, Any],
        values: dict[str, Any],
        changed: tuple[str, ...],
    ) -> None:
        """The fields of the file the source carries, checked: those it changes were wrong."""
        assert self.verifies is not None
        shown = ownership.shown
        asked = self.verifies.asked(stored["kind"], stored.get("cls"))
        checked = [name for name in asked if values.get(name) is not None]
        if not checked:
            return
        corrections = [
            (name, shown(name, stored.get(name)), shown(name, values[name]))
            for name in checked
            if name in changed
        ]
        row = verification_row(checked, corrections)
        self.verifications.append(
            (customer_id, self.now, self.staff_id, self.verifies.source, *row)
        )
        self.counts.verified += 1
        self.counts.corrected += len(corrections)

    def _insert_verifications(self) -> None:
        if self.verifications:
            marks = ", ".join([self.mark] * 8)
            self.conn.exec_driver_sql(
                "INSERT INTO verification (customer_id, at, staff_id, source, checked,"
                f" confirmed, fields, detail) VALUES ({marks})",
                self.verifications,
            )
            self.verifications = []

    def _move(self, moves: dict[tuple[int | None, int], list[int]]) -> None:
        """Customers whose owner the file changes move as in a handover (:mod:`..ownership`:
        the B角, open tasks, visits and tickets follow); the import audits the field."""
        if not moves:
            return
        session = Session(bind=self.conn)
        try:
            for (giver_id, receiver_id), ids in moves.items():
                giver = session.get(Staff, giver_id) if giver_id is not None else None
                receiver = session.get(Staff, receiver_id)
                assert receiver is not None
                moved = ownership.move_customers(
                    session,
                    actor=self.actor,
                    giver=giver,
                    receiver=receiver,
                    chosen=ownership.chosen_customers(ids),
                    now=self.now_instant,
                    audit_customers=False,
                )
                self.counts.moved += moved.customers
            session.flush()
        finally:
            session.close()

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """The new rows in one ``executemany`` (SQLite) or ``COPY`` (PostgreSQL, where an
        ``INSERT`` per row is several times slower: :func:`cmworkbench.db.bulk.copy_rows`),
        their parameters built with as little work per row as a million rows need."""
        if not rows:
            return
        fixed = INSERT_ONLY.get(self.kind, {})
        customers = self.kind == "customers"
        backup = ["backup_id"] if customers else []
        columns = ["id", *self.fields, *backup, *fixed, *self._stamps()]
        first = self.next_id
        params = self._params(rows, first)
        self.next_id = first + len(rows)
        if customers:
            ids = range(first, self.next_id)
            self.counts.touched.extend(ids)
            self.counts.new_customers.extend(ids)
        else:
            self.counts.touched.extend(values["customer_id"] for values in rows)
        if self.conn.dialect.name == "postgresql":
            copy_rows(self.conn, self.table, columns, params)
        else:
            marks = ", ".join([self.mark] * len(columns))
            self.conn.exec_driver_sql(
                f"INSERT INTO {self.table} ({', '.join(columns)}) VALUES ({marks})", params
            )
        self.counts.inserted += len(rows)

    def _params(self, rows: list[dict[str, Any]], first: int) -> list[tuple[Any, ...]]:
        """The INSERT's parameters: id, :attr:`fields` (defaults for what the file leaves
        empty, dates and flags as stored), the B角 (customers), constants and stamps."""
        fixed = INSERT_ONLY.get(self.kind, {})
        tail = (
            *(self.stored(v) for v in fixed.values()),
            *[self.now] * len(self._stamps()),
        )
        defaults = [(self.fields.index(f), v) for f, v in _defaults(self.kind).items()]
        kind_at = self.fields.index("kind") if self.kind == "customers" else -1
        ident_at = self.fields.index("id_number") if self.kind == "customers" else -1
        owner_at = self.fields.index("owner_id") if self.kind == "customers" else -1
        converted, stored, partners = self.converted, self.stored, self.partners
        params = []
        for row_id, values in enumerate(rows, start=first):
            cells: list[Any] = list(map(values.get, self.fields))
            for i, default in defaults:
                if cells[i] is None:
                    cells[i] = default
            if kind_at >= 0 and cells[kind_at] is None:  # a person has an ID number
                cells[kind_at] = "individual" if cells[ident_at] else "group"
            for i in converted:
                if cells[i] is not None:
                    cells[i] = stored(cells[i])
            if owner_at >= 0:  # the owner's A/B partner is the B角; no owner: the branch pool
                owner = cells[owner_at]
                cells.append(partners.get(owner) if owner is not None else None)
                self.counts.unowned += owner is None
            params.append((row_id, *cells, *tail))
        return params

    def _stamps(self) -> tuple[str, ...]:
        return {"customers": ("created_at", "updated_at"), "contacts": ("updated_at",)}.get(
            self.kind, ()
        )

    def _update(self, changed: tuple[str, ...], params: list[tuple[Any, ...]]) -> None:
        sets = [f"{f} = {self.mark}" for f in changed]
        if self.kind in ("customers", "contacts"):
            sets.append(f"updated_at = {self.mark}")
            params = [(*p[:-1], self.now, p[-1]) for p in params]
        if self.kind == "customers":
            sets.append("version = version + 1")
        self.conn.exec_driver_sql(
            f"UPDATE {self.table} SET {', '.join(sets)} WHERE id = {self.mark}", params
        )

    def _audit(self, object_id: int, customer_id: int, changed: tuple[str, ...]) -> tuple[Any, ...]:
        return (
            self.now,
            self.recorded,
            self.staff_id,
            "update",
            self.table,
            object_id,
            customer_id,
            changed[0] if len(changed) == 1 else None,
            f"{self.source}: {', '.join(changed)}",
        )

    def _insert_audit(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join([self.mark] * 9)
            self.conn.exec_driver_sql(
                "INSERT INTO audit_log (at, recorded_at, staff_id, action, object_type,"
                f" object_id, customer_id, field_name, detail) VALUES ({marks})",
                rows,
            )

    def audit_import(self, detail: str) -> None:
        """The import's own audit row (what file, its checksum, the counts)."""
        self._insert_audit(
            [
                (
                    self.now,
                    self.recorded,
                    self.staff_id,
                    "import",
                    self.table,
                    None,
                    None,
                    None,
                    detail,
                )
            ]
        )

    def stored(self, value: Any) -> Any:
        """A Python value as the driver stores it (SQLite: text dates and instants, 0/1)."""
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def finish(self) -> None:
        """Index the touched customers; PostgreSQL's id sequence moves past the ids used."""
        touched = self.counts.touched
        if self.conn.dialect.name == "postgresql" and self.next_id > self.first_id:
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), {self.next_id - 1})"
            )
        if not touched:
            return
        total = int(self.scalar("SELECT COUNT(*) FROM customer"))
        if len(touched) >= FULL_REBUILD_AT and 3 * len(touched) >= total:
            search.rebuild_within(self.conn)
        else:
            ids = sorted(set(touched))
            for start in range(0, len(ids), 5_000):
                search.refresh(self.conn, ids[start : start + 5_000])


def _defaults(kind: str) -> dict[str, Any]:
    """What a new record needs that the file may not say (a customer's kind: see
    :meth:`Writer._params`)."""
    if kind == "customers":
        return {}
    if kind == "contacts":
        return {"role": "contact", "is_key_person": False}
    return {"product_kind": "other"}


def _converted(table: str, fields: Sequence[str]) -> tuple[int, ...]:
    """Positions of the fields the table stores as dates, instants or flags."""
    columns = SQLModel.metadata.tables[table].columns
    kinds = (Date, DateTime, Boolean)
    return tuple(i for i, f in enumerate(fields) if isinstance(columns[f].type, kinds))


def _canon(value: Any) -> Any:
    """Stored and parsed values compared alike (SQLite gives dates as text, booleans as 0/1)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def set_triggers_aside(conn: Connection) -> list[str]:
    """Drop SQLite's search triggers inside the transaction; returns their SQL to restore."""
    if conn.dialect.name != "sqlite":
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in found]


def restore_triggers(conn: Connection, triggers: Sequence[str]) -> None:
    for sql in triggers:
        conn.exec_driver_sql(sql)
