"""Opening a customer's 360 view from a list: Today, Customers, the team board."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.worker import get_current_worker

from cmworkbench.screens.base import BaseScreen
from cmworkbench.screens.customer360 import Customer360Screen

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import Customer360


class OpensCustomer(BaseScreen):
    """A screen whose rows open the customer 360 view over it (Esc comes back).

    The view is loaded first, in a worker, so a refusal (out of scope, not found) is a
    notification and no empty screen opens.
    """

    KEY_WORKERS = frozenset({"open"})
    """Keys typed after ``Enter`` go to the 360 view it opens."""

    @dataclass
    class CustomerLoaded(Message):
        """A customer's 360 view, ready to show."""

        data: Customer360

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_customer(self, customer_no: str) -> None:
        """Load the 360 view of ``customer_no`` in a thread."""
        data = self.workbench.customers.view(customer_no)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CustomerLoaded(data))

    @on(CustomerLoaded)
    def show_customer(self, message: CustomerLoaded) -> None:
        """Push the 360 view over this screen."""
        if self.is_current:
            self.app.push_screen(Customer360Screen(message.data))
