"""Demo customers and what hangs off each one: key persons, holdings, contacts, month-end figures.

Rows are plain tuples in the column order of the ``*_COLUMNS`` constants, with values in the
form SQLite stores them (text instants and dates, 0/1 booleans), because that is what a
million-customer build can afford; :mod:`cmworkbench.services.ops.demo` converts them for other
databases. Ids are assigned here from known starting ids, so nothing is read back.

Proportions follow DESIGN.md: classes A 10% (A1 = 30% of A), B 20% (B1 = 30% of B), C 70%;
individuals at or above RMB 200,000 of assets are mid/high-end (中高端), with the VIP tiers
diamond/gold above; about a quarter of the customers are group customers (集团客户).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from cmworkbench.config import Settings
from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.vip import is_vip
from cmworkbench.services.ops.demo.activity import Interactions, Subject
from cmworkbench.services.ops.demo.quality import Quality
from cmworkbench.services.ops.demo.staff import Books
from cmworkbench.services.ops.demo.stamps import Stamps
from cmworkbench.services.ops.demo.tasks import done_task

Row = tuple[object, ...]

CUSTOMER_COLUMNS = (
    "id", "customer_no", "kind", "name", "cls", "tier", "is_vip", "is_government",
    "is_dual_span", "is_benchmark", "industry", "area", "address", "phone", "phone2",
    "id_number", "birthday", "owner_id", "backup_id", "assets_yuan", "revenue_yuan",
    "staff_count", "status", "preferred_hours", "info_verified_at", "opened_on", "created_at",
    "updated_at", "version", "directory_refreshed_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "customer_id", "name", "role", "title", "phone", "phone2", "birthday", "preferences",
    "notes", "is_key_person", "updated_at",
)  # fmt: skip
HOLDING_COLUMNS = (
    "id", "customer_id", "product", "product_kind", "opened_on", "activated_on", "matures_on",
    "amount_yuan", "next_check_on",
)  # fmt: skip
METRIC_COLUMNS = ("id", "customer_id", "month", "assets_yuan", "revenue_yuan", "member_count")
DIRECTORY_COLUMNS = ("id", "customer_id", "staff_id", "at", "source")
DIRECTORY_DAYS = 175
"""A group's staff directory (通讯录) was last refreshed up to this many days ago (within the
six months of ``[directories]``), spread evenly, but for :data:`DIRECTORY_STALE` of them,
whose refresh is due. Drawn from the customer's id, not the random stream, so adding them
left every other figure of the demo as it was."""
DIRECTORY_STALE = 50
"""One group in this many has a directory last refreshed over six months ago."""
DIRECTORY_LOGGED_DAYS = 62
"""Refreshes of the last two months are on record (who and when: the report's figure)."""
_ASSETS_AT = CUSTOMER_COLUMNS.index("assets_yuan")
_REVENUE_AT = CUSTOMER_COLUMNS.index("revenue_yuan")
_STAFF_COUNT_AT = CUSTOMER_COLUMNS.index("staff_count")
_STATUS_AT = CUSTOMER_COLUMNS.index("status")
_VIP_AT = CUSTOMER_COLUMNS.index("is_vip")
_TIER_AT = CUSTOMER_COLUMNS.index("tier")
_NAME_AT = CUSTOMER_COLUMNS.index("name")
_GOVERNMENT_AT = CUSTOMER_COLUMNS.index("is_government")
_DIRECTORY_AT = CUSTOMER_COLUMNS.index("directory_refreshed_at")

GROUP_SHARE = 0.25
CLASS_WEIGHTS = (("A1", 3), ("A2", 7), ("B1", 6), ("B2", 14), ("C", 70))
CLASS = d.Weighted(CLASS_WEIGHTS)
AB_SHARE = sum(w for c, w in CLASS_WEIGHTS if c != "C") / sum(w for _, w in CLASS_WEIGHTS)
"""The A/B-class share of the customers: the managers' books (the rest are C: phone managers')."""
# Assets (individuals) and annual revenue to us (groups) by class, yuan, drawn log-uniformly:
# the bands do not overlap, so the class is the rank of the value model, as DESIGN.md defines.
_ASSETS = {"A1": (3e6, 5e7), "A2": (1e6, 3e6), "B1": (5e5, 1e6), "B2": (2e5, 5e5), "C": (1e3, 2e5)}
_REVENUE = {"A1": (5e6, 1e8), "A2": (1e6, 5e6), "B1": (5e5, 1e6), "B2": (1e5, 5e5), "C": (5e3, 1e5)}
_STAFF = {"A1": (500, 20_000), "A2": (200, 2_000), "B1": (50, 500), "B2": (50, 500), "C": (3, 100)}
# Asset tiers: RMB 200,000 is the usual mid/high-end line (DESIGN.md); the VIP tiers above it
# follow common bank practice (gold from 1 million, diamond from 5 million).
_TIERS = ((5_000_000, "diamond"), (1_000_000, "gold"), (200_000, "mid_high"), (0, "mass"))
_VIP_RATE = {"diamond": 0.8, "gold": 0.3, "mid_high": 0.005, "mass": 0.0}
# A steady branch: a few customers show the outflow that flags them at risk (each a retention
# task), a few have been lost.
STATUS = d.Weighted((("active", 97), ("at_risk", 1), ("lost", 2)))
# Basic data is re-verified within each class's [freshness] max_days (monthly for A, every 2
# months for B, every 6 months for C: telecom handbook): in steady state most were verified
# within the limit (some are due today), a few are past it by up to a third of it.
STALE_SHARE = 0.02
_CONTACTS = d.Weighted(((1, 25), (2, 35), (3, 25), (4, 15)))
_HOLDINGS = d.Weighted(((0, 10), (1, 45), (2, 30), (3, 10), (4, 5)))
_METRIC_MONTHS = 3
"""Month-end figures for A/B and at-risk customers: enough for the churn signals (a drop)."""
COMPLAINT_RATE = 1 / 200


@dataclass
class Chunk:
    """The rows of one chunk of customers, ready to insert, and what later steps need."""

    customers: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    holdings: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    metrics: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)
    """The done tasks of the chunk's recent contacts and verifications."""
    directories: list[Row] = field(default_factory=list)
    """Recent refreshes of the chunk's groups' staff directories."""
    verifications: list[Row] = field(default_factory=list)
    """What the recent verifications of the chunk's files found (:mod:`.quality`)."""
    complainants: list[Complainant] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Complainant:
    """A customer who will have a complaint: who owns them and whom they may complain as."""

    customer_id: int
    owner_id: int
    backup_id: int | None
    cls: str
    is_vip: bool
    contact_ids: tuple[int, ...]


class Customers:
    """Generates customers chunk by chunk; ids continue from the given starting ids."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        books: Books,
        next_ids: dict[str, int],
        settings: Settings,
    ):
        self.rng = rng
        self.stamps = stamps
        self.books = books
        self.ids = next_ids
        self.resident_ids = d.ResidentIds()
        self.interactions = Interactions(rng, stamps, books, next_ids, settings)
        self._verified_at = 0
        """When the customer being drawn last had its data verified (UTC epoch)."""
        self._fresh_days = {cls: rule.max_days for cls, rule in settings.freshness.items()}
        self.samples: dict[int, list[tuple[int, str, str]]] = {}
        """Owner → their first customers (id, class), for the demo's open tasks."""
        self._months = stamps.months_before(_METRIC_MONTHS)
        self.quality = Quality(stamps, next_ids, settings, CUSTOMER_COLUMNS, CONTACT_COLUMNS)

    def chunk(self, count: int) -> Chunk:
        """The next ``count`` customers with their contacts, holdings, interactions, metrics."""
        out = Chunk()
        for _ in range(count):
            self._one(out)
        return out

    def _one(self, out: Chunk) -> None:
        rng = self.rng
        cid = self.ids["customer"]
        self.ids["customer"] = cid + 1
        individual = rng.random() >= GROUP_SHARE
        cls = CLASS.pick(rng)
        owner, backup = self.books.assign(rng, cls, individual)
        if individual:
            row = self._individual(cid, cls, owner, backup)
            contact_ids: tuple[int, ...] = ()
        else:
            org = d.organisation(rng)
            row = self._group(cid, cls, owner, backup, org)
            contact_ids = self._contacts(out, cid, org.kind)
        row = self.quality.spoil(row, out.contacts, len(contact_ids))
        out.customers.append(row)
        value = cast(int, row[_ASSETS_AT] if individual else row[_REVENUE_AT])
        activations = self._holdings(out, cid, individual, value)
        if owner is None:  # the branch pool: imported without a manager, no history here
            return
        vip = is_vip(bool(row[_VIP_AT]), cast("str | None", row[_TIER_AT]))
        name = cast(str, row[_NAME_AT])
        who = Subject(
            cid, name, cls, vip, bool(row[_GOVERNMENT_AT]), owner, backup, contact_ids, activations
        )
        self.interactions.for_customer(out.interactions, out.tasks, who)
        self._verified_task(out, cid, cls, owner)
        self.quality.verification(out.verifications, row, owner, self._verified_at)
        if row[_DIRECTORY_AT] is not None:
            self._directory_refresh(out, cid, owner)
        status = cast(str, row[_STATUS_AT])
        if cls != "C" or status != "active":
            members = cast("int | None", row[_STAFF_COUNT_AT])
            self._metrics(out, cid, individual, value, status, members)
        if rng.random() < COMPLAINT_RATE:  # a VIP's ticket runs on the VIP clock (flag or tier)
            out.complainants.append(Complainant(cid, owner, backup, cls, vip, contact_ids))
        sample = self.samples.setdefault(owner, [])
        if len(sample) < 40:
            sample.append((cid, cls, name))

    def _individual(self, cid: int, cls: str, owner: int | None, backup: int | None) -> Row:
        rng = self.rng
        male = rng.random() < 0.5
        born = d.birth_ordinal(rng, self.stamps.today_ord)
        id_number = self.resident_ids.draw(rng, date.fromordinal(born), male)
        low, high = _ASSETS[cls]
        assets = int(low * (high / low) ** rng.random()) // 100 * 100
        tier = _tier(assets)
        # VIPs come from the diamond/gold tiers (VIP tiers above mid/high-end, DESIGN.md), and
        # not all of them: the VIP card is granted, not automatic, so a few percent overall.
        vip = rng.random() < _VIP_RATE[tier]
        district = d.DISTRICT.pick(rng)
        common = self._common(cls, v.DISTRICTS[district][0], pooled=owner is None)
        name = d.person_name(rng, male)
        return (
            cid, f"C{cid:08d}", "individual", name, cls, tier, int(vip), 0, 0, 0, None,
            common[0], d.address(rng, district, home=True), common[1], common[2], id_number,
            self.stamps.day(born), owner, backup, assets, None, None, *common[3:], None,
        )  # fmt: skip

    def _group(
        self, cid: int, cls: str, owner: int | None, backup: int | None, org: d.Organisation
    ) -> Row:
        rng = self.rng
        low, high = _REVENUE[cls]
        revenue = int(low * (high / low) ** rng.random()) // 1000 * 1000
        staff_low, staff_high = _STAFF[cls]
        staff_count = int(staff_low * (staff_high / staff_low) ** rng.random())
        top = cls[0]
        # Public bodies, schools and hospitals are most of the government-important customers
        # (政府重要客户); dual-span groups and industry benchmarks are rare and mostly A/B.
        gov = rng.random() < {"bureau": 0.6, "school": 0.25, "hospital": 0.25}.get(org.kind, 0.005)
        dual = rng.random() < {"A": 0.08, "B": 0.02}.get(top, 0.002)
        bench = rng.random() < {"A": 0.15, "B": 0.04}.get(top, 0.005)
        vip = rng.random() < {"A": 0.4, "B": 0.08}.get(top, 0.005)
        common = self._common(cls, v.DISTRICTS[org.district][0], pooled=owner is None)
        # An important group's staff directory (通讯录) is kept ([directories] default: A/B
        # classes and the flags); a small C-class group's is not.
        kept = top in "AB" or gov or dual or bench
        return (
            cid, f"C{cid:08d}", "group", org.name, cls, None, int(vip), int(gov), int(dual),
            int(bench), org.industry, common[0], d.address(rng, org.district, home=False),
            common[1], common[2], None, None, owner, backup, None, revenue, staff_count,
            *common[3:], self.stamps.instant(self._directory_at(cid)) if kept else None,
        )  # fmt: skip

    def _directory_at(self, cid: int) -> int:
        """When group ``cid``'s staff directory was last refreshed (UTC epoch)."""
        stale = cid * 104_729 % DIRECTORY_STALE == 0
        ago = 185 + cid % 30 if stale else 1 + cid * 7_919 % DIRECTORY_DAYS
        return self.stamps.midnight(self.stamps.today_ord - ago) + 36_000 + cid % 18_000

    def _directory_refresh(self, out: Chunk, cid: int, owner: int) -> None:
        """The last refresh on record, when it falls in the last two months."""
        at = self._directory_at(cid)
        if at >= self.stamps.midnight(self.stamps.today_ord - DIRECTORY_LOGGED_DAYS):
            row_id = self.ids["directory_refresh"]
            self.ids["directory_refresh"] = row_id + 1
            out.directories.append((row_id, cid, owner, self.stamps.instant(at), "hand"))

    def _common(self, cls: str, area: str, *, pooled: bool = False) -> Row:
        """(area, phone, phone2, status, preferred hours, verified, opened, created, updated, 1)."""
        rng, stamps = self.rng, self.stamps
        phone2 = d.mobile(rng) if rng.random() < 0.15 else None
        status = STATUS.pick(rng)
        hours = d.pick(rng, v.PREFERRED_HOURS) if rng.random() < 0.35 else None
        # Most accounts are years old; about 2% opened in the last month (new files, 建档).
        # A customer in the pool is a new account or an import of the last weeks, waiting to be
        # allocated (an older one would have been): its cadence counts from its first day.
        new = pooled or rng.random() < 0.02
        opened_ago = 1 + int(rng.random() * (30 if new else 7300))
        limit = self._fresh_days.get(cls, 180)
        if rng.random() < STALE_SHARE:
            verified_ago = limit + 1 + int(rng.random() * max(limit // 3, 1))
        else:
            verified_ago = 1 + int(rng.random() * limit)
        verified_ago = min(verified_ago, opened_ago)
        opened = stamps.today_ord - opened_ago
        created = stamps.at(opened, 32_400 + int(rng.random() * 28_800))
        self._verified_at = stamps.midnight(stamps.today_ord - verified_ago) + _business_second(rng)
        verified = stamps.instant(self._verified_at)
        return (
            area,
            d.mobile(rng),
            phone2,
            status,
            hours,
            verified,
            stamps.day(opened),
            created,
            verified,
            1,
        )

    def _verified_task(self, out: Chunk, cid: int, cls: str, owner: int) -> None:
        """A verification since the first day of the previous month closed its task
        (信息更新, due that morning)."""
        verified = self._verified_at
        since = self.stamps.midnight(self.interactions.tasks_since)
        if verified >= since:
            day = self.stamps.local_date(verified).toordinal()
            due = self.stamps.midnight(day) + 32_400
            out.tasks.append(
                done_task(
                    self.stamps, self.ids, "verify_info", cid, cls, owner, due, None, verified
                )
            )

    def _contacts(self, out: Chunk, cid: int, org_kind: str) -> tuple[int, ...]:
        """1–4 key persons (关键人) of a group customer; the first is the decision maker."""
        rng, stamps = self.rng, self.stamps
        ids = []
        for n in range(_CONTACTS.pick(rng)):
            contact_id = self.ids["contact"]
            self.ids["contact"] = contact_id + 1
            ids.append(contact_id)
            role = "decision_maker" if n == 0 else _other_role(rng, n)
            key = role != "contact" or rng.random() < 0.3
            prefs = "；".join(d.pick(rng, v.PREFERENCES) for _ in range(1 + int(rng.random() * 2)))
            born = d.birth_ordinal(rng, stamps.today_ord, 35 if n == 0 else 25)
            out.contacts.append((
                contact_id, cid, d.person_name(rng, rng.random() < 0.6), role,
                d.key_person_title(rng, org_kind, n == 0), d.mobile(rng),
                d.mobile(rng) if rng.random() < 0.1 else None, stamps.day(born),
                prefs if rng.random() < 0.5 else None, None, int(key),
                stamps.at(stamps.today_ord - 1 - int(rng.random() * 180), _business_second(rng)),
            ))  # fmt: skip
        return tuple(ids)

    def _holdings(self, out: Chunk, cid: int, individual: bool, value: int) -> list[int]:
        """About 1.5 products per customer; terms decide maturities, loans get checks.
        Returns the activation days (ordinals) of telecom products activated lately (they are
        owed an after-sale return visit)."""
        rng, today = self.rng, self.stamps.today_ord
        day = self.stamps.day
        catalogue = d.PRODUCTS["individual" if individual else "group"]
        recent = self.interactions.oldest_activation
        activations = []
        for _ in range(_HOLDINGS.pick(rng)):
            product = catalogue.pick(rng)
            term = product.term_days
            if term:
                # Somewhere in its term today: short products often mature in the next 60 days.
                matures = today + 1 + int(rng.random() * term)
                opened = matures - term
            else:
                opened, matures = today - 1 - int(rng.random() * 1500), 0
            # Post-loan checks (贷后检查) are scheduled ahead; now and then one is a few days late.
            late = rng.random() < 0.03
            check_on = today - 1 - int(rng.random() * 5) if late else today + int(rng.random() * 90)
            check = day(check_on) if product.kind == "loan" else None
            holding_id = self.ids["holding"]
            self.ids["holding"] = holding_id + 1
            if product.kind == "telecom" and opened >= recent:
                activations.append(opened)
            out.holdings.append((
                holding_id, cid, product.name, product.kind, day(opened),
                day(opened) if product.kind == "telecom" else None,
                day(matures) if matures else None, product.amount(rng, value), check,
            ))  # fmt: skip
        return activations

    def _metrics(
        self, out: Chunk, cid: int, individual: bool, value: int, status: str, members: int | None
    ) -> None:
        """Month-end figures; at-risk and lost customers show the outflow that flags them."""
        rng = self.rng
        monthly = value if individual else value // 12
        trend = {"at_risk": 0.2, "lost": 0.45}.get(status, 0.0)
        for i, month in enumerate(self._months):
            age = len(self._months) - 1 - i  # months before the latest month-end
            factor = (1 + trend * age) * (0.95 + rng.random() * 0.1)
            amount = int(monthly * factor)
            count = int(members * (0.6 + trend * age) * 0.8) if members else None
            metric_id = self.ids["customer_metric"]
            self.ids["customer_metric"] = metric_id + 1
            out.metrics.append((
                metric_id, cid, month, amount if individual else None,
                None if individual else amount, None if individual else count,
            ))  # fmt: skip


def _tier(assets: int) -> str:
    """The asset tier of :data:`_TIERS` that ``assets`` (yuan) reach."""
    for line, name in _TIERS:
        if assets >= line:
            return name
    return _TIERS[-1][1]


def _other_role(rng: random.Random, n: int) -> str:
    """The second key person is usually an influencer; later ones are mostly plain contacts."""
    return "influencer" if rng.random() < (0.6 if n == 1 else 0.3) else "contact"


def _business_second(rng: random.Random) -> int:
    """A moment of the working day (08:30–17:30), in seconds after local midnight."""
    return 30_600 + int(rng.random() * 32_400)
