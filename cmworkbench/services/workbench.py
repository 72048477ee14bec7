"""The services as one running session of the workbench sees them, and how a session starts.

Screens hold a :class:`Workbench` (``app.workbench``) and call its facades' methods from thread
workers (``workbench.tasks.log_call(…)``); each call is one unit of work with the logged-in
actor, so screens never see a database session, a query or an ORM row. A facade belongs to its
capability's package (``services/<capability>/facade.py``): a new use case is a line there.

Start-up: nothing ``cmw tui`` runs before the first paint imports SQLAlchemy when the
database is a SQLite file or on PostgreSQL: the login is checked through the driver itself
(:func:`tui_login_direct`) and the :class:`Workbench` makes its engine on first use, i.e. in
the first worker. The service modules (and with them the SQLModel tables and pydantic) are
imported by the facades' methods on their first call, in the workers too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from cmworkbench.config import Settings
from cmworkbench.db.migrate import SCHEMA_HEAD, no_version_table
from cmworkbench.i18n import t
from cmworkbench.services.complaints.facade import ComplaintsFacade
from cmworkbench.services.core.errors import InvalidInput, NotFound
from cmworkbench.services.core.facade import DraftsFacade
from cmworkbench.services.core.login import (
    demo_login_if_demo,
    find_actor,
    first_admin_login,
    rows_of,
)
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.usecase import Facade
from cmworkbench.services.credit.facade import CreditFacade
from cmworkbench.services.customers.facade import CustomersFacade
from cmworkbench.services.goals.facade import GoalsFacade
from cmworkbench.services.notifications.facade import NotificationsFacade
from cmworkbench.services.pipeline.facade import (
    LeadsFacade,
    OpportunitiesFacade,
    ReferralsFacade,
)
from cmworkbench.services.promises.facade import PromisesFacade
from cmworkbench.services.reports.facade import ReportsFacade
from cmworkbench.services.staff.facade import StaffFacade, WorklogFacade
from cmworkbench.services.tasks.facade import TasksFacade
from cmworkbench.services.visits.facade import VisitsFacade

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

T = TypeVar("T")


class Workbench:
    """The engine, the settings and the actor, and one facade per capability:
    ``workbench.customers.search(…)``, ``workbench.complaints.act(…)`` (each facade's methods
    are its package's service functions, bound: see :mod:`cmworkbench.services.core.usecase`).
    """

    FACADES: ClassVar[dict[str, type[Facade]]] = {
        "customers": CustomersFacade,
        "tasks": TasksFacade,
        "complaints": ComplaintsFacade,
        "visits": VisitsFacade,
        "staff": StaffFacade,
        "worklog": WorklogFacade,
        "reports": ReportsFacade,
        "notifications": NotificationsFacade,
        "promises": PromisesFacade,
        "referrals": ReferralsFacade,
        "leads": LeadsFacade,
        "opportunities": OpportunitiesFacade,
        "goals": GoalsFacade,
        "credit": CreditFacade,
        "drafts": DraftsFacade,
    }
    """Every facade, by the attribute it is reached by (the scope table lists their methods).
    """

    def __init__(self, engine: Engine | str, settings: Settings, actor: Actor) -> None:
        """``engine``, or the URL of the database to make one of on first use."""
        self._engine = None if isinstance(engine, str) else engine
        self._url = engine if isinstance(engine, str) else None
        self._engine_lock = threading.Lock()
        self.settings = settings
        self.actor = actor
        self.retries = 0
        """Units of work run again after losing a race (:class:`Retryable`), for the figures."""
        self.customers = CustomersFacade(self)
        self.tasks = TasksFacade(self)
        self.complaints = ComplaintsFacade(self)
        self.visits = VisitsFacade(self)
        self.staff = StaffFacade(self)
        self.worklog = WorklogFacade(self)
        self.reports = ReportsFacade(self)
        self.notifications = NotificationsFacade(self)
        self.promises = PromisesFacade(self)
        self.referrals = ReferralsFacade(self)
        self.leads = LeadsFacade(self)
        self.opportunities = OpportunitiesFacade(self)
        self.goals = GoalsFacade(self)
        self.credit = CreditFacade(self)
        self.drafts = DraftsFacade(self)
        assert {name: type(getattr(self, name)) for name in self.FACADES} == self.FACADES

    @property
    def engine(self) -> Engine:
        """The engine; made on first use when the workbench was given a URL (workers may ask
        for it at once, from several threads)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    from cmworkbench.db.engine import make_engine

                    assert self._url is not None
                    self._engine = make_engine(self._url)
        return self._engine

    def run(self, service: Callable[..., T], /, **kwargs: Any) -> T:
        """``service(session=…, actor=…, **kwargs)`` in one unit of work as the actor (a lost
        race runs again; the result is made printable: :func:`.core.unit.run`)."""
        from cmworkbench.services.core import unit

        return unit.run(self.engine, self.actor, service, retried=self._retried, **kwargs)

    def _retried(self) -> None:
        self.retries += 1

    def calendar_missing(self) -> list[int]:
        """The years the branch calendar needs and knows no holidays of (this one, and from
        1 December the next), read afresh: the admin's banner at login."""
        from cmworkbench.services.core.calendar_years import load, missing

        if self.settings.calendar.source != "official-cn":
            return []  # nothing to read: the branch does not follow the official schedule
        with self.engine.connect() as conn:
            load(conn)
        return missing(self.settings)


def load_models() -> None:
    """Import every table and set up the ORM's mappers now, not on a session's first query:
    the session server does it once, before it forks, for every child to share."""
    from sqlalchemy.orm import configure_mappers

    import cmworkbench.db.models  # noqa: F401

    configure_mappers()


def open_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine on an initialised, current database; refuses an old or empty one (and does
    not create an empty SQLite file on the way)."""
    from cmworkbench.db.engine import make_engine, sqlite_file
    from cmworkbench.db.migrate import schema_is_current

    engine = make_engine(url or settings.database_url)
    path = sqlite_file(engine)
    if (path is not None and not path.exists()) or not schema_is_current(engine):
        engine.dispose()
        raise InvalidInput(t("cli.not_initialised"))
    from cmworkbench.services.core.calendar_years import load

    with engine.connect() as conn:  # the years' holidays the admin entered (cmw calendar set)
        load(conn)
    return engine


def login(engine: Engine, settings: Settings, login_name: str) -> Workbench:
    """A :class:`Workbench` for ``login_name`` (refused if unknown or deactivated)."""
    with engine.connect() as conn:
        return Workbench(engine, settings, find_actor(conn, login_name))


def tui_login(engine: Engine, settings: Settings, login_name: str, *, explicit: bool) -> Workbench:
    """Log in for the TUI: ``--as LOGIN``, else the OS login; a demo database falls back to
    its demo manager so the README's first command needs no login."""
    with engine.connect() as conn:
        return Workbench(engine, settings, _tui_actor(conn, login_name, explicit))


def _tui_actor(db: Any, login_name: str, explicit: bool) -> Actor:
    """Who logs in to the TUI, on a SQLAlchemy, ``sqlite3`` or ``psycopg`` connection."""
    try:
        return find_actor(db, login_name)
    except NotFound:
        if explicit:
            raise
    demo_login = demo_login_if_demo(db)
    if demo_login is None:
        raise InvalidInput(t("cli.unknown_os_login", login=login_name))
    return find_actor(db, demo_login)


def tui_login_direct(settings: Settings, login_name: str, *, explicit: bool) -> Workbench | None:
    """:func:`tui_login` through the database driver itself (``sqlite3``, ``psycopg``), so the
    first paint need not wait for SQLAlchemy (the workbench makes its engine in the first
    worker). The same checks: a database at the schema this release knows, the login (or
    the demo fallback). ``None`` when the URL is not one it knows, or the server cannot be
    reached: the caller then logs in through an engine, which says what is wrong."""
    url = settings.database_url
    db = _direct_connection(url)
    if db is None:
        return None
    try:
        try:
            version = rows_of(db)("SELECT version_num FROM alembic_version", {})
        except Exception as error:  # each driver's own "no such table"
            if not no_version_table(error):
                raise
            version = []
        if not version or version[0][0] != SCHEMA_HEAD:
            raise InvalidInput(t("cli.not_initialised"))
        actor = _tui_actor(db, login_name, explicit)
    finally:
        db.close()
    return Workbench(url, settings, actor)


def _direct_connection(url: str) -> Any:
    """A ``sqlite3`` connection to a SQLite file URL, a ``psycopg`` one (autocommit) to a
    PostgreSQL URL; ``None`` for anything else or a server that does not answer."""
    if url.startswith("sqlite:///") and "?" not in url and url != "sqlite:///:memory:":
        import sqlite3

        path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not path.is_file():  # never create an empty database on the way
            raise InvalidInput(t("cli.not_initialised"))
        return sqlite3.connect(path, timeout=10)  # read-write: read-only WAL opens can fail
    for scheme in ("postgresql+psycopg://", "postgresql://"):
        if url.startswith(scheme):
            import psycopg

            try:
                return psycopg.connect("postgresql://" + url.removeprefix(scheme), autocommit=True)
            except psycopg.Error:
                return None
    return None


def admin_actor(settings: Settings) -> Workbench:
    """A :class:`Workbench` for the service account: the whole branch, as the admin sees it.

    The CLI run without ``--as`` is the branch's IT administrator (only the service account
    can open the database); the first active admin of the database stands for them, so scope
    and audit work exactly as for a person.
    """
    engine = open_engine(settings)
    with engine.connect() as conn:
        admin = first_admin_login(conn)
    if admin is None:
        raise InvalidInput(t("cli.no_admin"))
    return login(engine, settings, admin)


@contextmanager
def admin_session(settings: Settings) -> Iterator[Session]:
    """A unit of work for the service account itself (local administration from the CLI)."""
    from cmworkbench.db.engine import unit_of_work

    engine = open_engine(settings)
    try:
        with unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()
