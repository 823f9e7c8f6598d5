"""Typed errors of the OC client and OC's error codes in words.

Every provider failure has a type; callers decide. A message from OC becomes an
exception message here, scrubbed of anything token-like, so every later use (the admin,
logs, emails) is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hemi_fulfilment.apilog.redaction import scrub_message

#: OC's code for "an order with this referenceNumber exists": OC already has it.
DUPLICATE_REFERENCE = "400409"
#: OC's error codes in words, for the admin.
OC_ERROR_WORDS = {
    "400448": "insufficient stock at OC",
    DUPLICATE_REFERENCE: "OC already has an order with this reference",
    "400404": "OC does not know this SKU or order",
    "400200": "a required field is missing",
    "400201": "a field is longer than OC allows",
    "400202": "a field has a value OC does not accept",
    "400520": "OC cannot cancel it any more: the warehouse has already picked it",
    "400521": "the order is already cancelled",
    "400100": "more than 50 orders in one request",
}


def in_words(code: str, message: str) -> str:
    """OC's error code and message as staff read it, as a phrase the caller may continue.

    OC's own message goes in parentheses without its full stop, so that the caller's
    sentence can end after them.
    """
    words = OC_ERROR_WORDS.get(code)
    message = message.strip().rstrip(".")
    if words and message:
        return f"{words[0].upper()}{words[1:]} ({code}: {message})"
    if words:
        return f"{words[0].upper()}{words[1:]} ({code})"
    return f"OC error {code}: {message}" if code else message


class OCError(Exception):
    """Base of every OC client error."""

    retryable = False

    def __init__(self, message: str, *, correlation_id: str = "") -> None:
        message = scrub_message(message)
        super().__init__(message)
        self.message = message
        self.correlation_id = correlation_id


class OCTransportError(OCError):
    """The request did not complete: connection refused or reset, DNS, TLS."""

    retryable = True


class OCTimeout(OCTransportError):
    """OC did not answer in time. The request may or may not have been processed."""


class OCServerError(OCError):
    """HTTP 5xx or 429 from OC: try again later."""

    retryable = True

    def __init__(self, message: str, *, status: int, correlation_id: str = "") -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.status = status


class OCHttpError(OCError):
    """Another unexpected HTTP status (e.g. 404): a configuration problem, not transient."""

    def __init__(self, message: str, *, status: int, correlation_id: str = "") -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.status = status


class OCMalformedResponse(OCError):
    """OC answered, but not with the JSON envelope it documents."""


class OCTokenRejected(OCError):
    """OC refused the access token (HTTP 401, or HTTP 200 with an authentication failure)."""


@dataclass(frozen=True)
class OCItemError:
    """One entry of OC's ``errors[]``: which item failed and why."""

    code: str
    message: str
    id: str = ""
    reference_number: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", scrub_message(self.message))


class OCBusinessError(OCError):
    """OC processed the request and answered ``code`` != 0.

    ``errors`` holds OC's per-item errors; ``data`` what OC accepted anyway (a partly
    accepted outbound batch comes back this way).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        errors: list[OCItemError] | None = None,
        data: Any = None,
        correlation_id: str = "",
    ) -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.code = code
        self.errors = errors or []
        self.data = data


class OAuthError(OCError):
    """OC's token endpoint refused a request for a reason that retrying will not fix."""

    def __init__(self, message: str, *, error: str, correlation_id: str = "") -> None:
        super().__init__(message, correlation_id=correlation_id)
        self.error = error


class OAuthGrantRevoked(OAuthError):
    """``invalid_grant`` / ``invalid_client``: the grant is gone; a person must re-authorize."""
