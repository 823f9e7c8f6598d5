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
class ParcelSku:
    """One SKU in one parcel (``SKUList[]``), with the serial numbers OC scanned (``SN``)."""

    oc_sku: str
    quantity: int
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrackingEntry:
    """One parcel of an outbound order (a row of ``trackingNumberList``).

    The fee is OC's estimate until the order is outbound and the actual charge after.
    """

    tracking_number: str
    carrier_code: str
    carrier_name: str
    chargeable_weight: Decimal | None
    fee_amount: Decimal | None
    fee_currency: str
    weight_unit: str = ""
    skus: tuple[ParcelSku, ...] = ()


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
        number = Decimal(str(value))
    except ArithmeticError:
        raise OCMalformedResponse(f"Outbound query: {value!r} is not a number.") from None
    if not number.is_finite():
        raise OCMalformedResponse(f"Outbound query: {value!r} is not a number.")
    return number


def _serial_numbers(value: Any) -> tuple[str, ...]:
    """OC's ``SN``: serial numbers, comma-separated (``"A01,A02"``); a list is taken too."""
    if value in (None, ""):
        return ()
    parts = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(p).strip() for p in parts if str(p).strip())


def _parcel_sku(item: Any) -> ParcelSku:
    if not isinstance(item, dict) or not item.get("MFSKUID"):
        raise OCMalformedResponse("Outbound query: a parcel's SKUList entry has no MFSKUID.")
    # OC's field is SKUQuantity; older sandbox answers said "quantity".
    raw = item.get("SKUQuantity", item.get("quantity"))
    try:
        quantity = int(str(raw))
    except ValueError:
        raise OCMalformedResponse(
            f"Outbound query: SKUQuantity {raw!r} of {item['MFSKUID']} is not a whole number."
        ) from None
    return ParcelSku(str(item["MFSKUID"]), quantity, _serial_numbers(item.get("SN")))


def _parcel(t: dict[str, Any]) -> TrackingEntry:
    weight = _decimal(t.get("chargeableWeight"))
    unit = str(t.get("chargeableWeightUnit") or "").strip()
    fee = _decimal(t.get("feeAmount"))
    currency = str(t.get("feeAmountCurrency") or "").strip().upper()
    return TrackingEntry(
        tracking_number=str(t.get("trackingNumber") or ""),
        carrier_code=str(t.get("LMCarrierCode") or ""),
        carrier_name=str(t.get("LMCarrierName") or ""),
        chargeable_weight=weight,
        fee_amount=fee,
        fee_currency=currency,
        weight_unit=unit,
        skus=tuple(_parcel_sku(item) for item in t.get("SKUList") or []),
    )


def _state(row: Any) -> OutboundState:
    if not isinstance(row, dict) or not row.get("orderNumber"):
        raise OCMalformedResponse("Outbound query: a row has no orderNumber.")
    created = row.get("orderCreationTime")
    try:
        created_at = parse_oc_time(str(created)) if created else None
    except ValueError:
        raise OCMalformedResponse(f"Outbound query: bad orderCreationTime {created!r}.") from None
    tracking = tuple(_parcel(t) for t in row.get("trackingNumberList") or [] if isinstance(t, dict))
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
