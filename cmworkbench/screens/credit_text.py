"""A credit file as lines of text: what the loan is and where the file stands, the borrower's
figures, the guarantors, what keeps it from being signed and the post-loan checks
(:mod:`.credit` lays them out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.domain.credit import WORKED
from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.widgets.display import local_date, local_time

if TYPE_CHECKING:
    from cmworkbench.services.credit.schemas import CreditFileDetail, CreditFileOut, CreditItemOut


def file_title(f: CreditFileOut) -> str:
    """``信贷档案 #12 v2`` (the screen's title)."""
    return t("tui.credit.title", id=f.id, version=f.file_version)


def head_lines(f: CreditFileOut) -> list[str]:
    """What the loan is and where the file stands, a line a fact."""
    lines = [
        t(
            "tui.credit.head",
            name=f.name,
            customer_no=f.customer_no,
            state=label("credit_state", f.state),
            version=f.file_version,
        ),
        t(
            "tui.credit.loan_line",
            product=f.product,
            amount=short_yuan(f.amount),
            months=f.term_months,
            purpose=f.purpose,
        ),
        t(
            "tui.credit.people_line",
            grade=label("credit_grade", f.risk_grade),
            owner=f.owner_name,
            risk=f.risk_manager_name or t("tui.credit.risk_auto"),
        ),
    ]
    if f.previous_id is not None:
        lines.append(t("tui.credit.previous_line", previous=f.previous_id))
    if f.submitted_at is not None:
        lines.append(t("tui.credit.submitted_line", at=local_time(f.submitted_at)))
    if f.signed_at is not None:
        lines.append(t("tui.credit.signed_line", at=local_time(f.signed_at)))
    if f.return_comment:
        lines.append(t("tui.credit.returned_line", comment=f.return_comment))
    return lines


def figures_lines(detail: CreditFileDetail) -> list[str]:
    """The borrower's figures, three facts a line (``—`` where not known yet)."""

    def pair(name: str, value: str | None) -> str:
        return f"{t(f'credit.field.{name}')} {value or t('tui.credit.unknown')}"

    d = detail
    lines: list[list[tuple[str, str | None]]] = [
        [("total_assets", short_yuan(d.total_assets)),
         ("total_liabilities", short_yuan(d.total_liabilities)),
         ("net_assets", short_yuan(d.net_assets))],
        [("monthly_sales", short_yuan(d.monthly_sales)),
         ("settlement", d.settlement),
         ("collection", d.collection)],
        [("collateral", d.collateral), ("collateral_value", short_yuan(d.collateral_value))],
    ]  # fmt: skip
    return [" · ".join(pair(name, value) for name, value in line) for line in lines]


def guarantor_lines(detail: CreditFileDetail) -> list[str]:
    """One line a guarantor: name, relation, masked ID number, net assets."""
    lines = []
    for g in detail.guarantors:
        lines.append(
            t(
                "tui.credit.guarantor_line",
                name=g.name,
                relation=g.relation or t("tui.credit.unknown"),
                id_no=g.id_no or t("tui.credit.unknown"),
                net=short_yuan(g.net_assets),
            )
        )
    return lines or [t("tui.credit.no_guarantors")]


def blocking_lines(detail: CreditFileDetail) -> list[str]:
    """Why the file cannot be signed now, or that nothing keeps it."""
    if detail.blocking:
        return [t("tui.credit.block_line", reason=reason) for reason in detail.blocking]
    state = detail.file.state
    if state in WORKED:
        return [t("tui.credit.ready_to_submit")]
    if state == "submitted":
        return [t("tui.credit.ready_to_sign")]
    return [t("tui.credit.signed_both")]


def check_lines(detail: CreditFileDetail) -> list[str]:
    """The post-loan checks: due day, and done (when, by whom, the findings), late or to do."""
    lines = []
    for c in detail.checks:
        if c.done_at is not None:
            state = t(
                "tui.credit.check_done",
                at=local_date(c.done_at),
                who=c.done_by or "",
                findings=c.findings or "",
            )
        else:
            state = t("tui.credit.check_late" if c.overdue else "tui.credit.check_open")
        lines.append(t("tui.credit.check_line", seq=c.seq, due=local_date(c.due_on), state=state))
    return lines or [t("tui.credit.no_checks")]


def next_open(items: list[CreditItemOut], after: int) -> int:
    """The row of the first open item after row ``after`` (wrapping); ``after`` if none."""
    count = len(items)
    for step in range(1, count + 1):
        row = (after + step) % count
        if items[row].result is None:
            return row
    return after
