"""Verify a customer's file with them, field by field (信息核实, ``m`` on the 360 view).

Each field the verification asks (the file's required fields) shows its value as stored,
phones and the ID number masked, so the manager reads them out ("the number ending 3107?").
Left empty, a field is confirmed as it stands; a value typed is the correction. A required
field still empty and left empty is not checked. ``Ctrl+S`` records it: one verification row
(the accuracy figure), the corrections written like an edit, the file re-verified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input

from cmworkbench.i18n import t
from cmworkbench.screens.dialogs.form import FormDialog

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import FileCheck, VerificationOut


class VerifyFileDialog(FormDialog["VerificationOut"]):
    """One line per field asked: its value as stored, and the correction, if any."""

    def __init__(self, check: FileCheck) -> None:
        super().__init__(t("tui.verify.title", name=check.name, no=check.customer_no))
        self.check = check

    def compose_fields(self) -> ComposeResult:
        for f in self.check.fields:
            shown = f.shown if f.filled else t("tui.verify.empty")
            yield self.field_label(f.name, f"{t(f'customer.field.{f.name}')}  {shown}")
            hint = t("tui.verify.confirm_hint") if f.filled else t("tui.verify.fill_hint")
            yield Input(placeholder=hint, id=f"field-{f.name}", compact=True)

    def on_mount(self) -> None:
        if self.check.fields:
            self.field(self.check.fields[0].name).focus()

    def collect(self) -> dict[str, str]:
        """The corrections typed (field → value); the rest is confirmed."""
        typed: dict[str, str] = {}
        for f in self.check.fields:
            widget = self.field(f.name)
            assert isinstance(widget, Input)
            if widget.value.strip():
                typed[f.name] = widget.value.strip()
        return typed

    def perform(self, request: object) -> VerificationOut:
        assert isinstance(request, dict)
        c = self.check
        return self.workbench.customers.verify(c.customer_no, version=c.version, corrected=request)
