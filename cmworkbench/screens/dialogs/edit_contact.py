"""``k`` on a contact in the 360 view: its key-person role as the sources name them (决策人,
执行人, 使用人, 影响人, 内线, or a plain contact) and whether it is a key person (关键人: their
birthdays bring a care task). Audited by the service; nothing else of the contact changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Select

from cmworkbench.domain.enums import ContactRole
from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FormDialog

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import ContactOut

YES, NO = "yes", "no"


class EditContactDialog(FormDialog["list[ContactOut]"]):
    """The role and the key-person mark of one contact of a customer."""

    def __init__(self, customer_no: str, contact: ContactOut) -> None:
        super().__init__(t("tui.contact_edit.title", name=contact.name, no=customer_no))
        self.customer_no = customer_no
        self.contact = contact

    def compose_fields(self) -> ComposeResult:
        yield self.field_label("role", t("contact.field.role"))
        roles = [(label("contact_role", r.value), r.value) for r in ContactRole]
        yield Select(roles, value=self.contact.role, allow_blank=False, id="field-role",
                     compact=True)  # fmt: skip
        yield self.field_label("key_person", t("contact.field.is_key_person"))
        marks = [(t("tui.contact_edit.yes"), YES), (t("tui.contact_edit.no"), NO)]
        mark = YES if self.contact.is_key_person else NO
        yield Select(marks, value=mark, allow_blank=False, id="field-key_person", compact=True)

    def on_mount(self) -> None:
        self.field("role").focus()

    def collect(self) -> tuple[str, bool]:
        role = self.query_one("#field-role", Select).value
        mark = self.query_one("#field-key_person", Select).value
        return str(role), mark == YES

    def perform(self, request: object) -> list[ContactOut]:
        assert isinstance(request, tuple)
        role, key_person = str(request[0]), bool(request[1])
        return self.workbench.customers.edit_contact(
            self.customer_no, self.contact.id, role, key_person
        )
