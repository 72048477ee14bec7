"""The services as one running session of the workbench sees them.

Screens hold a :class:`Workbench` (``app.workbench``) and call its methods from thread
workers; each call is one unit of work with the logged-in actor, so screens never see a
database session, a query or an ORM row.

Start-up: this module and everything ``cmw tui`` runs before the first paint use SQLAlchemy
Core only. The service modules (and with them the SQLModel tables and pydantic) are imported
by the methods, i.e. in the first worker, after the screen has been painted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine

from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine, sqlite_file, unit_of_work
from cmworkbench.db.migrate import schema_is_current
from cmworkbench.i18n import t
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import InvalidInput, NotFound
from cmworkbench.services.login import demo_login_if_demo, find_actor

if TYPE_CHECKING:
    from sqlmodel import Session

    from cmworkbench.services.overview import Overview
    from cmworkbench.services.staff import StaffOut

T = TypeVar("T")


class Workbench:
    """The engine, the settings and the actor, with one method per use case."""

    def __init__(self, engine: Engine, settings: Settings, actor: Actor) -> None:
        self.engine = engine
        self.settings = settings
        self.actor = actor

    def run(self, service: Callable[..., T], /, **kwargs: Any) -> T:
        """Call ``service(session=…, actor=…, **kwargs)`` in one unit of work."""
        with unit_of_work(self.engine) as session:
            return service(session=session, actor=self.actor, **kwargs)

    def overview(self) -> Overview:
        """Counts for the shell's screens."""
        from cmworkbench.services.overview import overview

        return self.run(overview)

    def staff(self, role: str | None = None) -> list[StaffOut]:
        """Colleagues the actor may see."""
        from cmworkbench.services.staff import list_staff

        return self.run(list_staff, role=role)


def open_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine on an initialised, current database; refuses an old or empty one (and does
    not create an empty SQLite file on the way)."""
    engine = make_engine(url or settings.database_url)
    path = sqlite_file(engine)
    if (path is not None and not path.exists()) or not schema_is_current(engine):
        engine.dispose()
        raise InvalidInput(t("cli.not_initialised"))
    return engine


def login(engine: Engine, settings: Settings, login_name: str) -> Workbench:
    """A :class:`Workbench` for ``login_name`` (refused if unknown or deactivated)."""
    with engine.connect() as conn:
        return Workbench(engine, settings, find_actor(conn, login_name))


def tui_login(engine: Engine, settings: Settings, login_name: str, *, explicit: bool) -> Workbench:
    """Log in for the TUI: ``--as LOGIN``, else the OS login; a demo database falls back to
    its demo manager so the README's first command needs no login."""
    try:
        return login(engine, settings, login_name)
    except NotFound:
        if explicit:
            raise
    with engine.connect() as conn:
        demo_login = demo_login_if_demo(conn)
    if demo_login is None:
        raise InvalidInput(t("cli.unknown_os_login", login=login_name))
    return login(engine, settings, demo_login)


@contextmanager
def admin_session(settings: Settings) -> Iterator[Session]:
    """A unit of work for the service account itself (local administration from the CLI)."""
    engine = open_engine(settings)
    try:
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()
