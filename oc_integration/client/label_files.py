"""Label PDFs in OC's answers: the PDF itself, or base64 inside the JSON envelope.

OC's label pages (SKU labels, inbound labels, return labels) do not show their answer;
a reader accepts both likely forms and refuses anything that is not a PDF, with the
caller's own error type so the admin can say which label was missing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

import requests

from oc_integration.client.envelope import OCResponse, parse_response
from oc_integration.client.errors import OCError
from oc_integration.client.fields import first_value

PDF_CONTENT_TYPE = "application/pdf"
JSON_CONTENT_TYPES = ("application/json", "text/json", "")

BodyReader = Callable[[requests.Response, str], OCResponse]


def label_reader(error: type[OCError]) -> BodyReader:
    """A ``body_reader`` for ``OCApiClient.call``: a PDF answer as bytes, JSON as usual.

    Another content type (a login page, an error page) raises ``error``.
    """

    def read(response: requests.Response, correlation_id: str) -> OCResponse:
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == PDF_CONTENT_TYPE:
            return OCResponse(data=response.content, message="", message_id=correlation_id, raw={})
        if content_type not in JSON_CONTENT_TYPES:
            raise error(
                f"OC answered the label request with {content_type}, not a PDF.",
                correlation_id=correlation_id,
            )
        return parse_response(response.content, correlation_id=correlation_id)

    return read


def label_pdf(
    data: Any,
    *,
    fields: Sequence[str],
    error: type[OCError],
    what: str,
    correlation_id: str,
) -> bytes:
    """The PDF in an answer's ``data``: bytes, or base64 under one of ``fields``.

    ``data`` may be the PDF, a string, an object, or a list of objects (the first that
    carries a label wins). ``what`` names the label in the errors ("inbound order X").
    """
    if isinstance(data, list):
        data = next(
            (d for d in data if isinstance(d, dict) and first_value(d, fields)),
            data[0] if len(data) == 1 else None,
        )
    if isinstance(data, bytes):
        content = data
    else:
        encoded = first_value(data, fields) if isinstance(data, dict) else data
        if not isinstance(encoded, str) or not encoded.strip():
            raise error(f"OC returned no label for {what}.", correlation_id=correlation_id)
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise error(
                f"OC's label for {what} is neither a PDF nor base64.",
                correlation_id=correlation_id,
            ) from None
    if not content.startswith(b"%PDF-"):
        raise error(
            f"OC's label for {what} is not a PDF; no label was returned.",
            correlation_id=correlation_id,
        )
    return content
