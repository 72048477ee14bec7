"""Making and working a credit file (信贷档案): for a loan application or a loan the customer
holds, the investigation's items checked one by one (who, when, the finding, pass or concern,
the document), the borrower's figures, guarantors and collateral. Only a draft or a returned
file changes; an approved one is read-only and a change is a new version (:func:`revise`)
that needs both signatures again. Every change is a line of the file's history and audited.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import CreditFile, CreditGuarantor, CreditItem, Holding
from cmworkbench.domain import credit as rules
from cmworkbench.domain.masking import mask_id
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.services.core.errors import Conflict, NotFound
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer, require_role
from cmworkbench.services.core.validation import (
    FieldsInvalid,
    choice_problem,
    id_problem,
    range_problem,
    read_yuan,
    text_problem,
)
from cmworkbench.services.credit.records import (
    FIELDS,
    WORKING_ROLES,
    event,
    guarantors_of,
    items_of,
    load,
    open_for_work,
    touched,
)
from cmworkbench.services.credit.schemas import ITEM_RESULTS, CreditFileDetail
from cmworkbench.services.credit.views import detail

TEXT_CHARS = 200
NOTE_CHARS = 500
LIVE = ("draft", "submitted", "returned")
"""A file in work: one per loan at a time."""


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise FieldsInvalid(problems, label_prefix=FIELDS)


SHORT_TEXTS = {"product": 100, "name": 100, "relation": 40}
"""Texts whose column is shorter than :data:`TEXT_CHARS` (``db/models.py``)."""


def _text(
    problems: dict[str, str], field: str, value: str | None, *, required: bool = False
) -> str | None:
    most = SHORT_TEXTS.get(field, TEXT_CHARS)
    if problem := text_problem(value, most=most, required=required):
        problems[field] = problem
    return (value or "").strip() or None


def new_file(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    customer_no: str,
    product: str | None = None,
    amount: str | int | None = None,
    term_months: int | None = None,
    purpose: str | None = None,
    risk_grade: str | None = None,
    holding_id: int | None = None,
) -> CreditFileDetail:
    """A new draft file for a loan application (``product``, ``amount``, ``term_months``) or
    for a loan the customer holds (``holding_id``: its product and amount unless given), with
    every investigation item of ``[credit] items`` open."""
    require_role(actor, WORKING_ROLES, "credit.role")
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    credit = settings.credit
    problems: dict[str, str] = {}
    holding = None
    if holding_id is not None:
        holding = session.get(Holding, holding_id)
        if holding is None or holding.customer_id != customer.id or holding.product_kind != "loan":
            raise NotFound(t("credit.no_loan", holding=holding_id, customer_no=customer_no))
        _no_live_file(session, holding_id)
        product = product or holding.product
        amount = amount if amount not in (None, "") else holding.amount_yuan
    name = _text(problems, "product", product, required=True)
    value = read_yuan(problems, "amount", amount, required=True)
    if value is not None and value <= 0:
        problems["amount"] = t("input.bad_yuan", value=amount)
    if term_months is None:
        problems["term_months"] = t("input.required")
    elif problem := range_problem(term_months, 1, 360):
        problems["term_months"] = problem
    said = _text(problems, "purpose", purpose, required=True)
    grade = (risk_grade or credit.default_grade).strip()
    if problem := choice_problem(grade, list(credit.check_months)):
        problems["risk_grade"] = problem
    _raise(problems)
    assert name is not None and value is not None and said is not None
    assert term_months is not None and customer.id is not None
    now = clock.now()
    file = CreditFile(
        customer_id=customer.id,
        holding_id=holding_id,
        product=name,
        amount_yuan=value,
        term_months=term_months,
        purpose=said,
        risk_grade=grade,
        owner_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(file)
    session.flush()
    assert file.id is not None
    for item in credit.items:
        session.add(CreditItem(file_id=file.id, item=item))
    term = t("credit.term", months=term_months)
    event(session, actor, file, "new", f"{name} {short_yuan(value)} {term}")
    return detail(session, actor, settings, file.id)


def _saved(
    session: Session, actor: Actor, settings: Settings, file: CreditFile, action: str, note: str
) -> CreditFileDetail:
    """A change of a worked file: its new row version, its history line (audited), and the
    file as it now reads."""
    touched(session, file)
    event(session, actor, file, action, note)
    assert file.id is not None
    return detail(session, actor, settings, file.id)


def _no_live_file(session: Session, holding_id: int, but: int | None = None) -> None:
    query = select(CreditFile.id).where(
        col(CreditFile.holding_id) == holding_id, col(CreditFile.state).in_(LIVE)
    )
    if but is not None:
        query = query.where(col(CreditFile.id) != but)
    found = session.exec(query).first()
    if found is not None:
        raise Conflict(t("credit.live_file", holding=holding_id, id=found))


def set_figures(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    total_assets: str | int | None = None,
    total_liabilities: str | int | None = None,
    monthly_sales: str | int | None = None,
    settlement: str | None = None,
    collection: str | None = None,
    collateral: str | None = None,
    collateral_value: str | int | None = None,
    risk_grade: str | None = None,
    version: int | None = None,
) -> CreditFileDetail:
    """The borrower's figures (net assets = total assets − total liabilities, monthly sales,
    how sales are settled and collected), the collateral and the risk grade. ``None`` leaves
    a field as it is; an empty text clears it."""
    file = open_for_work(session, actor, file_id, version)
    problems: dict[str, str] = {}
    changed: list[str] = []
    amounts = {
        "total_assets": (total_assets, "total_assets_yuan"),
        "total_liabilities": (total_liabilities, "total_liabilities_yuan"),
        "monthly_sales": (monthly_sales, "monthly_sales_yuan"),
        "collateral_value": (collateral_value, "collateral_value_yuan"),
    }
    for field, (typed, column) in amounts.items():
        if typed is None:
            continue
        value = read_yuan(problems, field, typed, required=False)
        if field not in problems:
            setattr(file, column, value)
            changed.append(f"{field}={value}")
    texts = {"settlement": settlement, "collection": collection, "collateral": collateral}
    for field, typed in texts.items():
        if typed is None:
            continue
        said = _text(problems, field, typed)
        if field not in problems:
            setattr(file, field, said)
            changed.append(field)
    if risk_grade is not None:
        grade = risk_grade.strip()
        if problem := choice_problem(grade, list(settings.credit.check_months)):
            problems["risk_grade"] = problem
        else:
            file.risk_grade = grade
            changed.append(f"risk_grade={grade}")
    _raise(problems)
    if not changed:
        return detail(session, actor, settings, file_id)
    return _saved(session, actor, settings, file, "figures", " ".join(changed))


def check_item(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    item: str,
    result: str,
    finding: str,
    note: str | None = None,
    document_ref: str | None = None,
    version: int | None = None,
) -> CreditFileDetail:
    """Record an investigation item as checked by ``actor`` now: the finding, ``pass`` or
    ``concern`` (a concern needs a note), and the document it rests on (a credit report's
    number, a licence, a statement). Checking it again replaces the record; the history keeps
    both."""
    file = open_for_work(session, actor, file_id, version)
    credit = settings.credit
    key = item.strip()
    problems: dict[str, str] = {}
    if problem := choice_problem(key, credit.items):
        problems["item"] = problem
    if problem := choice_problem(result.strip(), ITEM_RESULTS):
        problems["result"] = problem
    if problem := text_problem(finding, most=NOTE_CHARS, required=True, multiline=True):
        problems["finding"] = problem
    needs_note = result.strip() == "concern"
    if problem := text_problem(note, most=NOTE_CHARS, required=needs_note, multiline=True):
        problems["note"] = t("credit.concern_needs_note") if needs_note and not note else problem
    if problem := text_problem(document_ref, most=100):
        problems["document_ref"] = problem
    _raise(problems)
    assert file.id is not None
    row = session.get(CreditItem, (file.id, key)) or CreditItem(file_id=file.id, item=key)
    row.result, row.finding = result.strip(), finding.strip()
    row.note = (note or "").strip() or None
    row.document_ref = (document_ref or "").strip() or None
    row.checked_by_id, row.checked_at = actor.id, clock.now()
    session.add(row)
    said = f"{rules.item_label(credit, key)} {label('credit_result', row.result)}：{row.finding}"
    return _saved(session, actor, settings, file, "check", said)


def add_guarantor(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    name: str,
    net_assets: str | int,
    id_no: str | None = None,
    relation: str | None = None,
    version: int | None = None,
) -> CreditFileDetail:
    """A guarantor with their net assets (the guarantors together must cover ``[credit]
    guarantor_coverage`` × the loan). The ID number, if given, is checked and shown masked."""
    file = open_for_work(session, actor, file_id, version)
    problems: dict[str, str] = {}
    who = _text(problems, "name", name, required=True)
    value = read_yuan(problems, "net_assets", net_assets, required=True)
    number = (id_no or "").strip().upper() or None
    if number is not None and (problem := id_problem(number)):
        problems["id_no"] = problem
    tie = _text(problems, "relation", relation)
    _raise(problems)
    assert who is not None and value is not None and file.id is not None
    session.add(
        CreditGuarantor(
            file_id=file.id,
            name=who,
            id_no=number,
            relation=tie,
            net_assets_yuan=value,
            added_by_id=actor.id,
            added_at=clock.now(),
        )
    )
    said = f"+ {who} {mask_id(number)} {short_yuan(value)}"
    return _saved(session, actor, settings, file, "guarantor", said)


def remove_guarantor(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    guarantor_id: int,
    version: int | None = None,
) -> CreditFileDetail:
    file = open_for_work(session, actor, file_id, version)
    found = session.get(CreditGuarantor, guarantor_id)
    if found is None or found.file_id != file.id:
        raise NotFound(t("credit.no_guarantor", id=guarantor_id, file=file_id))
    session.delete(found)
    said = f"- {found.name} {short_yuan(found.net_assets_yuan)}"
    return _saved(session, actor, settings, file, "guarantor", said)


def revise(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    version: int | None = None,
) -> CreditFileDetail:
    """A new version of an approved file to change it: a draft with the same checklist,
    figures and guarantors, which needs both signatures again; ``actor`` makes it, so it is
    theirs to work and sign first (the loan may have changed hands). The approved version stays in
    force (its post-loan checks run on) until the new one is approved."""
    require_role(actor, WORKING_ROLES, "credit.role")
    file = load(session, actor, file_id, version)
    if file.state != "approved":
        raise Conflict(t("credit.revise_approved", id=file.id))
    newer = session.exec(
        select(CreditFile.id).where(
            col(CreditFile.previous_id) == file.id, col(CreditFile.state).in_(LIVE)
        )
    ).first()
    if newer is not None:
        raise Conflict(t("credit.newer_version", id=file.id, newer=newer))
    now = clock.now()
    copy = CreditFile(
        **{
            k: getattr(file, k)
            for k in (
                "customer_id",
                "holding_id",
                "product",
                "amount_yuan",
                "term_months",
                "purpose",
                "risk_grade",
                "total_assets_yuan",
                "total_liabilities_yuan",
                "monthly_sales_yuan",
                "settlement",
                "collection",
                "collateral",
                "collateral_value_yuan",
                "schedule_from",
            )
        },
        file_version=file.file_version + 1,
        previous_id=file.id,
        owner_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    assert copy.id is not None and file.id is not None
    for old in items_of(session, file.id):
        session.add(
            CreditItem(
                file_id=copy.id,
                **{
                    k: getattr(old, k)
                    for k in (
                        "item",
                        "result",
                        "finding",
                        "note",
                        "document_ref",
                        "checked_by_id",
                        "checked_at",
                    )
                },
            )
        )
    for g in guarantors_of(session, file.id):
        session.add(
            CreditGuarantor(
                file_id=copy.id,
                name=g.name,
                id_no=g.id_no,
                relation=g.relation,
                net_assets_yuan=g.net_assets_yuan,
                added_by_id=g.added_by_id,
                added_at=g.added_at,
            )
        )
    event(session, actor, copy, "revise", f"v{copy.file_version} ← #{file.id}")
    return detail(session, actor, settings, copy.id)
