"""Typed errors of the Trading API client. Every failure a caller can meet has a type here.

eBay's messages are scrubbed of anything token-like as they become errors, so whatever
later shows them (the admin, run records, logs) never shows a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from hemi_fulfilment.apilog.redaction import scrub_message


@dataclass(frozen=True)
class EbayMessage:
    """One item of a Trading API response's ``Errors`` list (an error or a warning)."""

    code: str
    severity: str  # "Error" or "Warning"
    short_message: str
    long_message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "short_message", scrub_message(self.short_message))
        object.__setattr__(self, "long_message", scrub_message(self.long_message))

    def __str__(self) -> str:
        text = self.long_message or self.short_message
        return f"{self.code}: {text}" if self.code else text


class EbayError(Exception):
    """Base class: the call did not produce a usable answer."""

    def __init__(self, message: str = "") -> None:
        super().__init__(scrub_message(message))


class EbayTransportError(EbayError):
    """No HTTP answer: connection refused or reset, DNS, TLS."""


class EbayTimeoutError(EbayTransportError):
    """eBay did not answer within the connect or read timeout."""


class EbayHttpError(EbayError):
    """An HTTP status other than 200 (eBay answers business errors with 200)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EbayMalformedResponse(EbayError):
    """HTTP 200 whose body is not a Trading API response (not XML, no ``Ack``)."""


class EbayApiError(EbayError):
    """``Ack`` Failure: eBay refused the call; ``errors`` carries eBay's codes."""

    def __init__(self, call_name: str, ack: str, errors: list[EbayMessage]) -> None:
        details = "; ".join(str(error) for error in errors) or "no error details given"
        super().__init__(f"{call_name} answered Ack {ack}: {details}")
        self.call_name = call_name
        self.ack = ack
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [error.code for error in self.errors]


class EbayPartialFailure(EbayApiError):
    """``Ack`` PartialFailure: part of the call failed, so its result cannot be trusted whole."""


class EbayTokenRejected(EbayApiError):
    """eBay refused the OAuth user token: expired, revoked or invalid. A person must renew it."""


class EbayTokenNotRenewed(EbayTokenRejected):
    """eBay refused the token and no fresh one could be had; ``str()`` says why and what
    to do (for instance: reconnect required), as the token provider put it."""

    def __init__(self, call_name: str, ack: str, errors: list[EbayMessage], reason: str) -> None:
        super().__init__(call_name, ack, errors)
        self.args = (scrub_message(reason),)


def is_token_rejection(error: EbayError) -> bool:
    """Whether eBay refused the call for its token: a token error code, or HTTP 401."""
    if isinstance(error, EbayTokenRejected):
        return True
    return isinstance(error, EbayHttpError) and error.status == 401


# Error codes eBay uses for a bad or expired token: 931 "Auth token is invalid",
# 932 "Auth token is hard expired", 16110 "Token revoked", 21916984 "Invalid IAF token"
# (the OAuth token header). [I] More may exist; an unknown code is still an EbayApiError.
TOKEN_ERROR_CODES = frozenset({"931", "932", "16110", "21916984"})
