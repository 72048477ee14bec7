"""Demo work logs (工作日志): what a branch in steady state has on file for the days before.

Every manager and phone manager submitted a log on each working day of the branch calendar in
the last :data:`LOG_DAYS` days before today, in the evening, with a line on the day's work;
except that the demo login missed the last working day (so the reminder and the report show
one gap where a new user looks first), and about one colleague in twenty missed one other day.
About one log in thirty came the next working morning after the doors opened: late (past
``[worklog] cutoff``, which a demo keeps at its default). Today's log is not written yet: it
is due tonight.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.services.ops.demo.staff import DEMO_LOGIN, Member
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

WORKLOG_COLUMNS = ("id", "staff_id", "day", "content", "submitted_at", "version")
LOG_DAYS = 62
"""How far back the logs go (the report's month and the one before)."""
MISSED_SHARE = 0.05
"""Colleagues (other than the demo login) who missed one day's log."""
LATE_SHARE = 0.03
"""Logs submitted the next working day after its opening (late)."""


def work_logs(
    rng: random.Random,
    stamps: Stamps,
    members: Sequence[Member],
    calendar: BranchCalendar,
    ids: dict[str, int],
) -> list[Row]:
    """The submitted logs of every manager and phone manager (see the module doc)."""
    today = stamps.today_ord
    days = [o for o in range(today - LOG_DAYS, today) if calendar.is_workday(date.fromordinal(o))]
    if not days:
        return []
    rows: list[Row] = []
    for member in members:
        if member.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue
        missed = None
        if member.login == DEMO_LOGIN:
            missed = days[-1]
        elif rng.random() < MISSED_SHARE:
            missed = d.pick(rng, days)
        for day in days:
            if day == missed:
                continue
            calls, visits = 8 + int(rng.random() * 20), int(rng.random() * 5)
            if member.role == Role.PHONE_MANAGER:
                calls, visits = 40 + int(rng.random() * 40), 0
            content = f"电话 {calls} 通，拜访 {visits} 户。{d.pick(rng, v.NEXT_STEPS)}"
            draw = rng.random()
            after = calendar.next_workday(date.fromordinal(day + 1)).toordinal()
            if draw < LATE_SHARE and after < today:  # the next morning, 09:00–11:00
                submitted = stamps.at(after, 9 * 3600 + int(draw / LATE_SHARE * 7200))
            else:  # in the evening before leaving, 17:30–19:00
                submitted = stamps.at(day, 17 * 3600 + 1800 + int(draw * 5400))
            rows.append((ids["work_log"], member.id, stamps.day(day), content, submitted, 1))
            ids["work_log"] += 1
    return rows
