"""What other capabilities may call of the goals, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.goals.actuals import per_staff, period_days
from cmworkbench.services.goals.setting import adjust, adjust_holders, set_goal

__all__ = ["adjust", "adjust_holders", "per_staff", "period_days", "set_goal"]
