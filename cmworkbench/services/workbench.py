"""The services as one running session of the workbench sees them.

Screens hold a :class:`Workbench` (``app.workbench``) and call its methods from thread
workers; each call is one unit of work with the logged-in actor, so screens never see a
database session, a query or an ORM row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import schema_is_current
from cmworkbench.services import overview as overview_service
from cmworkbench.services import staff as staff_service
from cmworkbench.services.actor import Actor
from cmworkbench.services.errors import InvalidInput

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

    def overview(self) -> overview_service.Overview:
        """Counts for the shell's screens."""
        return self.run(overview_service.overview)

    def staff(self, role: str | None = None) -> list[staff_service.StaffOut]:
        """Colleagues the actor may see."""
        return self.run(staff_service.list_staff, role=role)


def open_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine on an initialised, current database; refuses an old or empty one."""
    from cmworkbench.db.engine import sqlite_file
    from cmworkbench.i18n import t

    engine = make_engine(url or settings.database_url)
    path = sqlite_file(engine)
    if (path is not None and not path.exists()) or not schema_is_current(engine):
        engine.dispose()
        raise InvalidInput(t("cli.not_initialised"))
    return engine


def login(engine: Engine, settings: Settings, login_name: str) -> Workbench:
    """A :class:`Workbench` for ``login_name`` (refused if unknown or deactivated)."""
    with unit_of_work(engine) as session:
        actor = staff_service.actor_for_login(session=session, login=login_name)
    return Workbench(engine, settings, actor)


def tui_login(engine: Engine, settings: Settings, login_name: str, *, explicit: bool) -> Workbench:
    """Log in for the TUI: ``--as LOGIN``, else the OS login; a demo database falls back to
    its demo manager so the README's first command needs no login."""
    from cmworkbench.services.errors import NotFound

    try:
        return login(engine, settings, login_name)
    except NotFound:
        if explicit:
            raise
    with unit_of_work(engine) as session:
        demo_login = staff_service.demo_login_if_demo(session=session)
    if demo_login is None:
        from cmworkbench.i18n import t

        raise InvalidInput(t("cli.unknown_os_login", login=login_name))
    return login(engine, settings, demo_login)


@contextmanager
def admin_session(settings: Settings) -> Iterator[Session]:
    """A unit of work for the service account itself (local administration from the CLI)."""
    with unit_of_work(open_engine(settings)) as session:
        yield session
