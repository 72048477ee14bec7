"""The demo's data quality: a realistic minority of imperfect customer files, and what the
managers' recent verifications of the files found (the ``verification`` table).

A real branch's files are not perfect (data quality, telecom handbook: complete 100%,
accurate above 95% for A/B classes and 85% for C, compliant above 90%), so neither are the
demo's. Among the files opened more than a month ago (a new file is completed on its first
day: ``new_customer_file``), about 3% lack one required field (an individual's ID number or
address, a group's industry or address; never the name, the phone, or the area by which the
task generator finds a pooled file's keeper), about 1% of individuals carry a legacy or
mistyped ID number, 2% of the files a mistyped phone number (a digit dropped), and about one
group in seven has its key persons on file without their role (关键人角色未登记). With the
stale re-verifications and the B角 outside the team the history already has, that puts
compliance at about 90%.

Every customer whose file was re-verified in the last two months (``info_verified_at``) has
that verification on record: by its owner, at that instant, checking the required fields the
file holds; a field found wrong was corrected to the file's current value (the old value is
invented for the record). Fields are found wrong 1.5–3% of the time in A1–B1 files, 6.5% in
the B2 books (the largest A/B books: a class visibly below its 95% target) and 12% in the
C-class files the phone managers keep (above their 85%).

Everything here is drawn from the customer's id with a hash (:func:`draw`), never from the
build's random stream, so adding it left every other row and figure of the demo as it was.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import cast

from cmworkbench.config import Settings
from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain import idcard
from cmworkbench.domain.file_quality import required_fields, verification_row
from cmworkbench.domain.masking import mask_id, mask_phone
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

VERIFICATION_COLUMNS = (
    "id", "customer_id", "at", "staff_id", "source", "checked", "confirmed", "fields", "detail",
)  # fmt: skip
VERIFIED_LOGGED_DAYS = 62
"""Verifications of the last two months are on record (the accuracy figure's source)."""
NEW_FILE_DAYS = 30
"""Files opened in the last this many days are complete and valid (completed on day one)."""

# Defects per 10,000 files opened before the last month, by kind: (what, share). The shares
# are consecutive slices of one draw, so a file has at most one of them.
_INDIVIDUAL_DEFECTS = (("id_number", 150), ("address", 150), ("bad_id", 120), ("bad_phone", 200))
_GROUP_DEFECTS = (("industry", 150), ("address", 150), ("bad_phone", 200))
ROLELESS_PER_100 = 14
"""Groups (of 100, opened before the last month) whose key persons have no role recorded."""
WRONG_PER_4096 = {"A1": 61, "A2": 82, "B1": 123, "B2": 266, "C": 492}
"""How often a checked field is found wrong, by class (per 4,096: 1.5%, 2%, 3%, 6.5%, 12%)."""
_FIELD_BITS = 12
"""Bits of the verification's draw per field (4,096 steps; five fields fit in 64 bits)."""
_MASKS = {"phone": mask_phone, "phone2": mask_phone, "id_number": mask_id}
_SUFFIXES = ("股份有限公司", "集团有限公司", "有限责任公司", "有限公司")
_INDUSTRIES = tuple(sorted({i for _, i in v.TRADES} | {"政府机关", "教育", "医疗卫生"}))
_AREAS = tuple(name for name, _code, _roads in v.DISTRICTS)
_GIVEN_CHARS = v.MALE_CHARS + v.FEMALE_CHARS
_M64 = (1 << 64) - 1


def draw(cid: int, salt: int) -> int:
    """64 well-mixed bits from a customer id (splitmix64's finaliser): the demo's cheap hash
    for choices that must not take from the random stream."""
    z = (cid * 0x9E3779B97F4A7C15 + salt) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _slices(defects: Sequence[tuple[str, int]]) -> tuple[tuple[int, str], ...]:
    """(upper bound of the draw % 10,000, defect) per defect, in order."""
    out, bound = [], 0
    for name, share in defects:
        bound += share
        out.append((bound, name))
    return tuple(out)


class Quality:
    """Spoils a few files as they are drawn and records the recent verifications."""

    def __init__(
        self,
        stamps: Stamps,
        ids: dict[str, int],
        settings: Settings,
        columns: Sequence[str],
        contact_columns: Sequence[str],
    ) -> None:
        """``columns``: the customer rows' columns; ``contact_columns``: the contacts'."""
        self.ids = ids
        self._role_at = list(contact_columns).index("role")
        at = {name: i for i, name in enumerate(columns)}
        self._at = at
        self._kind_at, self._cls_at, self._opened_at = at["kind"], at["cls"], at["opened_on"]
        self._verified_at = at["info_verified_at"]
        self._new_since = stamps.day(stamps.today_ord - NEW_FILE_DAYS)
        self._logged_since = stamps.midnight(stamps.today_ord - VERIFIED_LOGGED_DAYS)
        required = settings.data_quality.required
        self._required = {
            (kind, cls): tuple((name, at[name]) for name in required_fields(required, kind, cls))
            for kind in ("individual", "group")
            for cls in WRONG_PER_4096
        }
        self._defects = {
            "individual": _slices(_INDIVIDUAL_DEFECTS),
            "group": _slices(_GROUP_DEFECTS),
        }
        self._missing: str | None = None
        """The required field the file last spoilt lacks (not checked: nothing to check)."""
        self._wrong: str | None = None
        """The field of the file last spoilt holding an invalid value (never 'corrected' to)."""

    def spoil(self, row: Row, contacts: list[Row], key_persons: int) -> Row:
        """``row`` (a customer), with its defect if it has one; a group's roleless key persons
        (the last ``key_persons`` rows of ``contacts``) are rewritten in place."""
        self._missing = self._wrong = None
        if cast(str, row[self._opened_at]) >= self._new_since:
            return row
        h = draw(cast(int, row[0]), 1)
        kind = cast(str, row[self._kind_at])
        if kind == "group" and (h >> 20) % 100 < ROLELESS_PER_100:
            role = self._role_at  # is_key_person is kept: care tasks read it
            for i in range(len(contacts) - key_persons, len(contacts)):
                person = contacts[i]
                contacts[i] = (*person[:role], "contact", *person[role + 1 :])
        u = h % 10_000
        defect = next((name for bound, name in self._defects[kind] if u < bound), None)
        if defect is None:
            return row
        values = list(row)
        if defect == "bad_id":
            at = self._at["id_number"]
            values[at] = _bad_id(cast(str, values[at]), h >> 40)
            self._wrong = "id_number"
        elif defect == "bad_phone":
            at = self._at["phone"]
            values[at] = cast(str, values[at])[:-1]  # a digit dropped: 10 digits
            self._wrong = "phone"
        else:
            values[self._at[defect]] = None
            self._missing = defect
        return tuple(values)

    def verification(self, out: list[Row], row: Row, owner: int, verified_at: int) -> None:
        """The owner's verification of ``row`` at ``verified_at`` (UTC epoch, the file's
        ``info_verified_at``), when it is recent enough to be on record; call right after
        :meth:`spoil` of the same row."""
        if verified_at < self._logged_since:
            return
        cid = cast(int, row[0])
        kind, cls = cast(str, row[self._kind_at]), cast(str, row[self._cls_at])
        checked = self._required[(kind, cls)]
        if self._missing is not None:
            checked = tuple(pair for pair in checked if pair[0] != self._missing)
        h = draw(cid, 2)
        wrong = WRONG_PER_4096[cls]
        corrected: list[tuple[str, str, str]] = []
        for n, (name, i) in enumerate(checked):
            if (h >> (_FIELD_BITS * n)) & 4095 < wrong and name != self._wrong:
                new = cast(str, row[i])
                old = _old_value(name, new, kind == "group", h >> n)
                show = _MASKS.get(name)
                corrected.append((name, show(old), show(new)) if show else (name, old, new))
        found = verification_row([name for name, _ in checked], corrected)
        row_id = self.ids["verification"]
        self.ids["verification"] = row_id + 1
        out.append((
            row_id, cid, row[self._verified_at], owner, "hand", *found,
        ))  # fmt: skip


def _bad_id(number: str, h: int) -> str:
    """A legacy 15-digit number (born in the 1900s, half of them) or one with a mistyped
    check character: what old files carry."""
    if number[6:8] == "19" and h % 2:
        return number[:6] + number[8:17]
    right = number[17]
    return number[:17] + next(c for c in idcard.CHECK_CHARS[h % 11 :] + "0123" if c != right)


def _old_value(name: str, new: str, group: bool, h: int) -> str:
    """A plausible wrong value the file held before ``new`` corrected it (``h``: a draw)."""
    if name == "phone":  # another number on the same prefix
        return new[:-4] + f"{(int(new[-4:]) + 1 + h % 9_999) % 10_000:04d}"
    if name == "id_number":  # two digits of the sequence swapped (or one mistyped)
        a, b = new[15], new[16]
        return new[:15] + (b + a if a != b else a + str((int(b) + 1) % 10)) + new[17:]
    if name == "address":  # where they were before they moved
        rng = random.Random(h)  # only for the few corrected addresses: cheap enough
        return d.address(rng, d.DISTRICT.pick(rng), home=not group)
    if name == "industry":
        return _other(_INDUSTRIES, new, h)
    if name == "area":
        return _other(_AREAS, new, h)
    if name == "name" and group:  # the company form, or the city, recorded wrongly
        for suffix in _SUFFIXES:
            if new.endswith(suffix):
                return new[: -len(suffix)] + _other(_SUFFIXES, suffix, h)
        return new[len(v.CITY) :] if new.startswith(v.CITY) else v.CITY + new
    if name == "name":  # the last character mistyped
        return new[:-1] + _other(_GIVEN_CHARS, new[-1], h)
    return new + "（旧）"


def _other(choices: Sequence[str], value: str, h: int) -> str:
    """One of ``choices`` other than ``value``, by the draw ``h``."""
    pick = choices[h % len(choices)]
    return pick if pick != value else choices[(h + 1) % len(choices)]
