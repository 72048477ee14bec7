"""What other capabilities may call of reports, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.reports.overview import overview
from cmworkbench.services.reports.report import teams_below_target

__all__ = ["overview", "teams_below_target"]
