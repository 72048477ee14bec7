"""Customer lists as spreadsheets (``cmw export customers``), for the branch's own use.

What leaves the workbench in a file follows the same rules as what shows on screen:

* Scope: the actor's customers only (:func:`~cmworkbench.services.core.scope.customer_filter`);
  a manager gets their book and what they back up, the service account the whole branch.
* Masking: phones and ID numbers are masked as on screen, unless the export is asked for
  unmasked by a role in ``privacy.export_unmasked_roles`` or by the service account (IT on
  the server, who owns the database file anyway).
* Audit: every export is one audit row (who, how many customers, masked or not, the file);
  an unmasked one is also a ``reveal`` row, so "who has seen ID numbers" finds it.

Rows stream from one query in batches of :data:`BATCH_ROWS` straight into the file writer
(:mod:`.spreadsheet`), so exporting a million customers never holds them all in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from cmworkbench.config import GROUP_CLASSES, Settings
from cmworkbench.db.engine import database_file
from cmworkbench.db.models import Customer, Staff
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, OutOfScope
from cmworkbench.services.core.output import output_file
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter, require_staff, sees_no_book
from cmworkbench.services.core.spreadsheet import write_csv, write_xlsx
from cmworkbench.services.customers.schemas import ExportResult

BATCH_ROWS = 5000
"""Customers fetched from the database at a time while the file is written."""
FORMATS = (".xlsx", ".csv")
COLUMNS = (
    "customer_no",
    "name",
    "kind",
    "cls",
    "tier",
    "flags",
    "owner_name",
    "owner_login",
    "backup",
    "area",
    "phone",
    "phone2",
    "id_number",
    "value_yuan",
    "status",
    "info_verified_at",
    "opened_on",
)
"""The columns of a customer export, in order (headers: ``export.col.<name>``)."""
WIDTHS = (14, 30, 8, 8, 10, 16, 10, 14, 16, 12, 14, 14, 22, 16, 10, 18, 12)
"""Column widths of the ``.xlsx`` (fixed: a streamed file cannot look ahead at every row)."""
_FLAGS = (
    ("is_vip", "vip"),
    ("is_government", "government"),
    ("is_benchmark", "benchmark"),
    ("is_dual_span", "dual_span"),
)


def export_customers(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    path: str | Path,
    unmasked: bool = False,
    classes: Sequence[str] = (),
    owner_login: str | None = None,
    service_account: bool = False,
    force: bool = False,
) -> ExportResult:
    """Write the customers in ``actor``'s scope (only ``classes`` and ``owner_login``'s, if
    given) to ``path`` (``.xlsx`` or ``.csv``), masked unless ``unmasked`` is allowed.

    ``service_account`` is the CLI run without ``--as`` (IT on the server); ``force``
    replaces an existing file (never the database: :mod:`.output`). Refusals come before
    anything is read or written; a failed write leaves no file and no audit row.
    """
    if not service_account and sees_no_book(actor):
        raise OutOfScope(t("export.no_book", role=label("role", actor.role)))
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(t("export.bad_format", path=path))
    wanted = _classes(classes)
    allowed = service_account or actor.role in settings.privacy.export_unmasked_roles
    if unmasked and not allowed:
        raise OutOfScope(t("export.unmasked_not_allowed", role=label("role", actor.role)))
    owner_id = None
    if owner_login is not None:
        owner_id = require_staff(session=session, actor=actor, login=owner_login).id
    target = output_file(path, force=force, database=database_file(session))

    query = _query(actor, wanted, owner_id)
    rows = _rows(session, query, masked=not unmasked)
    header = [t(f"export.col.{name}") for name in COLUMNS]
    if suffix == ".xlsx":
        sheet = t("export.sheet.customers")
        count = write_xlsx(target, header, rows, widths=list(WIDTHS), sheet=sheet)
    else:
        count = write_csv(target, header, rows)

    detail = _detail(count, not unmasked, target.path, wanted, owner_login, service_account)
    audit.record(session, actor=actor, action="export", object_type="customer", detail=detail)
    if unmasked:
        # Clear phones and ID numbers left the workbench: a reveal, like one on screen.
        audit.record(
            session,
            actor=actor,
            action="reveal",
            object_type="customer",
            field_name="phone,phone2,id_number",
            detail=detail,
        )
    return ExportResult(path=target.path, count=count, masked=not unmasked)


def _classes(classes: Sequence[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(c.strip().upper() for c in classes))
    for cls in wanted:
        if cls not in GROUP_CLASSES:
            raise InvalidInput(t("export.bad_class", cls=cls, choices=", ".join(GROUP_CLASSES)))
    return wanted


def _query(actor: Actor, classes: tuple[str, ...], owner_id: int | None) -> Select[Any]:
    """Customers in scope with their owner's and backup's name and login, by number."""
    owner = aliased(Staff)
    backup = aliased(Staff)
    columns: list[Any] = [
        col(Customer.customer_no),
        col(Customer.name),
        col(Customer.kind),
        col(Customer.cls),
        col(Customer.tier),
        col(Customer.is_vip),
        col(Customer.is_government),
        col(Customer.is_benchmark),
        col(Customer.is_dual_span),
        col(owner.name).label("owner_name"),
        col(owner.login).label("owner_login"),
        col(backup.name).label("backup_name"),
        col(backup.login).label("backup_login"),
        col(Customer.area),
        col(Customer.phone),
        col(Customer.phone2),
        col(Customer.id_number),
        col(Customer.assets_yuan),
        col(Customer.revenue_yuan),
        col(Customer.status),
        col(Customer.info_verified_at),
        col(Customer.opened_on),
    ]
    query = (
        select(*columns)
        .outerjoin(owner, col(Customer.owner_id) == col(owner.id))
        .outerjoin(backup, col(Customer.backup_id) == col(backup.id))
        .where(customer_filter(actor))
        .order_by(col(Customer.customer_no))
    )
    if classes:
        query = query.where(col(Customer.cls).in_(classes))
    if owner_id is not None:
        query = query.where(col(Customer.owner_id) == owner_id)
    return query


def _rows(session: Session, query: Select[Any], *, masked: bool) -> Iterator[list[object]]:
    """The export rows, fetched :data:`BATCH_ROWS` at a time."""
    result = session.connection().execute(query.execution_options(yield_per=BATCH_ROWS))
    phone = mask_phone if masked else _clear
    id_number = mask_id if masked else _clear
    flag_names = [(attr, t(f"priority.flag.{key}")) for attr, key in _FLAGS]
    for r in result:
        flags = "/".join(name for attr, name in flag_names if getattr(r, attr))
        backup = f"{r.backup_name} ({r.backup_login})" if r.backup_login else ""
        yield [
            r.customer_no,
            r.name,
            label("kind", r.kind),
            r.cls or "",
            label("tier", r.tier),
            flags,
            r.owner_name or "",
            r.owner_login or "",
            backup,
            r.area or "",
            phone(r.phone),
            phone(r.phone2),
            id_number(r.id_number),
            r.assets_yuan if r.assets_yuan is not None else r.revenue_yuan,
            label("status", r.status),
            r.info_verified_at,
            r.opened_on,
        ]


def _clear(value: str | None) -> str:
    return value or ""


def _detail(
    count: int,
    masked: bool,
    path: Path,
    classes: tuple[str, ...],
    owner_login: str | None,
    service_account: bool,
) -> str:
    """The audit detail: language-neutral, PII-free, enough to redo the same selection."""
    parts = [f"{count} customers", "masked" if masked else "UNMASKED", f"file {path.name}"]
    if classes:
        parts.append("class " + ",".join(classes))
    if owner_login:
        parts.append(f"owner {owner_login}")
    if service_account:
        parts.append("service account")
    return "; ".join(parts)
