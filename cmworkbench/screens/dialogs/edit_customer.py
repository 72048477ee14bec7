"""Edit a customer's basic data (the fields of ``CustomerEdit``).

The form starts from the profile as it was read; only fields that differ from it are sent.
Phones and the ID number are masked on screen, so their fields start empty: typing a new value
replaces the old one, leaving them empty keeps it. The save carries the version that was read:
if someone changed the customer meanwhile, the service refuses and the form keeps the input.
The form then reads the customer again: fields the manager did not touch take the colleague's
values, typed ones stay, and fields both changed are marked; saving again is a decision made
with both versions in view, never a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Label, Select

from cmworkbench.domain.enums import CustomerClass, CustomerStatus
from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FormDialog
from cmworkbench.services.core.errors import Conflict, ServiceError
from cmworkbench.services.customers.schemas import REVEALABLE

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import CustomerEdit, CustomerProfile

TEXT_FIELDS = ("name", "address", "area", "industry", "preferred_hours")
"""Fields typed as text and shown with their current value."""

MASKED_FIELDS = REVEALABLE
"""Fields shown masked: empty means "keep"."""

CLASSES = tuple(c.value for c in CustomerClass)
STATUSES = tuple(s.value for s in CustomerStatus)


class EditCustomerDialog(FormDialog["CustomerProfile"]):
    """Name, class, phones, ID number, address, area, industry, preferred hours, status."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "cls",
        "phone",
        "phone2",
        "id_number",
        "address",
        "area",
        "industry",
        "preferred_hours",
        "status",
    )

    @dataclass
    class Reread(Message):
        """The customer as saved by someone else, read after a conflict."""

        profile: CustomerProfile

    def __init__(self, profile: CustomerProfile) -> None:
        super().__init__(t("tui.edit.title", name=profile.name, no=profile.customer_no))
        self.profile = profile
        """The profile as read; its ``version`` goes with the save."""

    def compose_fields(self) -> ComposeResult:
        p = self.profile
        for name in self.FIELDS:
            yield self.field_label(name, t(f"tui.edit.field.{name}"))
            if name == "cls":
                yield Select(
                    [(c, c) for c in CLASSES],
                    value=p.cls if p.cls in CLASSES else Select.NULL,
                    prompt="—",
                    id="field-cls",
                    compact=True,
                )
            elif name == "status":
                yield Select(
                    [(label("status", s), s) for s in STATUSES],
                    value=p.status if p.status in STATUSES else Select.NULL,
                    id="field-status",
                    compact=True,
                )
            elif name in MASKED_FIELDS:
                masked = getattr(p, name)
                hint = t("tui.edit.masked", value=masked) if masked else ""
                yield Input(placeholder=hint, id=f"field-{name}", compact=True)
            else:
                yield Input(getattr(p, name) or "", id=f"field-{name}", compact=True)

    def on_mount(self) -> None:
        self.field("name").focus()

    def typed(self) -> dict[str, str | None]:
        """Every field as it is in the form now (Selects: their value or ``None``)."""
        values: dict[str, str | None] = {}
        for name in self.FIELDS:
            widget = self.field(name)
            if isinstance(widget, Select):
                value = widget.value
                values[name] = value if isinstance(value, str) else None
            elif isinstance(widget, Input):
                values[name] = widget.value.strip()
        return values

    def changes(self) -> dict[str, str]:
        """The fields that differ from the profile as read."""
        changed: dict[str, str] = {}
        for name, value in self.typed().items():
            if value is None:
                continue
            if name in MASKED_FIELDS:
                if value:
                    changed[name] = value
            elif value != (getattr(self.profile, name) or ""):
                changed[name] = value
        return changed

    def action_save(self) -> None:
        """Save what changed; with nothing changed, just close."""
        if not self.changes():
            self.dismiss(None)
            return
        super().action_save()

    def collect(self) -> CustomerEdit:
        from cmworkbench.services.customers.schemas import CustomerEdit

        return CustomerEdit(**self.changes())

    def perform(self, request: object) -> CustomerProfile:
        from cmworkbench.services.customers.schemas import CustomerEdit

        assert isinstance(request, CustomerEdit)
        p = self.profile
        return self.workbench.customers.update(p.customer_no, p.version, request)

    # -- after a conflict -----------------------------------------------------------------

    def refused(self, error: ServiceError) -> None:
        """Show the refusal; after a conflict, read the customer again to merge."""
        super().refused(error)
        if isinstance(error, Conflict):
            self._reread()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reread")
    def _reread(self) -> None:
        data = self.workbench.customers.view(self.profile.customer_no)
        self.post_message(self.Reread(data.profile))

    @on(Reread)
    def merge(self, message: Reread) -> None:
        """Untouched fields take the new values; typed ones stay; both-changed are marked."""
        fresh, typed = message.profile, self.typed()
        clashes: dict[str, str] = {}
        for name in self.FIELDS:
            widget = self.field(name)
            if name in MASKED_FIELDS:
                masked = getattr(fresh, name)
                assert isinstance(widget, Input)
                widget.placeholder = t("tui.edit.masked", value=masked) if masked else ""
                if typed[name] and masked != getattr(self.profile, name):
                    clashes[name] = ""
                continue
            old, new = _value(self.profile, name), _value(fresh, name)
            if typed[name] == old:
                _set(widget, new)
            elif new != old and typed[name] != new:
                clashes[name] = ""
        self.profile = fresh
        error = self.query_one("#form-error", Label)
        note = t("tui.edit.merged")
        self.show_problem(f"{error.content}\n{note}", clashes)


def _value(profile: CustomerProfile, name: str) -> str | None:
    value = getattr(profile, name)
    if name in ("cls", "status"):
        return value if isinstance(value, str) else None
    return value or ""


def _set(widget: object, value: str | None) -> None:
    if isinstance(widget, Select):
        widget.value = value if value is not None else Select.NULL
    elif isinstance(widget, Input):
        widget.value = value or ""
