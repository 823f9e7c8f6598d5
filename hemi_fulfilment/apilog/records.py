"""What a client reports about one HTTP call. Pure data: clients import it without Django."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class Outcome:
    """How a call ended, as the API call log shows it."""

    SUCCESS = "success"
    BUSINESS_ERROR = "business_error"
    TOKEN_REJECTED = "token_rejected"
    HTTP_ERROR = "http_error"
    TRANSPORT_ERROR = "transport_error"
    MALFORMED = "malformed"

    CHOICES = [
        (SUCCESS, "Success"),
        (BUSINESS_ERROR, "Business error"),
        (TOKEN_REJECTED, "Token rejected"),
        (HTTP_ERROR, "HTTP error"),
        (TRANSPORT_ERROR, "Transport error / timeout"),
        (MALFORMED, "Malformed response"),
    ]


@dataclass
class CallRecord:
    """One request/response pair. Bodies are raw here; the recorder redacts and truncates."""

    provider: str  # "oc" or "ebay"
    operation: str
    method: str
    url: str
    correlation_id: str
    account_id: int | None = None
    account_label: str = ""
    http_status: int | None = None
    duration_ms: int = 0
    outcome: str = Outcome.SUCCESS
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    response_body: str = ""
    error_message: str = ""


#: What a client calls with each finished call; the Django side stores it.
CallRecorder = Callable[[CallRecord], None]


def discard(record: CallRecord) -> None:
    """A recorder that keeps nothing (for clients used outside Django)."""
    return None
