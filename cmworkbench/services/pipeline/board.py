"""Who brings business (the supervisor's daily look at referrals, the bank CRM practice deck):
per referrer and per team, the referrals made in a period, how many reached a manager and were
contacted by the first-contact deadline, how many converted and the conversion rate; per
manager, the referrals received, contacted in time and converted.

Each rate is over the referrals *decided*: the contact rate over those contacted or past
their first-contact deadline, the conversion rate over those converted, lost, or past their
window without converting. A referral whose deadline or window is still ahead counts in the
referrals, not in the rate, so a young month is not read as a bad one. The board takes the
referrals *made* in the period as they stand now (who brought what this month); the report's
``referral_contacted`` and ``referral_conversion`` figures (:mod:`..reports.figures`) take
the referrals *decided* in the period, per receiving manager, with the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Referral, Staff, Team
from cmworkbench.domain.enums import ReferralStatus
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.pipeline.referrals import visible
from cmworkbench.services.pipeline.schemas import ReferralBoard, ReferrerLine

WHOLE = "*"


def referral_board(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
) -> ReferralBoard:
    """The referrals made from ``start`` to ``end`` (branch-local days, inclusive; default: the
    month so far) that ``actor`` may see, counted per referrer, team and receiving manager."""
    today = clock.today()
    end = end or today
    start = start or end.replace(day=1)
    if start > end:
        raise InvalidInput(t("report.bad_period", start=start, end=end))
    first, _ = clock.day_bounds(start)
    _, last = clock.day_bounds(end)
    by, to, team = aliased(Staff), aliased(Staff), aliased(Team)
    rows = session.exec(
        select(Referral, by, team.name, to)  # type: ignore[call-overload]
        .join(by, col(by.id) == col(Referral.referrer_id))
        .outerjoin(team, col(team.id) == col(by.team_id))
        .outerjoin(to, col(to.id) == col(Referral.to_id))
        .where(visible(actor), col(Referral.at) >= first, col(Referral.at) < last)
    ).all()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    names: dict[tuple[str, str], tuple[str, str | None]] = {}
    now = clock.now()
    for referral, referrer, team_name, manager in rows:
        facts = _facts(referral, today, now)
        keys = [("referrer", referrer.login), ("team", team_name or "—"), ("total", WHOLE)]
        names[("referrer", referrer.login)] = (referrer.name, team_name)
        names[("team", team_name or "—")] = (team_name or "—", None)
        if manager is not None:
            keys.append(("manager", manager.login))
            names[("manager", manager.login)] = (manager.name, None)
        for key in keys:
            for i, value in enumerate(facts):
                counts[key][i] += value

    def lines(kind: str) -> tuple[ReferrerLine, ...]:
        found = [
            ReferrerLine(key, *names.get((k, key), (key, None)), *values)  # type: ignore[misc]
            for (k, key), values in counts.items()
            if k == kind
        ]
        # the most conversions first, then the most referrals; ties by key: a stable order
        return tuple(sorted(found, key=lambda line: (-line.converted, -line.referrals, line.key)))

    total = counts.get(("total", WHOLE), [0, 0, 0, 0, 0, 0])
    return ReferralBoard(
        start=start,
        end=end,
        referrers=lines("referrer"),
        teams=lines("team"),
        managers=lines("manager"),
        total=ReferrerLine(WHOLE, t("referral.board.total"), None, *total),
    )


def _facts(referral: Referral, today: date, now: datetime) -> tuple[int, int, int, int, int, int]:
    """(referrals, received, contacted in time, contact decided, converted, decided) for one
    referral."""
    received = referral.received_at is not None
    due = referral.contact_due
    in_time = referral.contacted_at is not None and due is not None and referral.contacted_at <= due
    contact_decided = due is not None and (referral.contacted_at is not None or due < now)
    converted = referral.status == ReferralStatus.CONVERTED
    decided = converted or referral.status == ReferralStatus.LOST or referral.window_ends < today
    return 1, int(received), int(in_time), int(contact_decided), int(converted), int(decided)
