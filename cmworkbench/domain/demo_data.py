"""Pure generators of plausible demo data: people, organisations, phones, ID numbers, products.

No I/O: every function takes the caller's ``random.Random`` (never the global one), so a seed
gives the same data on every machine. The vocabulary lives in
:mod:`cmworkbench.domain.demo_vocab`; :mod:`cmworkbench.services.ops.demo` turns it into rows.

The generators are on the hot path of ``cmw demo --customers 1000000`` (a few million calls),
so weighted choices use a cumulative table and :func:`bisect.bisect_right` (one
``random()`` call each) rather than ``random.choices``.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Generic, TypeVar

from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain import idcard

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice among items, drawn with one ``random()`` call."""

    __slots__ = ("_bounds", "items", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items, weights = zip(*pairs, strict=True)
        self.items: tuple[T, ...] = tuple(items)
        bounds = list(accumulate(float(w) for w in weights))
        self.total = bounds[-1]
        # The last bound is infinite so a draw that rounds up to the total still finds an item.
        bounds[-1] = math.inf
        self._bounds = tuple(bounds)

    def pick(self, rng: random.Random) -> T:
        """One item, with probability proportional to its weight."""
        return self.items[bisect_right(self._bounds, rng.random() * self.total)]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """One of ``items`` uniformly (cheaper than ``rng.choice`` on the hot path)."""
    return items[int(rng.random() * len(items))]


SURNAME = Weighted(v.SURNAMES)
MOBILE_PREFIX = Weighted(v.MOBILE_PREFIXES)
VALID_MOBILE_PREFIXES = frozenset(p for p, _ in v.MOBILE_PREFIXES)
"""Every prefix :func:`mobile` may produce (tests check numbers against it)."""
BIRTH_AREA = Weighted(v.BIRTH_AREAS)
DISTRICT = Weighted(enumerate(v.DISTRICT_WEIGHTS))
COMPANY_SUFFIX = Weighted(v.COMPANY_SUFFIXES)
# What kind of organisation a group customer is: mostly companies; public bodies, schools and
# hospitals are the government-important customers of the telecom handbook.
ORG_KIND = Weighted((("company", 84), ("bureau", 6), ("school", 6), ("hospital", 4)))
# Adult customers by age band (years, weight): working-age savers dominate a branch's book.
_AGE_BANDS = Weighted(((18, 12), (30, 22), (40, 24), (50, 22), (60, 13), (70, 7)))
_BAND_YEARS = {18: 12, 30: 10, 40: 10, 50: 10, 60: 10, 70: 15}


def person_name(rng: random.Random, male: bool) -> str:
    """A Chinese name: surname + 1 given character (about 60%) or + 2 (the rest)."""
    surname = SURNAME.pick(rng)
    last = pick(rng, v.MALE_CHARS if male else v.FEMALE_CHARS)
    if rng.random() < 0.6:
        return surname + last
    return surname + pick(rng, v.MALE_FIRST_CHARS if male else v.FEMALE_FIRST_CHARS) + last


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number on an assigned prefix (号段)."""
    return f"{MOBILE_PREFIX.pick(rng)}{int(rng.random() * 100_000_000):08d}"


def birth_ordinal(rng: random.Random, today_ordinal: int, min_age: int = 18) -> int:
    """A plausible adult's birth date (as an ordinal), at least ``min_age`` years old."""
    band = _AGE_BANDS.pick(rng)
    start = max(band, min_age)
    years = start + rng.random() * max(_BAND_YEARS[band] - (start - band), 1)
    return today_ordinal - int(years * 365.2425)


class ResidentIds:
    """Draws unique, valid resident ID numbers (GB 11643) for the people of one build.

    Real numbers never repeat, and with a million customers random draws would collide a few
    hundred times, so the numbers already given are remembered (as ints, to keep it small).
    """

    def __init__(self) -> None:
        self._used: set[int] = set()

    def draw(self, rng: random.Random, born: date, male: bool) -> str:
        """A number for a person born on ``born``; the sequence is odd for men, even for women."""
        while True:
            area = BIRTH_AREA.pick(rng)
            sequence = 2 * int(rng.random() * 499) + (1 if male else 2)
            key = (int(area) * 1_000_000 + born.toordinal()) * 1000 + sequence
            if key not in self._used:
                self._used.add(key)
                return idcard.make(area, born, sequence)


@dataclass(frozen=True, slots=True)
class Organisation:
    """A group customer's name, industry, kind (company/bureau/school/hospital) and area."""

    name: str
    industry: str
    kind: str
    district: int


def organisation(rng: random.Random) -> Organisation:
    """A plausible group customer of a Hangzhou branch."""
    district = DISTRICT.pick(rng)
    kind = ORG_KIND.pick(rng)
    if kind == "company":
        name, industry = _company(rng)
    elif kind == "bureau":
        where = v.CITY if rng.random() < 0.3 else v.DISTRICTS[district][0]
        name, industry = where + pick(rng, v.BUREAUS), "政府机关"
    elif kind == "school":
        name, industry = _school(rng, district), "教育"
    else:
        name, industry = _hospital(rng, district), "医疗卫生"
    return Organisation(name, industry, kind, district)


def _company(rng: random.Random) -> tuple[str, str]:
    """E.g. 华东精密机械有限公司, 杭州恒信电子科技有限公司 (place + brand + trade + form)."""
    trade, industry = pick(rng, v.TRADES)
    brand = ""
    if rng.random() < 0.75:
        first = pick(rng, v.BRAND_CHARS)
        second = pick(rng, v.BRAND_CHARS)
        brand = first + (second if second != first else pick(rng, v.BRAND_CHARS[:5]))
    return pick(rng, v.PLACE_PREFIXES) + brand + trade + COMPANY_SUFFIX.pick(rng), industry


def _school(rng: random.Random, district: int) -> str:
    if rng.random() < 0.1:
        return pick(rng, v.COLLEGES)
    return v.CITY + v.DISTRICTS[district][0] + pick(rng, v.SCHOOL_KINDS)


def _hospital(rng: random.Random, district: int) -> str:
    if rng.random() < 0.4:
        return f"{v.CITY}第{pick(rng, '一二三四五六七')}人民医院"
    return v.DISTRICTS[district][0] + pick(rng, v.HOSPITAL_KINDS)


def address(rng: random.Random, district: int, home: bool) -> str:
    """A street address in ``district``; homes get building, unit and flat numbers."""
    name, _code, roads = v.DISTRICTS[district]
    street = f"{v.CITY}{name}{pick(rng, roads)}{1 + int(rng.random() * 600)}号"
    if home:
        building = 1 + int(rng.random() * 30)
        unit = 1 + int(rng.random() * 4)
        flat = (1 + int(rng.random() * 28)) * 100 + 1 + int(rng.random() * 4)
        return f"{street}{building}幢{unit}单元{flat}室"
    if rng.random() < 0.5:
        return f"{street}{1 + int(rng.random() * 25)}楼"
    return street


def key_person_title(rng: random.Random, org_kind: str, decision_maker: bool) -> str:
    """The job title of a group customer's key person (关键人)."""
    heads, others = v.TITLES[org_kind]
    return pick(rng, heads if decision_maker else others)


@dataclass(frozen=True, slots=True)
class Product:
    """A product a customer can hold (see :data:`cmworkbench.domain.demo_vocab.PRODUCTS`)."""

    name: str
    kind: str
    term_days: int
    """0 for open-ended products (current accounts, money-market funds, V-net)."""
    low: int
    high: int
    share_of_value: bool
    """True: ``low``/``high`` are percent of the customer's assets or revenue; else yuan."""

    def amount(self, rng: random.Random, value: int) -> int:
        """A plausible amount in whole yuan (rounded like a real balance or fee)."""
        if self.share_of_value:
            raw = value * (self.low + rng.random() * (self.high - self.low)) / 100
            return max(int(raw) // 1000 * 1000, 1000)
        raw = self.low + rng.random() * (self.high - self.low)
        return int(raw) if raw < 10_000 else int(raw) // 10_000 * 10_000


def _products(audience: str) -> Weighted[Product]:
    return Weighted(
        (Product(n, k, term, low, high, k in ("deposit", "wealth")), w)
        for n, k, who, term, low, high, w in v.PRODUCTS
        if who == audience
    )


PRODUCTS = {"individual": _products("individual"), "group": _products("group")}
"""Weighted product catalogue per customer kind."""
