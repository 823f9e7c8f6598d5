"""OC's request and response envelopes."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hemi_fulfilment.words import sentence, sentences
from oc_integration.client.errors import (
    OCBusinessError,
    OCItemError,
    OCMalformedResponse,
    OCTokenRejected,
)

# OC reports a bad or expired token in words; these are the words seen so far.
_AUTH_FAILURE = re.compile(
    r"token|unauthori[sz]ed|authenticat|not authori[sz]ed|access denied", re.IGNORECASE
)
_AUTH_CODES = {"401", "40101", "401001"}


def new_message_id() -> str:
    """A message id unique per call (also the call's correlation id)."""
    return uuid.uuid4().hex


def now_ms() -> int:
    """The current time in epoch milliseconds, as OC's ``timestamp`` and ``TimeStamp``."""
    return int(time.time() * 1000)


def request_body(
    data: Any, *, message_id: str, timestamp_ms: int, api_version: str | None = None
) -> str:
    """The JSON envelope ``{"messageId", "timestamp", "data"}`` as the exact text to send."""
    envelope: dict[str, Any] = {"messageId": message_id, "timestamp": timestamp_ms}
    if api_version:
        envelope["apiVersion"] = api_version
    envelope["data"] = data
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class OCResponse:
    """A successful OC answer (``code`` 0)."""

    data: Any
    message: str
    message_id: str
    raw: dict[str, Any]


def _is_success_code(code: Any) -> bool:
    return str(code).strip() == "0"


#: Called by the JSON parser for every object, innermost first (``json.loads`` object_hook).
ObjectHook = Callable[[dict[str, Any]], Any]


def parse_response(
    body: str | bytes, *, correlation_id: str, object_hook: ObjectHook | None = None
) -> OCResponse:
    """Parse OC's response envelope, raising the matching typed error when it is not a success.

    ``object_hook`` lets a caller turn rows into compact objects while parsing, so a large
    answer never exists as a tree of dicts.
    """
    try:
        payload = json.loads(body, object_hook=object_hook)
    except OCMalformedResponse:
        raise
    except ValueError:
        raise OCMalformedResponse(
            "OC's answer is not valid JSON (it may have been cut off).",
            correlation_id=correlation_id,
        ) from None
    if not isinstance(payload, dict) or "code" not in payload:
        raise OCMalformedResponse(
            "OC's answer lacks the response envelope (no 'code').", correlation_id=correlation_id
        )
    code = payload.get("code")
    message = str(payload.get("message") or "")
    if payload.get("success") is False and (
        str(code) in _AUTH_CODES or _AUTH_FAILURE.search(message)
    ):
        raise OCTokenRejected(
            sentence(f"OC rejected the access token: {message or code}"),
            correlation_id=correlation_id,
        )
    if not _is_success_code(code):
        errors = [_item_error(e) for e in payload.get("errors") or [] if isinstance(e, dict)]
        raise OCBusinessError(
            business_error_message(code, message, errors),
            code=str(code),
            errors=errors,
            data=payload.get("data"),
            correlation_id=correlation_id,
        )
    return OCResponse(
        data=payload.get("data"),
        message=message,
        message_id=str(payload.get("messageId") or ""),
        raw=payload,
    )


def business_error_message(code: Any, message: str, errors: list[OCItemError]) -> str:
    """OC's refusal in sentences: its code and message, then every ``errors[]`` entry.

    OC often sends a general ``message`` ("Internal error") and the real reason in
    ``errors[]`` (code 500001, "system busy"); both are kept.
    """
    details = "; ".join(
        f"{e.code} ({e.message.rstrip('.')})" if e.code and e.message else e.code or e.message
        for e in errors
        if e.code or e.message
    )
    if not message and details:
        return sentence(f"OC answered code {code}: {details}")
    return sentences(
        f"OC answered code {code}: {message or 'no message'}",
        f"Details: {details}" if details else "",
    )


def _item_error(entry: dict[str, Any]) -> OCItemError:
    return OCItemError(
        code=str(entry.get("code") or ""),
        message=str(entry.get("message") or ""),
        id=str(entry.get("id") or ""),
        reference_number=str(entry.get("referenceNumber") or ""),
    )
