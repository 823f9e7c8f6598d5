"""Typed errors of the OC client. Every provider failure has a type; callers decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class OCError(Exception):
    """Base of every OC client error."""

    retryable = False

    def __init__(self, message: str, *, correlation_id: str = "") -> None:
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
