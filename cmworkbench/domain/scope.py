"""The shape of a scope, shared by the services that decide it and the queries that apply it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OwnerScope:
    """Customers whose owner is in ``owner_ids``, or whose backup (B角) is ``backup_id``."""

    owner_ids: tuple[int, ...]
    backup_id: int | None = None
    backup_owner_ids: tuple[int, ...] = ()
    """The owners of the customers whose backup is ``backup_id`` (usually the one A/B
    partner): lets a query scan those owners' rows only."""
    unowned: bool = False
    """Customers without an owner too (the branch pool): in the scope of supervisors, the
    branch head and the administrator. The customer table stores no owner as NULL, the
    search index as 0."""
