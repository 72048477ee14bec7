"""The scheduler leader: every process may run one; the lease holder runs the jobs.

A :class:`Leader` renews (or tries to take) the lease every third of ``scheduler.
lease_seconds`` in a daemon thread. While it holds the lease it runs an APScheduler
``BackgroundScheduler`` whose job state lives in the project's database
(``SQLAlchemyJobStore``, table ``apscheduler_jobs``), with ``coalesce`` and a misfire grace
time: after downtime each missed job runs once. When it loses the lease (or stops) it shuts
its scheduler down; another process takes over within the lease time and, reading the same
job store, catches up once.

The jobs are stored in the database as references to :func:`run` with the job id and the
holder; the leader that takes over rewrites the holder and keeps the stored next run times
(that is what makes catch-up work).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from apscheduler.executors.debug import DebugExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.jobs import clockwork
from cmworkbench.jobs.definitions import JobSpec, specs
from cmworkbench.services.ops import lease

log = logging.getLogger(__name__)

_LEADERS: dict[str, Leader] = {}
"""Running leaders of this process by holder id: what :func:`run` dispatches to."""


def run(job_id: str, holder: str) -> None:
    """The function APScheduler stores for every job: run ``job_id`` on ``holder``'s leader."""
    leader = _LEADERS.get(holder)
    if leader is None:
        log.warning("job %s for a leader no longer here (%s)", job_id, holder)
        return
    leader.run_job(job_id)


class ClockScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, telling time by :mod:`cmworkbench.clock`.

    ``threaded=False`` starts no thread of its own: jobs run only when :meth:`run_pending`
    is called (tests move the clock and then call it; nothing else runs behind them).
    """

    def __init__(self, *args: Any, threaded: bool = True, **kwargs: Any) -> None:
        self.threaded = threaded
        super().__init__(*args, **kwargs)

    def start(self, *args: Any, **kwargs: Any) -> None:
        if self.threaded:
            super().start(*args, **kwargs)
        else:
            self._event = threading.Event()
            BaseScheduler.start(self, *args, **kwargs)

    def shutdown(self, *args: Any, **kwargs: Any) -> None:
        if self.threaded:
            super().shutdown(*args, **kwargs)
        else:
            BaseScheduler.shutdown(self, *args, **kwargs)

    def run_pending(self) -> None:
        """Start the jobs that are due now, in the calling thread (``cmw jobs run-due`` and
        tests, after moving the clock: the scheduler's own thread sleeps by wall time)."""
        self._process_jobs()


class Leader:
    """Holds (or waits for) the lease and, while holding it, runs the scheduled jobs."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        holder: str | None = None,
        synchronous: bool = False,
        service: bool = False,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        """``synchronous``: no scheduler thread; due jobs run in the thread that calls
        :meth:`run_pending` (tests). The default runs a scheduler thread and a pool of two
        job threads, so a long generation does not hold up the SLA sweep.
        ``service``: this is ``cmw scheduler``, which sessions leave the jobs to
        (:func:`cmworkbench.services.ops.lease.take`).
        ``on_change(leading)`` is told when the lease is won or lost."""
        clockwork.install()
        self.engine = engine
        self.settings = settings
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.synchronous = synchronous
        self.service = service
        self.on_change = on_change
        self.specs = {spec.id: spec for spec in specs(settings, clock.branch_tz())}
        self.scheduler: ClockScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def leading(self) -> bool:
        """Whether this process runs the jobs now."""
        return self.scheduler is not None

    @property
    def renew_seconds(self) -> float:
        """How often the lease is renewed: a third of its length."""
        return max(self.settings.scheduler.lease_seconds / 3, 0.2)

    # -- the lease loop -------------------------------------------------------------------

    def start(self) -> None:
        """Start the lease loop in a daemon thread (the first attempt happens at once)."""
        _LEADERS[self.holder] = self
        self._thread = threading.Thread(target=self._loop, name="cmw-leader", daemon=True)
        self._thread.start()

    RETRY_SECONDS = 1.0
    """After a failed take or renewal (a database locked past its busy timeout by a long
    writer, a server restarting), the next try comes this soon, not a third of the lease
    later: two failures in a row at the renewal pace would let the lease lapse."""

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = self.renew_seconds
            try:
                self.tick()
            except Exception:  # a locked or unreachable database: try again soon
                log.exception("lease renewal failed; trying again in %.0f s", self.RETRY_SECONDS)
                wait = min(wait, self.RETRY_SECONDS)
            self._stop.wait(wait)

    def tick(self) -> bool:
        """Take or renew the lease; start or stop the scheduler to match. True if leading."""
        _LEADERS[self.holder] = self
        seconds = self.settings.scheduler.lease_seconds
        held = lease.take(self.engine, self.holder, seconds, service=self.service)
        with self._lock:
            if held and self.scheduler is None:
                self._start_scheduler()
            elif not held and self.scheduler is not None:
                self._stop_scheduler()
        return held

    def stop(self) -> None:
        """Stop the loop and the scheduler and give the lease up for the next process."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:
            was_leading = self.scheduler is not None
            if was_leading:
                self._stop_scheduler()
        if was_leading or self.service:
            try:
                lease.give_up(self.engine, self.holder, service=self.service)
            except Exception:
                log.exception("could not release the lease")
        _LEADERS.pop(self.holder, None)

    # -- the scheduler --------------------------------------------------------------------

    def _start_scheduler(self) -> None:
        grace = self.settings.scheduler.misfire_grace_seconds
        executor = DebugExecutor() if self.synchronous else ThreadPoolExecutor(2)
        scheduler = ClockScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(engine=self.engine, tablename=lease.JOBS_TABLE)
            },
            executors={"default": executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
            timezone=clock.branch_tz(),
            threaded=not self.synchronous,
        )
        scheduler.start(paused=True)
        for spec in self.specs.values():
            self._sync(scheduler, spec)
        scheduler.resume()
        self.scheduler = scheduler
        log.info("scheduler leader: %s", self.holder)
        if self.on_change:
            self.on_change(True)

    def _sync(self, scheduler: ClockScheduler, spec: JobSpec) -> None:
        """Add the job, or take over the stored one: keep its next run time (catch-up), point
        it at this leader, and follow a trigger changed in config."""
        stored = scheduler.get_job(spec.id)
        if stored is None:
            scheduler.add_job(run, spec.trigger, args=[spec.id, self.holder], id=spec.id)
            return
        scheduler.modify_job(spec.id, args=[spec.id, self.holder])
        if str(stored.trigger) != str(spec.trigger):
            scheduler.reschedule_job(spec.id, trigger=spec.trigger)

    def _stop_scheduler(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            log.info("scheduler leader no more: %s", self.holder)
            if self.on_change:
                self.on_change(False)

    def run_pending(self) -> None:
        """Run the jobs due now (see :meth:`ClockScheduler.run_pending`)."""
        with self._lock:
            scheduler = self.scheduler
        if scheduler is not None:
            scheduler.run_pending()

    # -- one job run ----------------------------------------------------------------------

    def run_job(self, job_id: str) -> str | None:
        """Run ``job_id`` for the current slot (once per slot, while holding the lease)."""
        spec = self.specs[job_id]
        slot = spec.slot(clock.now_local())
        try:
            outcome = lease.run_scheduled(
                self.engine,
                self.settings,
                holder=self.holder,
                job_id=job_id,
                slot=slot,
                workdays_only=spec.workdays_only,
                work=spec.run,
                prepare=spec.prepare,
            )
        except Exception:
            log.exception("job %s (%s) failed; the next trigger tries again", job_id, slot)
            return "failed"
        log.info("job %s (%s): %s", job_id, slot, outcome or "not ours")
        return outcome
