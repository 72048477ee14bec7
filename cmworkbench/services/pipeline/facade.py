"""Referrals and leads as a session works them (``workbench.referrals``, ``workbench.leads``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.pipeline.schemas import (
        LeadMove,
        LeadOut,
        ReferralBoard,
        ReferralMade,
        ReferralOut,
    )


class ReferralsFacade(Facade):
    """Referring a customer or a prospect, the lists, the outcome, who brings business."""

    new: UseCase[ReferralMade] = UseCase("pipeline.referrals:refer")
    list: UseCase[list[ReferralOut]] = UseCase("pipeline.referrals:list_referrals")
    outcome: UseCase[ReferralOut] = UseCase("pipeline.referrals:mark_outcome")
    board: UseCase[ReferralBoard] = UseCase("pipeline.board:referral_board")


class LeadsFacade(Facade):
    """The leads in the pool and in the managers' hands: allocating, contacting, merging."""

    allocate: UseCase[list[LeadMove]] = UseCase("pipeline.leads:allocate")
    allocate_by_rule: UseCase[list[LeadMove]] = UseCase("pipeline.leads:allocate_by_rule")
    contact: UseCase[LeadOut] = UseCase("pipeline.leads:contact_lead")
    merge: UseCase[LeadOut] = UseCase("pipeline.leads:merge_lead")
    drop: UseCase[LeadOut] = UseCase("pipeline.leads:drop_lead")
    list: UseCase[list[LeadOut]] = UseCase("pipeline.leads:list_leads")
