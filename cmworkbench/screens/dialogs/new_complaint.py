"""Take a complaint (每诉必录): category, severity and what the customer said."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Select

from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog

CATEGORIES = ("fee", "service", "business")
"""Fee (资费类), service (服务类), business (业务类)."""

SEVERITIES = ("normal", "major")
"""A major (重大) complaint is resolved and replied to within 24 hours."""


@dataclass(frozen=True)
class ComplaintRequest:
    """A complaint to record."""

    category: str
    severity: str
    description: str


class NewComplaintDialog(FormDialog[object]):
    """The description first (the cursor starts there), category and severity below."""

    FIELDS: ClassVar[tuple[str, ...]] = ("description", "category", "severity")

    def __init__(self, customer_no: str, customer_name: str) -> None:
        super().__init__(t("tui.complaint.title", name=customer_name))
        self.customer_no = customer_no

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("description", t("tui.complaint.description"))
        yield Input(
            placeholder=t("tui.complaint.description_placeholder"),
            id="field-description",
            compact=True,
        )
        yield self.field_label("category", t("tui.complaint.category"))
        yield Select(
            [(label("complaint_category", c), c) for c in CATEGORIES],
            prompt=t("tui.complaint.choose"),
            id="field-category",
            compact=True,
        )
        yield self.field_label("severity", t("tui.complaint.severity"))
        yield Select(
            [(label("severity", s), s) for s in SEVERITIES],
            value="normal",
            allow_blank=False,
            id="field-severity",
            compact=True,
        )

    def on_mount(self) -> None:
        self.field("description").focus()

    def collect(self) -> ComplaintRequest:
        description = self.query_one("#field-description", Input).value.strip()
        category = self.query_one("#field-category", Select).value
        severity = self.query_one("#field-severity", Select).value
        if not isinstance(category, str):
            raise FieldProblem(t("tui.complaint.no_category"), {"category": ""})
        if not description:
            raise FieldProblem(t("tui.complaint.no_description"), {"description": ""})
        return ComplaintRequest(category, str(severity), description)

    def perform(self, request: object) -> object:
        assert isinstance(request, ComplaintRequest)
        return self.workbench.open_complaint(
            self.customer_no, request.category, request.description, request.severity
        )
