"""Customer look-up: one box for names, pinyin, initials, customer numbers, phone and ID tails.

The query is matched against the search index (:mod:`cmworkbench.db.search`) within the
actor's scope, ranked exact > prefix > substring, then by class (A1 first) and recency
(most recently changed first). Results carry masked phones only.
"""

from __future__ import annotations

from sqlmodel import Session

from cmworkbench.db import search as index
from cmworkbench.domain.masking import mask_phone
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import visible_owner_ids
from cmworkbench.services.customers.schemas import CustomerHit

MAX_LIMIT = 500


def search_customers(
    *, session: Session, actor: Actor, query: str, limit: int = 50, offset: int = 0
) -> list[CustomerHit]:
    """Customers the actor may see that match ``query``, best first (a window of them)."""
    limit = max(0, min(limit, MAX_LIMIT))
    parsed = index.parse_query(query)
    if parsed is None or limit == 0:
        return []
    scope = visible_owner_ids(session=session, actor=actor)
    hits = index.find(session.connection(), parsed, scope, limit=limit, offset=offset)
    return [
        CustomerHit(
            customer_no=h.customer_no,
            name=h.name,
            kind=h.kind,
            cls=h.cls,
            tier=h.tier,
            owner_login=h.owner_login,
            owner_name=h.owner_name,
            phone=mask_phone(h.phone),
            matched=h.matched,
            rank=h.rank,
        )
        for h in hits
    ]


def count_customers(*, session: Session, actor: Actor, query: str, cap: int = 10_000) -> int:
    """How many customers match (up to ``cap``, so a one-letter query stays fast)."""
    parsed = index.parse_query(query)
    if parsed is None:
        return 0
    scope = visible_owner_ids(session=session, actor=actor)
    return index.count(session.connection(), parsed, scope, cap=cap)
