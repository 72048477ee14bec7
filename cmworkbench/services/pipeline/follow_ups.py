"""What the rest of the workbench asks of the opportunities (through :mod:`.api`): a
negotiation round's feedback promise is about the customer's open opportunity, and the
morning's generation brings quiet ones back to their owners' Today."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Opportunity, Promise, Task
from cmworkbench.domain import pipeline as rules
from cmworkbench.domain.pipeline import QUIET_KEY
from cmworkbench.i18n import t
from cmworkbench.services.pipeline.opportunity_records import QUIET_RULE, follow_up


def negotiated(
    session: Session, customer_id: int, owner_id: int | None, *, interaction_id: int
) -> int | None:
    """A negotiation round with ``customer_id`` was logged (contact ``interaction_id``): its
    feedback promise is about the customer's open opportunity (the owner's, else anyone's,
    with the latest step), so a breach shows on it. Returns the opportunity's id, if any."""
    query = select(Opportunity.id).where(
        col(Opportunity.customer_id) == customer_id, col(Opportunity.status) == "open"
    )
    latest = (col(Opportunity.last_step_at).desc(), col(Opportunity.id).desc())
    found = None
    if owner_id is not None:
        found = session.exec(
            query.where(col(Opportunity.owner_id) == owner_id).order_by(*latest)
        ).first()
    if found is None:
        found = session.exec(query.order_by(*latest)).first()
    if found is not None:
        session.connection().execute(
            update(Promise)
            .where(
                col(Promise.interaction_id) == interaction_id,
                col(Promise.kind) == "negotiation_feedback",
            )
            .values(opportunity_id=found)
        )
    return found


def quiet_tasks(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """The daily generation's part: a follow-up on the owner's Today for every open
    opportunity with no step for ``stale_days`` or its next step past due (one per quiet
    spell: taking a step closes it, and a new spell makes a new one). Returns how many."""
    now = now or clock.now()
    since = now - timedelta(days=settings.pipeline.stale_days)
    quiet = session.exec(
        select(Opportunity).where(
            col(Opportunity.status) == "open",
            or_(
                col(Opportunity.last_step_at) < since,
                col(Opportunity.next_due) < now,
            ),
        )
    ).all()
    made = 0
    for opp in quiet:
        key = QUIET_KEY.format(id=opp.id, since=opp.last_step_at.strftime("%Y%m%d%H%M%S"))
        if session.exec(select(Task.id).where(col(Task.idem_key) == key)).first() is not None:
            continue
        days = (now - opp.last_step_at).days
        stage = rules.stage_label(settings.pipeline, opp.stage)
        if opp.next_due is not None and opp.next_due < now:
            reason = t("opportunity.quiet_due", id=opp.id, stage=stage, step=opp.next_step or "")
        else:
            reason = t("opportunity.quiet_task", id=opp.id, stage=stage, days=days)
        follow_up(session, opp, reason, QUIET_RULE, key, now)
        made += 1
    session.flush()
    return made
