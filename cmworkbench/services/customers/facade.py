"""The customers' use cases as a session calls them (``workbench.customers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from datetime import datetime

    from cmworkbench.services.core.schemas import AuditEntry
    from cmworkbench.services.customers.profile import CustomerHit
    from cmworkbench.services.customers.schemas import (
        ContactOut,
        Customer360,
        CustomerProfile,
        ExportResult,
        FileCheck,
        HandoverReport,
        PoolCandidate,
        PoolCustomer,
        PoolMove,
        VerificationOut,
    )


class CustomersFacade(Facade):
    """Look-up, the 360 view, edits and reveals, the audit trail, export and handover."""

    search: UseCase[list[CustomerHit]] = UseCase("customers.search:search_customers")
    count: UseCase[int] = UseCase("customers.search:count_customers")
    view: UseCase[Customer360] = UseCase("customers.profile:get_customer_360")
    contacts: UseCase[list[ContactOut]] = UseCase("customers.profile:customer_contacts")
    edit_contact: UseCase[list[ContactOut]] = UseCase("customers.profile:edit_contact")
    reveal: UseCase[str] = UseCase("customers.reveal:reveal")
    update: UseCase[CustomerProfile] = UseCase("customers.profile:update_customer")
    file_check: UseCase[FileCheck] = UseCase("customers.verification:file_check")
    verify: UseCase[VerificationOut] = UseCase("customers.verification:verify_file")
    confirm_directory: UseCase[datetime] = UseCase("customers.group_directory:confirm_directory")
    audit: UseCase[list[AuditEntry]] = UseCase("core.audit:entries_for_customer")
    export: UseCase[ExportResult] = UseCase("customers.export:export_customers")
    handover: UseCase[HandoverReport] = UseCase("customers.handover:handover")
    pool: UseCase[list[PoolCustomer]] = UseCase("customers.pool:pool_list")
    pool_candidates: UseCase[list[PoolCandidate]] = UseCase("customers.pool:candidates")
    pool_assign: UseCase[list[PoolMove]] = UseCase("customers.pool:assign")
    pool_allocate: UseCase[list[PoolMove]] = UseCase("customers.pool:allocate")
    pool_claim: UseCase[PoolMove] = UseCase("customers.pool:claim")
