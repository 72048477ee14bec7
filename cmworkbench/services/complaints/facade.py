"""Complaint tickets as a session works them (``workbench.complaints``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail, ComplaintRow, SweepOut


class ComplaintsFacade(Facade):
    """Taking a complaint, the ticket lists, one ticket, its lifecycle, the SLA sweep."""

    open: UseCase[str] = UseCase("complaints.tickets:open_complaint")
    tickets: UseCase[list[ComplaintRow]] = UseCase("complaints.tickets:list_complaints")
    detail: UseCase[ComplaintDetail] = UseCase("complaints.tickets:complaint_detail")
    act: UseCase[ComplaintDetail] = UseCase("complaints.tickets:act")
    notices: UseCase[list[tuple[datetime, str]]] = UseCase("complaints.tickets:notices")
    sweep: UseCase[SweepOut] = UseCase("complaints.sla:sweep")
