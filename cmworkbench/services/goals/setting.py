"""Setting sales goals and breaking them down, so every whole is the sum of its parts.

* :func:`set_goal`: the branch's goal of a measure for a year (the branch head or the admin),
  broken down at once by the rule (``[goals] rule`` or ``rule=``): over the year's months
  evenly (1,200 a year is 100 a month); each month over the teams (and the managers in no
  team) by the rule, each team's month over its managers by the rule; every holder's month
  over the month's weeks by working days on the branch calendar (the part of a week in the
  month). Yearly goals of teams and managers are the sums of their months. Largest remainder
  everywhere (:mod:`cmworkbench.domain.goals`), so every level sums exactly.
* :func:`adjust`: one team's or manager's goal of a month changed by hand; their siblings
  (the other teams of the branch, the other managers of the team) take up the difference in
  proportion to what they had, so the whole is kept; the weeks and years follow.
* :func:`show`: the goals of a period, within the actor's sight.

Rules over holders: ``even``; ``book``, by customers owned (a team: its managers' books);
``last_year``, by last year's actuals of the measure (:mod:`.actuals`), evenly where there were
none. Managers are the active managers and phone managers of the branch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Branch, Customer, Goal, Staff, Team
from cmworkbench.domain import goals as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.i18n import label, t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role, sees_no_book
from cmworkbench.services.core.validation import FieldsInvalid, choice_problem
from cmworkbench.services.goals.schemas import RULES, GoalChange, GoalOut

SETTING_ROLES = (Role.BRANCH_HEAD, Role.ADMIN)
"""Who sets the branch's goals and breaks them down."""
ADJUSTING_ROLES = (Role.BRANCH_HEAD, Role.ADMIN, Role.SUPERVISOR)
"""Who changes a share by hand (a supervisor: their own team's managers)."""
MANAGER_ROLES = (Role.MANAGER.value, Role.PHONE_MANAGER.value)
FIELDS = "goal.field."
MOST = 10**13
_YEAR = re.compile(r"^(20\d\d)$")
_MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class _Holder:
    key: str
    team_id: int | None
    staff_id: int | None


def _problems(found: dict[str, str | None]) -> None:
    bad = {k: v for k, v in found.items() if v}
    if bad:
        raise FieldsInvalid(bad, label_prefix=FIELDS)


def _measure_problem(settings: Settings, measure: str) -> str | None:
    return choice_problem(measure, settings.goals.measures)


@dataclass(frozen=True)
class Person:
    """An active colleague of the branch a goal or a ranking is about."""

    id: int
    login: str
    name: str
    team_id: int | None
    team: str | None


def branch_people(
    session: Session, branch_id: int, roles: Sequence[str] = MANAGER_ROLES
) -> list[Person]:
    """The active staff of ``branch_id`` with one of ``roles`` (default: the managers and
    phone managers, whom goals are shared over), by login, with their team's name."""
    rows = session.exec(
        select(Staff, Team.name)  # type: ignore[call-overload]
        .outerjoin(Team, col(Team.id) == col(Staff.team_id))
        .where(
            col(Staff.branch_id) == branch_id,
            col(Staff.active),
            col(Staff.role).in_(roles),
        )
        .order_by(col(Staff.login))
    ).all()
    return [Person(s.id or 0, s.login, s.name, s.team_id, team) for s, team in rows]


def _books(session: Session, staff_ids: Sequence[int]) -> dict[int, int]:
    if not staff_ids:
        return {}
    rows = session.exec(
        select(Customer.owner_id, func.count())
        .where(col(Customer.owner_id).in_(staff_ids))
        .group_by(col(Customer.owner_id))
    ).all()
    return {int(owner): int(n) for owner, n in rows if owner is not None}


def _weights(
    session: Session, settings: Settings, rule: str, measure: str, year: int, people: list[Person]
) -> dict[int, float]:
    """Each manager's weight under ``rule``."""
    ids = [p.id for p in people if p.id is not None]
    if rule == "book":
        books = _books(session, ids)
        return {i: float(books.get(i, 0)) for i in ids}
    if rule == "last_year":
        from cmworkbench.services.goals.actuals import per_staff  # the actuals read the books

        done = per_staff(session, settings, measure, f"{year - 1}")
        return {i: float(done.get(i, 0)) for i in ids}
    return {i: 1.0 for i in ids}


def _calendar(settings: Settings) -> BranchCalendar:
    return BranchCalendar.from_settings(settings.calendar)


def set_goal(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str,
    year: str | int,
    amount: str | int,
    rule: str | None = None,
) -> GoalChange:
    """Set the branch's ``measure`` goal for ``year`` and break it down (see the module):
    it replaces the measure's goals of that year (manual changes too)."""
    require_role(actor, SETTING_ROLES, "goal.role_set")
    chosen = rule or settings.goals.rule
    typed_year = str(year).strip()
    whole = _amount(str(amount))
    _problems(
        {
            "measure": _measure_problem(settings, measure),
            "year": None if _YEAR.match(typed_year) else t("goal.bad_year", value=year),
            "amount": None if whole is not None else t("goal.bad_amount", value=amount),
            "rule": choice_problem(chosen, RULES),
        }
    )
    assert whole is not None
    branch = session.get(Branch, actor.branch_id)
    if branch is None or branch.id is None:
        raise NotFound(t("goal.no_branch"))
    the_year = int(typed_year)
    people = branch_people(session, branch.id)
    weights = _weights(session, settings, chosen, measure, the_year, people)
    session.execute(
        delete(Goal).where(
            col(Goal.measure) == measure,
            col(Goal.branch_id) == branch.id,
            col(Goal.period).startswith(typed_year),
        )
    )
    rows: dict[tuple[str, str], int] = {}
    holders: dict[str, _Holder] = {
        f"branch:{branch.id}": _Holder(f"branch:{branch.id}", None, None)
    }
    months = rules.months(the_year)
    for month, month_whole in zip(months, rules.share(whole, [1.0] * 12), strict=True):
        _spread(rows, holders, f"branch:{branch.id}", month, month_whole, people, weights)
    calendar = _calendar(settings)
    for month in months:
        weeks = rules.month_weeks(month, calendar.is_workday)
        for key in list(holders):
            for week, part in zip(weeks, rules.week_shares(rows[(key, month)], weeks), strict=True):
                rows[(key, week.key)] = part
    for key in holders:
        rows[(key, typed_year)] = sum(rows[(key, m)] for m in months)
    now = clock.now()
    # One executemany, not an ORM object per row: a branch of 50 managers has 5,000 goals a
    # measure, and flushing that many objects costs seconds (``cmw demo`` sets six measures).
    # Nothing typed reaches these rows but the measure, checked against the config above.
    session.execute(
        insert(Goal.__table__),  # type: ignore[attr-defined]
        [
            {
                "measure": measure,
                "period": period,
                "holder": key,
                "branch_id": branch.id,
                "team_id": holders[key].team_id,
                "staff_id": holders[key].staff_id,
                "amount": value,
                "rule": "set" if key.startswith("branch") and period == typed_year else chosen,
                "updated_by_id": actor.id,
                "updated_at": now,
                "version": 1,
            }
            for (key, period), value in rows.items()
        ],
    )
    audit.record(
        session,
        actor=actor,
        action="set_goal",
        object_type="goal",
        detail=f"{measure} {typed_year} {whole} ({chosen})",
    )
    session.flush()
    return GoalChange(measure, typed_year, len(rows), ())


def _spread(
    rows: dict[tuple[str, str], int],
    holders: dict[str, _Holder],
    branch_key: str,
    month: str,
    whole: int,
    people: list[Person],
    weights: dict[int, float],
) -> None:
    """The branch's month over its teams (and the managers in no team), each team's over its
    managers, by the managers' weights."""
    rows[(branch_key, month)] = whole
    groups: dict[str, list[Person]] = {}
    for p in people:
        groups.setdefault(f"team:{p.team_id}" if p.team_id else f"staff:{p.id}", []).append(p)
    group_weight = {
        key: sum(weights.get(p.id or 0, 0.0) for p in members) for key, members in groups.items()
    }
    for key, value in rules.share_by(whole, group_weight).items():
        members = groups[key]
        rows[(key, month)] = value
        if key.startswith("team:"):
            holders[key] = _Holder(key, members[0].team_id, None)
            inner = rules.share_by(
                value, {f"staff:{p.id}": weights.get(p.id or 0, 0.0) for p in members}
            )
            for staff_key, part in inner.items():
                rows[(staff_key, month)] = part
                sid = int(staff_key.split(":")[1])
                holders[staff_key] = _Holder(staff_key, members[0].team_id, sid)
        else:
            holders[key] = _Holder(key, None, members[0].id)


def _amount(text: str) -> int | None:
    from cmworkbench.domain.pipeline import parse_yuan  # the same reading of 120万

    value = parse_yuan(text)
    return value if value is not None and value <= MOST else None


def adjust(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str,
    month: str,
    amount: str | int,
    login: str | None = None,
    team: str | None = None,
) -> GoalChange:
    """Set one manager's (``login``) or one team's (``team``, its name) goal of ``month`` by
    hand; the siblings take up the difference, so the team's (or the branch's) month is kept;
    the weeks and the years follow."""
    require_role(actor, ADJUSTING_ROLES, "goal.role_adjust")
    value = _amount(str(amount))
    _problems(
        {
            "measure": _measure_problem(settings, measure),
            "month": None if _MONTH.match(month.strip()) else t("goal.bad_month", value=month),
            "amount": None if value is not None else t("goal.bad_amount", value=amount),
            "who": None if bool(login) != bool(team) else t("goal.login_or_team"),
        }
    )
    assert value is not None
    month = month.strip()
    if login:
        staff = session.exec(
            select(Staff).where(
                col(Staff.login) == login.strip(), col(Staff.branch_id) == actor.branch_id
            )
        ).one_or_none()
        if staff is None or staff.id is None:
            raise NotFound(t("cli.unknown_login", login=login))
        if actor.role == Role.SUPERVISOR and (
            actor.team_id is None or staff.team_id != actor.team_id
        ):
            raise OutOfScope(t("goal.not_your_team", login=staff.login))
        key = f"staff:{staff.id}"
        parent = f"team:{staff.team_id}" if staff.team_id else f"branch:{actor.branch_id}"
    else:
        if actor.role == Role.SUPERVISOR:
            raise OutOfScope(t("goal.role_adjust", role=t("enum.role.supervisor")))
        found = session.exec(
            select(Team).where(
                col(Team.name) == (team or "").strip(), col(Team.branch_id) == actor.branch_id
            )
        ).one_or_none()
        if found is None:
            raise NotFound(t("goal.no_team", team=team))
        key, parent = f"team:{found.id}", f"branch:{actor.branch_id}"
    plan = _MonthPlan(session, settings, actor, measure, month)
    try:
        moved = plan.change(key, value, parent)
    except ValueError:
        whole = sum(plan.children(parent).values())
        raise FieldsInvalid(
            {"amount": t("goal.more_than_whole", whole=whole)}, label_prefix=FIELDS
        ) from None
    plan.write()
    out = [
        g
        for g in show(
            session=session, actor=actor, settings=settings, measure=measure, period=month
        )
        if g.holder in moved
    ]
    return GoalChange(measure, month, len(moved), tuple(out))


def adjust_holders(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str,
    month: str,
    changes: Sequence[tuple[str, int]],
) -> int:
    """Several of :func:`adjust`'s changes of one month in turn, each named by its holder
    (``team:ID``, ``staff:ID``) and already checked, written at once (the branch head's
    corrections of the demo's month); an audit entry each, as by hand. Returns the goals of
    the month changed."""
    require_role(actor, SETTING_ROLES, "goal.role_adjust")
    plan = _MonthPlan(session, settings, actor, measure, month)
    moved: set[str] = set()
    for key, value in changes:
        moved.update(plan.change(key, value))
    plan.write()
    return len(moved)


@dataclass(slots=True)
class _Row:
    """One goal as a :class:`_MonthPlan` leaves it."""

    id: int
    amount: int
    rule: str
    updated_by_id: int | None
    version: int


class _MonthPlan:
    """Changes of one measure's month worked out in memory and written with one statement.

    The month's goals, their weeks and their years are read once. A change is shared over
    the holder's siblings in proportion (:func:`rules.adjust`); each holder that moves has its
    weeks shared again and its year re-summed, and a team's managers take up its change in
    proportion. A team's change moves every team and manager of the branch: read and written
    row by row, one change took seconds, and the demo's corrections at a million customers a
    quarter of an hour.
    """

    def __init__(
        self, session: Session, settings: Settings, actor: Actor, measure: str, month: str
    ) -> None:
        self.session, self.actor, self.measure, self.month = session, actor, measure, month
        self.year = month[:4]
        self.weeks = rules.month_weeks(month, _calendar(settings).is_workday)
        # the month's goals in the order the database gives them: the order breaks the ties
        # of the largest-remainder shares, so it is kept from one change to the next
        found = session.exec(
            select(Goal).where(
                col(Goal.measure) == measure,
                col(Goal.period) == month,
                col(Goal.branch_id) == actor.branch_id,
            )
        ).all()
        self.order = [g.holder for g in found]
        self.team_of = {g.holder: g.team_id for g in found}
        self.amount = {g.holder: g.amount for g in found}
        periods = [month, *(w.key for w in self.weeks), self.year]
        self.rows: dict[tuple[str, str], _Row] = {}
        for g in session.exec(
            select(Goal).where(
                col(Goal.measure) == measure,
                col(Goal.branch_id) == actor.branch_id,
                col(Goal.period).in_(periods),
            )
        ):
            assert g.id is not None
            self.rows[(g.holder, g.period)] = _Row(
                g.id, g.amount, g.rule, g.updated_by_id, g.version
            )
        months = [m for m in rules.months(int(self.year)) if m != month]
        self.other_months = {
            holder: int(total or 0)
            for holder, total in session.exec(
                select(Goal.holder, func.sum(Goal.amount))
                .where(col(Goal.measure) == measure, col(Goal.period).in_(months))
                .group_by(col(Goal.holder))
            ).all()
        }
        """Holder → its goals of the year's other months (they do not change)."""
        self.touched: set[tuple[str, str]] = set()

    def children(self, parent: str) -> dict[str, int]:
        """The month's goals directly under ``parent``: a team's managers, or the branch's
        teams and managers in no team."""
        if parent.startswith("team:"):
            team_id = int(parent.split(":")[1])
            return {
                h: self.amount[h]
                for h in self.order
                if h.startswith("staff:") and self.team_of[h] == team_id
            }
        return {
            h: self.amount[h]
            for h in self.order
            if h.startswith("team:") or (h.startswith("staff:") and self.team_of[h] is None)
        }

    def change(self, key: str, value: int, parent: str | None = None) -> set[str]:
        """``key``'s month set to ``value`` by hand, its siblings (the goals under ``parent``,
        by default the team or branch the goal was broken down in) taking up the difference
        (``ValueError`` when ``value`` is more than their whole); the holders moved. Audited."""
        if parent is None:
            team_id = self.team_of.get(key)
            in_team = key.startswith("staff:") and team_id is not None
            parent = f"team:{team_id}" if in_team else f"branch:{self.actor.branch_id}"
        siblings = self.children(parent)
        if key not in siblings:
            raise Conflict(t("goal.not_broken_down", measure=self.measure, month=self.month))
        changed = rules.adjust(siblings, key, value)
        moved = {k for k, v in changed.items() if v != siblings[k]}
        for holder in moved:
            self._rewrite(holder, changed[holder], manual=holder == key)
        audit.record(
            self.session,
            actor=self.actor,
            action="adjust_goal",
            object_type="goal",
            detail=f"{self.measure} {self.month} {key} {siblings[key]}→{value}",
        )
        return moved

    def _rewrite(self, holder: str, value: int, *, manual: bool) -> None:
        """``holder``'s month becomes ``value``: its weeks shared again, its year re-summed; a
        team's managers take up its change in proportion."""
        month = self._row(holder, self.month)
        month.amount, month.updated_by_id, month.version = value, self.actor.id, month.version + 1
        month.rule = "manual" if manual else month.rule
        self.amount[holder] = value
        for week, part in zip(self.weeks, rules.week_shares(value, self.weeks), strict=True):
            row = self._row(holder, week.key)
            row.amount, row.version = part, row.version + 1
        yearly = self._row(holder, self.year)
        yearly.amount, yearly.version = self.other_months.get(holder, 0) + value, yearly.version + 1
        if holder.startswith("team:"):
            members = self.children(holder)
            shares = rules.share_by(value, {k: float(v) for k, v in members.items()})
            for staff_key, part in shares.items():
                if part != members[staff_key]:
                    self._rewrite(staff_key, part, manual=False)

    def _row(self, holder: str, period: str) -> _Row:
        """``holder``'s goal of ``period``, marked as rewritten; refused when it is missing."""
        key = (holder, period)
        if key not in self.rows:
            raise Conflict(t("goal.not_broken_down", measure=self.measure, month=period))
        self.touched.add(key)
        return self.rows[key]

    def write(self) -> None:
        """The rewritten goals, with one statement; the session's copies are then stale."""
        if not self.touched:
            return
        table = Goal.__table__  # type: ignore[attr-defined]
        now = clock.now()
        self.session.flush()
        self.session.execute(
            update(table)
            .where(table.c.id == bindparam("goal_id"))
            .values(
                amount=bindparam("new_amount"),
                rule=bindparam("new_rule"),
                updated_by_id=bindparam("new_by"),
                updated_at=bindparam("new_at"),
                version=bindparam("new_version"),
            ),
            [
                {
                    "goal_id": r.id,
                    "new_amount": r.amount,
                    "new_rule": r.rule,
                    "new_by": r.updated_by_id,
                    "new_at": now,
                    "new_version": r.version,
                }
                for r in (self.rows[key] for key in sorted(self.touched))
            ],
        )
        self.session.expire_all()


def show(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str | None = None,
    period: str | None = None,
) -> list[GoalOut]:
    """The goals of ``period`` (default: this year), of ``measure`` (default: every one): a
    manager sees the branch's, their team's and their own; a supervisor their team's managers
    too; the branch head and the admin every one. A role without a book (a referrer, a risk
    manager) has no sales goals."""
    if sees_no_book(actor):
        raise OutOfScope(t("goal.role_show", role=label("role", actor.role)))
    the_period = (period or str(clock.today().year)).strip()
    if measure is not None:
        _problems({"measure": _measure_problem(settings, measure)})
    query = (
        select(Goal, Staff, Team)
        .outerjoin(Staff, col(Staff.id) == col(Goal.staff_id))
        .outerjoin(Team, col(Team.id) == col(Goal.team_id))
        .where(col(Goal.branch_id) == actor.branch_id, col(Goal.period) == the_period)
    )
    if measure is not None:
        query = query.where(col(Goal.measure) == measure)
    branch = session.get(Branch, actor.branch_id)
    out = []
    for g, staff, team in session.exec(query.order_by(col(Goal.measure), col(Goal.holder))).all():
        level = g.holder.split(":")[0]
        if not _sees(actor, level, g):
            continue
        name = (
            staff.name
            if level == "staff" and staff is not None
            else (
                team.name
                if level == "team" and team is not None
                else (branch.name if branch else "")
            )
        )
        out.append(
            GoalOut(
                measure=g.measure,
                period=g.period,
                level=level,
                holder=g.holder,
                name=name,
                login=staff.login if staff is not None and level == "staff" else None,
                team=team.name if team is not None else None,
                amount=g.amount,
                rule=g.rule,
                version=g.version,
            )
        )
    order = {"branch": 0, "team": 1, "staff": 2}
    return sorted(out, key=lambda g: (g.measure, order[g.level], g.team or "", g.name))


def _sees(actor: Actor, level: str, g: Goal) -> bool:
    if actor.role in (Role.BRANCH_HEAD, Role.ADMIN) or level == "branch":
        return True
    if level == "team":
        return actor.role == Role.SUPERVISOR or g.team_id == actor.team_id
    if actor.role == Role.SUPERVISOR:
        return actor.team_id is not None and g.team_id == actor.team_id
    return g.staff_id == actor.id


def breakdown(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    measure: str,
    year: str | int,
    rule: str,
) -> GoalChange:
    """Break the branch's ``measure`` goal of ``year`` down again by ``rule`` (the year's
    amount kept; manual changes are replaced)."""
    require_role(actor, SETTING_ROLES, "goal.role_set")
    typed_year = str(year).strip()
    found = session.exec(
        select(Goal).where(
            col(Goal.measure) == measure,
            col(Goal.period) == typed_year,
            col(Goal.holder) == f"branch:{actor.branch_id}",
        )
    ).one_or_none()
    if found is None:
        raise Conflict(t("goal.not_broken_down", measure=measure, month=typed_year))
    return set_goal(
        session=session,
        actor=actor,
        settings=settings,
        measure=measure,
        year=typed_year,
        amount=found.amount,
        rule=rule,
    )
