"""Credit files as a session works them (``workbench.credit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmworkbench.services.core.usecase import Facade, UseCase

if TYPE_CHECKING:
    from cmworkbench.services.credit.schemas import CreditFileDetail, CreditFileOut


class CreditFacade(Facade):
    """Making a file and checking its items, the borrower's figures and guarantors; the
    manager's submission and the risk manager's signature or return; a new version of an
    approved file; the lists and the risk manager's queue."""

    new: UseCase[CreditFileDetail] = UseCase("credit.files:new_file")
    figures: UseCase[CreditFileDetail] = UseCase("credit.files:set_figures")
    check: UseCase[CreditFileDetail] = UseCase("credit.files:check_item")
    add_guarantor: UseCase[CreditFileDetail] = UseCase("credit.files:add_guarantor")
    remove_guarantor: UseCase[CreditFileDetail] = UseCase("credit.files:remove_guarantor")
    revise: UseCase[CreditFileDetail] = UseCase("credit.files:revise")
    submit: UseCase[CreditFileDetail] = UseCase("credit.signing:submit")
    sign: UseCase[CreditFileDetail] = UseCase("credit.signing:sign")
    return_file: UseCase[CreditFileDetail] = UseCase("credit.signing:return_file")
    show: UseCase[CreditFileDetail] = UseCase("credit.views:show")
    queue: UseCase[list[CreditFileOut]] = UseCase("credit.views:queue")
    list: UseCase[list[CreditFileOut]] = UseCase("credit.views:list_files")
