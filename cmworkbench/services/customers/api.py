"""What other capabilities may call of customers, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.customers.edit import apply_changes, shown
from cmworkbench.services.customers.file_fields import asked_fields
from cmworkbench.services.customers.group_directory import refreshed_by_import
from cmworkbench.services.customers.ownership import chosen_customers, move_customers, partners
from cmworkbench.services.customers.pool import EVERY_AREA, kept_by, pool_keepers, waiting

__all__ = [
    "EVERY_AREA",
    "apply_changes",
    "asked_fields",
    "chosen_customers",
    "kept_by",
    "move_customers",
    "partners",
    "pool_keepers",
    "refreshed_by_import",
    "shown",
    "waiting",
]
