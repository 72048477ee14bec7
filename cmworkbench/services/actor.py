"""The acting staff member, passed to every service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is acting: every service checks scope against this."""

    id: int
    login: str
    name: str
    role: str
    branch_id: int
    team_id: int | None = None
