"""imports: result types and word lists (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("customers", "contacts", "holdings", "staff", "goals")


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    file: str
    sha256: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    reject_file: str | None = None
    sheet: str | None = None
    """The XLSX sheet read (``None`` for CSV)."""
    unowned: int = 0
    """Customers of the file that have no owner after the import (the branch pool)."""
    moved: int = 0
    """Customers of the file whose owner changed."""
    retention: int = 0
    """Retention tasks opened: groups whose members fell in bulk since the last import."""
    directories: int = 0
    """Groups whose staff directory the file refreshed (their contacts imported)."""
    promises: int = 0
    """New accounts whose file lacks required fields: a file-complete promise each (kept
    ones, files completed by this file, are not counted)."""
    leads_merged: int = 0
    """Open leads whose ID number, or phone and name, a new or changed customer of the file
    has: merged into it (their contacts and referrals are now the customer's)."""
    referrals_converted: int = 0
    """Open referrals a product of the file converted (its category opened within the
    window)."""
    source: str | None = None
    """Where the file came from (``--source``), if said."""
    authoritative: bool = False
    """The source is one of ``[data_quality] authoritative``: its files were verified."""
    verified: int = 0
    """Customers whose file the authoritative source checked."""
    corrected: int = 0
    """Fields of theirs it found wrong (and corrected)."""
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    """The row messages (at most :data:`MAX_REPORTED`), in row order."""
