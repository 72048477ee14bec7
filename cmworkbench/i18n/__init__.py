"""One catalog of every user-visible string, in zh_CN and en.

``t("today.title")`` looks the key up in the current language (``language`` in config, or
``CMW_LANGUAGE``); ``t("cli.staff_count", n=3)`` fills ``{n}``. Both catalogs hold the same
keys; a test keeps them in step. A key missing from a catalog shows as the key itself, so a
slip is visible but never crashes a screen.
"""

from __future__ import annotations

from cmworkbench.i18n import en, zh_CN

CATALOGS: dict[str, dict[str, str]] = {"zh_CN": zh_CN.MESSAGES, "en": en.MESSAGES}
_language = "zh_CN"


def set_language(language: str) -> None:
    """Switch the language for everything shown from now on."""
    global _language
    if language not in CATALOGS:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    """The current language code."""
    return _language


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the current language, with ``{name}`` fields filled."""
    text = CATALOGS[_language].get(key, key)
    return text.format(**values) if values else text


def label(vocabulary: str, value: str | None) -> str:
    """The label of an enumeration value, e.g. ``label("role", "manager")`` → 客户经理."""
    if value is None:
        return ""
    return CATALOGS[_language].get(f"enum.{vocabulary}.{value}", value)
