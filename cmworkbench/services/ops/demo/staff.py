"""The demo branch's people: a named roster, as many more as the books need, A/B partners, and
who may own which class.

The named roster does not depend on the seed or the size, so its logins are stable across demos
and documented:

* ``zhangwei`` (张伟), senior manager of team 1 — the first manager by id, the demo login;
* ``head`` (周建国), branch head; ``admin`` (孙磊), IT administrator;
* supervisors ``wangfang`` / ``liqiang`` / ``liuyang`` (teams 1–3);
* managers, four per team, one of each grade (senior, first, second, trainee);
* phone managers ``lina`` / ``hehuan`` (team 3), who serve the C-class customers.

The branch is staffed by the workload rule (``[workload]``, DESIGN.md "A day a manager can
work"): A/B-class customers with managers, C-class with phone managers, each book filled to
:data:`FILL` of its rule. When the named roster is not enough (above about 5,000 customers),
more managers join in teams of four (one of each grade) under a supervisor, and more phone
managers in teams of six under one, with numbered logins: ``cm0001`` (manager), ``pm0001``
(phone manager), ``sv0001`` (supervisor); their names do not depend on the seed either. A
customer goes to the least-loaded colleague who may hold it (grade and workload), so books
stay even; :data:`POOL_SHARE` of the customers (at most :data:`POOL_MAX`) have no owner: the
branch pool.

Every manager has a backup partner (AB角) in the same team: senior with first, second with
trainee, phone managers two by two. Pairing the senior with the first-grade manager means an
A-class customer's B role is also held by someone allowed A-class work.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cmworkbench.config import WorkloadSettings
from cmworkbench.domain import demo_data
from cmworkbench.domain.enums import Role
from cmworkbench.services.core.login import DEMO_BRANCH_CODE

DEMO_LOGIN = "zhangwei"
"""The login ``cmw demo`` opens the workbench as (the first manager by id)."""
BRANCH_CODE = DEMO_BRANCH_CODE
BRANCH_NAME = "示例支行"
TEAM_NAMES = ("客户经理一组", "客户经理二组", "客户经理三组")

# (login, name, role, grade, team index); ids follow this order, so zhangwei is the first manager.
ROSTER: tuple[tuple[str, str, str, str | None, int | None], ...] = (
    ("head", "周建国", Role.BRANCH_HEAD, None, None),
    ("wangfang", "王芳", Role.SUPERVISOR, None, 0),
    ("liqiang", "李强", Role.SUPERVISOR, None, 1),
    ("liuyang", "刘洋", Role.SUPERVISOR, None, 2),
    ("zhangwei", "张伟", Role.MANAGER, "senior", 0),
    ("chenjing", "陈静", Role.MANAGER, "first", 0),
    ("yanglei", "杨磊", Role.MANAGER, "second", 0),
    ("zhaomin", "赵敏", Role.MANAGER, "trainee", 0),
    ("huangli", "黄丽", Role.MANAGER, "senior", 1),
    ("wujun", "吴军", Role.MANAGER, "first", 1),
    ("zhouting", "周婷", Role.MANAGER, "second", 1),
    ("xutao", "徐涛", Role.MANAGER, "trainee", 1),
    ("sunyan", "孙艳", Role.MANAGER, "senior", 2),
    ("machao", "马超", Role.MANAGER, "first", 2),
    ("zhulin", "朱琳", Role.MANAGER, "second", 2),
    ("hubin", "胡斌", Role.MANAGER, "trainee", 2),
    ("lina", "李娜", Role.PHONE_MANAGER, None, 2),
    ("hehuan", "何欢", Role.PHONE_MANAGER, None, 2),
    ("admin", "孙磊", Role.ADMIN, None, None),
)
_PARTNER_GRADES = {"senior": "first", "first": "senior", "second": "trainee", "trainee": "second"}
CLASSES = ("A1", "A2", "B1", "B2", "C")
FILL = 0.85
"""Books are staffed to this share of their rule: room for the year's new customers."""
POOL_SHARE = 0.015
"""Customers without an owner (imported without one, left by a manager): the branch pool."""
POOL_MAX = 400
"""At most this many: a pool of a few hundred is what its keeper (the branch head) can allocate
and mind; 1.5% of a million customers would be a second book of 15,000 on one Today."""
GRADES = ("senior", "first", "second", "trainee")
MANAGERS_PER_TEAM = len(GRADES)
PHONE_MANAGERS_PER_TEAM = 6
_NAMES_SEED = 20_261_123
"""The extra staff's names come from this fixed seed, not the demo's: stable logins, names."""


@dataclass(frozen=True, slots=True)
class Member:
    """One member of the demo staff, with the ids of their team and backup partner."""

    id: int
    login: str
    name: str
    role: str
    grade: str | None
    team: int | None
    """Index into :data:`TEAM_NAMES`."""
    backup_id: int | None


@dataclass(frozen=True)
class Staffing:
    """The demo staff and the names of their teams (:attr:`Member.team` indexes them)."""

    members: list[Member]
    team_names: list[str]


def needed(customers: int, ab_share: float, workload: WorkloadSettings) -> tuple[int, int]:
    """(managers, phone managers) the books of ``customers`` need by the workload rule, with
    ``ab_share`` of them A/B-class (the managers'), the rest C-class (the phone managers')."""
    held = customers * (1 - POOL_SHARE)
    managers = held * ab_share / (workload.manager.households * FILL)
    phone = held * (1 - ab_share) / (workload.phone_manager.households * FILL)
    return math.ceil(managers), math.ceil(phone)


def roster(first_id: int, managers: int = 0, phone_managers: int = 0) -> list[Member]:
    """The demo staff with ids from ``first_id`` and their A/B partners resolved."""
    return staffing(first_id, managers, phone_managers).members


def staffing(first_id: int, managers: int = 0, phone_managers: int = 0) -> Staffing:
    """The named roster, then enough more to have ``managers`` managers and ``phone_managers``
    phone managers (see the module doc); ids from ``first_id``, A/B partners resolved."""
    rows = list(ROSTER)
    teams = list(TEAM_NAMES)
    admin = rows.pop()  # the administrator stays last
    names = random.Random(_NAMES_SEED)
    named = sum(1 for r in ROSTER if r[2] == Role.MANAGER)
    named_phone = sum(1 for r in ROSTER if r[2] == Role.PHONE_MANAGER)
    extra = max(managers - named, 0)
    for n in range(math.ceil(extra / MANAGERS_PER_TEAM)):
        team = len(teams)
        teams.append(f"客户经理{team + 1}组")
        rows.append(_person(names, f"sv{team + 1:04d}", Role.SUPERVISOR, None, team))
        for grade in GRADES[: min(MANAGERS_PER_TEAM, extra - n * MANAGERS_PER_TEAM)]:
            login = f"cm{sum(1 for r in rows if r[2] == Role.MANAGER) - named + 1:04d}"
            rows.append(_person(names, login, Role.MANAGER, grade, team))
    extra_phone = max(phone_managers - named_phone, 0)
    for n in range(math.ceil(extra_phone / PHONE_MANAGERS_PER_TEAM)):
        team = len(teams)
        teams.append(f"电话经理{n + 1}组")
        rows.append(_person(names, f"sv{team + 1:04d}", Role.SUPERVISOR, None, team))
        count = min(PHONE_MANAGERS_PER_TEAM, extra_phone - n * PHONE_MANAGERS_PER_TEAM)
        for _ in range(count):
            login = f"pm{sum(1 for r in rows if r[2] == Role.PHONE_MANAGER) - named_phone + 1:04d}"
            rows.append(_person(names, login, Role.PHONE_MANAGER, None, team))
    rows.append(admin)
    members = [
        Member(first_id + i, login, name, role, grade, team, None)
        for i, (login, name, role, grade, team) in enumerate(rows)
    ]
    return Staffing(_partnered(members), teams)


def _person(
    names: random.Random, login: str, role: str, grade: str | None, team: int
) -> tuple[str, str, str, str | None, int | None]:
    return (login, demo_data.person_name(names, names.random() < 0.5), role, grade, team)


def _partnered(members: list[Member]) -> list[Member]:
    """Each manager's and phone manager's A/B partner, found once per team."""
    by_team: dict[int | None, list[Member]] = {}
    for m in members:
        by_team.setdefault(m.team, []).append(m)
    return [
        Member(m.id, m.login, m.name, m.role, m.grade, m.team, _partner(m, by_team[m.team]))
        for m in members
    ]


def _partner(member: Member, team: Sequence[Member]) -> int | None:
    """The A/B partner in the same team and role: senior-first, second-trainee, phone
    managers two by two (the first with the second, the third with the fourth …)."""
    if member.role not in (Role.MANAGER, Role.PHONE_MANAGER):
        return None
    if member.role == Role.PHONE_MANAGER:
        phones = [m for m in team if m.role == Role.PHONE_MANAGER]
        at = phones.index(member)
        mate = at + 1 if at % 2 == 0 else at - 1
        if mate >= len(phones):  # an odd one out partners the one before
            mate = at - 1
        return phones[mate].id if 0 <= mate < len(phones) and mate != at else None
    wanted = _PARTNER_GRADES[member.grade or ""]
    for other in team:
        if other is not member and other.role == member.role and other.grade == wanted:
            return other.id
    return None


class Books:
    """Who owns each new customer: the least-loaded colleague who may hold it (grade and
    workload), with their partner as B角; :data:`POOL_SHARE` of them nobody (the pool)."""

    def __init__(
        self,
        members: Sequence[Member],
        grades: Mapping[str, Sequence[str]],
        workload: WorkloadSettings | None = None,
    ) -> None:
        workload = workload or WorkloadSettings()
        self._phone_classes = frozenset(workload.phone_manager.classes)
        managers = [m for m in members if m.role == Role.MANAGER]
        # One heap of (book size, id, backup) per grade: the smallest book first.
        self._heaps: dict[str, list[tuple[int, int, int | None]]] = {}
        for m in managers:
            self._heaps.setdefault(m.grade or "", []).append((0, m.id, m.backup_id))
        self._grades_for = {
            cls: [g for g in self._heaps if cls in grades.get(g, ())] for cls in CLASSES
        }
        self._phone = [(0, m.id, m.backup_id) for m in members if m.role == Role.PHONE_MANAGER]
        for cls in CLASSES:
            if cls not in self._phone_classes and not self._grades_for[cls]:
                raise ValueError(f"no demo manager's grade may own class {cls}")
        supervisors = {m.team: m.id for m in members if m.role == Role.SUPERVISOR}
        self.supervisor_of = {m.id: supervisors.get(m.team, m.id) for m in members}
        """Staff id → the supervisor of their team (complaints are closed by the supervisor)."""
        self.phone_ids = frozenset(m.id for m in members if m.role == Role.PHONE_MANAGER)
        self.pooled = 0
        """Customers left in the pool so far (at most :data:`POOL_MAX`)."""

    def assign(
        self, rng: random.Random, cls: str, individual: bool
    ) -> tuple[int | None, int | None]:
        """(owner, backup) for a new customer of class ``cls``: ``(None, None)`` for one in
        the pool. Grade and workload rules are respected."""
        del individual  # the class decides (``[workload]``), whatever the kind
        if rng.random() < POOL_SHARE and self.pooled < POOL_MAX:
            self.pooled += 1
            return None, None
        if cls in self._phone_classes and self._phone:
            heap = self._phone
        else:
            heap = min((self._heaps[g] for g in self._grades_for[cls]), key=lambda h: h[0][0])
        size, owner, backup = heap[0]
        heapq.heapreplace(heap, (size + 1, owner, backup))
        return owner, backup
