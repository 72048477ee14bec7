"""The vocabularies of the business, as the services check them.

Stored as short strings (see :mod:`cmworkbench.db.models`); labels for people come from the
i18n catalog under ``enum.<vocabulary>.<value>``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a member of staff does; decides what they see (scope) and may do."""

    MANAGER = "manager"
    PHONE_MANAGER = "phone_manager"
    SUPERVISOR = "supervisor"
    BRANCH_HEAD = "branch_head"
    ADMIN = "admin"
    REFERRER = "referrer"
    """A teller or lobby staff member (柜员, 大堂经理): refers customers and prospects to the
    managers; no book, and no customer search beyond the exact look-up of whom they refer."""
    RISK_MANAGER = "risk_manager"
    """The risk manager (风险经理): the second signature on a credit file (双签) and the watch
    over its post-loan checks; sees only the files submitted to them, no book."""


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class CustomerClass(StrEnum):
    """Value class: top 10% A (A1 = top 30% of A), next 20% B (B1 = top 30% of B), rest C."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C = "C"


class Tier(StrEnum):
    """Individual asset tier; RMB 200,000 is the usual line for mid/high-end (中高端)."""

    DIAMOND = "diamond"
    GOLD = "gold"
    MID_HIGH = "mid_high"
    MASS = "mass"


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    LOST = "lost"


class RetentionResult(StrEnum):
    """How a retention talk (挽留) ended, in the order a manager is offered them."""

    RETAINED = "retained"
    AT_RISK = "at_risk"
    LOST = "lost"


RETENTION_RESULTS = tuple(r.value for r in RetentionResult)
"""The results as stored, in that order (the outcome dialog's keys, ``cmw log --retention``)."""


class ContactRole(StrEnum):
    """A group customer's people, as the sources name the key persons (关键人): who decides,
    who carries it out, who uses it, who sways the decision, who tells us from inside; and
    the other contacts of its staff directory."""

    DECISION_MAKER = "decision_maker"
    EXECUTOR = "executor"
    USER = "user"
    INFLUENCER = "influencer"
    INSIDE_CONTACT = "inside_contact"
    CONTACT = "contact"


class InteractionKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    SMS = "sms"
    ONSITE = "onsite"


class TaskKind(StrEnum):
    CONTACT = "contact"
    VERIFY_INFO = "verify_info"
    CARE = "care"
    AFTER_SALE = "after_sale"
    MATURITY = "maturity"
    POST_LOAN = "post_loan"
    RETURN_CALL = "return_call"
    RETENTION = "retention"
    FOLLOW_UP = "follow_up"
    CALL_BACK = "call_back"
    """A call at the time the customer asked for (``c 3``): a fixed-time item of the day."""
    MANUAL = "manual"
    DIRECTORY_UPDATE = "directory_update"
    """Refresh the internal staff directory (通讯录) of one's group customers (monthly)."""
    MARKET_REPORT = "market_report"
    """The monthly competitor and market intelligence report (市场信息报告)."""
    FIRST_CONTACT = "first_contact"
    """The first contact with a referred customer or an allocated lead, by the deadline of
    ``[promises.first_contact]``."""


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_BACKOFFICE = "waiting_backoffice"
    RESOLVED = "resolved"
    RETURN_CALL_DONE = "return_call_done"
    CLOSED = "closed"


OPEN_COMPLAINT_STATUSES = tuple(s.value for s in ComplaintStatus if s is not ComplaintStatus.CLOSED)


CLASS_RANK = {"A1": 0, "A2": 1, "B1": 2, "B2": 3, "C": 4}
"""Customer classes, the most valuable first (a customer without a class ranks after C):
the order of every list "by value" (search hits, the pool, a lead's rows)."""


class LeadStatus(StrEnum):
    """A prospect's record: waiting or being worked (``open``), become a customer's history
    (``merged``), or given up with a reason (``dropped``)."""

    OPEN = "open"
    MERGED = "merged"
    DROPPED = "dropped"


class LeadSource(StrEnum):
    """Where a lead came from."""

    REFERRAL = "referral"
    WALK_IN = "walk_in"
    EVENT = "event"
    IMPORT = "import"


class ReferralStatus(StrEnum):
    """A referral's outcome: ``open`` (its window running), ``converted`` (a product of its
    category opened within the window, or marked won), ``lost`` (marked so, with a reason).
    An open referral past its window is shown as ``lapsed``: not converted."""

    OPEN = "open"
    CONVERTED = "converted"
    LOST = "lost"
