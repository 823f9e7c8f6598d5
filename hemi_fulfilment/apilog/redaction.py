"""Remove secrets from what is logged. Pure functions, no Django.

Tokens, authorization codes, keys and signatures are replaced by ``[redacted]`` in
headers, JSON bodies, form bodies and XML bodies; anything that still looks like a JWT
is redacted wherever it appears. Files (a PDF answer, base64 labels and papers inside
JSON) are left out with their size. :func:`scrub_message` goes further for the messages
providers send, which people read in the admin.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "[redacted]"

SENSITIVE_NAMES = {
    "access_token",
    "access-token",
    "refresh_token",
    "authorization_code",
    "client_secret",
    "secret",
    "secretkey",
    "secret_key",
    "password",
    "token",
    "vauthorization",
    "authorization",
    "x-ebay-api-iaf-token",
    "ebayauthtoken",
    "x-hemi-webhook-secret",
}
# OAuth's authorization code travels as "code" in form bodies and URLs; in JSON, "code"
# is OC's business or error code, which the log must keep.
FORM_ONLY_SENSITIVE = {"code"}
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# A "secret_name": "value" pair in JSON that could not be parsed (e.g. a cut-off body).
_JSON_SECRET = re.compile(
    r'("(?:' + "|".join(re.escape(n) for n in sorted(SENSITIVE_NAMES)) + r')"\s*:\s*)"[^"]*"',
    re.IGNORECASE,
)
_XML_SECRET = re.compile(r"(<(eBayAuthToken|RequesterCredentials)[^>]*>)(.*?)(</\2>)", re.S | re.I)


# Three dot-separated base64url parts, the shape of a JWT whatever its header says.
_DOTTED_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
)
# A run of base64 (standard or URL-safe) or hex characters long enough to be a secret.
_LONG_RUN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{32,}={0,2}")
# Files sent or received in a JSON body (labels, customs papers: base64 of a PDF or an
# image) carry addresses and take the whole log limit; the log keeps only their size.
FILE_MIN_CHARACTERS = 256
_BASE64_FILE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
# A URL path ("openapi/3pp/inventory/v1/snapshot"): short lowercase segments.
_PATH_SEGMENT = re.compile(r"[a-z0-9_-]{0,31}")


def _has_letter_and_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _scrub_dotted(match: re.Match[str]) -> str:
    return REDACTED if _has_letter_and_digit(match.group(0)) else match.group(0)


def _scrub_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if not _has_letter_and_digit(run):
        return run  # a long word or number, not a key
    if "/" in run and all(_PATH_SEGMENT.fullmatch(part) for part in run.split("/")):
        return run
    return REDACTED


def scrub_message(text: str) -> str:
    """``text`` without anything token-like: JWTs and base64 or hex runs of 32+ characters.

    Providers sometimes quote the token they refused in their error message; that message
    becomes an exception, a log line and an admin page, so it is scrubbed once, where the
    client turns it into an exception.
    """
    if not text:
        return text
    text = _JWT.sub(REDACTED, text)
    text = _DOTTED_TOKEN.sub(_scrub_dotted, text)
    return _LONG_RUN.sub(_scrub_run, text)


def is_sensitive(name: str) -> bool:
    """True for header, field or parameter names that carry secrets."""
    return name.strip().lower() in SENSITIVE_NAMES


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with secret values replaced."""
    return {k: (REDACTED if is_sensitive(k) else redact_text(v)) for k, v in headers.items()}


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if is_sensitive(str(k)) else _walk(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, str):
        if len(value) >= FILE_MIN_CHARACTERS and _BASE64_FILE.fullmatch(value):
            return _file_left_out(value)
        return redact_text(value)
    return value


def _file_left_out(value: str) -> str:
    return f"[a file of {len(value)} characters, not kept]"


def redact_text(text: str) -> str:
    """Redact JWTs, JSON secret fields and XML credentials inside free text."""
    text = _JWT.sub(REDACTED, text)
    text = _JSON_SECRET.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return _XML_SECRET.sub(lambda m: m.group(1) + REDACTED + m.group(4), text)


def redact_body(body: str) -> str:
    """Redact a JSON, form-encoded, XML or plain body."""
    if not body:
        return ""
    stripped = body.lstrip()
    if stripped.startswith("%PDF-"):
        return _file_left_out(body)
    if stripped[:1] in "{[":
        try:
            return json.dumps(_walk(json.loads(body)), ensure_ascii=False)
        except ValueError:
            return redact_text(body)
    if "=" in body and not stripped.startswith("<") and " " not in body.strip():
        pairs = parse_qsl(body, keep_blank_values=True)
        if pairs:
            return urlencode([(k, _redact_form_value(k, v)) for k, v in pairs])
    return redact_text(body)


def _redact_form_value(name: str, value: str) -> str:
    if is_sensitive(name) or name.strip().lower() in FORM_ONLY_SENSITIVE:
        return REDACTED
    return redact_text(value)


def redact_url(url: str) -> str:
    """Redact secret query parameters (an authorization URL carries none, a token URL may)."""
    if "?" not in url:
        return url
    base, query = url.split("?", 1)
    return f"{base}?{redact_body(query)}"


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"
