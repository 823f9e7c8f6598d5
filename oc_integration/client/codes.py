"""Authorization codes as they reach us: in a redirect, or pasted by a person."""

from __future__ import annotations

from urllib.parse import unquote

_MAX_ROUNDS = 5


def decode_until_stable(value: str) -> str:
    """Percent-decode ``value`` until it stops changing.

    OC's codes arrive encoded once or twice (the seed's test code is ``%252B``-encoded).
    ``unquote`` (not ``unquote_plus``) is used on purpose: a literal ``+`` is part of the
    code and must never become a space.
    """
    for _ in range(_MAX_ROUNDS):
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


def raw_query_params(query: str) -> dict[str, str]:
    """Split a query string WITHOUT decoding it (``parse_qs`` would turn ``+`` into space)."""
    params: dict[str, str] = {}
    for part in query.lstrip("?").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        params.setdefault(unquote(name), value)
    return params


def code_from_pasted_text(text: str) -> tuple[str, str | None]:
    """The authorization code (decoded) and the ``state`` (or None) from what a person pasted.

    Accepts the bare code, encoded or not, or the whole redirected URL
    (``https://…/callback?act=getAuthorizationCode&code=…&state=…``).
    Raises ``ValueError`` with a message for people when no code can be found.
    """
    text = text.strip()
    if not text:
        raise ValueError("Paste the authorization code or the whole address OC redirected to.")
    if "code=" in text and ("?" in text or "&" in text or text.startswith("code=")):
        query = text.split("?", 1)[1] if "?" in text else text
        query = query.split("#", 1)[0]
        params = raw_query_params(query)
        code = decode_until_stable(params.get("code", "")).strip()
        if not code:
            raise ValueError("The pasted address has no code in it.")
        state = params.get("state")
        return code, decode_until_stable(state) if state else None
    if any(ch.isspace() for ch in text):
        raise ValueError("An authorization code has no spaces; paste it exactly as OC shows it.")
    return decode_until_stable(text), None
