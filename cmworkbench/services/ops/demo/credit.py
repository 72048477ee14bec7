"""The demo's credit files (信贷档案): the loans the managers investigated in the workbench over
the last four months, signed by the branch's two risk managers (风险经理), with their post-loan
checks (贷后检查), as the credit services would have written them
(:mod:`cmworkbench.services.credit`).

**Who.** Two risk managers with stable logins (:data:`RISK_MANAGERS`: ``fengkong`` 郑宏 and
``qinlan`` 秦岚, role ``risk_manager``, in no manager team): the second signature of every file.
A file waiting now went to the one with the fewest waiting, as ``cmw credit submit`` sends it
(the demo login's to ``fengkong``), the files decided before were shared evenly.

**Whose and how many.** Each customer manager (the first :data:`MOST_MANAGERS` by id: two
risk managers sign for a branch of about that many) has 0–3 files (:data:`PER_MANAGER`), with
their A/B-class customers (companies and people: a public body, school or hospital takes no
business loan): 79 at 20,000 customers, tens, not thousands, and no more in a bigger demo. An
approved file is on a loan the customer holds, opened a few working days after the signature
(a business loan of the demo's holdings opened in the last four months); a file in work is a
new application or the renewal (续贷) of a loan maturing in the coming months. Where a book has
no such loan, the file is an application.

**Where they stand** (:data:`STATE`): most approved, a fifth drafts with some of the
investigation's eight items (``[credit] items``) still open, about one in eight submitted and
waiting for its risk manager (one to four working days). An approved file has every item
checked (now and then a concern, with its note), the borrower's figures, guarantors whose net
assets cover :data:`COVER` times the loan (at least ``[credit] guarantor_coverage``), and the
manager's submission up to four working days before the risk manager's signature
(:data:`SIGN_WORKDAYS`); :data:`RETURNED_BEFORE` of them went back once with a comment (the
item checked again, the follow-up closed when it was submitted again).

**Post-loan checks**, by the rule (``[credit]``: the first 30 days after the approval, then
every 1, 3 or 6 months by risk grade, on the next working day): every check due before today
was done by a held visit logged with its findings (the visit, its closed ``post_loan`` task,
the history line), :data:`LATE` of them after their due day; the next is open, and the daily
generation (``cmw generate``) brings those due within ``[tasks] post_loan_lead_days`` to Today.
:data:`DUE_THIS_WEEK` files of other managers have theirs due this week.

**Fixed cases.** The demo login (``zhangwei``) has a draft made on Thursday, a file waiting for
``fengkong`` since Thursday, one ``qinlan`` returned on Friday with a comment (his most valuable
customer's: its follow-up, rule ``credit_returned``, is on his Today), and two approved files,
one with its check due today (on his Today after ``cmw generate``). :data:`OVERDUE_LOGIN`'s
check of last week was not done: it reached the supervisor and the risk manager (escalated at
midnight, with their notifications) and is on the risk manager's queue. :data:`REVISED_LOGIN`
revised an approved file lately (new figures, one more guarantor): its first version is
superseded, the second approved and carrying the open check; a file of theirs waits too, so
both risk managers' queues have one.

The notifications the services sent are there too (a submission to the risk manager, a
signature or a return to the manager, a late check to the supervisor and the risk manager),
read once their matter was settled, numbered in the order they were sent. No audit rows, as
for the rest of the demo. Everything is drawn from the build's own credit stream, after every
other part: adding it left every other row as it was (but for the risk managers' staff rows,
the post-loan visits and their tasks). The cost is a scan of each chunk's customers and
holdings until every manager's candidates are found, and a few hundred rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import cast

from cmworkbench.config import Settings
from cmworkbench.domain import credit as rules
from cmworkbench.domain import demo_data as d
from cmworkbench.domain.calendar import BranchCalendar, parse_hours
from cmworkbench.domain.enums import Role
from cmworkbench.domain.masking import mask_id
from cmworkbench.domain.pipeline import by_next_workday, short_yuan
from cmworkbench.i18n import t
from cmworkbench.services.ops.demo.customers import CUSTOMER_COLUMNS, HOLDING_COLUMNS, Chunk
from cmworkbench.services.ops.demo.staff import DEMO_LOGIN, Member
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

RISK_MANAGERS: tuple[tuple[str, str], ...] = (("fengkong", "郑宏"), ("qinlan", "秦岚"))
"""The branch's risk managers (login, name), role ``risk_manager``."""
OVERDUE_LOGIN = "yanglei"
"""The manager whose post-loan check of last week was not done (escalated)."""
REVISED_LOGIN = "huangli"
"""The manager who revised an approved file (its first version superseded)."""
WINDOW = 120
"""Files of the last this many days: the workbench has kept them for about four months."""
MOST_MANAGERS = 60
"""Managers (the first by id) with files: what two risk managers sign for."""
PER_MANAGER = d.Weighted(((0, 20), (1, 35), (2, 30), (3, 15)))
STATE = d.Weighted((("approved", 68), ("draft", 20), ("submitted", 12)))
GRADE = d.Weighted((("low", 30), ("medium", 55), ("high", 15)))
COVER = (2.1, 3.5)
"""The guarantors' net assets over the loan, from–to (the rule asks for 2)."""
RETURNED_BEFORE = 0.2
"""Approved files that were returned once before their signature."""
CONCERN = 0.12
"""A checked item found a concern (with its note)."""
LATE = 0.12
"""Post-loan checks done after their due day."""
DUE_THIS_WEEK = 3
RENEWAL = 0.4
"""Files in work that renew a loan maturing soon (the rest: new applications)."""
KEEP = 6
"""Loans and customers kept per manager and kind (the first found)."""
SIGN_WORKDAYS = d.Weighted(((0, 15), (1, 35), (2, 25), (3, 15), (4, 10)))
"""Working days from the submission to the risk manager's signature."""

FILE_COLUMNS = (
    "id", "customer_id", "holding_id", "product", "amount_yuan", "term_months", "purpose",
    "risk_grade", "total_assets_yuan", "total_liabilities_yuan", "monthly_sales_yuan",
    "settlement", "collection", "collateral", "collateral_value_yuan", "state", "file_version",
    "previous_id", "schedule_from", "owner_id", "risk_manager_id", "submitted_at",
    "submitted_by_id", "signed_at", "returned_at", "return_comment", "created_at", "updated_at",
    "version",
)  # fmt: skip
ITEM_COLUMNS = (
    "file_id", "item", "result", "finding", "note", "document_ref", "checked_by_id", "checked_at",
)  # fmt: skip
GUARANTOR_COLUMNS = (
    "id", "file_id", "name", "id_no", "relation", "net_assets_yuan", "added_by_id", "added_at",
)  # fmt: skip
EVENT_COLUMNS = ("id", "file_id", "at", "staff_id", "action", "note")
CHECK_COLUMNS = (
    "id", "file_id", "seq", "planned_on", "due_on", "done_at", "done_by_id", "interaction_id",
    "findings", "escalated_at",
)  # fmt: skip
PURPOSE_COLUMNS = ("interaction_id", "task_kind", "task_id")
NOTIFICATION_COLUMNS = (
    "id", "recipient_id", "kind", "title", "body", "object_type", "object_id", "idem_key",
    "created_at", "read_at",
)  # fmt: skip

# -- the words of the files ------------------------------------------------------------------

_GROUP_PURPOSES = ("采购原材料", "支付上游货款", "补充日常经营周转资金", "支付工程款", "备货周转")
_FIXED_PURPOSES = ("购置生产设备", "厂房扩建", "生产线技术改造")
_PERSON_PURPOSES = ("店铺进货周转", "支付门店租金及装修", "购置经营设备", "扩大经营规模")
_SETTLEMENT = {
    True: ("对公转账", "银行承兑汇票", "对公转账、商业承兑汇票"),
    False: ("POS 收单、扫码收款", "现金、扫码收款", "对公转账"),
}
_COLLECTION = ("月结 30 天", "月结 60 天", "货到付款", "预收 30%，验收后付清", "当日到账")
_COLLATERAL = {True: ("厂房及土地使用权抵押", "机器设备抵押"), False: ("住房抵押", "商铺抵押")}
_GUARANTEE_FIRMS = (
    "杭州市融资担保有限公司", "浙江中小企业融资担保有限公司", "杭州高新融资担保有限公司",
    "西湖区信用担保有限公司",
)  # fmt: skip
_PASS: dict[str, tuple[str, str]] = {
    # item: (finding, the prefix of the document it rests on)
    "credit_bureau": ("征信报告无不良记录，对外担保正常", "ZX"),
    "blacklist": ("未列入本行及人行黑名单", "HMD"),
    "ledger": ("分户账近六个月流水正常，无大额异常进出", "FHZ"),
    "legal_standing": ("营业执照、章程有效，法定代表人身份核实", "ZZ"),
    "operations": ("实地查看，生产经营正常，开工率良好", "SD"),
    "credit_standing": ("在各行借款无逾期、无欠息", "XY"),
    "assets_liabilities": ("资产负债率在合理范围，财务报表与纳税记录相符", "CW"),
    "loan_purpose": ("用途与经营相符，已取得购销合同", "HT"),
}
_CONCERNS: dict[str, tuple[str, str]] = {
    # item: (finding, note)
    "credit_bureau": ("2024 年有一次信用卡逾期 15 天", "已结清，系出差遗忘还款，非恶意"),
    "ledger": ("近三个月回款较上年同期下降约 20%", "受季节影响，已核对订单，四季度回升"),
    "operations": ("厂区部分设备闲置", "系产线升级改造，新设备下月到位"),
    "assets_liabilities": ("应收账款占比偏高", "主要客户为大型国企，账龄均在 90 天内"),
}
_FINDINGS = (
    "企业生产经营正常，存货与账面相符，按期付息",
    "厂房设备运转正常，销售回款稳定",
    "经营正常，新增一笔应收账款，已提醒关注回款",
    "抵押物现状良好，无查封、无出租",
    "贷款按约定用途使用，未发现挪用",
    "经营规模较贷前略有扩大，担保人情况无变化",
)
_RETURN_COMMENTS = (
    "近三个月银行流水不全，请补充后再提交",
    "担保人净资产证明已过期，请重新提供",
    "贷款用途与购销合同金额不符，请核实",
)
_RETURN_COMMENT = "近三个月银行流水不全，请补充后再提交；担保人财产证明请更新至本月"
"""The comment on the demo login's returned file."""

_DAY_START, _DAY_SPAN = 9 * 3600, 8 * 3600
"""A moment of the working day: 09:00–17:00."""
_GENERATE_AT = 6 * 3600 + 1800
"""The daily generation's time (``scheduler.generate_at``, 06:30)."""
_BUSINESS = ("流动资金贷款", "固定资产贷款", "个人经营贷款")
"""The loans a file is made for (a mortgage or a consumer loan is the retail side's)."""
_PUBLIC = frozenset({"政府机关", "教育", "医疗卫生"})
"""The industries of the group customers that are public bodies (no business loans)."""
_C = {name: i for i, name in enumerate(CUSTOMER_COLUMNS)}
_H = {name: i for i, name in enumerate(HOLDING_COLUMNS)}


def _few(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def _round(raw: float) -> int:
    """Millions to the 100,000, else to the 10,000."""
    unit = 100_000 if raw >= 1_000_000 else 10_000
    return max(int(raw) // unit * unit, unit)


def _round_up(raw: float) -> int:
    unit = 100_000 if raw >= 1_000_000 else 10_000
    return -int(-raw // unit) * unit


@dataclass(frozen=True, slots=True)
class RiskManager:
    """One of the branch's risk managers, as written."""

    id: int
    login: str
    name: str


def risk_manager_rows(
    rng: random.Random, stamps: Stamps, ids: dict[str, int], branch_id: int
) -> tuple[list[RiskManager], list[Row]]:
    """The risk managers' staff rows (``STAFF_COLUMNS`` order) from the next staff id."""
    people: list[RiskManager] = []
    rows: list[Row] = []
    for login, name in RISK_MANAGERS:
        staff_id = ids["staff"]
        ids["staff"] = staff_id + 1
        hired = stamps.at(stamps.today_ord - 365 - int(rng.random() * 3000), 32_400)
        people.append(RiskManager(staff_id, login, name))
        rows.append((
            staff_id, login, name, str(Role.RISK_MANAGER), None, branch_id, None, None,
            d.mobile(rng), 1, hired, 1,
        ))  # fmt: skip
    return people, rows


@dataclass(frozen=True, slots=True)
class _Who:
    """A customer a file may be for."""

    id: int
    name: str
    group: bool
    cls: str
    value: int
    vip: bool


@dataclass(frozen=True, slots=True)
class _Loan:
    """What a file is about: a loan held (``holding``) or applied for."""

    who: _Who
    holding: int | None
    product: str
    amount: int
    term: int
    """Months."""
    opened: int | None = None
    """The day (ordinal) a held loan opened."""


@dataclass(frozen=True, slots=True)
class _Check:
    seq: int
    planned: date
    due: date


@dataclass
class _Plan:
    """One file to write: its state and, for an approved one, what its checks must show."""

    state: str
    target: str = ""
    """``today``, ``week`` (its open check due this week), ``overdue`` (last week's not done)
    or ``revised`` (a second version approved, the first superseded)."""


@dataclass
class Written:
    """The rows of the credit files, in the order they are inserted (parents first)."""

    files: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    guarantors: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    purposes: list[Row] = field(default_factory=list)
    notifications: list[Row] = field(default_factory=list)


@dataclass
class _File:
    """A file as it is drawn: its fields, and its history as (epoch, action, staff, note)."""

    id: int
    loan: _Loan
    owner: int
    grade: str
    purpose: str
    made: int
    version: int = 1
    previous: int | None = None
    state: str = "draft"
    schedule_from: date | None = None
    risk: RiskManager | None = None
    submitted: int | None = None
    signed: int | None = None
    returned: int | None = None
    comment: str | None = None
    figures: tuple[object, ...] = (None,) * 7
    events: list[tuple[int, str, int, str | None]] = field(default_factory=list)
    touched: int = 0
    """Changes that touched the row (its ``version`` is one more)."""
    updated: int = 0


class Credit:
    """Collects each manager's loans and customers, then draws the files."""

    def __init__(
        self,
        rng: random.Random,
        stamps: Stamps,
        settings: Settings,
        calendar: BranchCalendar,
        ids: dict[str, int],
        members: Sequence[Member],
        supervisor_of: dict[int, int],
        risk: Sequence[RiskManager],
    ) -> None:
        self.rng, self.stamps, self.settings, self.ids = rng, stamps, settings, ids
        self.credit = settings.credit
        self.calendar = calendar
        self.risk = list(risk)
        self._assigned = {r.id: 0 for r in self.risk}
        self._waiting = {r.id: 0 for r in self.risk}
        self.supervisor_of = supervisor_of
        managers = [m for m in members if m.role == Role.MANAGER][:MOST_MANAGERS]
        self.managers = managers
        self._wanting = set(m.id for m in managers)
        self._recent: dict[int, list[_Loan]] = {m.id: [] for m in managers}
        self._renewals: dict[int, list[_Loan]] = {m.id: [] for m in managers}
        self._people: dict[int, list[_Who]] = {m.id: [] for m in managers}
        today = stamps.today_ord
        self.today = date.fromordinal(today)
        self._workdays = [
            o
            for o in range(today - WINDOW - 200, today + 60)
            if calendar.is_workday(date.fromordinal(o))
        ]
        self._is_workday = set(self._workdays)
        opening = parse_hours(settings.calendar.hours)[0][0]
        self._opening = opening.hour * 3600 + opening.minute * 60
        self._lead = settings.tasks.post_loan_lead_days
        self._guarantor_ids = d.ResidentIds()
        self._used: set[int] = set()
        """Customers with a file already (another goes to them only when none is left)."""

    # -- candidates -------------------------------------------------------------------------

    def collect(self, chunk: Chunk) -> None:
        """Keep each manager's first A/B-class customers, their business loans opened lately
        (approved files) and those maturing soon (renewals), whatever the chunk size."""
        if not self._wanting:
            return
        today, wanting = self.stamps.today_ord, self._wanting
        owner_at, kind_at, cls_at, status_at = _C["owner_id"], _C["kind"], _C["cls"], _C["status"]
        industry_at = _C["industry"]
        who: dict[int, tuple[int, _Who]] = {}
        for row in chunk.customers:
            if row[owner_at] not in wanting or row[cls_at] == "C" or row[status_at] == "lost":
                continue
            if row[industry_at] in _PUBLIC:  # a public body, school or hospital takes no loan
                continue
            owner = cast(int, row[owner_at])
            group = row[kind_at] == "group"
            value = cast(int, row[_C["revenue_yuan"] if group else _C["assets_yuan"]])
            person = _Who(cast(int, row[0]), cast(str, row[_C["name"]]), group,
                          cast(str, row[cls_at]), value, bool(row[_C["is_vip"]]))  # fmt: skip
            who[person.id] = (owner, person)
            people = self._people[owner]
            if len(people) < KEEP:
                people.append(person)
        kind_at, product_at, customer_at = _H["product_kind"], _H["product"], _H["customer_id"]
        for h in chunk.holdings:
            if h[kind_at] != "loan" or h[product_at] not in _BUSINESS:
                continue
            found = who.get(h[customer_at])  # type: ignore[call-overload]
            if found is None:
                continue
            owner, person = found
            opened = date.fromisoformat(cast(str, h[_H["opened_on"]])).toordinal()
            matures = date.fromisoformat(cast(str, h[_H["matures_on"]])).toordinal()
            term = round((matures - opened) / 30.4)
            loan = _Loan(person, cast(int, h[0]), cast(str, h[_H["product"]]),
                         cast(int, h[_H["amount_yuan"]]), term, opened)  # fmt: skip
            if today - WINDOW + 10 <= opened <= today - 2 and len(self._recent[owner]) < KEEP:
                self._recent[owner].append(loan)
            elif today < matures <= today + 90 and len(self._renewals[owner]) < KEEP:
                self._renewals[owner].append(loan)
        for owner in list(self._wanting):
            if all(len(x[owner]) >= KEEP for x in (self._recent, self._renewals, self._people)):
                self._wanting.discard(owner)

    # -- the files --------------------------------------------------------------------------

    def build(self) -> Written:
        """Every manager's files (see the module)."""
        rng = self.rng
        books: list[tuple[Member, list[_Plan]]] = []
        for m in self.managers:
            plans = [_Plan(STATE.pick(rng)) for _ in range(PER_MANAGER.pick(rng))]
            if m.login == DEMO_LOGIN:
                plans = [_Plan("returned"), _Plan("submitted"), _Plan("draft")]
                plans += [_Plan("approved", "today"), _Plan("approved")]
            elif m.login == OVERDUE_LOGIN:
                plans = [_Plan("approved", "overdue"), *plans[:2]]
            elif m.login == REVISED_LOGIN:  # and a file waiting: both queues have one
                plans = [_Plan("approved", "revised"), _Plan("submitted"), *plans[:1]]
            books.append((m, plans))
        approved = [
            p for m, plans in books for p in plans
            if p.state == "approved" and not p.target and m.login != DEMO_LOGIN
        ]  # fmt: skip
        for plan in rng.sample(approved, min(DUE_THIS_WEEK, len(approved))):
            plan.target = "week"
        out = Written()
        for m, plans in books:
            for plan in plans:
                self._file(out, m, plan)
        # numbered in the order they were sent, as an inbox lists them
        out.notifications.sort(key=lambda row: (cast(str, row[8]), cast(str, row[7])))
        first = self.ids["notification"] - len(out.notifications)
        out.notifications[:] = [(first + i, *row[1:]) for i, row in enumerate(out.notifications)]
        return out

    def _file(self, out: Written, m: Member, plan: _Plan) -> None:
        rng = self.rng
        if plan.state == "approved":
            self._approved(out, m, plan)
            return
        today = self.stamps.today_ord
        demo = m.login == DEMO_LOGIN
        # the demo login's returned file is his biggest customer's: first on his Today
        top = demo and plan.state == "returned"
        renewals = self._renewals[m.id]
        loan = renewals.pop(int(rng.random() * len(renewals))) if renewals and not top else None
        if loan is None or rng.random() >= RENEWAL:
            if loan is not None:
                renewals.append(loan)
            loan = self._application(m.id, top=top)
        if loan is None:
            return
        if plan.state == "draft":
            made = self._moment(self._back(today, 2 if demo else _few(rng, 1, 8)))
            file = self._new(out, m.id, loan, made, demo or rng.random() < 0.7)
            self._emit(out, file)
            return
        # submitted (a few working days ago) or returned (on the last working day); the demo
        # login's went to fengkong on Thursday and came back from qinlan on Friday
        submit_day = self._back(today, 2 if demo else _few(rng, 1, 4))
        if plan.state == "returned":
            submit_day = self._back(self._back(today, 1), _few(rng, 1, 2))
        submitted = self._moment(submit_day)
        file = self._worked(out, m.id, loan, submitted)
        risk = self.risk[plan.state == "returned"] if demo and len(self.risk) > 1 else None
        if plan.state == "submitted":  # to the one with the fewest waiting, as the service does
            risk = risk or min(self.risk, key=lambda r: (self._waiting[r.id], r.id))
            self._waiting[risk.id] += 1
        self._submit(out, file, submitted, risk)
        if plan.state == "returned":
            back = self._moment(self._back(today, 1), 14 * 3600, 2 * 3600)
            self._return(out, file, back, _RETURN_COMMENT if demo else None, final=True)
        self._emit(out, file)

    def _application(self, owner: int, top: bool = False) -> _Loan | None:
        """A new loan for one of the manager's customers (``top``: the most valuable, a group
        first; none: an empty book)."""
        rng, people = self.rng, self._people[owner]
        if not people:
            return None
        fresh = [p for p in people if p.id not in self._used] or people
        who = fresh[int(rng.random() * len(fresh))]
        if top:
            who = min(fresh, key=lambda p: (p.cls, not p.vip, not p.group, -p.value))
        self._used.add(who.id)
        big = who.cls.startswith("A")
        if not who.group:
            amount = _round(rng.uniform(200_000, 2_000_000) if big else rng.uniform(1e5, 1e6))
            return _Loan(who, None, "个人经营贷款", amount, 36)
        if rng.random() < 0.15:
            return _Loan(who, None, "固定资产贷款", _round(rng.uniform(5e6, 5e7)), 60)
        raw = rng.uniform(3e6, 3e7) if big else rng.uniform(5e5, 8e6)
        return _Loan(who, None, "流动资金贷款", _round(raw), 12)

    # -- an approved file -------------------------------------------------------------------

    def _approved(self, out: Written, m: Member, plan: _Plan) -> None:
        rng, today = self.rng, self.stamps.today_ord
        recent = self._recent[m.id]
        grades = [GRADE.pick(rng)]
        grades += [g for g in ("high", "medium", "low") if g not in grades]
        found: tuple[_Loan, int, str] | None = None
        for wanted in _WANTS.get(plan.target, ()):
            found = found or self._search(m.id, wanted, grades)
        if found is None:  # the rule gives no check on the day wanted: an ordinary one
            plan.target = ""
            if recent:
                loan = recent.pop(int(rng.random() * len(recent)))
                assert loan.opened is not None
                sign_day = self._back(loan.opened, _few(rng, 1, 5))
            else:
                application = self._application(m.id)
                if application is None:
                    return
                loan = application
                sign_day = self._back(today, _few(rng, 1, WINDOW * 5 // 7))
            grade = grades[0]
        else:
            loan, sign_day, grade = found
        schedule = self._schedule(sign_day, grade, loan.term)
        if plan.target == "overdue":  # the last one due is not done: none after it
            schedule = [c for c in schedule if c.due < self.today]
        self._approve(out, m, loan, sign_day, grade, schedule, plan.target)

    def _search(self, owner: int, wanted: Want, grades: list[str]) -> tuple[_Loan, int, str] | None:
        """A loan, signature day and grade whose checks are as ``wanted``: a loan opened
        lately if one fits, else an application signed on any day of the window."""
        rng, today = self.rng, self.stamps.today_ord
        recent = self._recent[owner]
        for loan in list(recent):
            assert loan.opened is not None
            for back in range(1, 6):
                day = self._back(loan.opened, back)
                for grade in grades:
                    if wanted(self, self._schedule(day, grade, loan.term)):
                        recent.remove(loan)
                        return loan, day, grade
        application = self._application(owner)
        if application is None:
            return None
        days = [o for o in self._workdays if today - WINDOW <= o < today - 20]
        rng.shuffle(days)
        for day in days:
            for grade in grades:
                if wanted(self, self._schedule(day, grade, application.term)):
                    return application, day, grade
        return None

    def _schedule(self, signed: int, grade: str, term: int) -> list[_Check]:
        """The checks of a loan approved on day ``signed``: every one due before today, then
        the next (within the loan's term)."""
        start = date.fromordinal(signed)
        ends = rules.maturity(start, term)
        checks: list[_Check] = []
        planned: date | None = None
        while True:
            planned = rules.planned_check(self.credit, start, grade, planned)
            if planned > ends:
                return checks
            due = rules.due_day(self.calendar, planned)
            checks.append(_Check(len(checks) + 1, planned, due))
            if due >= self.today:
                return checks

    def _approve(
        self, out: Written, m: Member, loan: _Loan, sign_day: int, grade: str,
        schedule: list[_Check], target: str,
    ) -> None:  # fmt: skip
        rng = self.rng
        signed = self._moment(sign_day)
        sign_days = SIGN_WORKDAYS.pick(rng)
        submit_day = self._back(sign_day, sign_days) if sign_days else sign_day
        if sign_days == 0:  # signed the afternoon it came
            signed = max(signed, self.stamps.midnight(sign_day) + 14 * 3600 + 1800)
        submitted = self._moment(submit_day, 9 * 3600, 3600 if sign_days == 0 else _DAY_SPAN)
        submitted = min(submitted, signed - 1800)
        returned = rng.random() < RETURNED_BEFORE
        if returned:
            first_day = self._back(submit_day, _few(rng, 2, 4))
            first_submit = self._moment(first_day, 9 * 3600, 3 * 3600)
            file = self._worked(out, m.id, loan, first_submit, grade)
            self._submit(out, file, first_submit)
            back = self._moment(self._ahead(first_day, 1), 14 * 3600, 3 * 3600)
            self._return(out, file, back, None)
            fixed = self._in_hours(back + (submitted - back) // 2, before=submitted - 600)
            self._check(out, file, "ledger", fixed, "已补充近三个月流水，回款正常")
        else:
            file = self._worked(out, m.id, loan, submitted, grade)
        self._submit(out, file, submitted)
        self._sign(out, file, signed, schedule_from=date.fromordinal(sign_day))
        checks = self._check_rows(out, m, file, schedule, target)
        if target == "revised":
            self._revise(out, m, file, checks)
            return
        self._emit(out, file)

    def _check_rows(
        self, out: Written, m: Member, file: _File, schedule: list[_Check], target: str
    ) -> list[tuple[int, _Check, int | None]]:
        """The checks' rows: each due before today done by a visit (or, for ``overdue``, the
        last not done and escalated), the next open. Returns (check id, check, done epoch)."""
        stamps = self.stamps
        today = stamps.today_ord
        made: list[tuple[int, _Check, int | None]] = []
        scheduled = file.signed or 0
        for check in schedule:
            check_id = self.ids["post_loan_check"]
            self.ids["post_loan_check"] = check_id + 1
            due = check.due.toordinal()
            escalated: int | None = None
            visit: tuple[int, int, str] | None = None
            if due < today and not (target == "overdue" and check is schedule[-1]):
                visit = self._visit(out, m, file, check_id, check, scheduled)
            elif due < today:  # the sweep's first run after its due day
                escalated = stamps.midnight(due + 1) + 60
                self._escalated(out, m, file, check_id, check, escalated)
            done, interaction, findings = visit or (None, None, None)
            made.append((check_id, check, done))
            out.checks.append((
                check_id, file.id, check.seq, stamps.day(check.planned.toordinal()),
                stamps.day(due), stamps.maybe(done), m.id if done else None, interaction,
                findings, stamps.maybe(escalated),
            ))  # fmt: skip
            if done is None:
                break
            scheduled = done
        return made

    def _visit(
        self, out: Written, m: Member, file: _File, check_id: int, check: _Check, scheduled: int
    ) -> tuple[int, int, str]:
        """The held visit that did ``check`` (its interaction, its task closed, the history's
        line); returns when it was logged (the check's ``done_at``), the visit and what it
        found."""
        rng, stamps = self.rng, self.stamps
        today = stamps.today_ord
        due = check.due.toordinal()
        if rng.random() < LATE and self._ahead(due, 1) < today:
            day = self._ahead(due, _few(rng, 1, 3))
            day = day if day < today else self._ahead(due, 1)
        else:
            first = max(
                due - _few(rng, 0, self._lead - 1), stamps.local_date(scheduled).toordinal()
            )
            day = first if first in self._is_workday else self._ahead(first, 1)
            day = min(day, due)
        happened = self._moment(day, 9 * 3600 + 1800, 6 * 3600)
        minutes = 60 + 15 * _few(rng, 0, 4)
        logged = happened + minutes * 60 + 600 + int(rng.random() * 3000)
        findings = d.pick(rng, _FINDINGS)
        interaction_id = self.ids["interaction"]
        self.ids["interaction"] = interaction_id + 1
        out.interactions.append((
            interaction_id, file.loan.who.id, m.id, None, "visit", "done", None,
            stamps.instant(happened), "post_loan", "done", None, minutes, findings,
            stamps.instant(logged),
        ))  # fmt: skip
        task_id = self.ids["task"]
        self.ids["task"] = task_id + 1
        made = max(stamps.midnight(due - self._lead), stamps.midnight(
            stamps.local_date(scheduled).toordinal() + 1)) + _GENERATE_AT  # fmt: skip
        out.tasks.append((
            task_id, "post_loan", file.loan.who.id, m.id,
            stamps.instant(stamps.midnight(due) + self._opening), _priority(file.loan.who.cls),
            None, "done", "post_loan", f"post_loan:check:{check_id}", None,
            f"closed by logged visit #{interaction_id}", None, stamps.instant(min(made, logged)),
            stamps.instant(logged), m.id, 2, None,
        ))  # fmt: skip
        out.purposes.append((interaction_id, "post_loan", task_id))
        file.events.append((logged, "post_loan", m.id, f"#{check.seq}: {findings}"))
        return logged, interaction_id, findings

    def _escalated(
        self, out: Written, m: Member, file: _File, check_id: int, check: _Check, at: int
    ) -> None:
        """The late check told to the owner's supervisor and the risk manager, once."""
        title = t(
            "credit.notice.check_overdue",
            id=file.id,
            name=file.loan.who.name,
            due=check.due.isoformat(),
            owner=m.name,
        )
        recipients = [self.supervisor_of.get(m.id, m.id)]
        if file.risk is not None:
            recipients.append(file.risk.id)
        for recipient in dict.fromkeys(recipients):
            key = f"post_loan_overdue:{check_id}:{recipient}"
            self._notify(out, recipient, "post_loan_overdue", title, file.id, key, at, None)

    def _revise(
        self, out: Written, m: Member, first: _File, checks: list[tuple[int, _Check, int | None]]
    ) -> None:
        """A second version of ``first``, made after its last check, approved lately: the
        first is superseded and its open check goes on under the second."""
        rng, today = self.rng, self.stamps.today_ord
        last_done = max((done for _, _, done in checks if done is not None), default=first.signed)
        assert last_done is not None
        revise_day = self._back(today, _few(rng, 5, 8))
        revise_day = max(revise_day, self._ahead(self.stamps.local_date(last_done).toordinal(), 1))
        revise_day = min(revise_day, self._back(today, 2))
        second = _File(
            self._next_file(), first.loan, m.id, first.grade, first.purpose,
            self._moment(revise_day, 9 * 3600, 3600), version=2, previous=first.id,
            schedule_from=first.schedule_from, figures=first.figures,
        )  # fmt: skip
        second.events.append((second.made, "revise", m.id, f"v2 ← #{first.id}"))
        for row in [r for r in out.items if r[0] == first.id]:
            out.items.append((second.id, *row[1:]))
        for row in [r for r in out.guarantors if r[1] == first.id]:
            gid = self.ids["credit_guarantor"]
            self.ids["credit_guarantor"] = gid + 1
            out.guarantors.append((gid, second.id, *row[2:]))
        # the year's statements came in: new figures, and one more guarantor
        assets = _round(cast(int, first.figures[0]) * rng.uniform(1.05, 1.2))
        debts = _round(cast(int, first.figures[1]) * rng.uniform(0.9, 1.05))
        sales = _round(cast(int, first.figures[2]) * rng.uniform(1.0, 1.15))
        second.figures = (assets, debts, sales, *first.figures[3:])
        at = second.made + 1800 + int(rng.random() * 3600)
        note = f"total_assets={assets} total_liabilities={debts} monthly_sales={sales}"
        self._touch(second, at, "figures", m.id, note)
        self._guarantor(out, second, at + 900, rng.uniform(0.5, 1.0) * first.loan.amount)
        submit_day = self._ahead(revise_day, 1)
        sign_day = max(
            min(self._ahead(submit_day, _few(rng, 0, 1)), self._back(today, 1)), submit_day
        )
        submitted = self._moment(submit_day, 9 * 3600, 3 * 3600)
        self._submit(out, second, submitted, first.risk)
        signed = max(self._moment(sign_day, 13 * 3600, 4 * 3600), submitted + 3600)
        self._sign(out, second, signed, schedule_from=first.schedule_from)
        assert second.risk is not None
        self._touch(first, signed, "superseded", second.risk.id, f"→ #{second.id}")
        first.state = "superseded"
        # the checks done after the second version's signature were done under it
        moved = {cid for cid, _, done in checks if done is None or done > signed}
        out.checks[:] = [
            (r[0], second.id, *r[2:]) if r[0] in moved else r for r in out.checks
        ]  # fmt: skip
        for event in [e for e in first.events if e[1] == "post_loan" and e[0] > signed]:
            first.events.remove(event)
            second.events.append(event)
        self._emit(out, first)
        self._emit(out, second)

    # -- the steps, as the services take them -----------------------------------------------

    def _next_file(self) -> int:
        file_id = self.ids["credit_file"]
        self.ids["credit_file"] = file_id + 1
        return file_id

    def _new(self, out: Written, owner: int, loan: _Loan, made: int, some: bool) -> _File:
        """A draft made at ``made``; with ``some``, a few items checked, maybe the figures and
        a guarantor (the rest still open)."""
        rng = self.rng
        purposes = (
            _FIXED_PURPOSES if loan.product == "固定资产贷款"
            else _GROUP_PURPOSES if loan.who.group else _PERSON_PURPOSES
        )  # fmt: skip
        file = _File(self._next_file(), loan, owner, GRADE.pick(rng), d.pick(rng, purposes), made)
        self._used.add(loan.who.id)
        note = f"{loan.product} {short_yuan(loan.amount)} {loan.term}m"
        file.events.append((made, "new", owner, note))
        file.updated = made
        items = list(self.credit.items)
        for key in items:
            out.items.append((file.id, key, None, None, None, None, None, None))
        if some:  # worked on since, up to the last working day
            until = self.stamps.midnight(self._back(self.stamps.today_ord, 1)) + 17 * 3600
            span = max(until - made, 3600)
            moments = sorted(made + 600 + int(rng.random() * span) for _ in range(8))
            moments = [self._in_hours(at, before=until) for at in moments]
            for key, at in zip(items[: _few(rng, 2, len(items) - 2)], moments, strict=False):
                self._check(out, file, key, at)
            if rng.random() < 0.5:
                self._figures(file, moments[-2])
            if rng.random() < 0.5:
                self._guarantor(out, file, moments[-1], rng.uniform(0.8, 1.8) * loan.amount)
        return file

    def _worked(
        self, out: Written, owner: int, loan: _Loan, submitted: int, grade: str = ""
    ) -> _File:
        """A file made a week or two before its submission (at ``submitted``) and investigated
        in full by then: every item checked, the figures, guarantors covering the loan."""
        rng = self.rng
        made_day = self._back(self.stamps.local_date(submitted).toordinal(), _few(rng, 3, 10))
        file = self._new(out, owner, loan, self._moment(made_day, 9 * 3600, 4 * 3600), False)
        file.grade = grade or file.grade
        span = max(submitted - file.made - 1800, 600)
        moments = sorted(file.made + 300 + int(rng.random() * span) for _ in range(10))
        moments = [self._in_hours(at, before=submitted - 1200) for at in moments]
        for key, at in zip(self.credit.items, moments, strict=False):
            self._check(out, file, key, at)
        self._figures(file, moments[-2])
        cover = rng.uniform(*COVER) * loan.amount
        first = cover * (rng.uniform(0.5, 0.8) if rng.random() < 0.6 else 1.0)
        self._guarantor(out, file, moments[-1], first)
        if first < cover:
            self._guarantor(out, file, moments[-1] + 900, cover - first)
        return file

    def _check(
        self, out: Written, file: _File, key: str, at: int, again: str | None = None
    ) -> None:
        """An item checked at ``at`` (``again``: checked again after a return, with this
        finding); the item's row holds the latest."""
        rng = self.rng
        finding, prefix = _PASS.get(key, ("核实无异常", "DOC"))
        result, note = "pass", None
        if again:
            finding = again
        elif key in _CONCERNS and rng.random() < CONCERN:
            finding, note = _CONCERNS[key]
            result = "concern"
        day = self.stamps.local_date(at).strftime("%Y%m%d")
        ref = f"{prefix}-{day}-{_few(rng, 1, 9999):04d}"
        for i, row in enumerate(out.items):  # the file's open item, written at its making
            if row[0] == file.id and row[1] == key:
                instant = self.stamps.instant(at)
                out.items[i] = (file.id, key, result, finding, note, ref, file.owner, instant)
                break
        self._touch(file, at, "check", file.owner, f"{key} {result}: {finding}")

    def _figures(self, file: _File, at: int) -> None:
        rng, loan = self.rng, file.loan
        group = loan.who.group
        assets = _round(loan.amount * rng.uniform(3.0, 9.0))
        debts = _round(assets * rng.uniform(0.3, 0.62))
        sales = _round(loan.amount * rng.uniform(0.4, 1.6) / (1 if group else 2))
        settlement = d.pick(rng, _SETTLEMENT[group])
        collection = d.pick(rng, _COLLECTION)
        collateral = d.pick(rng, _COLLATERAL[group]) if rng.random() < 0.4 else None
        value = _round(loan.amount * rng.uniform(1.2, 2.0)) if collateral else None
        file.figures = (assets, debts, sales, settlement, collection, collateral, value)
        changed = [f"total_assets={assets}", f"total_liabilities={debts}", f"monthly_sales={sales}"]
        if value is not None:
            changed.append(f"collateral_value={value}")
        changed += ["settlement", "collection"] + (["collateral"] if collateral else [])
        self._touch(file, at, "figures", file.owner, " ".join(changed))

    def _guarantor(self, out: Written, file: _File, at: int, worth: float) -> None:
        """A guarantor worth ``worth`` (rounded up): a guarantee firm or the group's legal
        representative for a company's loan, a relative or partner for a person's."""
        rng = self.rng
        net = _round_up(worth)
        if file.loan.who.group and rng.random() < 0.5:
            name, number, tie = d.pick(rng, _GUARANTEE_FIRMS), None, "担保公司"
        else:
            male = rng.random() < 0.6
            born = date.fromordinal(d.birth_ordinal(rng, self.stamps.today_ord, 28))
            name = d.person_name(rng, male)
            number = self._guarantor_ids.draw(rng, born, male)
            tie = (
                d.pick(rng, ("法定代表人", "股东", "实际控制人")) if file.loan.who.group
                else d.pick(rng, ("配偶", "亲属", "合伙人"))
            )  # fmt: skip
        gid = self.ids["credit_guarantor"]
        self.ids["credit_guarantor"] = gid + 1
        out.guarantors.append(
            (gid, file.id, name, number, tie, net, file.owner, self.stamps.instant(at))
        )
        self._touch(
            file, at, "guarantor", file.owner, f"+ {name} {mask_id(number)} {short_yuan(net)}"
        )

    def _submit(self, out: Written, file: _File, at: int, to: RiskManager | None = None) -> None:
        """The manager's signature: to ``to``, else the one it went to before, else the risk
        manager with the fewest files so far."""
        risk = to or file.risk or min(self.risk, key=lambda r: (self._assigned[r.id], r.id))
        if file.risk is None:
            self._assigned[risk.id] += 1
        file.risk, file.state, file.submitted, file.comment = risk, "submitted", at, None
        self._touch(file, at, "submit", file.owner, f"→ {risk.login}")
        iso = datetime.fromtimestamp(at, UTC).isoformat()
        title = t(
            "credit.notice.submitted",
            id=file.id,
            name=file.loan.who.name,
            amount=short_yuan(file.loan.amount),
        )
        key = f"credit_submitted:{file.id}:{iso}"
        self._notify(out, risk.id, "credit_submitted", title, file.id, key, at, None)
        for i, row in enumerate(out.tasks):  # a returned file's follow-up closes
            if row[8] == "credit_returned" and cast(str, row[9]).startswith(
                f"credit_returned:{file.id}:"
            ) and row[7] == "open":  # fmt: skip
                instant = self.stamps.instant(at)
                out.tasks[i] = (*row[:7], "done", *row[8:14], instant, file.owner, 2, row[17])

    def _return(
        self, out: Written, file: _File, at: int, comment: str | None, final: bool = False
    ) -> None:
        """The risk manager returns it with a comment: a follow-up on the manager's Today
        (``final``: still returned, its notice unread)."""
        assert file.risk is not None
        text = comment or d.pick(self.rng, _RETURN_COMMENTS)
        file.state, file.returned, file.comment = "returned", at, text
        self._touch(file, at, "return", file.risk.id, text)
        iso = datetime.fromtimestamp(at, UTC).isoformat()
        who = file.loan.who
        reason = t("credit.follow_up.returned", id=file.id, name=who.name)[:200]
        task_id = self.ids["task"]
        self.ids["task"] = task_id + 1
        instant = self.stamps.instant(at)
        # to be answered by the next working day's close, as the service gives it
        answer_by = by_next_workday(self.calendar, self.stamps.local_date(at))
        deadline = self.stamps.instant(int(answer_by.timestamp()))
        out.tasks.append((
            task_id, "follow_up", who.id, file.owner, instant, 0, reason, "open",
            "credit_returned", f"credit_returned:{file.id}:{iso}", None, text, None, instant,
            None, None, 1, deadline,
        ))  # fmt: skip
        self._read(out, file.submitted, at)
        title = t("credit.notice.returned", id=file.id, name=who.name, comment=text)
        key = f"credit_returned:{file.id}:{iso}"
        self._notify(
            out, file.owner, "credit_returned", title, file.id, key, at, None if final else at
        )

    def _sign(self, out: Written, file: _File, at: int, *, schedule_from: date | None) -> None:
        """The risk manager's signature: approved, the checks count from ``schedule_from``."""
        assert file.risk is not None
        file.state, file.signed, file.schedule_from = "approved", at, schedule_from
        self._touch(file, at, "sign", file.risk.id, None)
        self._read(out, file.submitted, at)
        iso = datetime.fromtimestamp(at, UTC).isoformat()
        title = t("credit.notice.signed", id=file.id, name=file.loan.who.name, comment="")
        key = f"credit_signed:{file.id}:{iso}"
        self._notify(out, file.owner, "credit_signed", title, file.id, key, at, at)

    def _touch(self, file: _File, at: int, action: str, staff: int, note: str | None) -> None:
        """A change of the file: a line of its history and a new row version."""
        file.events.append((at, action, staff, note[:500] if note else None))
        file.touched += 1
        file.updated = max(file.updated, at)

    def _notify(
        self, out: Written, recipient: int, kind: str, title: str, file_id: int, key: str,
        at: int, read_after: int | None,
    ) -> None:  # fmt: skip
        """A notification; read an hour or two after ``read_after`` when that is before now
        (``None``: unread)."""
        read = None
        if read_after is not None:
            read = read_after + 1800 + int(self.rng.random() * 5400)
            read = read if read < self.stamps.now_epoch else None
        notification_id = self.ids["notification"]
        self.ids["notification"] = notification_id + 1
        out.notifications.append((
            notification_id, recipient, kind, title[:200], None, "credit_file", file_id, key,
            self.stamps.instant(at), self.stamps.maybe(read),
        ))  # fmt: skip

    def _read(self, out: Written, submitted: int | None, at: int) -> None:
        """The risk manager read the submission's notice before deciding on it (at ``at``)."""
        if submitted is None:
            return
        sent = self.stamps.instant(submitted)
        for i, row in enumerate(out.notifications):
            if row[2] == "credit_submitted" and row[8] == sent and row[9] is None:
                read = max(submitted + 60, at - 600 - int(self.rng.random() * 3000))
                out.notifications[i] = (*row[:9], self.stamps.instant(read))

    def _emit(self, out: Written, file: _File) -> None:
        """The file's row and its history, in time order."""
        stamps, loan = self.stamps, file.loan
        events = sorted(file.events, key=lambda e: e[0])
        for at, action, staff, note in events:
            event_id = self.ids["credit_event"]
            self.ids["credit_event"] = event_id + 1
            out.events.append((event_id, file.id, stamps.instant(at), staff, action, note))
        i = stamps.instant
        out.files.append((
            file.id, loan.who.id, loan.holding, loan.product, loan.amount, loan.term,
            file.purpose, file.grade, *file.figures, file.state, file.version, file.previous,
            None if file.schedule_from is None else stamps.day(file.schedule_from.toordinal()),
            file.owner, file.risk.id if file.risk else None, stamps.maybe(file.submitted),
            file.owner if file.submitted else None, stamps.maybe(file.signed),
            stamps.maybe(file.returned), file.comment if file.state == "returned" else None,
            i(file.made), i(file.updated), 1 + file.touched,
        ))  # fmt: skip

    # -- days and moments -------------------------------------------------------------------

    def _back(self, day: int, workdays: int) -> int:
        """The working day ``workdays`` working days before ``day`` (``0``: ``day``)."""
        if workdays <= 0:
            return day
        for o in reversed(self._workdays):
            if o < day:
                workdays -= 1
                if workdays <= 0:
                    return o
        return day - workdays

    def _ahead(self, day: int, workdays: int) -> int:
        """The working day ``workdays`` working days after ``day`` (``0``: ``day``)."""
        if workdays <= 0:
            return day
        for o in self._workdays:
            if o > day:
                workdays -= 1
                if workdays <= 0:
                    return o
        return day + workdays

    def _moment(self, day: int, start: int = _DAY_START, span: int = _DAY_SPAN) -> int:
        """A moment of the working day ``day`` (UTC epoch), before now."""
        at = self.stamps.midnight(day) + start + int(self.rng.random() * span)
        return min(at, self.stamps.now_epoch - 600)

    def _in_hours(self, epoch: int, *, before: int) -> int:
        """``epoch`` moved into the working hours of a working day (on or after it), but
        before ``before`` (then the last moment of working hours before it)."""
        day = self.stamps.local_date(epoch).toordinal()
        seconds = epoch - self.stamps.midnight(day)
        if day not in self._is_workday or seconds >= _DAY_START + _DAY_SPAN:
            day = self._ahead(day, 1)
            seconds = _DAY_START + seconds % 3600
        elif seconds < _DAY_START:
            seconds = _DAY_START + seconds % 3600
        at = self.stamps.midnight(day) + seconds
        if at < before:
            return at
        day = self.stamps.local_date(before).toordinal()
        start = self.stamps.midnight(day) + _DAY_START
        if day in self._is_workday and start < before:
            return max(start, before - 1 - epoch % 1800)
        return self.stamps.midnight(self._back(day, 1)) + _DAY_START + _DAY_SPAN - 1 - epoch % 1800


def _priority(cls: str) -> int:
    return {"A": 3, "B": 2}.get(cls[:1], 1)


def _due_today(credit: Credit, checks: list[_Check]) -> bool:
    return len(checks) >= 2 and checks[-1].due == credit.today


def _first_due_today(credit: Credit, checks: list[_Check]) -> bool:
    return bool(checks) and checks[-1].due == credit.today


def _due_this_week(credit: Credit, checks: list[_Check]) -> bool:
    friday = credit.today + timedelta(days=4 - credit.today.weekday())
    return bool(checks) and credit.today <= checks[-1].due <= friday


def _due_last_week(credit: Credit, checks: list[_Check]) -> bool:
    """The last check due before today fell in the last week (it is the one not done)."""
    past = [c for c in checks if c.due < credit.today]
    return bool(past) and 2 <= (credit.today - past[-1].due).days <= 7


def _checked_weeks_ago(credit: Credit, checks: list[_Check]) -> bool:
    """Checked at least once, the last check two weeks ago or more (then revised)."""
    past = [c for c in checks if c.due < credit.today]
    return bool(past) and (credit.today - past[-1].due).days >= 14


Want = Callable[[Credit, list[_Check]], bool]
_WANTS: dict[str, tuple[Want, ...]] = {
    "today": (_due_today, _first_due_today),
    "week": (_due_this_week,),
    "overdue": (_due_last_week,),
    "revised": (_checked_weeks_ago,),
}
"""What a fixed case's checks must show (the first that some loan can, in this order)."""
