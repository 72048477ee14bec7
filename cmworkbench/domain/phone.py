"""Chinese phone numbers as people type them. Pure rules, no I/O.

Accepted: a mainland mobile number (11 digits, ``1`` then ``3``–``9``: the MIIT number
segments, 号段) or a landline with its area code (区号) and a hyphen, e.g. ``010-12345678``
(3-digit codes: Beijing, Shanghai, Guangzhou …) or ``0571-8888888`` (4-digit codes, 7- or
8-digit local numbers). Typing habits are forgiven: full-width digits from a Chinese input
method, spaces, ``+86``, ``138-1234-5678`` and ``(0571)88888888`` are normalised first.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-\d{7,8}$")
_BRACKETED = re.compile(r"^\((0\d{2,3})\)-?(\d{7,8})$")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "‐": "-"})


def normalise(text: str) -> str:
    """The number in its stored form: ASCII digits, no spaces, ``0571-8888888`` for landlines.

    A number that cannot be read comes back cleaned up but otherwise as typed, so the
    message about it shows what the person entered.
    """
    # NFKC turns full-width digits, brackets and the ideographic space into ASCII.
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_DASHES)
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    if MOBILE.match(cleaned.replace("-", "")):
        return cleaned.replace("-", "")
    bracketed = _BRACKETED.match(cleaned)
    if bracketed:
        return f"{bracketed.group(1)}-{bracketed.group(2)}"
    return cleaned


def is_valid(number: str) -> bool:
    """True for a normalised mobile or landline number (see :func:`normalise`)."""
    return bool(MOBILE.match(number) or LANDLINE.match(number))
