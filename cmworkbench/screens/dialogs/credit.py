"""The forms of a credit file (信贷档案): a new file, an investigation item checked, the
borrower's figures, a guarantor, the manager's submission and the risk manager's return.

Each form calls one ``workbench.credit`` use case in a worker and closes with the file as the
service returns it (:class:`~cmworkbench.services.credit.schemas.CreditFileDetail`). A refusal
keeps the form open with what was typed: the fields the service names are marked (their
labels are the service's own ``credit.field.*``), a conflict or an unknown login is said above
the key hint. Amounts are typed as people say them (``100万``, ``1,200,000``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from cmworkbench.domain.pipeline import short_yuan
from cmworkbench.i18n import label, t
from cmworkbench.screens.base import error_text
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.services.core.errors import NotFound, ServiceError
from cmworkbench.services.credit.schemas import ITEM_RESULTS

if TYPE_CHECKING:
    from cmworkbench.services.credit.schemas import (
        CreditFileDetail,
        CreditFileOut,
        CreditItemOut,
    )

FIELD = "credit.field."
"""The field labels are the service's (so its problems name them the same way)."""

TUI_FIELD = "tui.credit.field."
"""Labels of the fields only the screen has (the loan holding, the risk manager's login)."""


def typed_yuan(yuan: int | None) -> str:
    """An amount as a field shows it to be changed: ``8000000`` (empty when unknown)."""
    return "" if yuan is None else str(yuan)


def _given(text: str) -> str | None:
    return text if text.strip() else None


def _whole(name: str, text: str, problem_key: str) -> int | None:
    """A whole number typed in field ``name`` (``None``: nothing typed); else the problem."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        problem = t(problem_key, value=cleaned)
        raise FieldProblem(problem, {name: problem})
    return int(cleaned)


class CreditForm(FormDialog["CreditFileDetail"]):
    """A form about one credit file: one-line fields and choices read by name."""

    DEFAULT_CSS = """
    CreditForm .credit-note {
        color: $text-muted;
        column-span: 2;
    }
    CreditForm .credit-note.-short {
        color: $text-warning;
    }
    """

    def text(self, name: str) -> str:
        """What field ``name`` holds, as typed (the service strips and checks)."""
        widget = self.field(name)
        assert isinstance(widget, Input)
        return widget.value

    def choice(self, name: str) -> str:
        """The key chosen in the choice field ``name`` (empty: none)."""
        value = self.query_one(f"#field-{name}", Select).value
        return value if isinstance(value, str) else ""

    def text_field(
        self, name: str, value: str = "", hint: str = "", caption: str | None = None
    ) -> ComposeResult:
        """The label and the one-line field ``name`` (labelled ``credit.field.<name>``)."""
        yield self.field_label(name, caption or t(FIELD + name))
        field = Input(value, placeholder=hint, id=f"field-{name}", compact=True)
        field.cursor_blink = False  # a dialog left open over SSH repaints for nothing
        yield field

    def choice_field(
        self, name: str, choices: list[tuple[str, str]], value: str | None
    ) -> ComposeResult:
        """The label and the choice ``name`` (one of ``choices``: (text, key))."""
        yield self.field_label(name, t(FIELD + name))
        yield Select[str](
            choices, value=value or choices[0][1], allow_blank=False, id=f"field-{name}",
            compact=True,
        )  # fmt: skip

    def note(self, text: str, ident: str | None = None) -> Label:
        """A line across the form saying what the fields mean."""
        return Label(text, id=ident, classes="credit-note", markup=False)


def grade_choices(grades: list[str]) -> list[tuple[str, str]]:
    """The risk grades (``[credit] check_months``) as a choice shows them."""
    return [(label("credit_grade", g), g) for g in grades]


# -- a new file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewFileRequest:
    """A new file as typed."""

    product: str
    amount: str
    term_months: int | None
    purpose: str
    risk_grade: str
    holding_id: int | None


class NewCreditFileDialog(CreditForm):
    """A file for a loan application: product, amount (``100万``), term in months, purpose and
    risk grade; or for a loan the customer holds (its number: the product and amount are the
    loan's unless typed). Every investigation item starts open."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "product",
        "amount",
        "term_months",
        "purpose",
        "risk_grade",
        "holding",
    )

    def __init__(self, customer_no: str, name: str, grades: list[str], grade: str) -> None:
        super().__init__(t("tui.credit.new_title", name=name))
        self.customer_no = customer_no
        self.grades = grades
        self.grade = grade

    def compose_fields(self) -> ComposeResult:
        yield from self.text_field("product", hint=t("tui.credit.product_hint"))
        yield from self.text_field("amount", hint=t("tui.credit.yuan_hint"))
        yield from self.text_field("term_months", hint=t("tui.credit.months_hint"))
        yield from self.text_field("purpose", hint=t("tui.credit.purpose_hint"))
        yield from self.choice_field("risk_grade", grade_choices(self.grades), self.grade)
        yield from self.text_field(
            "holding", hint=t("tui.credit.holding_hint"), caption=t(TUI_FIELD + "holding")
        )

    def on_mount(self) -> None:
        self.field("product").focus()

    def collect(self) -> NewFileRequest:
        return NewFileRequest(
            product=self.text("product"),
            amount=self.text("amount"),
            term_months=_whole("term_months", self.text("term_months"), "tui.credit.bad_months"),
            purpose=self.text("purpose"),
            risk_grade=self.choice("risk_grade"),
            holding_id=_whole("holding", self.text("holding"), "tui.credit.bad_holding"),
        )

    def perform(self, request: object) -> CreditFileDetail:
        assert isinstance(request, NewFileRequest)
        return self.workbench.credit.new(
            customer_no=self.customer_no,
            product=request.product,
            amount=request.amount,
            term_months=request.term_months,
            purpose=request.purpose,
            risk_grade=request.risk_grade,
            holding_id=request.holding_id,
        )

    def refused(self, error: ServiceError) -> None:
        """No such loan held (or one with a file in work already): the holding is marked."""
        if isinstance(error, NotFound):
            self.show_problem(error_text(error), {"holding": ""})
        else:
            super().refused(error)


# -- an investigation item --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRequest:
    result: str
    finding: str
    note: str | None
    document_ref: str | None


class CheckItemDialog(CreditForm):
    """One investigation item checked now: pass or concern (a concern needs a note), what was
    found, and the document it rests on. Checking an item again replaces its record."""

    FIELDS: ClassVar[tuple[str, ...]] = ("result", "finding", "note", "document_ref")

    def __init__(self, file: CreditFileOut, item: CreditItemOut) -> None:
        super().__init__(t("tui.credit.check_title", item=item.label, name=file.name))
        self.file = file
        self.item = item

    def compose_fields(self) -> ComposeResult:
        results = [(label("credit_result", r), r) for r in ITEM_RESULTS]
        item = self.item
        yield from self.choice_field("result", results, item.result)
        yield from self.text_field("finding", item.finding or "", t("tui.credit.finding_hint"))
        yield from self.text_field("note", item.note or "", t("tui.credit.note_hint"))
        yield from self.text_field(
            "document_ref", item.document_ref or "", t("tui.credit.document_hint")
        )

    def on_mount(self) -> None:
        self.field("finding").focus()  # most items pass: the finding is what is typed

    def collect(self) -> CheckRequest:
        return CheckRequest(
            result=self.choice("result"),
            finding=self.text("finding"),
            note=_given(self.text("note")),
            document_ref=_given(self.text("document_ref")),
        )

    def perform(self, request: object) -> CreditFileDetail:
        assert isinstance(request, CheckRequest)
        return self.workbench.credit.check(
            self.file.id,
            self.item.item,
            request.result,
            finding=request.finding,
            note=request.note,
            document_ref=request.document_ref,
            version=self.file.version,
        )


# -- the borrower's figures -------------------------------------------------------------------

AMOUNTS = ("total_assets", "total_liabilities", "monthly_sales", "collateral_value")
TEXTS = ("settlement", "collection", "collateral")


class FiguresDialog(CreditForm):
    """The borrower's figures (net assets are worked out: total assets − total liabilities),
    how sales are settled and collected, the collateral and its value, the risk grade. Only
    what was changed is sent; an emptied field clears it."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "total_assets",
        "total_liabilities",
        "monthly_sales",
        "settlement",
        "collection",
        "collateral",
        "collateral_value",
        "risk_grade",
    )

    def __init__(self, detail: CreditFileDetail, grades: list[str]) -> None:
        super().__init__(t("tui.credit.figures_title", name=detail.file.name))
        self.detail = detail
        self.grades = grades
        self.before: dict[str, str] = {
            **{name: typed_yuan(getattr(detail, name)) for name in AMOUNTS},
            **{name: getattr(detail, name) or "" for name in TEXTS},
            "risk_grade": detail.file.risk_grade,
        }
        """What each field showed when the form opened (unchanged fields are not sent)."""

    def compose_fields(self) -> ComposeResult:
        yuan = t("tui.credit.yuan_hint")
        before = self.before
        for name in ("total_assets", "total_liabilities", "monthly_sales"):
            yield from self.text_field(name, before[name], yuan)
        for name in TEXTS:
            yield from self.text_field(name, before[name], t(f"tui.credit.{name}_hint"))
        yield from self.text_field("collateral_value", before["collateral_value"], yuan)
        grades = grade_choices(self.grades)
        yield from self.choice_field("risk_grade", grades, before["risk_grade"])

    def on_mount(self) -> None:
        self.field("total_assets").focus()

    def collect(self) -> dict[str, str]:
        now = {name: self.text(name) for name in (*AMOUNTS, *TEXTS)}
        now["risk_grade"] = self.choice("risk_grade")
        return {name: value for name, value in now.items() if value != self.before[name]}

    def perform(self, request: object) -> CreditFileDetail:
        assert isinstance(request, dict)
        file = self.detail.file
        return self.workbench.credit.figures(file.id, version=file.version, **request)


# -- a guarantor ------------------------------------------------------------------------------


def coverage_line(detail: CreditFileDetail) -> str:
    """``担保人净资产合计 150万，需 200万：差 50万`` (or that the cover is enough)."""
    nets, needed = detail.file.guarantor_nets, detail.coverage_needed
    if nets >= needed:
        return t("tui.credit.coverage_ok", nets=short_yuan(nets), needed=short_yuan(needed))
    return t(
        "tui.credit.coverage_short",
        nets=short_yuan(nets),
        needed=short_yuan(needed),
        missing=short_yuan(needed - nets),
    )


@dataclass(frozen=True)
class GuarantorRequest:
    name: str
    net_assets: str
    id_no: str | None
    relation: str | None


class GuarantorDialog(CreditForm):
    """A guarantor: name, net assets, ID number (checked, shown masked) and relation to the
    borrower; the line above says how far the guarantors cover the loan so far."""

    FIELDS: ClassVar[tuple[str, ...]] = ("name", "net_assets", "id_no", "relation")

    def __init__(self, detail: CreditFileDetail) -> None:
        super().__init__(t("tui.credit.guarantor_title", name=detail.file.name))
        self.detail = detail

    def compose_fields(self) -> ComposeResult:
        cover = self.note(coverage_line(self.detail), "guarantor-cover")
        cover.set_class(not self.detail.file.coverage_ok, "-short")
        yield cover
        yield from self.text_field("name", hint=t("tui.credit.name_hint"))
        yield from self.text_field("net_assets", hint=t("tui.credit.yuan_hint"))
        yield from self.text_field("id_no", hint=t("tui.credit.id_hint"))
        yield from self.text_field("relation", hint=t("tui.credit.relation_hint"))

    def on_mount(self) -> None:
        self.field("name").focus()

    def collect(self) -> GuarantorRequest:
        return GuarantorRequest(
            name=self.text("name"),
            net_assets=self.text("net_assets"),
            id_no=_given(self.text("id_no")),
            relation=_given(self.text("relation")),
        )

    def perform(self, request: object) -> CreditFileDetail:
        assert isinstance(request, GuarantorRequest)
        file = self.detail.file
        return self.workbench.credit.add_guarantor(
            file.id,
            name=request.name,
            net_assets=request.net_assets,
            id_no=request.id_no,
            relation=request.relation,
            version=file.version,
        )


# -- the two signatures -----------------------------------------------------------------------


class SubmitDialog(CreditForm):
    """The manager's signature: ``Enter`` submits the file to the risk manager; a login typed
    chooses one (blank: the one it went to before, else the one with the fewest waiting)."""

    FIELDS: ClassVar[tuple[str, ...]] = ("to",)

    def __init__(self, file: CreditFileOut) -> None:
        super().__init__(t("tui.credit.submit_title", id=file.id))
        self.file = file

    def compose_fields(self) -> ComposeResult:
        f = self.file
        question = t(
            "tui.credit.submit_question",
            name=f.name,
            product=f.product,
            amount=short_yuan(f.amount),
            months=f.term_months,
        )
        yield self.note(question)
        hint = f.risk_manager or t("tui.credit.to_hint")
        yield from self.text_field("to", hint=hint, caption=t(TUI_FIELD + "to"))

    def on_mount(self) -> None:
        self.field("to").focus()

    def collect(self) -> str | None:
        return _given(self.text("to"))

    def perform(self, request: object) -> CreditFileDetail:
        assert request is None or isinstance(request, str)
        return self.workbench.credit.submit(self.file.id, to=request, version=self.file.version)

    def refused(self, error: ServiceError) -> None:
        """No such risk manager: the login is marked; other refusals are said."""
        if isinstance(error, NotFound):
            self.show_problem(error_text(error), {"to": ""})
        else:
            super().refused(error)


class ReturnFileDialog(CreditForm):
    """The risk manager returns a submitted file with a comment (required): it lands on the
    manager's Today until they submit it again."""

    FIELDS: ClassVar[tuple[str, ...]] = ("comment",)

    def __init__(self, file: CreditFileOut) -> None:
        super().__init__(t("tui.credit.return_title", id=file.id, name=file.name))
        self.file = file

    def compose_fields(self) -> ComposeResult:
        yield from self.text_field("comment", hint=t("tui.credit.comment_hint"))

    def on_mount(self) -> None:
        self.field("comment").focus()

    def collect(self) -> str:
        return self.text("comment")

    def perform(self, request: object) -> CreditFileDetail:
        assert isinstance(request, str)
        return self.workbench.credit.return_file(
            self.file.id, comment=request, version=self.file.version
        )
