"""The unit of work a use case runs in, and what happens when it loses a race.

:func:`run` calls ``service(session=…, actor=…, **kwargs)`` in one unit of work
(:func:`cmworkbench.db.engine.unit_of_work`: commit on success, roll back on any error). A unit
that lost a race with another writer (:class:`Retryable`: rolled back, nothing saved) runs
again, a few times, after a short random pause so the racers spread out. What comes back is
made printable (:func:`~cmworkbench.domain.text.printable_all`): a control character stored in
a name before this release, or written into the database by hand, reaches a screen as its
``\\\\uXXXX`` escape, never as a command to the terminal; text that would store one is refused
as bad input.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from time import sleep
from typing import TYPE_CHECKING, Any, TypeVar

from cmworkbench.services.core.errors import InvalidInput, Retryable
from cmworkbench.services.core.schemas import Actor

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")

RETRY_ATTEMPTS = 10
"""How often a unit of work that lost a race (:class:`Retryable`) is run in all."""
RETRY_PAUSE_SECONDS = 0.005
"""The longest random pause before the n-th retry is n times this."""


def run(
    engine: Engine,
    actor: Actor | None,
    service: Callable[..., T],
    /,
    *,
    retried: Callable[[], None] | None = None,
    **kwargs: Any,
) -> T:
    """``service`` as ``actor`` in one unit of work on ``engine``; see the module doc.
    ``retried`` is told each time a lost race makes it run the unit again."""
    from cmworkbench.db.engine import unit_of_work
    from cmworkbench.domain.text import UnsafeText, printable_all

    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            with unit_of_work(engine) as session:
                result = service(session=session, actor=actor, **kwargs)
            return printable_all(result)
        except UnsafeText as exc:
            raise InvalidInput(str(exc)) from None
        except Retryable:
            if attempt == RETRY_ATTEMPTS:
                raise
            if retried is not None:
                retried()
            sleep(random.uniform(0, RETRY_PAUSE_SECONDS * attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")
