"""What other capabilities may call of the day's work, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.tasks.actions import REASON_CHARS
from cmworkbench.services.tasks.closing import (
    close_directory_tasks,
    close_directory_tasks_of,
    close_monthly_task,
    close_verify_tasks,
    open_tasks_of,
)
from cmworkbench.services.tasks.contacts import record_contact
from cmworkbench.services.tasks.plan import day_summary
from cmworkbench.services.tasks.retention import MemberDrop, member_dropped, open_for_member_drops

__all__ = [
    "REASON_CHARS",
    "MemberDrop",
    "close_directory_tasks",
    "close_directory_tasks_of",
    "close_monthly_task",
    "close_verify_tasks",
    "day_summary",
    "member_dropped",
    "open_for_member_drops",
    "open_tasks_of",
    "record_contact",
]
