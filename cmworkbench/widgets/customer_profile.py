"""The top of the customer 360 view: who the customer is, who serves them, what is due."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from cmworkbench import clock
from cmworkbench.i18n import label, t
from cmworkbench.services.customers.schemas import REVEALABLE
from cmworkbench.widgets.display import local_date, money

if TYPE_CHECKING:
    from cmworkbench.services.customers.schemas import CustomerProfile, NextContact

Part = str | tuple[str, str]

FLAGS = (
    ("is_government", "government"),
    ("is_dual_span", "dual_span"),
    ("is_benchmark", "benchmark"),
    ("is_vip", "vip"),
)
"""Priority flags (profile attribute, tag name), most important first."""

MASKED_FIELDS = REVEALABLE
"""Fields shown masked until revealed."""

WARNING = "bold $text-warning"
TAG = "bold $text-accent"
REVEALED = "bold $text-error"


class CustomerProfilePanel(Static):
    """Class, flags, status, owner and backup, assets or revenue, phones (masked unless
    revealed), re-verification and the next due contact; lateness in the warning colour."""

    DEFAULT_CSS = """
    CustomerProfilePanel {
        height: auto;
        border: round $primary;
        border-title-color: $accent;
        border-title-style: bold;
        padding: 0 1;
    }
    """

    def show(
        self,
        profile: CustomerProfile,
        next_contact: NextContact | None,
        revealed: Mapping[str, str],
    ) -> None:
        """Show ``profile``; ``revealed`` holds the clear values of fields revealed here."""
        self.border_title = f"{profile.name} · {profile.customer_no}"
        lines = [
            self._identity(profile),
            self._service(profile),
            self._phones(profile, revealed),
            self._verification(profile),
            self._next_contact(next_contact),
        ]
        self.update(Content("\n").join(Content.assemble(*line) for line in lines if line))

    @staticmethod
    def _identity(p: CustomerProfile) -> list[Part]:
        parts: list[Part] = [label("kind", p.kind)]
        value_class = " ".join(x for x in (p.cls, label("tier", p.tier)) if x)
        if value_class:
            parts += ["  ", (value_class, "bold")]
        for attribute, flag in FLAGS:
            if getattr(p, attribute):
                parts += [" ", (f"[{t(f'tui.flag.{flag}')}]", TAG)]
        status_style = "" if p.status == "active" else WARNING
        parts += ["  ", (label("status", p.status), status_style)]
        if p.industry:
            parts += ["  ", p.industry]
        if p.area:
            parts += [" · ", p.area]
        return parts

    @staticmethod
    def _service(p: CustomerProfile) -> list[Part]:
        parts: list[Part] = [t("tui.profile.owner"), " ", _person(p.owner_name, p.owner_login)]
        parts += ["  ", t("tui.profile.backup"), " ", _person(p.backup_name, p.backup_login)]
        if p.assets_yuan is not None:
            parts += ["  ", t("tui.profile.assets"), " ", (money(p.assets_yuan), "bold")]
        if p.revenue_yuan is not None:
            parts += ["  ", t("tui.profile.revenue"), " ", (money(p.revenue_yuan), "bold")]
        if p.preferred_hours:
            parts += ["  ", t("tui.profile.hours", hours=p.preferred_hours)]
        return parts

    @staticmethod
    def _phones(p: CustomerProfile, revealed: Mapping[str, str]) -> list[Part]:
        parts: list[Part] = []
        for field in MASKED_FIELDS:
            masked = getattr(p, field)
            if not masked:
                continue
            if parts:
                parts.append("  ")
            parts.append(t(f"tui.profile.{field}") + " ")
            clear = revealed.get(field)
            parts.append((clear, REVEALED) if clear else masked)
        if revealed:
            parts += ["  ", (t("tui.profile.revealed"), REVEALED)]
        return parts

    @staticmethod
    def _verification(p: CustomerProfile) -> list[Part]:
        if p.days_since_verified is None:
            text = t("tui.profile.never_verified")
        else:
            text = t("tui.profile.verified_days", n=p.days_since_verified)
        if p.freshness_max_days is not None:
            text += t("tui.profile.verify_rule", n=p.freshness_max_days)
        label_text = t("tui.profile.verification") + " "
        return [label_text, (text, WARNING if p.verification_overdue else "")]

    @staticmethod
    def _next_contact(nc: NextContact | None) -> list[Part]:
        if nc is None:
            return []
        parts: list[Part] = [t("tui.profile.next_contact") + " "]
        if nc.overdue:
            late = (clock.today() - nc.overdue_on).days
            parts.append((t("tui.profile.contact_overdue", n=late), WARNING))
            parts.append(" " + t("tui.profile.contact_was_due", overdue=nc.overdue_on.isoformat()))
        else:
            due = t("tui.profile.contact_due", due=nc.due_on.isoformat(), overdue=nc.overdue_on)
            parts.append((due, WARNING) if nc.due_on <= clock.today() else due)
        last = local_date(nc.last_contact_at) or t("tui.profile.never")
        parts += ["  ", t("tui.profile.last_contact", day=last, rule=nc.rule)]
        return parts


def _person(name: str | None, login: str | None) -> str:
    if not name:
        return t("tui.profile.nobody")
    return f"{name} ({login})" if login else name
