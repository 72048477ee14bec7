"""Importing staff: through :mod:`cmworkbench.services.staff.people`, row by row.

A branch has tens or hundreds of staff, not millions, so each row goes through the same
service as ``cmw staff add`` / ``cmw staff edit`` and gets the same checks (login pattern,
role, grade, team, phone) and audit rows. Each row runs in a savepoint: a refused row leaves
nothing behind. A/B partners (B角) are set after every row is in, so a partner may appear
further down the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from cmworkbench.db.models import Staff
from cmworkbench.services.core.errors import ServiceError
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.imports.columns import Column
from cmworkbench.services.imports.reading import Sheet
from cmworkbench.services.staff import api as staff_admin

if TYPE_CHECKING:
    from cmworkbench.services.imports.importer import _Problems
    from cmworkbench.services.imports.schemas import ImportSummary


def import_staff(
    engine: Engine,
    actor: Actor | None,
    grades: Mapping[str, Sequence[str]],
    sheet: Sheet,
    columns: dict[int, Column],
    problems: _Problems,
    summary: ImportSummary,
    skip_bad: bool,
) -> None:
    """Add or edit each member of staff in the file, in one transaction."""
    from cmworkbench.services.imports.importer import _Checker, finish_rows

    checker = _Checker("staff", columns, sheet.header, {}, grades)
    backups: list[tuple[int, list[Any], str, str]] = []
    with Session(engine, expire_on_commit=False) as session:
        try:
            if engine.dialect.name == "sqlite":
                # pysqlite leaves BEGIN to the first INSERT: a SAVEPOINT before it would start
                # (and its RELEASE commit) the transaction. Begin explicitly, with the lock.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            for number, cells in sheet.rows:
                values = checker.row(number, cells, problems)
                if values is None:
                    continue
                try:
                    with session.begin_nested():
                        outcome = _upsert(session, actor, grades, values)
                except ServiceError as exc:
                    problems.add(number, cells, [t_row(number, str(exc))])
                    continue
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                if values.get("backup"):
                    backups.append((number, cells, values["login"], values["backup"]))
            for number, cells, login, backup in backups:
                try:
                    with session.begin_nested():
                        _backup(session, actor, grades, login, backup)
                except ServiceError as exc:
                    problems.add(number, cells, [t_row(number, str(exc))])
            finish_rows(session, actor, "staff", summary, problems.rows, skip_bad)
        except BaseException:
            session.rollback()
            raise


def t_row(number: int, reason: str) -> str:
    from cmworkbench.i18n import t

    return t("import.row_error_nocol", row=number, reason=reason)


def _upsert(
    session: Session, actor: Actor | None, grades: Mapping[str, Sequence[str]], values: dict
) -> str:
    """``inserted``, ``updated`` or ``unchanged``."""
    login = values["login"]
    fields = {k: values[k] for k in ("name", "role", "grade", "team", "phone") if k in values}
    exists = session.exec(select(Staff.id).where(Staff.login == login)).first() is not None
    if not exists:
        staff_admin.add_staff(session=session, actor=actor, grades=grades, login=login, **fields)
        return "inserted"
    before = staff_admin.staff_detail(session=session, actor=actor, login=login)
    after = staff_admin.edit_staff(
        session=session, actor=actor, grades=grades, login=login, **fields
    )
    return "unchanged" if before == after else "updated"


def _backup(
    session: Session, actor: Actor | None, grades: Mapping[str, Sequence[str]], login: str,
    backup: str,
) -> None:  # fmt: skip
    before = staff_admin.staff_detail(session=session, actor=actor, login=login)
    if before.backup != backup:
        staff_admin.edit_staff(
            session=session, actor=actor, grades=grades, login=login, backup=backup
        )
