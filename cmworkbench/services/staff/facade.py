"""Colleagues, the team board and the work log as a session sees them (``workbench.staff``,
``workbench.worklog``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.staff.schemas import (
        LeaveOut,
        ManagerLoad,
        MarketReportOut,
        StaffLine,
        StaffOut,
        TeamTask,
        WorkLogOut,
    )


class StaffFacade(Facade):
    """The colleagues in scope, the team board, giving a task to a colleague, leave."""

    directory: UseCase[list[StaffOut]] = UseCase("staff.directory:list_staff")
    board: UseCase[list[ManagerLoad]] = UseCase("staff.board:team_board")
    tasks_of: UseCase[list[TeamTask]] = UseCase("staff.board:team_tasks")
    reassign_task: UseCase[TeamTask] = UseCase("staff.board:reassign_task")
    record_leave: UseCase[LeaveOut] = UseCase("staff.leave:add_leave")


class WorklogFacade(Facade):
    """What a person reports to the supervisor: the daily work log (工作日志: the draft,
    saving, submitting, who has not) and the monthly market report (市场信息报告)."""

    draft: UseCase[WorkLogOut] = UseCase("staff.worklog:draft_for_day")
    save: UseCase[WorkLogOut] = UseCase("staff.worklog:save")
    submit: UseCase[WorkLogOut] = UseCase("staff.worklog:submit")
    missing: UseCase[list[StaffLine]] = UseCase("staff.worklog:missing_for_team")
    market_submit: UseCase[MarketReportOut] = UseCase("staff.market:submit_market_report")
    market_list: UseCase[list[MarketReportOut]] = UseCase("staff.market:list_market_reports")
    market_ack: UseCase[MarketReportOut] = UseCase("staff.market:acknowledge_market_report")
