"""What other capabilities may call of the pipeline, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.pipeline.conversion import convert
from cmworkbench.services.pipeline.first_contact import customer_reached, deadline
from cmworkbench.services.pipeline.follow_ups import negotiated, quiet_tasks
from cmworkbench.services.pipeline.leads import customers_arrived
from cmworkbench.services.pipeline.opportunity_views import waiting_proposals

__all__ = [
    "convert",
    "customer_reached",
    "customers_arrived",
    "deadline",
    "negotiated",
    "quiet_tasks",
    "waiting_proposals",
]
