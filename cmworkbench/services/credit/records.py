"""A credit file's record as every use case touches it: who sees it, loading it for work or
for a signature, its history line (with the audit row), and what keeps it from being signed.

Who sees a file: the people who see its customer (the manager and their backup, the team's
supervisor, the branch head and the admin: :func:`~cmworkbench.services.core.scope.
customer_filter`), and the risk manager it was submitted to: a risk manager sees only the
files submitted to them, never a customer's file otherwise. A referrer sees none.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import CreditSettings
from cmworkbench.db.models import CreditEvent, CreditFile, CreditGuarantor, CreditItem, Customer
from cmworkbench.domain import credit as rules
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import customer_filter, require_role, sees_no_book

WORKING_ROLES = (Role.MANAGER, Role.PHONE_MANAGER, Role.SUPERVISOR, Role.BRANCH_HEAD)
"""Who makes and works credit files and signs them first (the admin sees, a referrer refers,
the risk manager signs second)."""
SIGNING_ROLES = (Role.RISK_MANAGER,)
FIELDS = "credit.field."


def visible(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on :class:`CreditFile` keeping what ``actor`` sees."""
    if actor.role == Role.RISK_MANAGER:
        return col(CreditFile.risk_manager_id) == actor.id
    if sees_no_book(actor):
        return false()
    return col(CreditFile.customer_id).in_(select(Customer.id).where(customer_filter(actor)))


def load(session: Session, actor: Actor, file_id: int, version: int | None = None) -> CreditFile:
    """The file if ``actor`` sees it (one refusal for "none" and "not yours")."""
    found = session.exec(
        select(CreditFile).where(col(CreditFile.id) == file_id, visible(actor))
    ).one_or_none()
    if found is None:
        raise NotFound(t("credit.not_found", id=file_id))
    if version is not None and version != found.version:
        raise Conflict(t("credit.conflict", id=file_id))
    return found


def open_for_work(
    session: Session, actor: Actor, file_id: int, version: int | None = None
) -> CreditFile:
    """A file its manager may change: a draft or a returned one (an approved file is
    read-only: a change is a new version, :func:`~.files.revise`)."""
    require_role(actor, WORKING_ROLES, "credit.role")
    found = load(session, actor, file_id, version)
    if found.state not in rules.WORKED:
        raise Conflict(
            t("credit.read_only", id=found.id, state=t(f"enum.credit_state.{found.state}"))
        )
    return found


def event(
    session: Session, actor: Actor | None, file: CreditFile, action: str, note: str | None = None
) -> None:
    """One line of the file's history, and its audit row."""
    note = note[:500] if note else None
    session.add(
        CreditEvent(
            file_id=file.id or 0,
            at=clock.now(),
            staff_id=actor.id if actor is not None else None,
            action=action,
            note=note,
        )
    )
    audit.record(
        session,
        actor=actor,
        action=f"credit_{action}",
        object_type="credit_file",
        object_id=file.id,
        customer_id=file.customer_id,
        detail=note,
    )


def touched(session: Session, file: CreditFile) -> None:
    """The file changed: a new row version (a screen holding the old one is refused)."""
    file.updated_at = clock.now()
    file.version += 1
    session.add(file)


def items_of(session: Session, file_id: int) -> list[CreditItem]:
    return list(session.exec(select(CreditItem).where(col(CreditItem.file_id) == file_id)).all())


def guarantors_of(session: Session, file_id: int) -> list[CreditGuarantor]:
    query = select(CreditGuarantor).where(col(CreditGuarantor.file_id) == file_id)
    return list(session.exec(query.order_by(col(CreditGuarantor.id))).all())


def blocking(session: Session, credit: CreditSettings, file: CreditFile) -> list[str]:
    """Why ``file`` cannot be signed now (:func:`cmworkbench.domain.credit.blocking`)."""
    assert file.id is not None
    items = [rules.ItemState(i.item, i.result, i.note) for i in items_of(session, file.id)]
    nets = [g.net_assets_yuan for g in guarantors_of(session, file.id)]
    return rules.blocking(credit, file.amount_yuan, items, nets)
