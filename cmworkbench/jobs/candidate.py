"""A session's part in the scheduler: one per ``cmw tui``, owned by the app.

The app creates it with itself, starts it after the first paint (``on_mount``) and stops it
in ``on_unmount``, the way Toolong owns its file watcher. Started, it waits
:attr:`SessionCandidate.DELAY_SECONDS` (the first screen's queries go first), then, every
``scheduler.lease_seconds``, asks whether a ``cmw scheduler`` service runs. While one does,
the session loads nothing of APScheduler (about 4 MiB a session, and a thread) and leaves
the jobs to it. When none does (a branch without the service, or the service stopped for
longer than its lease), the session becomes a candidate :class:`~cmworkbench.jobs.leader.
Leader`, which still steps aside if a service appears later
(:func:`cmworkbench.services.ops.lease.take`).

Nothing here is imported before the first paint: the leader and the lease are imported in the
candidate's own thread.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmworkbench.config import Settings

log = logging.getLogger(__name__)


class SessionCandidate:
    """Whether, and when, this session runs the branch's jobs (see the module)."""

    DELAY_SECONDS = 2.0
    """From :meth:`start` to the first look at the lease."""

    def __init__(self, workbench: Any, settings: Settings) -> None:
        """``workbench``: the session's; its engine is opened only when first needed."""
        self._workbench, self._settings = workbench, settings
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.leader: Any = None
        """The candidate leader, once the session is one (``None`` while a service runs)."""

    def start(self) -> None:
        """Begin in a daemon thread (returns at once)."""
        if self._thread is None and not self._stopped.is_set():
            self._thread = threading.Thread(target=self._run, name="cmw-candidate", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if self._stopped.wait(self.DELAY_SECONDS):
            return
        from cmworkbench.services.ops import lease

        every = max(self._settings.scheduler.lease_seconds, 1)
        while True:
            try:
                if not lease.service_runs(self._workbench.engine):
                    break
            except Exception:  # a locked or unreachable database: look again later
                log.exception("could not read the scheduler lease")
            if self._stopped.wait(every):
                return
        from cmworkbench.jobs.leader import Leader

        leader = Leader(self._workbench.engine, self._settings)
        self.leader = leader
        leader.start()
        if self._stopped.is_set():  # the app quit while the leader was starting
            leader.stop()

    def stop(self) -> None:
        """Stop looking (or stop the leader, giving the lease up if held)."""
        self._stopped.set()
        if self.leader is not None:
            self.leader.stop()
