"""What other capabilities may call of credit files, inside their own unit of work (a logged
visit closes a post-loan check; the scheduler's sweep escalates late ones)."""

from __future__ import annotations

from cmworkbench.services.credit.post_loan import TASK_KEY, check_done, escalate_overdue

__all__ = ["TASK_KEY", "check_done", "escalate_overdue"]
