"""Referrals and leads as a session works them (``workbench.referrals``, ``workbench.leads``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.pipeline.schemas import (
        LeadMove,
        LeadOut,
        OpportunityDetail,
        OpportunityOut,
        PipelineView,
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


class OpportunitiesFacade(Facade):
    """Opportunities through the pipeline's steps: making, moving, the proposal's round trip
    with the supervisor, the outcome, the lists and the pipeline view."""

    new: UseCase[OpportunityOut] = UseCase("pipeline.opportunities:new_opportunity")
    move: UseCase[OpportunityOut] = UseCase("pipeline.opportunities:move")
    propose: UseCase[OpportunityOut] = UseCase("pipeline.proposals:propose")
    approve: UseCase[OpportunityOut] = UseCase("pipeline.proposals:approve")
    return_proposal: UseCase[OpportunityOut] = UseCase("pipeline.proposals:return_proposal")
    next_step: UseCase[OpportunityOut] = UseCase("pipeline.opportunities:set_next_step")
    won: UseCase[OpportunityOut] = UseCase("pipeline.opportunities:won")
    lost: UseCase[OpportunityOut] = UseCase("pipeline.opportunities:lost")
    show: UseCase[OpportunityDetail] = UseCase("pipeline.opportunity_views:show")
    waiting: UseCase[list[OpportunityOut]] = UseCase("pipeline.opportunity_views:waiting_proposals")
    board: UseCase[PipelineView] = UseCase("pipeline.opportunity_views:pipeline_view")
    list: UseCase[list[OpportunityOut]] = UseCase("pipeline.opportunity_views:list_opportunities")
