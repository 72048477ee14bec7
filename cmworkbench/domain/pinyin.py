"""Pinyin readings of names, for search by ``zhangwei``, ``zw`` or ``zhangw``.

pypinyin gives the common reading of each character (with phrase context), but surnames are
read differently from the same character elsewhere (多音字): 单 is *shan* as a surname, not
*dan*; 曾 is *zeng*, not *ceng*. :data:`SURNAME_READINGS` overrides the first character(s)
of a person's name; compound surnames (复姓) are matched first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Surname readings that differ from the character's most common reading (百家姓 usage).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "区": ("ou",),
    "查": ("zha",),
    "盖": ("ge",),
    "乐": ("yue",),
    "覃": ("qin",),
    "种": ("chong",),
    "员": ("yun",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "秘": ("bi",),
    "召": ("shao",),
    "繁": ("po",),
    "句": ("gou",),
    "折": ("she",),
    "沈": ("shen",),
    "薄": ("bo",),
    "柏": ("bai",),
    "藏": ("zang",),
    "燕": ("yan",),
    "任": ("ren",),
    "过": ("guo",),
    "相": ("xiang",),
    "华": ("hua",),
    "能": ("nai",),
    "牟": ("mou",),
    "冼": ("xian",),
    "洗": ("xian",),
    "粘": ("nian",),
    "尉": ("yu",),
    "宓": ("mi",),
    "隗": ("wei",),
    "黑": ("he",),
    "重": ("chong",),
    "祭": ("zhai",),
    "都": ("du",),
    "莘": ("shen",),
}
_COMPOUND = tuple(k for k in SURNAME_READINGS if len(k) == 2)


@dataclass(frozen=True)
class Reading:
    """The pinyin of a name: ``syllables`` (one per character where it has one)."""

    syllables: tuple[str, ...]

    @property
    def full(self) -> str:
        """``zhangwei``."""
        return "".join(self.syllables)

    @property
    def initials(self) -> str:
        """``zw``."""
        return "".join(s[0] for s in self.syllables if s)


def read(name: str, *, person: bool) -> Reading:
    """The reading of ``name``; ``person`` applies surname readings to its first character(s).

    A person's given name is read character by character (memoised: a million names share a
    few thousand characters); an organisation's name is read as a whole, since words such as
    银行 (yin hang) need their context.
    """
    text = "".join(name.split())
    if not person:
        return Reading(tuple(s for i in range(len(text)) for s in _in_context(text, i)))
    surname = next((c for c in _COMPOUND if text.startswith(c)), text[:1])
    head: tuple[str, ...] = ()
    if surname in SURNAME_READINGS:
        head = SURNAME_READINGS[surname]
        text = text[len(surname) :]
    return Reading(head + tuple(s for ch in text for s in _char(ch)))


@lru_cache(maxsize=20_000)
def _has_several_readings(ch: str) -> bool:
    """True for a 多音字, whose reading depends on the word it is in."""
    from pypinyin.pinyin_dict import pinyin_dict

    return "," in pinyin_dict.get(ord(ch), "")


def _in_context(text: str, i: int) -> tuple[str, ...]:
    """The reading of ``text[i]``: alone, or for a 多音字 within its neighbours (银行 is
    *yin hang*, 行长 *hang zhang*); the neighbourhood is memoised, as organisation names
    repeat their words."""
    ch = text[i]
    if not _has_several_readings(ch):
        return _char(ch)
    start = max(0, i - 1)
    window = _phrase(text[start : i + 2])
    before = sum(len(_char(c)) for c in text[start:i])
    return window[before : before + len(_char(ch))] if len(window) > before else _char(ch)


@lru_cache(maxsize=20_000)
def _char(ch: str) -> tuple[str, ...]:
    return _phrase(ch)


@lru_cache(maxsize=100_000)
def _phrase(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    syllables = (s.lower() for s in lazy_pinyin(text, errors=_each_char) if s.strip())
    return tuple(s for s in syllables if s.isascii() and s.isalnum())


def _each_char(chars: str) -> Any:
    """Characters without a reading (Latin letters, digits) count one syllable each."""
    return list(chars)
