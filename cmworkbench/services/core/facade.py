"""Drafts as a session keeps them (``workbench.drafts``): a complaint or visit record being
typed survives a dropped connection."""

from __future__ import annotations

from cmworkbench.services.core.usecase import Facade, UseCase


class DraftsFacade(Facade):
    """Save, load and clear the actor's draft of a form."""

    save: UseCase[None] = UseCase("core.drafts:save_draft")
    load: UseCase[dict[str, str] | None] = UseCase("core.drafts:load_draft")
    clear: UseCase[None] = UseCase("core.drafts:clear_draft")
