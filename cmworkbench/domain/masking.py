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
