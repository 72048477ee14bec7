"""What other capabilities may call of visits, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.visits.approval import waiting_plans
from cmworkbench.services.visits.onsite import monthly_summary
from cmworkbench.services.visits.plans import day_visits, find_plan, touch

__all__ = ["day_visits", "find_plan", "monthly_summary", "touch", "waiting_plans"]
