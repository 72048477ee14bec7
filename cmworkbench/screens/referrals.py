"""Referrals (转介): the referrer's one screen, a teller's or lobby staff member's whole workbench.

On top, the form: a customer's number, *or* a prospect's name with a phone and/or an ID
number; the need in a line; the product category (``[referrals] products``). ``Enter`` in a
field (or ``Ctrl+S``, ``Ctrl+O`` where a terminal eats ``Ctrl+S``) sends it. The service says
what is wrong with every field at once; the form shows each problem beside its field's name
and marks the field, and keeps what was typed. Sent, a toast says where it went (to whom, and
by when the first contact is owed; or that it waits in the pool for the supervisor), the form
clears for the next one and the cursor is back on its first field.

Below, the referrer's own referrals, newest first: when, the name masked as the service gives
it (``张**``: what came of it, not the file), the product, the manager or the pool, and the
state. Read in a thread worker as the screen opens and after each referral; a key typed while
a referral is sent waits for it, so the next referral's first keys land in the cleared form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select
from textual.worker import get_current_worker

from cmworkbench.i18n import label, t
from cmworkbench.screens.base import WorkbenchScreen, error_text, mark_fields
from cmworkbench.services.core.errors import NotFound, ServiceError
from cmworkbench.widgets.bindings import screen_keys
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.pipeline.schemas import ReferralMade, ReferralOut

_key = screen_keys("referrals")

TEXT_FIELDS = ("customer", "name", "phone", "id_number", "need")
"""The typed fields, in the order of the form (the service names its problems the same)."""

FIELDS = (*TEXT_FIELDS, "product")

LIST_LIMIT = 100
"""The newest this many referrals are listed (older ones are long decided)."""

COLUMNS = ("at", "name", "product", "to", "state")


@dataclass(frozen=True)
class ReferralRequest:
    """The form as typed (spaces kept: the service strips and checks)."""

    need: str
    product: str
    customer_no: str | None
    name: str | None
    phone_number: str | None
    id_number: str | None


def _given(value: str) -> str | None:
    return value if value.strip() else None


class ReferralScreen(WorkbenchScreen):
    """The referral form, the line of its problems, and the referrer's own referrals."""

    DEFAULT_CSS = """
    ReferralScreen #referral-form {
        height: auto;
        border: round $accent;
        border-title-color: $accent;
        margin: 0 1;
        padding: 0 1;
    }
    ReferralScreen #referral-grid {
        grid-size: 2;
        grid-columns: auto 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
    }
    ReferralScreen #referral-grid > Input, ReferralScreen #referral-grid > Select {
        background: $boost;
    }
    ReferralScreen .form-label.-invalid {
        color: $text-error;
        text-style: bold;
    }
    ReferralScreen #referral-error {
        color: $text-error;
        text-style: bold;
        height: auto;
    }
    ReferralScreen #referral-hint, ReferralScreen #referral-empty {
        color: $text-muted;
    }
    ReferralScreen #referral-list {
        margin: 0 1;
    }
    ReferralScreen #referral-empty {
        margin: 0 2;
    }
    """

    MODE = "referrals"

    BINDINGS: ClassVar[list[BindingType]] = [
        *WorkbenchScreen.BINDINGS,
        _key("ctrl+s,ctrl+o", "refer", "refer", priority=True),
    ]
    """Send the referral (``Enter`` in a field does too); priority, so no field swallows it."""

    OVERVIEW_ON_RESUME = False
    """A referrer has no book: there are no counts to show."""

    KEY_WORKERS = frozenset({"refer"})
    """Keys typed while a referral is sent go to the form once it is cleared (or kept, with
    its problems shown)."""

    @dataclass
    class Listed(Message):
        """The referrer's referrals, newest first."""

        referrals: list[ReferralOut]

    @dataclass
    class Made(Message):
        """A referral was recorded."""

        made: ReferralMade

    @dataclass
    class Refused(Message):
        """The service refused the referral; nothing was written."""

        error: ServiceError
        blank_product: bool

    def compose_body(self) -> ComposeResult:
        with Vertical(id="referral-form") as form:
            form.border_title = t("tui.referral.title")
            with Grid(id="referral-grid"):
                for name in TEXT_FIELDS:
                    yield Label(
                        t(f"tui.referral.{name}"),
                        id=f"label-{name}",
                        classes="form-label",
                        markup=False,
                    )
                    field = Input(
                        placeholder=t(f"tui.referral.{name}_hint"),
                        id=f"field-{name}",
                        compact=True,
                    )
                    # The form waits on a teller's screen all day, often over SSH: a blinking
                    # cursor would repaint it twice a second for hours.
                    field.cursor_blink = False
                    yield field
                yield Label(
                    t("tui.referral.product"),
                    id="label-product",
                    classes="form-label",
                    markup=False,
                )
                products = self.workbench.settings.referrals.products
                yield Select[str](
                    [(label("product_kind", p), p) for p in products],
                    prompt=t("tui.referral.choose"),
                    id="field-product",
                    compact=True,
                )
            yield Label("", id="referral-error", markup=False)
            yield Label(t("tui.referral.hint"), id="referral-hint", markup=False)
        table: DataTable[str] = DataTable(id="referral-list", cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(t(f"tui.referral.col.{column}"), key=column)
        yield table
        yield Label("", id="referral-empty", markup=False)

    def on_mount(self) -> None:
        self.show_problems([], {})
        self.query_one("#field-customer", Input).focus()

    def on_screen_resume(self) -> None:
        self.load_referrals()

    # -- the list -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="referrals")
    def load_referrals(self) -> None:
        """Read the referrer's own referrals, newest first, in a thread."""
        referrals = self.workbench.referrals.list(limit=LIST_LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(referrals))

    @on(Listed)
    def listed(self, message: Listed) -> None:
        """Show the referrals in place of the old rows."""
        table = self.query_one("#referral-list", DataTable)
        table.clear()
        for r in message.referrals:
            table.add_row(
                local_time(r.at),
                r.name,
                label("product_kind", r.product),
                r.to_name or t("tui.referral.pool"),
                label("referral_state", r.state),
                key=str(r.id),
            )
        empty = self.query_one("#referral-empty", Label)
        empty.update("" if message.referrals else t("tui.referral.empty"))
        empty.display = not message.referrals

    # -- the form -------------------------------------------------------------------------

    def _text(self, name: str) -> str:
        return self.query_one(f"#field-{name}", Input).value

    def _product(self) -> Select[str]:
        return self.query_one("#field-product", Select)

    def action_refer(self) -> None:
        """Send the form as typed; the service checks every field at once."""
        product = self._product().value
        request = ReferralRequest(
            need=self._text("need"),
            product=product if isinstance(product, str) else "",
            customer_no=_given(self._text("customer")),
            name=_given(self._text("name")),
            phone_number=_given(self._text("phone")),
            id_number=_given(self._text("id_number")),
        )
        self.show_problems([], {})
        self.refer(request)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """``Enter`` in a field sends the form."""
        self.action_refer()

    @work(thread=True, exit_on_error=False, group="refer")
    def refer(self, request: ReferralRequest) -> None:
        """Record the referral in a thread. A refusal is the form's to show; any other
        failure is reported by the screen without its details."""
        try:
            made = self.workbench.referrals.new(
                need=request.need,
                product=request.product,
                customer_no=request.customer_no,
                name=request.name,
                phone_number=request.phone_number,
                id_number=request.id_number,
            )
        except ServiceError as error:
            self.post_message(self.Refused(error, blank_product=not request.product))
            return
        self.post_message(self.Made(made))

    @on(Made)
    def made(self, message: Made) -> None:
        """Say where it went, clear the form for the next one, read the list again."""
        referral = message.made.referral
        if referral.to_name:
            text = t(
                "tui.referral.sent_to",
                name=referral.name,
                to=referral.to_name,
                due=local_time(referral.contact_due),
            )
        else:
            text = t("tui.referral.sent_pool", name=referral.name)
        self.notify(text, markup=False)
        for name in TEXT_FIELDS:
            self.query_one(f"#field-{name}", Input).value = ""
        self._product().clear()
        self.query_one("#field-customer", Input).focus()
        self.load_referrals()

    @on(Refused)
    def refused(self, message: Refused) -> None:
        """Show each problem beside its field's name (``Phone: not a valid phone number``)
        and mark the fields; what was typed stays."""
        error = message.error
        fields = getattr(error, "fields", None)
        if isinstance(fields, Mapping):
            problems = dict(fields)
            if message.blank_product and "product" in problems:
                problems["product"] = t("tui.referral.choose_product")
            self.show_problems([], problems)
        else:  # a customer number not found, one's own customer, a referral made twice
            marked = {"customer": ""} if isinstance(error, NotFound) else {}
            self.show_problems([error_text(error)], marked)

    def show_problems(self, lines: list[str], fields: Mapping[str, str]) -> None:
        """Show ``lines`` and what is wrong with each field of ``fields`` under the form, and
        mark those fields; empty clears."""
        lines = [*lines, *mark_fields(self, FIELDS, fields)]
        problems = self.query_one("#referral-error", Label)
        problems.update("\n".join(lines))
        problems.display = bool(lines)
