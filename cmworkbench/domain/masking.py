"""Masking of personal data on screen and in output (shown unmasked only on an audited reveal)."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; short or odd numbers keep only their last 4."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_id(number: str | None) -> str:
    """``110101199003071234`` → ``1101**********1234``."""
    if not number:
        return ""
    n = number.strip()
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


TYPED_MOST = 24
"""The most characters of a typed key a message repeats."""


def mask_typed(typed: str) -> str:
    """A key a user typed (customer number, ID number or phone), as a message may repeat it:
    an ID number or phone masked like everywhere else (a message is read over a shoulder and
    lands in logs), and never more than :data:`TYPED_MOST` characters (``…`` marks the cut)."""
    text = typed.strip()
    shown = mask_id(text) if sum(ch.isdigit() for ch in text) >= 7 else text
    return shown if len(shown) <= TYPED_MOST else shown[: TYPED_MOST - 1] + "…"


def mask_name(name: str | None) -> str:
    """``张三丰`` → ``张**``, ``Li Wei`` → ``L*****``: the first character only, for whoever
    may know that a person was referred but not whom (a teller reading their outcomes)."""
    text = (name or "").strip()
    return text[:1] + "*" * (len(text) - 1) if text else ""
