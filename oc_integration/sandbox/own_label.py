"""placeThirdPartyLabelOrder (``/3pp/ocw/v1/creation``): orders with the seller's label.

OC's page shows only that ``data`` is a list whose items start with ``referenceNumber``,
``orderPlatform``, ``serviceCo…``. The sandbox takes the shape the project infers: each
item is a Place Outbound Order item plus ``serviceCode`` (the shipping service again),
``carrierName``, ``trackingNumber``, ``labelFileType`` (PDF, PNG or ZPL) and ``labelFile``
(the file in base64). Keys are read case-insensitively, as for every endpoint.

Label checks, per order, as error items in Place Outbound Order's shape: ``400200`` a
label field missing, ``400202`` not base64, an unknown type, or a file whose first bytes
are not of its type (``%PDF-``, PNG's signature, ZPL's ``^XA``), ``400201`` a file above
:data:`MAX_LABEL_BYTES`, ``400410`` a tracking number another of the client's orders
already ships with. Orders that pass are created in the same order book as Place
Outbound Order (same numbers, stock reservation, Query v2, callbacks, cancellation); when
such an order is shipped its tracking entry carries the seller's carrier and tracking
number. Faults are injected by path in the router, like every endpoint.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .messages import OcError, Response, json_response

PATH = "/openapi/3pp/ocw/v1/creation"
#: The first bytes of each label type the sandbox accepts.
SIGNATURES = {"PDF": b"%PDF-", "PNG": b"\x89PNG\r\n\x1a\n", "ZPL": b"^XA"}
#: The largest label file the sandbox accepts (decoded bytes).
MAX_LABEL_BYTES = 2_000_000
LABEL_FIELDS = ("carrierName", "trackingNumber", "labelFileType", "labelFile")


def _get(item: dict[str, Any], name: str) -> Any:
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def label_problems(order: Any, taken: set[str]) -> list[tuple[str, str]]:
    """What is wrong with one order's label fields ((code, message), empty when none)."""
    if not isinstance(order, dict):
        return [("400202", "order must be a JSON object")]
    missing = [name for name in LABEL_FIELDS if not _text(_get(order, name))]
    if missing:
        return [("400200", f"{name} is required") for name in missing]
    problems: list[tuple[str, str]] = []
    file_type = _text(_get(order, "labelFileType")).upper()
    if file_type not in SIGNATURES:
        problems.append(("400202", f"labelFileType must be one of {', '.join(SIGNATURES)}"))
    try:
        content = base64.b64decode(_text(_get(order, "labelFile")), validate=True)
    except (binascii.Error, ValueError):
        return [*problems, ("400202", "labelFile is not valid base64")]
    if len(content) > MAX_LABEL_BYTES:
        problems.append(("400201", f"labelFile must be at most {MAX_LABEL_BYTES} bytes"))
    elif file_type in SIGNATURES and not content.startswith(SIGNATURES[file_type]):
        problems.append(("400202", f"labelFile is not a {file_type} file"))
    tracking = _text(_get(order, "trackingNumber"))
    if tracking in taken:
        problems.append(("400410", f"trackingNumber {tracking} is already used by another order"))
    return problems


def _as_outbound_item(order: dict[str, Any]) -> dict[str, Any]:
    """The order as Place Outbound Order's checks read it (the service under either name)."""
    item = dict(order)
    if not _text(_get(item, "shippingServiceCode")):
        item["shippingServiceCode"] = _get(item, "serviceCode")
    return item


def create(sandbox: Any, client_id: str, envelope: dict[str, Any]) -> Response:
    """Check each order's label, then create the good ones in the outbound order book."""
    orders = envelope.get("data")
    if not isinstance(orders, list) or not orders:
        raise OcError(400002, "data must be a non-empty list of orders")
    book = sandbox.orders
    if len(orders) > book.max_per_request:
        raise OcError(400100, f"At most {book.max_per_request} orders per request")
    taken = {
        o.seller_label["trackingNumber"]
        for o in book.orders.values()
        if o.client_id == client_id and o.seller_label
    }
    errors: list[dict[str, Any]] = []
    admissible: list[dict[str, Any]] = []
    for order in orders:
        problems = label_problems(order, taken)
        if not problems:
            admissible.append(_as_outbound_item(order))
            taken.add(_text(_get(order, "trackingNumber")))
            continue
        reference = _text(_get(order, "referenceNumber")) if isinstance(order, dict) else ""
        errors += [
            {"code": code, "id": reference or None, "message": message,
             "referenceNumber": reference or None}
            for code, message in problems
        ]  # fmt: skip
    accepted: list[dict[str, str]] = []
    if admissible:
        accepted, refused = book.create(client_id, admissible, sandbox.catalog)
        errors += refused
    by_reference = {_text(_get(o, "referenceNumber")): o for o in admissible}
    for row in accepted:
        label = by_reference[row["referenceNumber"]]
        book.find(order_number=row["orderNumber"]).seller_label = {
            "trackingNumber": _text(_get(label, "trackingNumber")),
            "LMCarrierCode": _text(_get(label, "carrierName")),
            "LMCarrierName": _text(_get(label, "carrierName")),
            "labelFileType": _text(_get(label, "labelFileType")).upper(),
        }
    message_id = envelope.get("messageId")
    if not errors:
        return json_response(
            {"code": 0, "message": "success", "messageId": message_id, "data": accepted,
             "success": True}
        )  # fmt: skip
    return json_response(
        {"code": 4, "data": accepted, "errors": errors, "messageId": message_id, "success": False}
    )


HANDLERS = {PATH: create}
