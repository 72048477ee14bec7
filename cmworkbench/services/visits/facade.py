"""Visit plans, records and on-site days as a session works them (``workbench.visits``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.visits.schemas import (
        MonthVisits,
        OnsiteDayOut,
        OnsiteSummaryRow,
        PlanVsActual,
        ProposedVisit,
        VisitRecorded,
        WaitingPlan,
        WeekPlan,
    )


class VisitsFacade(Facade):
    """A week's and a month's plan, proposals, editing visits, approval, the record of a
    visit, plan against actual, the week as iCalendar, on-site service days."""

    week: UseCase[WeekPlan] = UseCase("visits.plans:week_plan")
    month: UseCase[MonthVisits] = UseCase("visits.month:month_visits")
    propose: UseCase[list[ProposedVisit]] = UseCase("visits.proposals:propose")
    add_proposals: UseCase[int] = UseCase("visits.proposals:add_proposals")
    add: UseCase[int] = UseCase("visits.plans:add_item")
    checklist: UseCase[None] = UseCase("visits.plans:set_checklist")
    shift: UseCase[None] = UseCase("visits.plans:shift_item")
    remove: UseCase[None] = UseCase("visits.plans:remove_item")
    submit: UseCase[str] = UseCase("visits.approval:submit")
    waiting: UseCase[list[WaitingPlan]] = UseCase("visits.approval:waiting_plans")
    approve: UseCase[str] = UseCase("visits.approval:approve")
    send_back: UseCase[str] = UseCase("visits.approval:return_plan")
    record: UseCase[VisitRecorded] = UseCase("visits.records:record_visit")
    plan_vs_actual: UseCase[list[PlanVsActual]] = UseCase("visits.records:plan_vs_actual")
    ical: UseCase[bytes] = UseCase("visits.ical:export_week")
    onsite_record: UseCase[int] = UseCase("visits.onsite:record_onsite_day")
    onsite_counts: UseCase[OnsiteDayOut] = UseCase("visits.onsite:update_onsite_counts")
    onsite_summary: UseCase[list[OnsiteSummaryRow]] = UseCase("visits.onsite:monthly_summary")
