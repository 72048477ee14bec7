"""The customer 360 view (客户全景): everything about one customer, and one key per action.

Pushed over the Customers search; ``Esc`` goes back to it. Every database call runs in a thread
worker and reports back by message; after an action the view reloads in place (same tab, same
rows under the cursors). Masked phones and ID numbers are revealed with ``r`` for as long as
this screen is in front: leaving it (or ``r`` again, or the privacy key) masks them again.

The last tab lists the customer's opportunities (商机), the open ones first: ``Enter`` opens
one (its keys work there), ``b`` opens a new one for this customer. ``l`` lists the
customer's credit files (信贷档案, :mod:`cmworkbench.screens.credit_lists`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from cmworkbench.i18n import label, t
from cmworkbench.screens.base import error_text
from cmworkbench.screens.dialogs.choose_colleague import ChooseColleagueDialog
from cmworkbench.screens.dialogs.contact_outcome import ContactOutcome, ContactOutcomeDialog
from cmworkbench.screens.dialogs.edit_customer import EditCustomerDialog
from cmworkbench.screens.dialogs.new_complaint import NewComplaintDialog
from cmworkbench.screens.dialogs.new_task import NewTaskDialog
from cmworkbench.screens.dialogs.onsite_day import OnsiteDayDialog
from cmworkbench.screens.dialogs.opportunity import NewOpportunityDialog
from cmworkbench.screens.dialogs.task_actions import PromptDialog, incoming_prompt
from cmworkbench.screens.dialogs.verify_file import VerifyFileDialog
from cmworkbench.screens.opportunity import OpensOpportunity, next_text, proposal_text, short_yuan
from cmworkbench.services.core.errors import ServiceError
from cmworkbench.widgets.bindings import FOCUS_BINDINGS, screen_keys
from cmworkbench.widgets.customer_profile import MASKED_FIELDS, CustomerProfilePanel
from cmworkbench.widgets.customer_sections import SECTIONS, CustomerSections
from cmworkbench.widgets.display import local_time

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import (
        Customer360,
        CustomerProfile,
        FileCheck,
        VerificationOut,
    )
    from cmworkbench.services.pipeline.schemas import OpportunityOut

ResultT = TypeVar("ResultT")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


_key = screen_keys("c360")

OPPORTUNITY_COLUMNS = ("stage", "product", "value", "status", "proposal", "next")
"""The opportunities tab's columns (headings ``tui.pipeline.col.<name>``)."""


class Customer360Screen(OpensOpportunity):
    """Profile on top, then tabs: contacts, holdings, timeline, open tasks, open complaints,
    promises, opportunities."""

    KEY_WORKERS = frozenset({"load", "action", "reveal", "open", "opportunities"})
    """Keys typed while the view is read again (after a dialog) or an action is written act on
    the customer as it now is."""

    DEFAULT_CSS = """
    Customer360Screen CustomerProfilePanel {
        margin: 0 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *FOCUS_BINDINGS,
        _key("c", "log('call')", "log_call"),
        _key("v", "log('visit')", "log_visit"),
        _key("t", "add_task", "add_task"),
        _key("p", "complaint", "complaint"),
        _key("e", "edit", "edit"),
        _key("k", "edit_contact", "edit_contact"),
        _key("m", "mark_verified", "mark_verified"),
        _key("d", "confirm_directory", "confirm_directory"),
        _key("o", "onsite", "onsite_day"),
        _key("g", "assign", "pool_assign"),
        _key("r", "reveal", "reveal"),
        _key("i", "incoming", "incoming"),
        _key("u", "urgent", "urgent"),
        _key("n", "negotiation", "negotiation"),
        _key("x", "at_risk", "at_risk"),
        _key("b", "new_opportunity", "pipeline_new"),
        _key("l", "credit_files", "credit_files"),
        _key("right_square_bracket", "tab(1)", "next_tab", key_display="]"),
        _key("left_square_bracket", "tab(-1)", "previous_tab", key_display="[", show=False),
        _key("escape", "back", "back"),
    ]
    """One key per action, the same keys as everywhere (``e`` edit, ``Esc`` back)."""

    @dataclass
    class Loaded(Message):
        """The 360 data, read again."""

        data: Customer360

    @dataclass
    class Revealed(Message):
        """Clear values of the masked fields (field name → value)."""

        values: dict[str, str]

    @dataclass
    class Done(Message):
        """An action succeeded: say so, then reload."""

        text: str

    @dataclass
    class OpportunitiesLoaded(Message):
        """The customer's opportunities, the open ones first."""

        opportunities: list[OpportunityOut]

    def __init__(self, data: Customer360) -> None:
        super().__init__(t("tui.c360.title"))
        self.data = data
        """What is shown: the last 360 data read."""
        self.revealed: dict[str, str] = {}
        """Clear values revealed on this screen (empty: everything masked)."""
        self._own_dialog = False
        self._shown_once = False
        self.opportunities: list[OpportunityOut] = []
        """The customer's opportunities as the last tab shows them."""

    @property
    def customer_no(self) -> str:
        """The customer shown."""
        return self.data.profile.customer_no

    @property
    def profile(self) -> CustomerProfile:
        """The customer's profile as last read."""
        return self.data.profile

    def compose_body(self) -> ComposeResult:
        yield CustomerProfilePanel(id="c360-profile")
        yield CustomerSections(id="c360-sections")

    async def on_mount(self) -> None:
        self._show()
        table: DataTable[str] = DataTable(
            id="table-opportunities", cursor_type="row", zebra_stripes=True
        )
        pane = TabPane(t("tui.opportunity.tab"), table, id="tab-opportunities")
        await self.query_one(TabbedContent).add_pane(pane)
        for column in OPPORTUNITY_COLUMNS:
            table.add_column(t(f"tui.pipeline.col.{column}"), key=column)
        self.load_opportunities()

    def _show(self) -> None:
        panel = self.query_one(CustomerProfilePanel)
        panel.show(self.profile, self.data.next_contact, self.revealed)
        self.query_one(CustomerSections).show(self.data)

    # -- loading --------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """Coming back (from a dialog or another mode) reads the customer again."""
        self._own_dialog = False
        if self._shown_once:
            self.reload()
            self.load_opportunities()
        self._shown_once = True

    def on_screen_suspend(self) -> None:
        """Anything but our own dialogs covering the screen masks revealed data again."""
        if not self._own_dialog and self.revealed:
            self.mask()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def reload(self) -> None:
        """Read the 360 data again in a thread."""
        data = self.workbench.customers.view(self.customer_no)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(data))

    @work(thread=True, exclusive=True, exit_on_error=False, group="opportunities")
    def load_opportunities(self) -> None:
        """Read the customer's opportunities in a thread (none for a role that works none)."""
        try:
            found = self.workbench.opportunities.list(customer_no=self.customer_no, status="all")
        except ServiceError as refused:  # a role without opportunities: the tab stays empty
            self.log.info(f"no opportunities shown: {refused}")
            return
        found.sort(key=lambda o: o.status != "open")  # open first, each part latest first
        if not get_current_worker().is_cancelled:
            self.post_message(self.OpportunitiesLoaded(found))

    @on(OpportunitiesLoaded)
    def opportunities_loaded(self, message: OpportunitiesLoaded) -> None:
        """Fill the opportunities tab, the cursor kept on its row."""
        self.opportunities = message.opportunities
        table = self.query_one("#table-opportunities", DataTable)
        row = table.cursor_row
        table.clear()
        for o in self.opportunities:
            table.add_row(
                o.stage_label,
                label("product_kind", o.product),
                short_yuan(o.value),
                label("opportunity_status", o.status),
                proposal_text(o),
                next_text(o) if o.status == "open" else (o.close_reason or ""),
                key=str(o.id),
            )
        if self.opportunities:
            table.move_cursor(row=min(row, len(self.opportunities) - 1), animate=False)
        tab = self.query_one(TabbedContent).get_tab("tab-opportunities")
        tab.label = f"{t('tui.opportunity.tab')} {len(self.opportunities)}"

    @on(DataTable.RowSelected, "#table-opportunities")
    def _opportunity_chosen(self, event: DataTable.RowSelected) -> None:
        """``Enter`` on an opportunity opens it."""
        if 0 <= event.cursor_row < len(self.opportunities):
            self.open_opportunity(self.opportunities[event.cursor_row].id)

    def action_new_opportunity(self) -> None:
        """A new opportunity for this customer: product, need, value, expected close."""
        settings = self.workbench.settings
        dialog = NewOpportunityDialog(
            self.customer_no, self.profile.name, settings.referrals.products, settings.pipeline
        )
        self._dialog(
            dialog,
            self.changed_by(
                lambda o: t("tui.opportunity.created", name=o.name, stage=o.stage_label)
            ),
        )

    def action_credit_files(self) -> None:
        """The customer's credit files: open one, or make a new one."""
        from cmworkbench.screens.credit_lists import CreditFilesScreen

        self.app.push_screen(CreditFilesScreen(self.customer_no, self.profile.name))

    def opportunity_changed(self, opportunity: OpportunityOut, text: str) -> None:
        """Say what happened, and show the opportunities as they now are."""
        super().opportunity_changed(opportunity, text)
        self.load_opportunities()

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        """Show the fresh data in place."""
        self.data = message.data
        self._show()

    @on(Done)
    def done(self, message: Done) -> None:
        """Confirm an action and show its effect."""
        self.notify(message.text, markup=False)
        self.reload()

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """A refusal is an error notification with the service's message, never a traceback."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            if not isinstance(error, ServiceError):
                self.log.error(f"{event.worker.name} failed: {error!r}")
            self.notify(
                error_text(error), title=t("tui.error.title"), severity="error", markup=False
            )

    # -- dialogs --------------------------------------------------------------------------

    def _dialog(self, dialog: Screen[ResultT], then: Callable[[ResultT | None], object]) -> None:
        def callback(result: ResultT | None) -> None:
            then(result)

        self._own_dialog = True
        self.app.push_screen(dialog, callback)

    def action_log(self, kind: str) -> None:
        """Log the outcome of a call or visit: ``c`` then ``1`` logs a reached call."""

        def then(result: ContactOutcome | None) -> None:
            if result is not None:
                self.log_contact(kind, result)

        self._dialog(ContactOutcomeDialog(kind, self.profile.name, self.customer_no), then)

    @work(thread=True, exit_on_error=False, group="action")
    def log_contact(self, kind: str, result: ContactOutcome, purpose: str | None = None) -> None:
        """Write the interaction (for the tasks ticked) in a thread."""
        self.workbench.tasks.log_contact(
            self.customer_no,
            kind,
            result.outcome,
            result.note,
            for_tasks=result.also,
            retention=result.retention,
            purpose=purpose,
        )
        outcome = label("outcome", result.outcome)
        self.post_message(self.Done(t(f"tui.c360.logged.{kind}", outcome=outcome)))

    # -- promises (承诺) -------------------------------------------------------------------

    def action_incoming(self) -> None:
        """The customer called or wrote: ``i``, what they wanted, ``Enter`` — a reply is owed
        today (after hours: by the next working day's close). The reply, a contact logged
        with them, keeps it."""
        dialog = incoming_prompt(self.profile.name)
        self._dialog(dialog, lambda note: note and self.write_incoming(note))

    @work(thread=True, exit_on_error=False, group="action")
    def write_incoming(self, note: str) -> None:
        out = self.workbench.promises.incoming(self.customer_no, note)
        self.post_message(self.Done(t("tui.promise.made", due=local_time(out.promise_due))))

    def action_urgent(self) -> None:
        """Urgent business of a government-important customer: ``1`` card business (2 h),
        ``2`` physical goods (6 h), then what it is."""
        if not self.profile.is_government:
            text = t("promise.not_government", customer_no=self.customer_no)
            self.notify(text, severity="warning", markup=False)
            return

        def parse(text: str) -> tuple[str, str] | None:
            kind, _, what = text.strip().partition(" ")
            kinds = {"1": "government_urgent_card", "2": "government_urgent_goods"}
            return (kinds[kind], what.strip()) if kind in kinds and what.strip() else None

        dialog = PromptDialog(
            t("tui.promise.urgent_title", name=self.profile.name),
            t("tui.promise.urgent_placeholder"),
            parse,
            t("tui.promise.urgent_bad"),
        )
        self._dialog(dialog, lambda chosen: chosen and self.write_urgent(*chosen))

    @work(thread=True, exit_on_error=False, group="action")
    def write_urgent(self, kind: str, what: str) -> None:
        out = self.workbench.promises.urgent(self.customer_no, kind, what)
        self.post_message(self.Done(t("tui.promise.made", due=local_time(out.promise_due))))

    def action_negotiation(self) -> None:
        """A negotiation round with a group customer (洽谈): logged as a visit with purpose
        ``negotiation``; feedback is owed within 2 working days."""
        if self.profile.kind != "group":
            text = t("tui.promise.negotiation_group_only", customer_no=self.customer_no)
            self.notify(text, severity="warning", markup=False)
            return

        def then(result: ContactOutcome | None) -> None:
            if result is not None:
                self.log_contact("visit", result, "negotiation")

        self._dialog(ContactOutcomeDialog("visit", self.profile.name, self.customer_no), then)

    def action_at_risk(self) -> None:
        """The highlighted holding's promised activation is at risk (the holdings tab): the
        customer must be told 2 working days before the promised date (asked if unknown)."""
        holdings = self.data.holdings
        table = self.query_one("#table-holdings", DataTable)
        if not holdings or not 0 <= table.cursor_row < len(holdings):
            self.notify(t("tui.promise.no_holding"), severity="warning", markup=False)
            return
        holding = holdings[table.cursor_row]
        if holding.promised_on is not None:
            self.write_at_risk(holding.product, None)
            return
        dialog = PromptDialog(
            t("tui.promise.promised_title", product=holding.product),
            "YYYY-MM-DD",
            _day,
            t("tui.promise.bad_day"),
        )
        self._dialog(dialog, lambda day: day and self.write_at_risk(holding.product, day))

    @work(thread=True, exit_on_error=False, group="action")
    def write_at_risk(self, product: str, day: date | None) -> None:
        out = self.workbench.promises.at_risk(self.customer_no, product, day)
        self.post_message(self.Done(t("tui.promise.made", due=local_time(out.promise_due))))

    def action_add_task(self) -> None:
        """Add a task on this customer (due date, time and note)."""
        dialog = NewTaskDialog(self.customer_no, self.profile.name)
        self._dialog(dialog, self._after("tui.c360.task_added"))

    def action_complaint(self) -> None:
        """Take a complaint from this customer."""
        dialog = NewComplaintDialog(self.customer_no, self.profile.name)
        self._dialog(dialog, self._after("tui.c360.complaint_opened"))

    def action_onsite(self) -> None:
        """Record today's on-site service day (驻点); only at a group customer."""
        if self.profile.kind != "group":
            text = t("onsite.group_only", customer_no=self.customer_no)
            self.notify(text, severity="warning", markup=False)
            return
        dialog = OnsiteDayDialog(self.customer_no, self.profile.name)
        self._dialog(dialog, self._after("tui.c360.onsite_recorded"))

    def action_edit(self) -> None:
        """Edit the basic data; a conflict or bad input keeps the form open with the input."""
        self._dialog(EditCustomerDialog(self.profile), self._after("tui.c360.saved", mask=True))

    def action_edit_contact(self) -> None:
        """The highlighted contact's key-person role and mark (the contacts tab)."""
        from cmworkbench.screens.dialogs.edit_contact import EditContactDialog

        contacts = self.data.contacts
        table = self.query_one("#table-contacts", DataTable)
        if not contacts or not 0 <= table.cursor_row < len(contacts):
            self.notify(t("tui.contact_edit.none"), severity="warning", markup=False)
            return
        contact = contacts[table.cursor_row]
        self._dialog(EditContactDialog(self.customer_no, contact), self._after("tui.c360.saved"))

    def _after(self, key: str, *, mask: bool = False) -> Callable[[object], None]:
        def then(result: object) -> None:
            if result is None:
                return
            if mask:
                self.revealed.clear()
            self.post_message(self.Done(t(key)))

        return then

    def action_assign(self) -> None:
        """A customer in the branch pool: give it to a colleague (supervisors, the branch head
        and the admin), chosen from those who may hold it, the smallest book first."""
        if self.profile.owner_login is not None:
            text = t("tui.c360.not_pooled", customer_no=self.customer_no)
            self.notify(text, severity="warning", markup=False)
            return
        self.load_candidates()

    @work(thread=True, exit_on_error=False, group="action")
    def load_candidates(self) -> None:
        """Read who may be given the customer, in a thread; then offer them."""
        found = self.workbench.customers.pool_candidates(self.customer_no)
        line = "tui.c360.pool_candidate"
        choices = [
            (c.login, t(line, name=c.name, login=c.login, book=c.book, households=c.households))
            for c in found
        ]
        self.app.call_from_thread(self._offer, choices)

    def _offer(self, choices: list[tuple[str, str]]) -> None:
        if not choices:
            self.notify(t("pool.reason.nobody_eligible"), severity="warning", markup=False)
            return

        def then(login: str | None) -> None:
            if login is not None:
                self.assign(login)

        self._dialog(ChooseColleagueDialog(t("tui.c360.pool_title"), choices), then)

    @work(thread=True, exit_on_error=False, group="action")
    def assign(self, login: str) -> None:
        """Give the customer to ``login`` in a thread."""
        (move,) = self.workbench.customers.pool_assign([self.customer_no], login)
        self.post_message(self.Done(t("tui.c360.pool_assigned", name=move.to_name, login=login)))

    # -- direct actions -------------------------------------------------------------------

    def action_mark_verified(self) -> None:
        """Verify the file with the customer, field by field: each confirmed or corrected."""
        self.load_file_check()

    @work(thread=True, exit_on_error=False, group="action")
    def load_file_check(self) -> None:
        """Read the fields the verification asks in a thread; then open the form."""
        check = self.workbench.customers.file_check(self.customer_no)
        self.app.call_from_thread(self._verify_form, check)

    def _verify_form(self, check: FileCheck) -> None:
        def then(done: VerificationOut | None) -> None:
            if done is None:
                return
            self.revealed.clear()
            corrected = ", ".join(t(f"customer.field.{name}") for name in done.corrected)
            text = t(
                "tui.c360.verified",
                checked=len(done.checked),
                right=len(done.checked) - len(done.corrected),
                corrected=corrected or "—",
            )
            self.post_message(self.Done(text))

        self._dialog(VerifyFileDialog(check), then)

    def action_confirm_directory(self) -> None:
        """Record that the group's staff directory (通讯录) was gone through with it today."""
        self.confirm_directory()

    @work(thread=True, exit_on_error=False, group="action")
    def confirm_directory(self) -> None:
        """Write the refresh in a thread."""
        self.workbench.customers.confirm_directory(self.customer_no)
        self.post_message(self.Done(t("tui.c360.directory_confirmed")))

    def action_reveal(self) -> None:
        """Show the clear phone and ID number (audited); pressed again, mask them."""
        if self.revealed:
            self.mask()
        else:
            fields = [name for name in MASKED_FIELDS if getattr(self.profile, name)]
            if fields:
                self.reveal(fields)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reveal")
    def reveal(self, fields: list[str]) -> None:
        """Ask the service for each clear value (each reveal is written to the audit log)."""
        values = {name: self.workbench.customers.reveal(self.customer_no, name) for name in fields}
        self.post_message(self.Revealed(values))

    @on(Revealed)
    def show_revealed(self, message: Revealed) -> None:
        """Show the clear values, unless the screen was left meanwhile."""
        if self.is_current:
            self.revealed = message.values
            self._show_profile()

    def mask(self) -> None:
        """Mask every revealed value again."""
        self.revealed = {}
        self._show_profile()

    def _show_profile(self) -> None:
        panel = self.query_one(CustomerProfilePanel)
        panel.show(self.profile, self.data.next_contact, self.revealed)

    def action_tab(self, step: int) -> None:
        """Go to the next (or previous) tab."""
        tabs = self.query_one(TabbedContent)
        panes = [f"tab-{section}" for section in SECTIONS] + ["tab-opportunities"]
        current = panes.index(tabs.active) if tabs.active in panes else 0
        tabs.active = panes[(current + step) % len(panes)]

    def action_back(self) -> None:
        """Back to the search."""
        self.mask()
        self.dismiss()
