"""What the customer search index holds, and how a typed query is read. Pure: no I/O.

Every customer contributes short *terms*, each with a *kind*. A query is a prefix: it finds
the terms that start with it (a B-tree range scan, the same on SQLite and PostgreSQL), so:

* substring of a Chinese name: every suffix of the name is a term (``王明华`` → ``王明华``,
  ``明华``, ``华``), so ``明华`` and the common 2-character names are found, which a trigram
  index cannot do;
* pinyin: the full reading, so ``zhangwei`` and ``zhangw`` (mixed: full syllables, then the
  start of the next) are found; the initials likewise (``zw``); readings are searched from
  the start of the name, as people type them (the characters give every substring);
* a phone or ID number's *tail*: the number reversed is a term, and the reversed tail is its
  prefix (``…5678`` → ``8765…``);
* a customer number: its prefix; key persons' names and phones find their group customer.

Terms of a *full* kind start at the start of the name or number: a query equal to one is an
exact match, a prefix of one a prefix match; the other kinds are substring matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from cmworkbench.domain.enums import CLASS_RANK
from cmworkbench.domain.pinyin import read


class TermKind(IntEnum):
    """What a term was made from (stored as a small integer)."""

    NAME = 1
    NAME_SUB = 2
    PINYIN = 3
    PINYIN_SUB = 4
    INITIALS = 5
    INITIALS_SUB = 6
    CONTACT = 7
    CONTACT_SUB = 8
    CONTACT_PINYIN = 9
    CONTACT_INITIALS = 10
    PHONE = 11
    ID = 12
    CUSTOMER_NO = 13


FULL_KINDS = frozenset(
    {
        TermKind.NAME,
        TermKind.PINYIN,
        TermKind.INITIALS,
        TermKind.CONTACT,
        TermKind.CONTACT_PINYIN,
        TermKind.CONTACT_INITIALS,
        TermKind.PHONE,
        TermKind.ID,
        TermKind.CUSTOMER_NO,
    }
)
MATCHED = {
    TermKind.NAME: "name",
    TermKind.NAME_SUB: "name",
    TermKind.PINYIN: "pinyin",
    TermKind.PINYIN_SUB: "pinyin",
    TermKind.INITIALS: "initials",
    TermKind.INITIALS_SUB: "initials",
    TermKind.CONTACT: "contact",
    TermKind.CONTACT_SUB: "contact",
    TermKind.CONTACT_PINYIN: "contact",
    TermKind.CONTACT_INITIALS: "contact",
    TermKind.PHONE: "phone",
    TermKind.ID: "id",
    TermKind.CUSTOMER_NO: "customer_no",
}
_CJK_KINDS = (TermKind.NAME, TermKind.NAME_SUB, TermKind.CONTACT, TermKind.CONTACT_SUB)
_LATIN_KINDS = (
    TermKind.PINYIN,
    TermKind.PINYIN_SUB,
    TermKind.INITIALS,
    TermKind.INITIALS_SUB,
    TermKind.CONTACT_PINYIN,
    TermKind.CONTACT_INITIALS,
)
MIN_TAIL = 4
"""Phone and ID tails are searched from 4 characters on (fewer match too many customers)."""
MAX_QUERY = 64
"""Longer input is cut: no name, number or pinyin is longer, and it bounds the work."""

TIER_RANK = {"diamond": 0, "gold": 1, "mid_high": 3, "mass": 4}
# control characters too: never part of a name or number (and PostgreSQL text refuses NUL)
_NOT_TERM = re.compile(r"[\s\x00-\x1f\x7f\-_/·.,，。()（）]+")


def normalise(text: str) -> str:
    """Full-width to ASCII (NFKC), lower case, without spaces and punctuation people add."""
    return _NOT_TERM.sub("", unicodedata.normalize("NFKC", text)).lower()


def has_cjk(text: str) -> bool:
    """True if ``text`` holds a CJK ideograph: the basic block and extension A, the
    compatibility ideographs, and the supplementary planes' extensions B–H and compatibility
    supplement (rare characters of names and shop signs, e.g. 𠮷 U+20BB7 of 𠮷野家)."""
    return any(
        "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U000323af"
        for ch in text
    )


def class_rank(cls: str | None, tier: str | None) -> int:
    """Sort key of a customer's value: A1 first; individuals without a class by tier."""
    if cls in CLASS_RANK:
        return CLASS_RANK[cls]
    return TIER_RANK.get(tier or "", 5)


def _suffixes(text: str) -> Iterator[str]:
    for i in range(1, len(text)):
        yield text[i:]


def name_terms(name: str, *, person: bool, contact: bool = False) -> set[tuple[str, int]]:
    """Terms of a customer's or key person's name (characters, pinyin, initials)."""
    text = normalise(name)
    if not text:
        return set()
    full, sub = (TermKind.CONTACT, TermKind.CONTACT_SUB) if contact else _CJK_KINDS[:2]
    terms: set[tuple[str, int]] = {(text, full)} | {(s, sub) for s in _suffixes(text)}
    if not has_cjk(text):
        return terms
    reading = read(name, person=person)
    if not reading.syllables:
        return terms
    if contact:
        terms.add((reading.full, TermKind.CONTACT_PINYIN))
        terms.add((reading.initials, TermKind.CONTACT_INITIALS))
        return terms
    # Pinyin and initials are searched from the start of the name (``zhangwei``, ``zhangw``,
    # ``zw``): that is how people type a name; the characters give every substring.
    terms.add((reading.full, TermKind.PINYIN))
    terms.add((reading.initials, TermKind.INITIALS))
    return terms


def number_terms(
    phones: Iterable[str | None], id_number: str | None, customer_no: str | None
) -> set[tuple[str, int]]:
    """Reversed phones and ID number (for tails), and the customer number (for prefixes)."""
    terms: set[tuple[str, int]] = set()
    for phone in phones:
        digits = "".join(ch for ch in normalise(phone or "") if ch.isdigit())
        if len(digits) >= MIN_TAIL:
            terms.add((digits[::-1], TermKind.PHONE))
    ident = normalise(id_number or "")
    if len(ident) >= MIN_TAIL:
        terms.add((ident[::-1], TermKind.ID))
    number = normalise(customer_no or "")
    if number:
        terms.add((number, TermKind.CUSTOMER_NO))
    return terms


def customer_terms(
    *,
    name: str,
    kind: str,
    phones: Iterable[str | None],
    id_number: str | None,
    customer_no: str,
    contacts: Iterable[tuple[str, str | None]] = (),
) -> set[tuple[str, int]]:
    """Every term of one customer, its key persons (name, phone) included."""
    terms = name_terms(name, person=kind == "individual")
    terms |= number_terms(phones, id_number, customer_no)
    for contact_name, contact_phone in contacts:
        terms |= name_terms(contact_name, person=True, contact=True)
        terms |= number_terms([contact_phone], None, None)
    return terms


@dataclass(frozen=True)
class Probe:
    """One prefix to look up, in some kinds of term."""

    prefix: str
    kinds: tuple[int, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A typed query, read: the prefixes to look up and the text an exact match equals."""

    text: str
    probes: tuple[Probe, ...]


def parse_query(query: str) -> ParsedQuery | None:
    """Read what was typed; ``None`` when there is nothing to look up."""
    text = normalise(query)[:MAX_QUERY]
    if not text:
        return None
    if has_cjk(text):
        return ParsedQuery(text, (Probe(text, _CJK_KINDS),))
    probes = [Probe(text, (TermKind.CUSTOMER_NO,))]
    if text.isdigit() or (text[:-1].isdigit() and text[-1] == "x"):
        if len(text) >= MIN_TAIL:
            kinds = (TermKind.ID,) if text.endswith("x") else (TermKind.PHONE, TermKind.ID)
            probes.append(Probe(text[::-1], kinds))
    elif text.isalpha() and text.isascii():
        probes.append(Probe(text, _LATIN_KINDS))
    return ParsedQuery(text, tuple(probes))
