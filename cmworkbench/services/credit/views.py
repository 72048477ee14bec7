"""Reading credit files: a customer's, the actor's list, the risk manager's queue and one file
whole (checklist, figures, guarantors, history, post-loan checks)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import (
    CreditEvent,
    CreditFile,
    CreditGuarantor,
    CreditItem,
    Customer,
    PostLoanCheck,
    Staff,
)
from cmworkbench.domain import credit as rules
from cmworkbench.domain.masking import mask_id
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer, require_role
from cmworkbench.services.credit.records import (
    SIGNING_ROLES,
    guarantors_of,
    items_of,
    load,
    visible,
)
from cmworkbench.services.credit.schemas import (
    CreditEventOut,
    CreditFileDetail,
    CreditFileOut,
    CreditItemOut,
    GuarantorOut,
    PostLoanCheckOut,
)

LIST_LIMIT = 500
SIGNABLE = (*rules.WORKED, "submitted")
"""The states whose file is still to be signed: what blocks it is shown."""


def out_rows(
    session: Session, settings: Settings, files: Sequence[CreditFile]
) -> list[CreditFileOut]:
    """The files as lists show them (a few batched reads, whatever their number)."""
    if not files:
        return []
    ids = [f.id for f in files if f.id is not None]
    people = {f.owner_id for f in files} | {f.risk_manager_id for f in files if f.risk_manager_id}
    staff = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(people))).all()}
    customers = {
        c.id: c
        for c in session.exec(
            select(Customer).where(col(Customer.id).in_({f.customer_id for f in files}))
        ).all()
    }
    checklist = session.exec(
        select(CreditItem.file_id, CreditItem.item, CreditItem.result).where(
            col(CreditItem.file_id).in_(ids)
        )
    ).all()
    open_items = Counter(file_id for file_id, _item, result in checklist if result is None)
    known = {(file_id, item) for file_id, item, _result in checklist}
    nets = dict(
        session.exec(  # type: ignore[call-overload]
            select(CreditGuarantor.file_id, func.sum(CreditGuarantor.net_assets_yuan))
            .where(col(CreditGuarantor.file_id).in_(ids))
            .group_by(col(CreditGuarantor.file_id))
        ).all()
    )
    next_checks = dict(
        session.exec(  # type: ignore[call-overload]
            select(PostLoanCheck.file_id, func.min(PostLoanCheck.due_on))
            .where(col(PostLoanCheck.file_id).in_(ids), col(PostLoanCheck.done_at).is_(None))
            .group_by(col(PostLoanCheck.file_id))
        ).all()
    )
    today = clock.today()
    credit = settings.credit
    out = []
    for f in files:
        assert f.id is not None
        owner, risk = staff.get(f.owner_id), staff.get(f.risk_manager_id or 0)
        customer = customers.get(f.customer_id)
        missing = sum(1 for k in credit.items if (f.id, k) not in known)  # items a config added
        guarantee = int(nets.get(f.id) or 0)
        next_check: date | None = next_checks.get(f.id)
        out.append(
            CreditFileOut(
                id=f.id,
                customer_no=customer.customer_no if customer else "",
                name=customer.name if customer else "",
                product=f.product,
                amount=f.amount_yuan,
                term_months=f.term_months,
                purpose=f.purpose,
                risk_grade=f.risk_grade,
                state=f.state,
                file_version=f.file_version,
                previous_id=f.previous_id,
                holding_id=f.holding_id,
                owner=owner.login if owner else "",
                owner_name=owner.name if owner else "",
                risk_manager=risk.login if risk else None,
                risk_manager_name=risk.name if risk else None,
                open_items=open_items[f.id] + missing,
                guarantor_nets=guarantee,
                coverage=round(rules.coverage(f.amount_yuan, [guarantee]), 2),
                coverage_ok=not rules.coverage_short(credit, f.amount_yuan, [guarantee]),
                submitted_at=f.submitted_at,
                signed_at=f.signed_at,
                return_comment=f.return_comment,
                next_check=next_check,
                check_overdue=next_check is not None and next_check < today,
                version=f.version,
            )
        )
    return out


def detail(session: Session, actor: Actor, settings: Settings, file_id: int) -> CreditFileDetail:
    """One file whole, if ``actor`` sees it."""
    file = load(session, actor, file_id)
    credit = settings.credit
    logins = {s.id: s.login for s in session.exec(select(Staff)).all()}
    by_item = {i.item: i for i in items_of(session, file_id)}
    items = []
    for key in [*credit.items, *(k for k in by_item if k not in credit.items)]:
        row = by_item.get(key)
        items.append(
            CreditItemOut(
                item=key,
                label=rules.item_label(credit, key),
                result=row.result if row else None,
                finding=row.finding if row else None,
                note=row.note if row else None,
                document_ref=row.document_ref if row else None,
                checked_by=logins.get(row.checked_by_id) if row and row.checked_by_id else None,
                checked_at=row.checked_at if row else None,
            )
        )
    rows = guarantors_of(session, file_id)
    guarantors = [
        GuarantorOut(g.id or 0, g.name, mask_id(g.id_no), g.relation, g.net_assets_yuan)
        for g in rows
    ]
    blocks: list[str] = []
    if file.state in SIGNABLE:  # what the file still lacks, from the rows read here
        states = [rules.ItemState(i.item, i.result, i.note) for i in by_item.values()]
        nets = [g.net_assets_yuan for g in rows]
        blocks = rules.blocking(credit, file.amount_yuan, states, nets)
    events = [
        CreditEventOut(e.at, logins.get(e.staff_id) if e.staff_id else None, e.action, e.note)
        for e in session.exec(
            select(CreditEvent)
            .where(col(CreditEvent.file_id).in_(_versions(session, file)))
            .order_by(col(CreditEvent.id))
        ).all()
    ]
    today = clock.today()
    checks = [
        PostLoanCheckOut(
            c.seq,
            c.due_on,
            c.done_at,
            logins.get(c.done_by_id) if c.done_by_id else None,
            c.findings,
            c.done_at is None and c.due_on < today,
        )
        for c in session.exec(
            select(PostLoanCheck)
            .where(col(PostLoanCheck.file_id).in_(_versions(session, file)))
            .order_by(col(PostLoanCheck.seq))
        ).all()
    ]
    return CreditFileDetail(
        file=out_rows(session, settings, [file])[0],
        items=items,
        total_assets=file.total_assets_yuan,
        total_liabilities=file.total_liabilities_yuan,
        net_assets=rules.net_assets(file.total_assets_yuan, file.total_liabilities_yuan),
        monthly_sales=file.monthly_sales_yuan,
        settlement=file.settlement,
        collection=file.collection,
        collateral=file.collateral,
        collateral_value=file.collateral_value_yuan,
        guarantors=guarantors,
        coverage_needed=rules.coverage_needed(credit, file.amount_yuan),
        blocking=blocks,
        events=events,
        checks=checks,
    )


def _versions(session: Session, file: CreditFile) -> list[int]:
    """The file and the versions before it (their history and checks are the loan's)."""
    ids: list[int] = []
    current: CreditFile | None = file
    while current is not None and current.id is not None and len(ids) < 100:
        ids.append(current.id)
        current = session.get(CreditFile, current.previous_id) if current.previous_id else None
    return ids


def show(*, session: Session, actor: Actor, settings: Settings, file_id: int) -> CreditFileDetail:
    return detail(session, actor, settings, file_id)


def list_files(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str | None = None,
    state: str | None = None,
) -> list[CreditFileOut]:
    """The files ``actor`` sees, newest first: of one customer, or in one state (``None``:
    every file but the superseded versions)."""
    query = select(CreditFile).where(visible(actor))
    if customer_no:
        customer = require_customer(session=session, actor=actor, customer_no=customer_no)
        query = query.where(col(CreditFile.customer_id) == customer.id)
    if state:
        if state not in rules.STATES:
            raise InvalidInput(t("credit.bad_state", value=state, states=", ".join(rules.STATES)))
        query = query.where(col(CreditFile.state) == state)
    else:
        query = query.where(col(CreditFile.state) != "superseded")
    files = session.exec(query.order_by(col(CreditFile.id).desc()).limit(LIST_LIMIT)).all()
    return out_rows(session, settings, files)


def queue(*, session: Session, actor: Actor, settings: Settings) -> list[CreditFileOut]:
    """The risk manager's queue: the files submitted to them and waiting, the oldest
    submission first; then their approved files whose post-loan check is overdue."""
    require_role(actor, SIGNING_ROLES, "credit.sign_role")
    mine = select(CreditFile).where(col(CreditFile.risk_manager_id) == actor.id)
    waiting = session.exec(
        mine.where(col(CreditFile.state) == "submitted").order_by(
            col(CreditFile.submitted_at), col(CreditFile.id)
        )
    ).all()
    late = session.exec(
        mine.where(
            col(CreditFile.state) == "approved",
            col(CreditFile.id).in_(
                select(PostLoanCheck.file_id).where(
                    col(PostLoanCheck.done_at).is_(None), col(PostLoanCheck.due_on) < clock.today()
                )
            ),
        ).order_by(col(CreditFile.id))
    ).all()
    return out_rows(session, settings, [*waiting, *late])
