"""Outbound orders at OC: creation (≤ 50 a call), Query v2, cancellation, GetServiceList."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCBusinessError, OCItemError, OCMalformedResponse
from oc_integration.client.stock import format_oc_time, parse_oc_time

CREATION_PATH = "/3pp/outbound/v1/creation"
QUERY_PATH = "/3pp/outbound/v2/query"
CANCEL_PATH = "/3pp/outbound/v1/cancel"
SERVICE_LIST_PATH = "/3pp/base/v1/service"
MAX_ORDERS_PER_CREATION = 50


@dataclass(frozen=True)
class CreationResult:
    """Per-order outcome of one creation call, keyed by referenceNumber."""

    accepted: dict[str, str] = field(default_factory=dict)  # reference -> OC order number
    refused: dict[str, OCItemError] = field(default_factory=dict)


def create_orders(client: OCApiClient, orders: list[dict[str, Any]]) -> CreationResult:
    """Send at most 50 orders. OC refusing some of them is a result, not an exception;
    transport failures and request-level refusals are raised."""
    if len(orders) > MAX_ORDERS_PER_CREATION:
        raise ValueError(f"OC accepts at most {MAX_ORDERS_PER_CREATION} orders per call")
    try:
        data: Any = client.call("outbound creation", CREATION_PATH, orders).data
        errors: list[OCItemError] = []
    except OCBusinessError as exc:
        if not exc.errors:
            raise  # the whole request was refused: nothing was created
        data, errors = exc.data, exc.errors
    accepted = {}
    for row in data or []:
        if not isinstance(row, dict) or not row.get("referenceNumber"):
            raise OCMalformedResponse(
                "Outbound creation: an accepted order has no referenceNumber."
            )
        accepted[str(row["referenceNumber"])] = str(row.get("orderNumber") or "")
    refused = {(e.reference_number or e.id): e for e in errors}
    return CreationResult(accepted, refused)


@dataclass(frozen=True)
class TrackingEntry:
    tracking_number: str
    carrier_code: str
    carrier_name: str
    chargeable_weight: Decimal | None
    fee_amount: Decimal | None
    fee_currency: str


@dataclass(frozen=True)
class OutboundState:
    """One row of Outbound Order Query v2."""

    order_number: str
    reference_number: str
    status: str
    auto_fulfillment_ef: bool
    created_at: datetime | None
    service_region: str
    tracking: tuple[TrackingEntry, ...]
    raw: dict[str, Any]


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise OCMalformedResponse(f"Outbound query: {value!r} is not a number.") from None


def _state(row: Any) -> OutboundState:
    if not isinstance(row, dict) or not row.get("orderNumber"):
        raise OCMalformedResponse("Outbound query: a row has no orderNumber.")
    created = row.get("orderCreationTime")
    try:
        created_at = parse_oc_time(str(created)) if created else None
    except ValueError:
        raise OCMalformedResponse(f"Outbound query: bad orderCreationTime {created!r}.") from None
    tracking = tuple(
        TrackingEntry(
            tracking_number=str(t.get("trackingNumber") or ""),
            carrier_code=str(t.get("LMCarrierCode") or ""),
            carrier_name=str(t.get("LMCarrierName") or ""),
            chargeable_weight=_decimal(t.get("chargeableWeight")),
            fee_amount=_decimal(t.get("feeAmount")),
            fee_currency=str(t.get("feeAmountCurrency") or ""),
        )
        for t in row.get("trackingNumberList") or []
        if isinstance(t, dict)
    )
    return OutboundState(
        order_number=str(row["orderNumber"]),
        reference_number=str(row.get("referenceNumber") or ""),
        status=str(row.get("status") or row.get("orderStatus") or ""),
        auto_fulfillment_ef=bool(row.get("autoFulfillmentEF")),
        created_at=created_at,
        service_region=str(row.get("serviceRegion") or ""),
        tracking=tracking,
        raw=row,
    )


def query_orders(
    client: OCApiClient,
    *,
    references: list[str] | None = None,
    order_numbers: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[list[OutboundState], bool]:
    """Query v2 by references, order numbers or a creation-time window.

    Returns the rows and whether OC had more than it returned (narrow the window then).
    """
    data: dict[str, Any] = {}
    if start and end:
        data["startTime"], data["endTime"] = format_oc_time(start), format_oc_time(end)
    if references:
        data["referenceNumberList"] = [{"referenceNumber": r} for r in references]
    if order_numbers:
        data["orderNumberList"] = [{"orderNumber": n} for n in order_numbers]
    result = client.call("outbound query", QUERY_PATH, data, api_version="2.0").data
    if isinstance(result, list):  # tolerate a bare list of rows
        return [_state(r) for r in result], False
    if not isinstance(result, dict):
        raise OCMalformedResponse("Outbound query: 'data' is neither a list nor an object.")
    rows = result.get("orderList") or []
    return [_state(r) for r in rows], bool(result.get("hasMore"))


def cancel_order(client: OCApiClient, order_number: str, reason: str, when: datetime) -> None:
    """Ask OC to cancel; OC's refusal (e.g. already picked) raises OCBusinessError."""
    client.call(
        "outbound cancellation",
        CANCEL_PATH,
        {"orderNumber": order_number, "cancelTime": format_oc_time(when), "cancelReason": reason},
    )


@dataclass(frozen=True)
class ServiceOffer:
    region: str
    code: str
    name: str


def fetch_service_list(client: OCApiClient) -> list[ServiceOffer]:
    """GetServiceList: the shipping services per region (no access token needed)."""
    data = client.call("service list", SERVICE_LIST_PATH, method="GET", with_token=False).data
    if not isinstance(data, list):
        raise OCMalformedResponse("Service list: 'data' is not a list.")
    offers = []
    for region in data:
        for product in (region or {}).get("productList") or []:
            names = product.get("shippingServiceNameList") or []
            english = next(
                (n.get("shippingServiceName") for n in names if n.get("language") == "en"),
                names[0].get("shippingServiceName") if names else "",
            )
            code = product.get("shippingServiceCode")
            if not code or not region.get("serviceRegion"):
                raise OCMalformedResponse("Service list: a service has no code or region.")
            offers.append(ServiceOffer(str(region["serviceRegion"]), str(code), str(english or "")))
    return offers
