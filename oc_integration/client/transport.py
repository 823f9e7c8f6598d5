"""One HTTP exchange with OC: timeouts, typed transport errors, and the call record."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import requests

from hemi_fulfilment.apilog.records import CallRecord, CallRecorder, Outcome
from oc_integration.client.connection import ConnectionSettings
from oc_integration.client.errors import (
    OCBusinessError,
    OCError,
    OCHttpError,
    OCMalformedResponse,
    OCServerError,
    OCTimeout,
    OCTokenRejected,
    OCTransportError,
)

T = TypeVar("T")

USER_AGENT = "HemiFulfilment/0.1 (+Orange Connex integration)"
# The call log keeps a few thousand characters of each body; capturing a bounded prefix
# keeps a 100 MB stock snapshot from being decoded (and redacted) a second time.
LOG_CAPTURE_BYTES = 64 * 1024


def new_session() -> requests.Session:
    """The one session a client keeps (connection pooling, a User-Agent)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class Exchange:
    """What to send; ``body`` is the exact text that was signed."""

    operation: str
    method: str
    url: str
    headers: Mapping[str, str]
    body: str
    correlation_id: str
    # Read the answer as it arrives; the reader sets ``response.streamed_prefix``.
    stream: bool = False


def _outcome_of(error: BaseException | None) -> str:
    if error is None:
        return Outcome.SUCCESS
    for kind, outcome in [
        (OCTokenRejected, Outcome.TOKEN_REJECTED),
        (OCBusinessError, Outcome.BUSINESS_ERROR),
        (OCMalformedResponse, Outcome.MALFORMED),
        (OCTransportError, Outcome.TRANSPORT_ERROR),
        (OCServerError, Outcome.HTTP_ERROR),
        (OCHttpError, Outcome.HTTP_ERROR),
    ]:
        if isinstance(error, kind):
            return outcome
    return Outcome.HTTP_ERROR


def perform(
    session: requests.Session,
    connection: ConnectionSettings,
    exchange: Exchange,
    recorder: CallRecorder,
    interpret: Callable[[requests.Response], T],
) -> T:
    """Send ``exchange``, let ``interpret`` turn the answer into a result or a typed error,
    and record the call whatever happens."""
    started = time.monotonic()
    response: requests.Response | None = None
    error: BaseException | None = None
    try:
        try:
            response = session.request(
                exchange.method,
                exchange.url,
                data=exchange.body.encode("utf-8") if exchange.body else None,
                headers=dict(exchange.headers),
                timeout=(connection.connect_timeout, connection.read_timeout),
                stream=exchange.stream,
            )
        except requests.Timeout as exc:
            raise OCTimeout(
                f"OC did not answer {exchange.operation} within "
                f"{connection.read_timeout:g} s: {type(exc).__name__}",
                correlation_id=exchange.correlation_id,
            ) from exc
        except requests.RequestException as exc:
            raise OCTransportError(
                f"Could not reach OC for {exchange.operation}: {type(exc).__name__}",
                correlation_id=exchange.correlation_id,
            ) from exc
        return interpret(response)
    except BaseException as exc:
        error = exc
        raise
    finally:
        recorder(
            CallRecord(
                provider="oc",
                operation=exchange.operation,
                method=exchange.method,
                url=exchange.url,
                correlation_id=exchange.correlation_id,
                account_id=connection.account_id,
                account_label=connection.account_label,
                http_status=response.status_code if response is not None else None,
                duration_ms=int((time.monotonic() - started) * 1000),
                outcome=_outcome_of(error),
                request_headers=dict(exchange.headers),
                request_body=exchange.body,
                response_body=_captured(response),
                error_message=str(error) if isinstance(error, OCError) else "",
            )
        )


def _captured(response: requests.Response | None) -> str:
    if response is None:
        return ""
    # A streamed answer is never held whole: its reader kept (first bytes, total size).
    streamed: tuple[bytes, int] | None = getattr(response, "streamed_prefix", None)
    content, size = streamed or (response.content, len(response.content))
    captured = content[:LOG_CAPTURE_BYTES].decode("utf-8", errors="replace")
    if size > LOG_CAPTURE_BYTES:
        captured += f"… [{size - LOG_CAPTURE_BYTES} more bytes not captured]"
    return captured


def raise_for_server_error(response: requests.Response, *, correlation_id: str) -> None:
    """HTTP 429 and 5xx: OC is overloaded or failing; the caller may retry later."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise OCServerError(
            f"OC answered HTTP {status}; try again later.",
            status=status,
            correlation_id=correlation_id,
        )
