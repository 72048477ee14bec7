"""What other capabilities may call of complaints, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.complaints.events import add_event
from cmworkbench.services.complaints.intake import ticket_number
from cmworkbench.services.complaints.lead import lead_tickets
from cmworkbench.services.complaints.queries import deadlines_on
from cmworkbench.services.complaints.sla import refresh_all

__all__ = ["add_event", "deadlines_on", "lead_tickets", "refresh_all", "ticket_number"]
