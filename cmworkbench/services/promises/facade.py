"""Promises as a session works them (``workbench.promises``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.promises.schemas import PromiseOut, PromiseSweepOut


class PromisesFacade(Facade):
    """Making, listing, keeping and cancelling promises; the sweep."""

    new: UseCase[PromiseOut] = UseCase("promises.book:new_promise")
    incoming: UseCase[PromiseOut] = UseCase("promises.book:incoming")
    urgent: UseCase[PromiseOut] = UseCase("promises.book:urgent")
    at_risk: UseCase[PromiseOut] = UseCase("promises.book:activation_at_risk")
    list: UseCase[list[PromiseOut]] = UseCase("promises.book:list_promises")
    keep: UseCase[PromiseOut] = UseCase("promises.book:keep_promise")
    cancel: UseCase[PromiseOut] = UseCase("promises.book:cancel_promise")
    sweep: UseCase[PromiseSweepOut] = UseCase("promises.sweep:sweep")
