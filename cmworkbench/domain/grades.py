"""Manager grades and the customer classes each may own (DESIGN.md: A-class books go to senior
managers; grades are reviewed yearly). Pure rules, no I/O: the grades come from config
``[grades]``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def classes_outside_grade(
    grade: str | None, by_class: Mapping[str, int], grades: Mapping[str, Sequence[str]]
) -> str | None:
    """The classes in ``by_class`` (class → customers; ``""`` or ``"-"``: no class yet, which
    any grade may own) that ``grade`` may not own, as ``"A1 ×19, A2 ×23"``; ``None`` when all
    may be owned (or the grade sets no limit)."""
    if grade is None or grade not in grades:
        return None
    allowed = set(grades[grade])
    outside = {
        cls: n for cls, n in by_class.items() if cls not in ("", "-") and n and cls not in allowed
    }
    return ", ".join(f"{cls} ×{n}" for cls, n in sorted(outside.items())) or None
