"""ops: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InitOut:
    """A database created or upgraded by ``cmw init``."""

    before: str | None
    """The schema revision it had; ``None``: it was created."""
    after: str
    """The schema revision it has now."""
    url: str
    """Its URL, the password hidden."""


@dataclass(frozen=True)
class BackupOut:
    """A written backup."""

    path: str
    bytes: int
    seconds: float
    revision: str | None


@dataclass(frozen=True)
class RestoreOut:
    """A restored database."""

    source: str
    database: str
    backup_revision: str
    revision: str
    replaced_revision: str | None
    kept: str | None = None
    """Where the database the restore replaced was kept (a backup file beside it: SQLite,
    next to the database; PostgreSQL, next to the restored archive)."""


@dataclass(frozen=True)
class LeaseOut:
    """Who holds the lease and until when."""

    holder: str
    acquired_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        """Whether the lease is still valid at ``now``."""
        return self.expires_at > now


@dataclass(frozen=True)
class RunOut:
    """One recorded run."""

    job_id: str
    slot: str
    holder: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    detail: str | None


@dataclass(frozen=True)
class CalendarYearOut:
    """Who knows a year's official holidays: ``official`` (the package), ``admin`` (entered
    with ``cmw calendar set``) or ``none``."""

    year: int
    source: str


@dataclass(frozen=True)
class CalendarCheck:
    """The years around today and who knows their holidays; the needed years nobody does."""

    years: list[CalendarYearOut]
    missing: list[int]
