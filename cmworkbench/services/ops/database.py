"""The database itself as ``cmw`` looks after it: create it or upgrade it to this release's
schema (:func:`initialise`), rebuild the customer search index (:func:`reindex`), and what a
database URL names (:func:`live_database_file`, :func:`url_for_people`).

The command line reaches the database through these functions and the other services only;
the database layer is imported inside each function, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmworkbench.config import Settings
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.ops.schemas import InitOut


def initialise(url: str) -> InitOut:
    """Create the database at ``url`` through the migrations, or upgrade it to this release's
    schema (``cmw init``); a SQLite file is made private (0600), and the customers an upgrade
    queued for the search index are indexed. A database that holds tables but no cmworkbench
    schema version is refused (:class:`InvalidInput`) and left as it is."""
    from cmworkbench.db.engine import make_engine, restrict_file_mode
    from cmworkbench.db.migrate import ForeignDatabase, upgrade
    from cmworkbench.db.search import drain

    engine = make_engine(url)
    try:
        try:
            before, after = upgrade(engine)
        except ForeignDatabase as exc:
            raise InvalidInput(str(exc)) from exc
        restrict_file_mode(engine)
        with engine.begin() as conn:
            drain(conn, limit=None)
        return InitOut(before=before, after=after, url=engine.url.render_as_string())
    finally:
        engine.dispose()


def reindex(settings: Settings, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole customer search index of an initialised database in one transaction
    (``cmw reindex``); ``progress(done, total)`` after each chunk. Returns the number of
    customers indexed."""
    from cmworkbench.db.search import rebuild
    from cmworkbench.services.workbench import open_engine

    engine = open_engine(settings)
    try:
        return rebuild(engine, progress=progress)
    finally:
        engine.dispose()


def live_database_file(url: str) -> Path | None:
    """The SQLite file ``url`` names (``None`` on PostgreSQL or in memory): what an output file
    must never be (:mod:`cmworkbench.services.core.output`)."""
    from cmworkbench.db.engine import database_path

    return database_path(url)


def url_for_people(url: str | None) -> str | None:
    """``url`` with its password hidden, for a message; ``None`` if it is none or no URL."""
    if not url:
        return None
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a message is being written about a failure: never fail it
        return None
