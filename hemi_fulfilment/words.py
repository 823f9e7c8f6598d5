"""Small helpers for the sentences people read in the admin, emails and commands."""

from __future__ import annotations

_ENDINGS = (".", "!", "?")


def sentence(text: str) -> str:
    """``text`` stripped and ending with a full stop, so that the next sentence can follow.

    A provider's message often ends without one ("system busy"); joined as it is, two
    sentences run together ("system busy Nothing was changed").
    """
    text = text.strip()
    if not text:
        return ""
    if text.endswith(_ENDINGS):
        return text
    return text.rstrip(":;,") + "."


def sentences(*parts: str) -> str:
    """The non-empty ``parts`` as sentences separated by one space."""
    return " ".join(s for s in (sentence(p) for p in parts) if s)
