"""The demo branch's people: a fixed roster, A/B partners, and who may own which class.

The roster does not depend on the seed, so logins are stable across demos and documented:

* ``zhangwei`` (张伟), senior manager of team 1 — the first manager by id, the demo login;
* ``head`` (周建国), branch head; ``admin`` (孙磊), IT administrator;
* supervisors ``wangfang`` / ``liqiang`` / ``liuyang`` (teams 1–3);
* managers, four per team, one of each grade (senior, first, second, trainee);
* phone managers ``lina`` / ``hehuan`` (team 3), who own most C-class individual customers.

Every manager has a backup partner (AB角) in the same team: senior with first, second with
trainee, the two phone managers with each other. Pairing the senior with the first-grade
manager means an A-class customer's B role is also held by someone allowed A-class work.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
PHONE_SHARE_OF_C_INDIVIDUALS = 0.8
"""Phone managers serve C-class customers one-to-many (DESIGN: who uses it)."""


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


def roster(first_id: int) -> list[Member]:
    """The demo staff with ids from ``first_id`` and their A/B partners resolved."""
    members = [
        Member(first_id + i, login, name, role, grade, team, None)
        for i, (login, name, role, grade, team) in enumerate(ROSTER)
    ]
    return [
        Member(m.id, m.login, m.name, m.role, m.grade, m.team, _partner(m, members))
        for m in members
    ]


def _partner(member: Member, members: Sequence[Member]) -> int | None:
    """The A/B partner in the same team and role: senior-first, second-trainee, phone pair."""
    if member.role not in (Role.MANAGER, Role.PHONE_MANAGER):
        return None
    for other in members:
        if other is member or other.team != member.team or other.role != member.role:
            continue
        if member.role == Role.PHONE_MANAGER or _PARTNER_GRADES[member.grade or ""] == other.grade:
            return other.id
    return None


class Books:
    """Who may own a customer of each class, and the backup that goes with each owner."""

    def __init__(self, members: Sequence[Member], grades: Mapping[str, Sequence[str]]) -> None:
        managers = [m for m in members if m.role == Role.MANAGER]
        self._pools: dict[str, list[tuple[int, int | None]]] = {
            cls: [(m.id, m.backup_id) for m in managers if cls in grades.get(m.grade or "", ())]
            for cls in CLASSES
        }
        self._phone = [(m.id, m.backup_id) for m in members if m.role == Role.PHONE_MANAGER]
        for cls, pool in self._pools.items():
            if not pool:
                raise ValueError(f"no demo manager's grade may own class {cls}")
        supervisors = {m.team: m.id for m in members if m.role == Role.SUPERVISOR}
        self.supervisor_of = {m.id: supervisors.get(m.team, m.id) for m in members}
        """Staff id → the supervisor of their team (complaints are closed by the supervisor)."""
        self.phone_ids = frozenset(i for i, _ in self._phone)

    def assign(self, rng: random.Random, cls: str, individual: bool) -> tuple[int, int | None]:
        """(owner, backup) for a new customer of class ``cls``; grade rules are respected."""
        if cls == "C" and individual and rng.random() < PHONE_SHARE_OF_C_INDIVIDUALS:
            return demo_data.pick(rng, self._phone)
        return demo_data.pick(rng, self._pools[cls])
