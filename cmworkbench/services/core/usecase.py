"""Use cases as a session calls them: a service function bound to a capability's facade.

A service is a plain function ``f(*, session, actor, …)`` (see ../shared/STYLE.md, convention
3). A facade (:class:`Facade`, one per capability: ``workbench.complaints``,
``workbench.customers`` …) lists its use cases as :class:`UseCase` attributes naming those
functions, so a method is the function itself, bound: no signature is typed twice, and a new
use case is one line in its own package::

    class ComplaintsFacade(Facade):
        act: UseCase[ComplaintDetail] = UseCase("complaints.lifecycle:act")

    workbench.complaints.act("T202611230001", change, version=3)

Calling it runs the function in one unit of work as the facade's actor (the workbench's
:meth:`run`: retries a lost race, makes the result printable); positional arguments fill the
function's own parameters in order, and ``settings`` and ``grades`` are passed from the
workbench's settings when the function takes them. The function's module is imported on the
first call, not before: a facade imports nothing but its package's ``schemas``, so ``cmw tui``
paints before SQLAlchemy loads.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from cmworkbench.config import Settings

T = TypeVar("T")

PACKAGE = "cmworkbench.services"
INJECTED = ("session", "actor", "settings", "grades")
"""Parameters the facade fills itself: the unit of work, who acts, and from the settings."""


class Runner(Protocol):
    """What a facade runs its use cases on: the workbench."""

    settings: Settings

    def run(self, service: Callable[..., Any], /, **kwargs: Any) -> Any: ...


class Facade:
    """The use cases of one capability, as the logged-in actor calls them."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    @property
    def settings(self) -> Settings:
        return self._runner.settings

    def run(self, service: Callable[..., T], /, **kwargs: Any) -> T:
        """``service`` in one unit of work as the actor (see :class:`UseCase`)."""
        return self._runner.run(service, **kwargs)  # type: ignore[no-any-return]


class UseCase(Generic[T]):
    """A service function (``"package.module:function"`` under ``cmworkbench.services``),
    bound as a method of the facade that lists it."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.name = target.rpartition(":")[2]
        self._function: Callable[..., T] | None = None
        self._positional: tuple[str, ...] = ()
        self._injected: tuple[str, ...] = ()

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def function(self) -> Callable[..., T]:
        """The service function (its module imported now, the first time)."""
        if self._function is None:
            module, _, name = self.target.partition(":")
            function = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
            parameters = inspect.signature(function).parameters
            self._positional = tuple(p for p in parameters if p not in INJECTED)
            self._injected = tuple(p for p in ("settings", "grades") if p in parameters)
            self._function = function
        return self._function

    def call(self, facade: Facade, /, *args: Any, **kwargs: Any) -> T:
        """Run the function for ``facade``'s actor with these arguments."""
        function = self.function
        if len(args) > len(self._positional):
            raise TypeError(f"{self.name}() takes {len(self._positional)} arguments")
        for name, value in zip(self._positional, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{self.name}() got two values for {name}")
            kwargs[name] = value
        if "settings" in self._injected:
            kwargs.setdefault("settings", facade.settings)
        if "grades" in self._injected:
            kwargs.setdefault("grades", facade.settings.grades)
        return facade.run(function, **kwargs)

    @overload
    def __get__(self, facade: None, owner: type) -> UseCase[T]: ...
    @overload
    def __get__(self, facade: Facade, owner: type) -> Callable[..., T]: ...
    def __get__(self, facade: Facade | None, owner: type) -> UseCase[T] | Callable[..., T]:
        if facade is None:
            return self

        def bound(*args: Any, **kwargs: Any) -> T:
            return self.call(facade, *args, **kwargs)

        bound.__name__ = bound.__qualname__ = self.name
        return bound


def use_cases(facade: type[Facade]) -> dict[str, UseCase[Any]]:
    """The use cases a facade class lists, by method name."""
    found: dict[str, UseCase[Any]] = {}
    for klass in reversed(facade.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, UseCase):
                found[name] = value
    return found
