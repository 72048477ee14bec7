"""The month view of a manager's visits (拜访月视图): every visit of the month, day by day.

Read-only: visits are planned and moved in the weekly plan
(:mod:`cmworkbench.services.visits.plans`). The same scope as a week's plan: a manager reads their
own month, a supervisor a team member's, a branch head a colleague's in the branch.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from cmworkbench.config import Settings
from cmworkbench.db.models import Contact, Customer, VisitPlan, VisitPlanItem
from cmworkbench.domain import visits as rules
from cmworkbench.i18n import t
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.visits.plans import LABEL_PREFIX, calendar_of, item_out, plan_owner
from cmworkbench.services.visits.schemas import MonthVisits


def month_visits(
    *,
    session: Session,
    actor: Actor,
    settings: Settings | None = None,
    month: str,
    owner_login: str | None = None,
) -> MonthVisits:
    """The visits of ``month`` (``YYYY-MM``) of the actor, or of ``owner_login`` in scope."""
    settings = settings or Settings()
    try:
        first, after = rules.month_bounds(month)
    except ValueError:
        raise FieldsInvalid(
            {"month": t("visits.bad_month", month=month)}, label_prefix=LABEL_PREFIX
        ) from None
    owner = plan_owner(session, actor, owner_login)
    tz = calendar_of(settings).tz
    begin = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(after, time(), tz).astimezone(UTC)
    query = (
        select(VisitPlanItem, Customer, Contact)
        .join(VisitPlan, col(VisitPlan.id) == col(VisitPlanItem.plan_id))
        .join(Customer, col(Customer.id) == col(VisitPlanItem.customer_id))
        .join(Contact, col(Contact.id) == col(VisitPlanItem.contact_id), isouter=True)
        .where(
            col(VisitPlan.owner_id) == owner.id,
            col(VisitPlanItem.starts_at) >= begin,
            col(VisitPlanItem.starts_at) < end,
        )
        .order_by(col(VisitPlanItem.starts_at), col(VisitPlanItem.id))
    )
    items = tuple(item_out(i, c, k, ()) for i, c, k in session.exec(query).all())
    counts = Counter(_local_day(i.starts_at, settings) for i in items)
    return MonthVisits(
        month=rules.month_of(first),
        owner_login=owner.login,
        owner_name=owner.name,
        items=items,
        per_day=tuple(sorted(counts.items())),
    )


def _local_day(instant: datetime, settings: Settings) -> date:
    return instant.astimezone(calendar_of(settings).tz).date()
