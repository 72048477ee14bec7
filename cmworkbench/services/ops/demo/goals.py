"""The demo branch's sales goals (销售目标) for its year, so the leaderboard is alive on the
first morning.

Set as the branch head would, through the goals services, once the demo's data is written:
each configured measure's year goal is the branch's own pace, what it did in the last 30 days
times twelve, times :data:`FACTOR` (two significant figures: 4,800 new customers,
2,500,000,000 yuan). Broken down by book size where the book makes the figures (new
customers, deposits, products) and evenly where the work does (visits, opportunities,
referrals); then the head's correction of the month, by hand: phone managers serve their
customers by phone, so their visits go to the field teams (all at once:
:func:`~cmworkbench.services.goals.api.adjust_holders`).

So by the demo's Monday, two thirds into the month, the branch has done about 70–95% of the
month's goal and most managers 60–120% of theirs, a few far ahead or behind: deposits most (a
handful of A1 customers' deposits make most of a month's yuan), and opportunities won and
referrals converted are a few a month for the whole branch (most managers' month goal is 0
or 1).

Nothing random: the goals follow from the seeded data, so the same seed gives the same goals.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Goal, Staff
from cmworkbench.domain.enums import Role
from cmworkbench.domain.goals import base_measure
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.goals import api as goals

HEAD_LOGIN = "head"
"""The demo's branch head (:mod:`.staff`), who sets the goals."""
PACE_DAYS = 30
"""The goals follow the branch's pace over these days, up to yesterday."""
RULES = {
    "new_customers": "book",
    "deposit_growth": "book",
    "products_opened": "book",
    "won_value": "book",
    "opportunities_won": "even",
    "referrals_converted": "even",
    "visits_done": "even",
}
"""How each measure is shared over teams and managers (a measure not named: ``book``)."""
FACTOR = 0.85
"""The year's goal against the recent pace: the last 30 days are the demo's busiest (its history
thins out further back), and a goal a little under them puts the month's results near it."""
LEAST = 12
"""A year's goal is at least this (one a month), whatever a small demo's pace."""
MEASURE = "visits_done"
"""The measure of the head's correction of the month."""


def set_goals(session: Session, settings: Settings) -> int:
    """Set and break down the demo year's goal of every configured measure, then the head's
    corrections of the month; returns the goals written."""
    head = find_actor(session.connection(), HEAD_LOGIN)
    today = clock.today()
    year, month = today.year, f"{today.year}-{today.month:02d}"
    first, last = today - timedelta(days=PACE_DAYS), today - timedelta(days=1)
    written = 0
    for measure in settings.goals.measures:
        done = sum(goals.per_staff(session, settings, measure, first=first, last=last).values())
        made = goals.set_goal(
            session=session,
            actor=head,
            settings=settings,
            measure=measure,
            year=year,
            amount=max(_nice(int(done * 12 * FACTOR)), LEAST),
            rule=RULES.get(base_measure(measure), "book"),
        )
        written += made.written
    if MEASURE in settings.goals.measures:
        _visits_to_the_field(session, settings, head, month)
    return written


def _nice(amount: int) -> int:
    """``amount`` to two significant figures, as a branch states a goal: 4,693 → 4,700."""
    if amount < 100:
        return amount
    unit = 10 ** (len(str(amount)) - 2)
    return (amount + unit // 2) // unit * unit


def _visits_to_the_field(session: Session, settings: Settings, head: Actor, month: str) -> None:
    """The head's correction of the month: phone managers' visits go to the field teams. A team
    of phone managers only is set to none (the other teams take it up); a field team with
    phone managers in it is first lowered by their shares, then each of them is set to none
    (the team's field managers take it up, so they end where they were)."""
    phone = Role.PHONE_MANAGER.value
    rows = session.exec(
        select(Staff.id, Staff.login, Staff.role, Staff.team_id)
        .where(
            col(Staff.branch_id) == head.branch_id,
            col(Staff.active),
            col(Staff.role).in_((Role.MANAGER.value, phone)),
        )
        .order_by(col(Staff.id))
    ).all()
    teams: dict[int | None, set[str]] = {}
    for _, _, role, team_id in rows:
        teams.setdefault(team_id, set()).add(role)
    goal = _month_goals(session, head.branch_id, month)
    changes: list[tuple[str, int]] = []  # (holder, amount), as the head types them
    for team_id, held in teams.items():
        if team_id is not None and held == {phone}:
            changes.append((f"team:{team_id}", 0))
            continue
        theirs = [i for i, _, role, at in rows if at == team_id and role == phone]
        if team_id is not None and theirs:
            lowered = goal[f"team:{team_id}"] - sum(goal[f"staff:{i}"] for i in theirs)
            changes.append((f"team:{team_id}", lowered))
        changes.extend((f"staff:{i}", 0) for i in theirs)
    if changes:
        goals.adjust_holders(
            session=session,
            actor=head,
            settings=settings,
            measure=MEASURE,
            month=month,
            changes=changes,
        )


def _month_goals(session: Session, branch_id: int, month: str) -> dict[str, int]:
    """Holder → the month's visits goal, as broken down."""
    found = session.exec(
        select(Goal.holder, Goal.amount).where(
            col(Goal.measure) == MEASURE,
            col(Goal.period) == month,
            col(Goal.branch_id) == branch_id,
        )
    ).all()
    return dict(found)
