"""One's own notifications as a session reads them (``workbench.notifications``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.notifications.schemas import NotificationOut


class NotificationsFacade(Facade):
    """The inbox, its unread count, what arrived since, marking read."""

    inbox: UseCase[list[NotificationOut]] = UseCase("notifications.inbox:inbox")
    unread: UseCase[int] = UseCase("notifications.inbox:unread_count")
    since: UseCase[list[NotificationOut]] = UseCase("notifications.inbox:since")
    latest_id: UseCase[int] = UseCase("notifications.inbox:latest_id")
    mark_read: UseCase[int] = UseCase("notifications.inbox:mark_read")
