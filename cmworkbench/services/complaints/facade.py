"""Complaint tickets as a session works them (``workbench.complaints``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail, ComplaintRow, SweepOut


class ComplaintsFacade(Facade):
    """Taking a complaint, the ticket lists, one ticket, its lifecycle, the SLA sweep."""

    open: UseCase[str] = UseCase("complaints.intake:open_complaint")
    tickets: UseCase[list[ComplaintRow]] = UseCase("complaints.queries:list_complaints")
    detail: UseCase[ComplaintDetail] = UseCase("complaints.queries:complaint_detail")
    act: UseCase[ComplaintDetail] = UseCase("complaints.lifecycle:act")
    notices: UseCase[list[tuple[datetime, str]]] = UseCase("complaints.queries:notices")
    sweep: UseCase[SweepOut] = UseCase("complaints.sla:sweep")
