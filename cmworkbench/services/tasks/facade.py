"""The day's work as a session calls it (``workbench.tasks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.tasks.schemas import (
        ContactLogged,
        OpenTask,
        TaskChange,
        TodayPlan,
        TodayRow,
    )


class TasksFacade(Facade):
    """Today's list and its counts; logging contacts; adding and working tasks."""

    today: UseCase[list[TodayRow]] = UseCase("tasks.plan:today_list")
    plan: UseCase[TodayPlan] = UseCase("tasks.lead:today_with_leads")
    backlog: UseCase[list[TodayRow]] = UseCase("tasks.plan:backlog_rows")
    pull: UseCase[int] = UseCase("tasks.plan:pull")
    counts: UseCase[dict[str, int]] = UseCase("tasks.plan:today_counts")
    log_contact: UseCase[ContactLogged] = UseCase("tasks.contacts:log_contact")
    open_tasks: UseCase[list[OpenTask]] = UseCase("tasks.contacts:open_tasks")
    add: UseCase[int] = UseCase("tasks.actions:add_task")
    log_call: UseCase[TaskChange] = UseCase("tasks.actions:log_task_call")
    log_visit: UseCase[TaskChange] = UseCase("tasks.actions:log_task_visit")
    snooze: UseCase[TaskChange] = UseCase("tasks.actions:snooze_task")
    complete: UseCase[TaskChange] = UseCase("tasks.actions:complete_task")
