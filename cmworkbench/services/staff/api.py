"""What other capabilities may call of the people of the branch, inside their own unit of work.

A capability reaches another through its ``schemas``, its facade and this module only
(import-linter says so in ``pyproject.toml``); what is not here is the package's own business.
"""

from __future__ import annotations

from cmworkbench.services.staff.board import (
    BOOK_ROLES,
    LEADS,
    led_members,
    on_leave_ids,
    submitted_ids,
    team_attention,
    team_members,
)
from cmworkbench.services.staff.people import add_staff, edit_staff, staff_detail

__all__ = [
    "BOOK_ROLES",
    "LEADS",
    "add_staff",
    "edit_staff",
    "led_members",
    "on_leave_ids",
    "staff_detail",
    "submitted_ids",
    "team_attention",
    "team_members",
]
