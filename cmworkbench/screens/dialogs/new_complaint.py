"""Take a complaint (每诉必录): who complains, what they said, category and severity; the channel,
the kind and the contact person are there when they matter.

From the customer 360 view the customer is known and the cursor starts on the description.
From the Complaints screen the dialog opens blank with a customer search on top: type a name,
pinyin, initials, a customer number or a phone tail, pick a hit (``Enter`` takes the
highlighted one, ``↑`` ``↓`` move), and carry on with the description.

What is typed is kept as a draft (DESIGN.md: a complaint being typed survives a dropped SSH
connection): saved a moment after each change, offered again when the same person opens the
form for the same customer (or a blank form), forgotten once the ticket is saved or the form
is cancelled on purpose.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Select
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from cmworkbench.domain.complaint_flow import KINDS
from cmworkbench.i18n import label, t
from cmworkbench.screens.dialogs.form import FieldProblem, FormDialog
from cmworkbench.screens.holding import is_typing
from cmworkbench.services.complaints.schemas import CATEGORIES, CHANNELS, SEVERITIES

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import ContactOut, CustomerHit

HITS = 5
"""Customers offered for a typed search: the best few (type more to narrow them down)."""

NAME_CELLS = 24
"""A longer customer name is cut in the list of hits."""

DRAFT_DELAY = 0.4
"""Seconds of quiet typing before the draft is written (each key restarts the wait)."""

DRAFT_FIELDS = ("description", "category", "severity", "channel", "kind")


@dataclass(frozen=True)
class ComplaintRequest:
    """A complaint to record."""

    category: str
    severity: str
    description: str
    customer_no: str = ""
    channel: str = "phone"
    kind: str = "normal"
    contact: str | None = None


class NewComplaintDialog(FormDialog[object]):
    """The customer (searched for, unless given), the description, category and severity, then
    channel, kind and contact; closes with the new ticket number."""

    DEFAULT_CSS = """
    NewComplaintDialog .form-grid {
        grid-rows: auto;
    }
    NewComplaintDialog #customer-box {
        height: auto;
    }
    NewComplaintDialog #customer-hits {
        height: auto;
        max-height: 5;
        display: none;
    }
    NewComplaintDialog #customer-hits.-shown {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "hit(1)", "tui.key.down", show=False),
        Binding("up", "hit(-1)", "tui.key.up", show=False),
        Binding("tab", "tab", "tui.key.focus_next", show=False, id="focus.next"),
    ]
    """In the customer search, ``↑`` ``↓`` move over the hits while typing goes on, and
    ``Tab`` (like ``Enter``) takes the highlighted one and moves on to the description."""

    KEY_WORKERS = FormDialog.KEY_WORKERS | {"draft-load"}
    """Nothing typed is overwritten by a draft being restored."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "customer",
        "description",
        "category",
        "severity",
        "channel",
        "kind",
        "contact",
    )

    @dataclass
    class HitsFound(Message):
        """The best customers for ``query``."""

        query: str
        hits: list[CustomerHit]

    @dataclass
    class DraftFound(Message):
        """A draft kept from an earlier, interrupted form."""

        fields: dict[str, str]

    @dataclass
    class ContactsFound(Message):
        """The contacts of ``customer_no``."""

        customer_no: str
        contacts: list[ContactOut]

    def __init__(self, customer_no: str | None = None, customer_name: str = "") -> None:
        """``customer_no``: the customer complaining; ``None`` opens the customer search."""
        title = t("tui.complaint.title", name=customer_name) if customer_no else None
        super().__init__(title or t("tui.ticket.new_title"))
        self.customer_no = customer_no
        """The customer the complaint is recorded for (``None`` until one is picked)."""
        self.searching = customer_no is None
        """Whether the dialog has the customer search."""
        self._draft_lock = threading.Lock()
        self._draft_done = False
        self._draft_timer: Timer | None = None
        self.hits: list[CustomerHit] = []
        """The hits offered for the text in the customer field."""
        self.hits_for = ""
        """The text the hits shown were found for."""
        self._picked_text = ""

    def compose_fields(self) -> ComposeResult:
        if self.searching:
            yield self.field_label("customer", t("tui.ticket.customer"))
            with Vertical(id="customer-box"):
                yield Input(
                    placeholder=t("tui.ticket.customer_hint"), id="field-customer", compact=True
                )
                yield OptionList(id="customer-hits", markup=False, compact=True)
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
        yield _choices("severity", SEVERITIES, "normal")
        yield self.field_label("channel", t("complaint.field.channel"))
        yield _choices("channel", CHANNELS, "phone")
        yield self.field_label("kind", t("complaint.field.kind"))
        yield _choices("complaint_kind", KINDS, "normal", ident="kind")
        yield self.field_label("contact", t("complaint.field.contact"))
        yield Select[str]([], prompt=t("tui.ticket.no_contact"), id="field-contact", compact=True)

    def on_mount(self) -> None:
        if self.customer_no is None:
            self.field("customer").focus()
        else:
            self.field("description").focus()
            self.load_contacts(self.customer_no)
        self._restoring = True
        self.load_draft()

    # -- the draft ------------------------------------------------------------------------

    @property
    def draft_name(self) -> str:
        """The draft's key: per customer from the 360 view, one for the blank form."""
        return "complaint:new" if self.searching else f"complaint:{self.customer_no}"

    @work(thread=True, exclusive=True, exit_on_error=False, group="draft-load")
    def load_draft(self) -> None:
        try:
            fields = self.workbench.drafts.load(self.draft_name)
        except Exception as error:  # a draft is a convenience: never in the way
            self.log.error(f"draft not read: {error!r}")
            fields = None
        self.post_message(self.DraftFound(fields or {}))

    @on(DraftFound)
    def _draft_found(self, message: DraftFound) -> None:
        fields = message.fields
        description = self.query_one("#field-description", Input)
        if fields and not description.value:
            description.value = fields.get("description", "")
            for name, allowed in _CHOICES.items():
                if fields.get(name) in allowed:
                    self.query_one(f"#field-{name}", Select).value = fields[name]
            if self.searching and fields.get("customer_no"):
                self.customer_no = fields["customer_no"]
                self._picked_text = fields.get("customer", "")
                self.query_one("#field-customer", Input).value = self._picked_text
                self.load_contacts(self.customer_no)
                self.field("description").focus()
            self.notify(t("tui.complaint.draft_restored"))
        self._restoring = False

    def _draft_fields(self) -> dict[str, str]:
        fields = {"description": self.query_one("#field-description", Input).value}
        for name in DRAFT_FIELDS[1:]:
            value = self._select(name)
            fields[name] = value if isinstance(value, str) else ""
        if self.searching and self.customer_no:
            fields["customer_no"] = self.customer_no
            fields["customer"] = self._picked_text
        return fields

    @on(Input.Changed, "#field-description")
    @on(Select.Changed)
    def _typed(self) -> None:
        """Write the draft once typing pauses: each change restarts the wait."""
        if getattr(self, "_restoring", True):
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._keep_draft)

    def _keep_draft(self) -> None:
        self._draft_timer = None
        self.save_draft(self.draft_name, self._draft_fields())

    @work(thread=True, exit_on_error=False, group="draft")
    def save_draft(self, name: str, fields: dict[str, str]) -> None:
        """Write the draft (in a thread), unless the form was saved or cancelled meanwhile."""
        with self._draft_lock:
            if self._draft_done:
                return
            try:
                self.workbench.drafts.save(name, fields)
            except Exception as error:
                self.log.error(f"draft not kept: {error!r}")

    def _clear_draft(self) -> None:
        """Forget the draft for good (no pending save writes it back); in a thread."""
        with self._draft_lock:
            self._draft_done = True
            try:
                self.workbench.drafts.clear(self.draft_name)
            except Exception as error:
                self.log.error(f"draft not cleared: {error!r}")

    def _forget_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.app.run_worker(self._clear_draft, thread=True, exit_on_error=False)

    def action_cancel(self) -> None:
        """Close on purpose: the draft goes too."""
        self._forget_draft()
        super().action_cancel()

    # -- the customer search --------------------------------------------------------------

    @property
    def hit_list(self) -> OptionList:
        """The hits under the customer field."""
        return self.query_one("#customer-hits", OptionList)

    @on(Input.Changed, "#field-customer")
    def _customer_typed(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if self.customer_no is not None and query == self._picked_text:
            return  # the picked customer written into the field
        self.customer_no = None
        self._show_contacts([])
        if query:
            self.search(query)
        else:
            self.workers.cancel_group(self, "search")
            self._show_hits([])

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search(self, query: str) -> None:
        """The best few customers in scope for ``query``, in a thread (a newer key cancels)."""
        hits = self.workbench.customers.search(query, HITS)
        if not get_current_worker().is_cancelled:
            self.post_message(self.HitsFound(query, hits))

    @on(HitsFound)
    def _hits_found(self, message: HitsFound) -> None:
        field = self.field("customer")
        assert isinstance(field, Input)
        if message.query == field.value.strip() and self.customer_no is None:
            self._show_hits(message.hits, message.query)

    def _show_hits(self, hits: list[CustomerHit], query: str = "") -> None:
        self.hits, self.hits_for = hits, query
        options = self.hit_list
        options.clear_options()
        if hits:
            lines = _hit_lines(hits)
            options.add_options(
                Option(line, id=hit.customer_no) for line, hit in zip(lines, hits, strict=True)
            )
            options.highlighted = 0
        elif query:
            options.add_option(Option(t("tui.ticket.no_match", query=query), disabled=True))
        options.set_class(bool(hits or query), "-shown")

    def holds_key(self, key: events.Key | events.Paste) -> bool:
        """Besides a save or a draft being read: a key that takes a hit (``Enter``, ``Tab``,
        ``↑`` ``↓``) waits for the hits of the text in the customer field."""
        if super().holds_key(key):
            return True
        if is_typing(key) or not self.searching or self.customer_no is not None:
            return False
        field = self.field("customer")
        assert isinstance(field, Input)
        return field.has_focus and self.hits_for != field.value.strip()

    def action_tab(self) -> None:
        """In the customer field, take the highlighted hit; elsewhere the next field."""
        if self.searching and self.field("customer").has_focus and self.customer_no is None:
            index = self.hit_list.highlighted
            if self.hits and index is not None:
                self._pick(self.hits[index])
                return
        self.focus_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``↑`` ``↓`` move over the hits only from the customer field."""
        if action == "hit":
            return self.searching and bool(self.hits) and self.field("customer").has_focus
        return True

    def action_hit(self, step: int) -> None:
        """Highlight the next (or previous) hit."""
        options = self.hit_list
        current = options.highlighted or 0
        options.highlighted = max(0, min(current + step, len(self.hits) - 1))

    @on(Input.Submitted, "#field-customer")
    def _customer_entered(self, event: Input.Submitted) -> None:
        """``Enter`` in the customer field picks the highlighted hit (it does not save)."""
        event.prevent_default()
        index = self.hit_list.highlighted
        if self.hits and index is not None:
            self._pick(self.hits[index])
        elif self.customer_no is not None:
            self.field("description").focus()

    @on(OptionList.OptionSelected, "#customer-hits")
    def _hit_chosen(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.hits):
            self._pick(self.hits[event.option_index])

    def _pick(self, hit: CustomerHit) -> None:
        self.customer_no = hit.customer_no
        self._picked_text = f"{hit.name} ({hit.customer_no})"
        field = self.field("customer")
        assert isinstance(field, Input)
        field.value = self._picked_text
        self._show_hits([])
        self.load_contacts(hit.customer_no)
        self.field("description").focus()

    # -- the contact ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="contacts")
    def load_contacts(self, customer_no: str) -> None:
        """The contacts of ``customer_no``, in a thread."""
        contacts = self.workbench.customers.contacts(customer_no)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ContactsFound(customer_no, contacts))

    @on(ContactsFound)
    def _contacts_found(self, message: ContactsFound) -> None:
        if message.customer_no == self.customer_no:
            self._show_contacts(message.contacts)

    def _show_contacts(self, contacts: list[ContactOut]) -> None:
        options = [(_contact_text(c), c.name) for c in contacts]
        self.query_one("#field-contact", Select).set_options(options)

    # -- saving ---------------------------------------------------------------------------

    def _select(self, name: str) -> object:
        return self.query_one(f"#field-{name}", Select).value

    def collect(self) -> ComplaintRequest:
        if self.customer_no is None:
            raise FieldProblem(t("tui.ticket.pick_customer"), {"customer": ""})
        description = self.query_one("#field-description", Input).value.strip()
        category = self._select("category")
        if not isinstance(category, str):
            raise FieldProblem(t("tui.complaint.no_category"), {"category": ""})
        if not description:
            raise FieldProblem(t("tui.complaint.no_description"), {"description": ""})
        contact = self._select("contact")
        return ComplaintRequest(
            category=category,
            severity=str(self._select("severity")),
            description=description,
            customer_no=self.customer_no,
            channel=str(self._select("channel")),
            kind=str(self._select("kind")),
            contact=contact if isinstance(contact, str) else None,
        )

    def perform(self, request: object) -> object:
        assert isinstance(request, ComplaintRequest)
        ticket = self.workbench.complaints.open(
            request.customer_no,
            request.category,
            request.description,
            request.severity,
            request.channel,
            request.kind,
            request.contact,
        )
        self._clear_draft()  # the ticket is saved: a failure here must not undo that
        return ticket


_CHOICES = {
    "category": CATEGORIES,
    "severity": SEVERITIES,
    "channel": CHANNELS,
    "kind": KINDS,
}


def _choices(
    vocabulary: str, values: tuple[str, ...], default: str, ident: str = ""
) -> Select[str]:
    """A select of labelled ``values`` that always holds one (``default`` to start with)."""
    return Select[str](
        [(label(vocabulary, v), v) for v in values],
        value=default,
        allow_blank=False,
        id=f"field-{ident or vocabulary}",
        compact=True,
    )


def _hit_lines(hits: list[CustomerHit]) -> list[str]:
    """Customer number, name, class and owner of each hit, in columns (CJK counts double)."""
    rows = [
        [hit.customer_no, hit.name, hit.cls or label("tier", hit.tier), hit.owner_name or ""]
        for hit in hits
    ]
    widths = [min(max(cell_len(row[n]) for row in rows), NAME_CELLS) for n in range(3)]
    return [
        "  ".join([*(set_cell_size(row[n], widths[n]) for n in range(3)), row[3]]).rstrip()
        for row in rows
    ]


def _contact_text(contact: ContactOut) -> str:
    parts = [
        contact.name,
        contact.title,
        t("tui.visits.key_person") if contact.is_key_person else "",
    ]
    return " · ".join(part for part in parts if part)
