"""Sales goals as a session works them (``workbench.goals``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.goals.schemas import GoalChange, GoalOut, GoalRecord, Leaderboard


class GoalsFacade(Facade):
    """Setting a year's goal with its breakdown, changing a share by hand, reading them; the
    morning leaderboard and the records behind a line."""

    set: UseCase[GoalChange] = UseCase("goals.setting:set_goal")
    breakdown: UseCase[GoalChange] = UseCase("goals.setting:breakdown")
    adjust: UseCase[GoalChange] = UseCase("goals.setting:adjust")
    show: UseCase[list[GoalOut]] = UseCase("goals.setting:show")
    leaderboard: UseCase[Leaderboard] = UseCase("goals.leaderboard:leaderboard")
    leaderboard_drill: UseCase[list[GoalRecord]] = UseCase("goals.leaderboard:leaderboard_drill")
