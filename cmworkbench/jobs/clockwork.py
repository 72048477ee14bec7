"""APScheduler 3 reads wall time through ``datetime.now``; the workbench's time comes from
:mod:`cmworkbench.clock` only (``--now`` / ``CMW_NOW`` must move the jobs too, so a support
engineer can replay "Monday 06:30" and tests can fire each job at its minute).

:func:`install` points the two APScheduler modules that ask for the time (the scheduler's
loop and the executors' misfire check) at a ``datetime`` whose ``now()`` is the clock's.
Nothing else in those modules uses ``datetime`` but ``now`` (checked for 3.10–3.11; a test
fires jobs by the clock, so a change in APScheduler shows there).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from cmworkbench import clock


class ClockDatetime(datetime):
    """``datetime`` with ``now()`` from the workbench clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone()


_installed = False


def install() -> None:
    """Make APScheduler's scheduler and executors tell time by the workbench clock."""
    global _installed
    if _installed:
        return
    from apscheduler.executors import base as executors_base
    from apscheduler.schedulers import base as schedulers_base

    schedulers_base.datetime = ClockDatetime  # type: ignore[misc]
    executors_base.datetime = ClockDatetime  # type: ignore[misc]
    _installed = True
