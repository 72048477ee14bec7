"""A group's internal staff directory (通讯录): refreshed by hand, by a contact edit, or by an
import of its contacts.

The telecom handbook: an important group's directory is refreshed at least every 6 months, and
each manager collects or refreshes at least 2 groups' directories a month. "Refreshed" means
the directory's contacts were confirmed or updated: the manager confirms it after going
through it with the group (360 view ``d``, ``cmw directory confirm``), edits one of its
contacts, or an import brings the group's contacts from the source. Each refresh stamps
``customer.directory_refreshed_at`` (the generation's six-month rule counts from it), is kept
as a ``directory_refresh`` row (who and how: the report's per-manager figure), and closes the
group's open refresh task. A refresh by a person is audited; an import is audited as a whole.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from types import ModuleType

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.db.models import Customer, DirectoryRefresh
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_customer


def confirm_directory(*, session: Session, actor: Actor, customer_no: str) -> datetime:
    """The actor confirmed the group's staff directory with it now; returns when."""
    customer = require_customer(session=session, actor=actor, customer_no=customer_no)
    if customer.kind != "group":
        raise InvalidInput(t("directory.not_group", customer_no=customer.customer_no))
    return refreshed_by_hand(session, actor, customer, "hand")


def refreshed_by_hand(session: Session, actor: Actor, customer: Customer, source: str) -> datetime:
    """Stamp, record, audit and close the refresh of ``customer``'s directory by ``actor``
    (``source``: ``hand`` or ``contact``)."""
    assert customer.id is not None
    now = clock.now()
    before = customer.directory_refreshed_at
    session.exec(
        update(Customer).where(col(Customer.id) == customer.id).values(directory_refreshed_at=now)
    )
    session.add(DirectoryRefresh(customer_id=customer.id, staff_id=actor.id, at=now, source=source))
    audit.record(
        session,
        actor=actor,
        action="refresh_directory",
        object_type="customer",
        object_id=customer.id,
        customer_id=customer.id,
        field_name="directory_refreshed_at",
        detail=f"{source}: {_minute(before)} → {_minute(now)}",
    )
    _tasks().close_directory_tasks(session, actor=actor, customer_id=customer.id)
    session.refresh(customer)
    return now


def refreshed_by_import(session: Session, customer_ids: Collection[int], now: datetime) -> int:
    """The groups among ``customer_ids`` had their contacts imported: each directory is
    refreshed (credited to the group's owner), its tasks closed. Returns how many groups."""
    groups: list[tuple[int, int | None]] = []
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        groups += session.exec(
            select(Customer.id, Customer.owner_id).where(
                col(Customer.id).in_(ids[start : start + 500]), col(Customer.kind) == "group"
            )
        ).all()  # type: ignore[arg-type]
    if not groups:
        return 0
    found = [cid for cid, _ in groups if cid is not None]
    conn = session.connection()
    for start in range(0, len(found), 500):
        conn.execute(
            update(Customer)
            .where(col(Customer.id).in_(found[start : start + 500]))
            .values(directory_refreshed_at=now)
        )
    rows = [
        {"customer_id": cid, "staff_id": owner, "at": now, "source": "import"}
        for cid, owner in groups
    ]
    conn.execute(insert(DirectoryRefresh), rows)
    _tasks().close_directory_tasks_of(session, found)
    return len(found)


def _tasks() -> ModuleType:
    """The tasks capability's api, imported when first used: tasks import the customers' api
    (a retention result changes the customer), so neither may import the other at load."""
    from cmworkbench.services.tasks import api

    return api


def _minute(moment: datetime | None) -> str:
    return (
        "—" if moment is None else moment.astimezone(clock.branch_tz()).strftime("%Y-%m-%d %H:%M")
    )
