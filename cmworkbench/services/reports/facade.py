"""Figures as a session reads them (``workbench.reports``): the shell's counts, the management
report, the records behind a figure, the weekly trend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.reports.schemas import DrillRow, Overview, Report, TrendPoint


class ReportsFacade(Facade):
    """The overview counts, the report per manager, team or branch, drill-down, trend."""

    overview: UseCase[Overview] = UseCase("reports.overview:overview")
    report: UseCase[Report] = UseCase("reports.report:report")
    drill: UseCase[list[DrillRow]] = UseCase("reports.report:drill")
    trend: UseCase[dict[str, list[TrendPoint]]] = UseCase("reports.report:weekly_trend")
