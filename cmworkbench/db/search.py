"""The customer search index: storage, upkeep and the look-up query.

Upkeep, so the index never lags the data: triggers (migration 0002) queue every inserted,
updated or deleted customer or contact in ``search_dirty``; :func:`drain` rewrites their terms
and runs in every unit of work just before it commits (``db.engine.unit_of_work``), so a
change and its index terms commit together. Bulk writers (``cmw demo``, imports) call
:func:`rebuild`, as does ``cmw reindex``. The same queue has the open tasks of each changed
customer scored again (:mod:`cmworkbench.db.scoring`).

Look-up: each probe of the parsed query is one range scan of the ``search_term`` primary key
(``term >= p AND term < p || U+10FFFF``), filtered by scope on the copied owner/backup
columns and ranked on the copied class rank and recency, so only the final page of
customers is read from the customer table.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from cmworkbench.db.bulk import copy_rows, put_back, set_aside
from cmworkbench.db.scoring import rescore_customers
from cmworkbench.domain.scope import OwnerScope
from cmworkbench.domain.search_terms import (
    FULL_KINDS,
    MATCHED,
    ParsedQuery,
    class_rank,
    customer_terms,
)
from cmworkbench.domain.search_terms import (
    parse_query as parse_query,  # re-exported for the services
)

TOP = "\U0010ffff"
"""Appended to a prefix, the smallest string greater than every string with that prefix."""
CHUNK = 10_000
WORKERS = 2
"""Processes computing terms during a large rebuild (the branch server has two cores)."""
"""Customers indexed per batch during a rebuild."""
_SUB_KINDS = ",".join(str(int(k)) for k in range(1, 14) if k not in FULL_KINDS)
INDEX_COLUMNS = ("term", "kind", "customer_id", "owner_id", "backup_id", "cls_rank", "recency")
"""The order of the index rows :func:`chunk_terms` makes."""
_COLUMNS = ", ".join(INDEX_COLUMNS)
CUSTOMER_FIELDS = (
    "id", "customer_no", "name", "kind", "cls", "tier", "phone", "phone2", "id_number",
    "owner_id", "backup_id", "updated_at",
)  # fmt: skip
"""The customer columns the terms are made from, in the order :func:`chunk_terms` takes them."""
CONTACT_FIELDS = ("customer_id", "name", "phone")
"""The key person columns the terms are made from (a :data:`Chunk`'s contacts: the last two)."""
_CUSTOMER_COLUMNS = ", ".join(f"c.{name}" for name in CUSTOMER_FIELDS)


@dataclass(frozen=True)
class Hit:
    """A customer found, with what matched and how well (0 exact, 1 prefix, 2 substring)."""

    customer_id: int
    customer_no: str
    name: str
    kind: str
    cls: str | None
    tier: str | None
    phone: str | None
    owner_login: str | None
    owner_name: str | None
    matched: str
    rank: int


# -- upkeep ------------------------------------------------------------------------------------


def refresh(conn: Connection, customer_ids: Sequence[int]) -> int:
    """Rewrite the terms of ``customer_ids`` (deleted customers just lose theirs)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        marks = ",".join(str(int(i)) for i in ids[start : start + 500])
        conn.execute(text(f"DELETE FROM search_term WHERE customer_id IN ({marks})"))
        customers = conn.execute(
            text(f"SELECT {_CUSTOMER_COLUMNS} FROM customer c WHERE c.id IN ({marks})")
        ).all()
        contacts = _contacts(conn, f"customer_id IN ({marks})")
        _insert(conn, chunk_terms(([tuple(r) for r in customers], contacts)))
    return len(ids)


def restamp(conn: Connection, customer_ids: Sequence[int]) -> int:
    """Update what the index copies from ``customer_ids`` (owner, backup, class rank,
    recency) in their rows as they stand: their terms' sources did not change. A logged call
    changes only the recency; rewriting the terms would read the name's pinyin, and loading
    pypinyin costs a session 55 MiB and 0.3 s (migration 0024)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        marks = ",".join(str(int(i)) for i in ids[start : start + 500])
        rows = conn.execute(
            text(
                "SELECT c.id, c.owner_id, c.backup_id, c.cls, c.tier, c.updated_at"
                f" FROM customer c WHERE c.id IN ({marks})"
            )
        ).all()
        stamps = [
            dict(zip(_COPIED, _copied(owner, backup, cls, tier, at), strict=True), cid=cid)
            for cid, owner, backup, cls, tier, at in rows
        ]
        if stamps:
            sets = ", ".join(f"{name} = :{name}" for name in _COPIED)
            conn.execute(text(f"UPDATE search_term SET {sets} WHERE customer_id = :cid"), stamps)
    return len(ids)


def drain(conn: Connection, limit: int | None = 1_000) -> int:
    """Index the customers the triggers queued (at most ``limit``; ``None``: all): their
    terms rewritten where a source of them changed, else their copied columns updated."""
    done = 0
    while limit is None or done < limit:
        take = 1_000 if limit is None else min(1_000, limit - done)
        queued = conn.execute(
            text("SELECT customer_id, terms FROM search_dirty ORDER BY customer_id LIMIT :n"),
            {"n": take},
        ).all()
        if not queued:
            break
        ids = [customer_id for customer_id, _terms in queued]
        refresh(conn, [customer_id for customer_id, terms in queued if terms])
        restamp(conn, [customer_id for customer_id, terms in queued if not terms])
        rescore_customers(conn, ids)  # their class, flags or churn may have changed
        marks = ",".join(str(int(i)) for i in ids)
        conn.execute(text(f"DELETE FROM search_dirty WHERE customer_id IN ({marks})"))
        done += len(ids)
    return done


def rebuild(engine: Engine, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index in one transaction; returns the number of customers indexed."""
    with engine.begin() as conn:
        return rebuild_within(conn, progress)


def rebuild_within(conn: Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index inside the caller's transaction (``cmw import`` of many rows)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB while bulk loading
    total = int(conn.execute(text("SELECT COUNT(*) FROM customer")).scalar_one())
    bulk = BulkIndex(
        execute=conn.exec_driver_sql,
        insert=lambda table, rows: _insert(conn, rows, table, truncated=not sqlite),
        sqlite=sqlite,
        workers=WORKERS if total >= 50_000 else 0,
        # PostgreSQL: the keys are built once at the end (SQLite sorts a staging table instead)
        set_aside=None if sqlite else lambda: set_aside(conn, ["search_term"], primary_keys=True),
        put_back=None if sqlite else lambda statements: put_back(conn, statements),
    )
    with bulk:
        for chunk in _chunks(conn):
            bulk.add(chunk)
            if progress:
                progress(bulk.customers, total)
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache or -2000)}")
    return total


class BulkIndex:
    """Index many customers at once, inside the caller's transaction.

    Chunks of customers go to helper processes that compute their terms while the caller
    reads the next chunk; finished terms are written as they come. Terms arrive in customer
    order but the table is ordered by (owner, term): on SQLite they are staged in a
    temporary table and copied in one sorted pass at the end, and the secondary index is
    built once, from sorted data. On PostgreSQL they are copied straight in, with the primary
    key and the indexes set aside and built once at the end (:func:`cmworkbench.db.bulk.set_aside`:
    searches wait for the rebuild's transaction meanwhile); the rows go in frozen, so the
    look-up's index-only scans need no ``VACUUM`` first.
    """

    def __init__(
        self,
        *,
        execute: Callable[[str], object],
        insert: Callable[[str, list[tuple[Any, ...]]], object],
        sqlite: bool,
        workers: int = WORKERS,
        set_aside: Callable[[], list[str]] | None = None,
        put_back: Callable[[list[str]], object] | None = None,
    ) -> None:
        self._execute, self._insert, self._sqlite = execute, insert, sqlite
        self._set_aside, self._put_back = set_aside, put_back
        self._restore: list[str] = []
        self._workers = workers if "fork" in multiprocessing.get_all_start_methods() else 0
        self._target = "search_term_staging" if sqlite else "search_term"
        self._pending: deque[Future[list[tuple[Any, ...]]]] = deque()
        self._pool: ProcessPoolExecutor | None = None
        self.customers = 0
        """Customers written so far."""

    def __enter__(self) -> BulkIndex:
        if self._set_aside is not None:
            self._restore = self._set_aside()
            self._execute("TRUNCATE search_term")
        else:
            self._execute("DROP INDEX IF EXISTS ix_search_term_customer")
            self._execute("DELETE FROM search_term")
        if self._sqlite:
            self._execute(f"CREATE TEMP TABLE {self._target} AS SELECT * FROM search_term LIMIT 0")
        if self._workers:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self

    def add(self, chunk: Chunk) -> None:
        """Queue a chunk of customers; write the chunks that are done."""
        if self._pool is None:
            self._write(chunk_terms(chunk))
            return
        self._pending.append(self._pool.submit(chunk_terms, chunk))
        while len(self._pending) > self._workers:
            self._write(self._pending.popleft().result())

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                while self._pending:
                    self._write(self._pending.popleft().result())
                self._finish()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._insert(self._target, rows)
            self.customers += len({row[2] for row in rows})

    def _finish(self) -> None:
        if self._sqlite:
            self._execute(
                f"INSERT INTO search_term ({_COLUMNS}) SELECT {_COLUMNS} FROM {self._target}"
                " ORDER BY owner_id, term, kind, customer_id"
            )
            self._execute(f"DROP TABLE {self._target}")
        if self._put_back is not None:
            self._put_back(self._restore)
            self._execute("ANALYZE search_term")  # the planner's statistics, for the look-up
        else:
            self._execute("CREATE INDEX ix_search_term_customer ON search_term (customer_id)")
        # everything is indexed now, including what the triggers queued meanwhile
        self._execute("DELETE FROM search_dirty")


Chunk = tuple[list[tuple[Any, ...]], dict[int, list[tuple[str, str | None]]]]
"""Customers (the columns of ``_CUSTOMER_COLUMNS``) and their contacts' (name, phone)."""


def _chunks(conn: Connection) -> Iterator[Chunk]:
    """Customers in id order, :data:`CHUNK` at a time, with their contacts."""
    last = 0
    while True:
        rows = conn.execute(
            text(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customer c WHERE c.id > :last"
                " ORDER BY c.id LIMIT :n"
            ),
            {"last": last, "n": CHUNK},
        ).all()
        if not rows:
            return
        upper = rows[-1][0]
        where = f"customer_id > {int(last)} AND customer_id <= {int(upper)}"
        yield [tuple(r) for r in rows], _contacts(conn, where)
        last = upper


def _contacts(conn: Connection, where: str) -> dict[int, list[tuple[str, str | None]]]:
    contacts: dict[int, list[tuple[str, str | None]]] = {}
    for customer_id, name, phone in conn.execute(
        text(f"SELECT customer_id, name, phone FROM contact WHERE {where}")
    ):
        contacts.setdefault(customer_id, []).append((name, phone))
    return contacts


def chunk_terms(chunk: Chunk) -> list[tuple[Any, ...]]:
    """Index rows of a chunk of customers (runs in the helper process during a rebuild)."""
    customers, contacts = chunk
    rows: list[tuple[Any, ...]] = []
    for cid, number, name, kind, cls, tier, phone, phone2, ident, owner, backup, at in customers:
        copied = (cid, *_copied(owner, backup, cls, tier, at))
        for term, term_kind in customer_terms(
            name=name,
            kind=kind,
            phones=(phone, phone2),
            id_number=ident,
            customer_no=number,
            contacts=contacts.get(cid, ()),
        ):
            rows.append((term, term_kind, *copied))
    return rows


_COPIED = INDEX_COLUMNS[3:]
"""The index columns :func:`_copied` gives (an index row: term, kind, customer, then these)."""


def _copied(
    owner: int | None, backup: int | None, cls: str | None, tier: str | None, at: Any
) -> tuple[int, int | None, int, int]:
    """What an index row copies from its customer: owner (0: the branch pool), backup, class
    rank and recency."""
    return owner or 0, backup, class_rank(cls, tier), _seconds(at)


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _insert(
    conn: Connection,
    rows: Iterable[tuple[Any, ...]],
    table: str = "search_term",
    *,
    truncated: bool = False,
) -> int:
    """Insert index rows (``COPY`` on PostgreSQL, executemany on SQLite); returns how many
    customers."""
    batch = list(rows)
    if not batch:
        return 0
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, INDEX_COLUMNS, batch, freeze=truncated)
    else:
        marks = ", ".join("?" * len(INDEX_COLUMNS))
        conn.exec_driver_sql(f"INSERT INTO {table} ({_COLUMNS}) VALUES ({marks})", batch)
    return len({row[2] for row in batch})


# -- look-up -----------------------------------------------------------------------------------


def match_statement(parsed: ParsedQuery, scope: OwnerScope) -> tuple[str, dict[str, Any]]:
    """The UNION ALL of the range scans, each scored and kept within scope.

    Each probe is scanned once for the owners in scope (``owner_id IN (…) AND term …``: the
    key's own order) and, for a backup manager, once for the owners whose customers they back
    up, kept to the customers whose backup they are.
    """
    params: dict[str, Any] = {}
    # the branch pool (no owner) is indexed under owner 0
    owner_ids = (*scope.owner_ids, 0) if scope.unowned else scope.owner_ids
    owners = ",".join(str(int(i)) for i in owner_ids) or "NULL"
    scopes = [f"owner_id IN ({owners})"]
    if scope.backup_id is not None and scope.backup_owner_ids:
        backed = ",".join(str(int(i)) for i in scope.backup_owner_ids)
        scopes.append(f"owner_id IN ({backed}) AND backup_id = {int(scope.backup_id)}")
    parts = []
    for i, probe in enumerate(parsed.probes):
        params[f"p{i}"], params[f"h{i}"] = probe.prefix, probe.prefix + TOP
        kinds = ",".join(str(int(k)) for k in probe.kinds)
        for where in scopes:
            parts.append(
                "SELECT customer_id, cls_rank, recency,"
                f" (CASE WHEN kind IN ({_SUB_KINDS}) THEN 2 WHEN term = :p{i} THEN 0 ELSE 1 END)"
                " * 100 + kind AS score"
                f" FROM search_term WHERE {where} AND term >= :p{i} AND term < :h{i}"
                f" AND kind IN ({kinds})"
            )
    return " UNION ALL ".join(parts), params


def ranked_statement(parsed: ParsedQuery, scope: OwnerScope) -> tuple[str, dict[str, Any]]:
    """The statement ranking the matches: customer id and best score (with the class and
    recency it was ranked by), ``:limit``/``:offset``.

    Exact > prefix > substring; at a tie the customer's own name before a key person's
    (kinds 7-10); then class (A1 first) and the most recently changed.
    """
    matches, params = match_statement(parsed, scope)
    sql = (
        "SELECT customer_id, MIN(score) AS score, MIN(cls_rank) AS cls_rank,"
        " MAX(recency) AS recency FROM (" + matches + ") AS m GROUP BY customer_id"
        f" ORDER BY {_rank_order('MIN(score)', 'MIN(cls_rank)', 'MAX(recency)', 'customer_id')}"
        " LIMIT :limit OFFSET :offset"
    )
    return sql, params


def _rank_order(score: str, cls_rank: str, recency: str, customer_id: str) -> str:
    return (
        f"{score} / 100, ({score} % 100 BETWEEN 7 AND 10), {cls_rank}, {recency} DESC,"
        f" {customer_id}"
    )


def page_statement(parsed: ParsedQuery, scope: OwnerScope) -> tuple[str, dict[str, Any]]:
    """A page of matches, ranked, with what the result list shows of each customer: the
    ranked statement joined to the customers and their owners (one round trip)."""
    ranked, params = ranked_statement(parsed, scope)
    sql = (
        "SELECT r.customer_id, r.score, c.customer_no, c.name, c.kind, c.cls, c.tier, c.phone,"
        f" s.login, s.name FROM ({ranked}) AS r JOIN customer c ON c.id = r.customer_id"
        " LEFT JOIN staff s ON s.id = c.owner_id"
        f" ORDER BY {_rank_order('r.score', 'r.cls_rank', 'r.recency', 'r.customer_id')}"
    )
    return sql, params


def find(
    conn: Connection, parsed: ParsedQuery, scope: OwnerScope, *, limit: int, offset: int = 0
) -> list[Hit]:
    """A page of the customers matching ``parsed`` within ``scope``, best first (a customer
    deleted since the index was read is left out)."""
    sql, params = page_statement(parsed, scope)
    rows = conn.execute(text(sql), {**params, "limit": limit, "offset": offset}).all()
    return [
        Hit(cid, no, name, kind, cls, tier, phone, login, owner, MATCHED[score % 100], score // 100)
        for cid, score, no, name, kind, cls, tier, phone, login, owner in rows
    ]


def count(conn: Connection, parsed: ParsedQuery, scope: OwnerScope, *, cap: int) -> int:
    """How many customers match, counting at most ``cap``."""
    matches, params = match_statement(parsed, scope)
    return int(
        conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM (" + matches + ") AS m"
                " LIMIT :cap) AS d"
            ),
            {**params, "cap": cap},
        ).scalar_one()
    )
