"""Transport-neutral request and response objects, so the sandbox's logic needs no socket."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"


@dataclass
class Request:
    """One HTTP request as the sandbox received it."""

    method: str
    # Path and query exactly as on the request line: the signature covers the path as sent.
    raw_path: str
    headers: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    body: bytes = b""
    # Facts the handlers learn (client_id, grant_type...), copied into the call journal.
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The path without the query string."""
        return urlsplit(self.raw_path).path

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string's parameters (``+`` means space, as in any form encoding)."""
        return parse_qs(urlsplit(self.raw_path).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """A header's value, case-insensitively."""
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        """Body and query parameters merged, the body winning (OC accepts either place)."""
        params = {key: values[0] for key, values in self.query.items()}
        content_type = (self.header("content-type") or "").lower()
        if self.body and "json" not in content_type:
            text = self.body.decode("utf-8", errors="replace")
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params[key] = values[0]
        return params


@dataclass
class Response:
    """What to send back: ``body`` may be an iterable of chunks (streamed, no Content-Length)."""

    status: int
    body: bytes | Iterable[bytes] = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    # True: send nothing and close the connection (a timeout as the client sees it).
    drop: bool = False


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON response; non-ASCII (OC's Chinese messages) is sent as UTF-8."""
    return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def html_response(html: str, status: int = 200) -> Response:
    """An HTML page."""
    return Response(status, html.encode("utf-8"), content_type=HTML_TYPE)


def redirect_response(location: str) -> Response:
    """A 302 to ``location``."""
    return Response(302, b"", content_type="text/plain", headers={"Location": location})


def dropped_response() -> Response:
    """No response at all: the connection is closed."""
    return Response(0, drop=True)


class OcError(Exception):
    """A request-level OC error: answered HTTP 200 with ``success: false`` and this code."""

    def __init__(self, code: int | str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
