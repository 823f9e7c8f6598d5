"""Reading OC's rows where a field's name is inferred: the first of several spellings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def first_value(row: Mapping[str, Any], names: Iterable[str]) -> Any:
    """The value of the first of ``names`` that ``row`` holds, not empty; else None.

    OC's pages leave many names open, so a reader tries the likely spellings in order.
    """
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def first_text(row: Mapping[str, Any], names: Iterable[str]) -> str:
    """:func:`first_value` as stripped text ("" when absent or not a plain value)."""
    value = first_value(row, names)
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()
