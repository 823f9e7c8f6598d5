"""The sandbox's cost estimation: the synchronous freight trial and the asynchronous pair.

Prices are plausible and consistent: per region and service a base fee plus a rate per
started 100 g of the parcel's weight, the weight coming from the SKU's master data
(``weight``/``weightUnit`` of a created SKU) or, for SKUs without one, a weight derived
from the MFSKUID, so the same parcel always costs the same. ``ebayFee`` is 10 % below
``noEbayFee`` (the eBay programme's rate), 30 % on UK Domestic Standard, so the cheapest
service of an eBay order differs from that of another order. An unknown SKU or a
service the region does not offer comes back as an error item in OC's own shape
(``channelCode``, ``errorMessage``…). An asynchronous result is ready on the second
poll, or on the first once ``READY_AFTER_SECONDS`` have passed (the sandbox clock can be
advanced).
Faults are injected by path, as for every endpoint.
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from .messages import OcError, Response, json_response
from .services import SERVICE_LIST

SYNCED = "/openapi/calculate/v1/freightTrial/synced"
REQUEST = "/openapi/calculate/v1/freightTrial"
DETAIL = "/openapi/calculate/v1/getFreightTrialDetail"
READY_AFTER_SECONDS = 3.0
#: The cost pages' names of the regions (the example's plain "AU" is accepted too).
REGION_ALIASES = {"AU": "AU-Sydney", "AU-MEL": "AU-Melbourne"}
CURRENCY = {"UK": "GBP", "DE": "EUR"}
#: (base fee, per started 100 g) per service; services not listed cost the region's first.
TARIFF: dict[str, tuple[Decimal, Decimal]] = {
    "GBDomesticEconomy": (Decimal("1.95"), Decimal("0.12")),
    "GBDomesticStandard": (Decimal("2.60"), Decimal("0.14")),
    "GBDomStd_RMOnly": (Decimal("2.85"), Decimal("0.15")),
    "GBDomesticExpress": (Decimal("4.40"), Decimal("0.22")),
    "DEDomesticStandard": (Decimal("3.10"), Decimal("0.15")),
    "DEInternationalStandard": (Decimal("7.90"), Decimal("0.45")),
}
#: The eBay programme's rate of ``noEbayFee``: 10 % off, 30 % off its standard service.
EBAY_RATE = Decimal("0.90")
EBAY_RATES = {"GBDomesticStandard": Decimal("0.70")}
CENT = Decimal("0.01")


def _names() -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for region in SERVICE_LIST:
        for product in region["productList"]:
            english = product["shippingServiceNameList"][0]["shippingServiceName"]
            names.setdefault(region["serviceRegion"], {})[product["shippingServiceCode"]] = english
    return names


SERVICE_NAMES = _names()


def _get(item: dict[str, Any], name: str) -> Any:
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def _grams(value: Any, unit: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return None
    factor: dict[str, Decimal] = {
        "g": Decimal(1),
        "kg": Decimal(1000),
        "lb": Decimal("453.592"),
        "oz": Decimal("28.3495"),
    }
    unit_text = str(unit or "g").strip().lower()
    return amount * factor[unit_text] if unit_text in factor and amount > 0 else None


@dataclass
class Trial:
    """One asynchronous freight trial of one client."""

    requested_at: float
    polls: int
    results: list[dict[str, Any]]


class TrialBook:
    """The asynchronous trials, per (client, referenceId)."""

    def __init__(self) -> None:
        self.trials: dict[tuple[str, str], Trial] = {}


# The trials live as long as the sandbox's SKU book, which ``OcSandbox.reset`` replaces:
# a reset forgets them without the core knowing about cost estimation.
_BOOKS: weakref.WeakKeyDictionary[object, TrialBook] = weakref.WeakKeyDictionary()


def _book(sandbox: Any) -> TrialBook:
    return _BOOKS.setdefault(sandbox.skus, TrialBook())


def _weight_of(sandbox: Any, client_id: str, sku_id: str) -> Decimal | None:
    """Grams of one unit of ``sku_id``, None when OC does not know the SKU."""
    sku = sandbox.skus.of(client_id).get(sku_id)
    known = sku is not None or sandbox.catalog.get(sku_id) is not None
    if not known:
        return None
    fields = sku.fields if sku is not None else {}
    weight = _grams(fields.get("weight"), fields.get("weightUnit"))
    if weight is not None:
        return weight
    digits = "".join(ch for ch in sku_id if ch.isdigit()) or "0"
    return Decimal(150 + (int(digits) % 18) * 50)  # 150 g to 1 kg, stable per SKU


def _parcel_grams(sandbox: Any, client_id: str, data: dict[str, Any]) -> tuple[Decimal, list[str]]:
    total, unknown = Decimal(0), []
    by_oc_sku = _get(data, "skuType") in (True, "true")
    for line in _get(data, "skuList") or []:
        if not isinstance(line, dict):
            raise OcError(400200, "skuList entries must be objects")
        quantity = _get(line, "pieceQuantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise OcError(400202, "pieceQuantity must be a whole number of at least 1")
        sku_id = str(_get(line, "skuId") or "").strip()
        if by_oc_sku:
            grams = _weight_of(sandbox, client_id, sku_id)
            if grams is None:
                unknown.append(sku_id or "(none)")
                continue
        else:
            grams = _grams(_get(line, "weight"), "g")
            if grams is None:
                raise OcError(400200, "weight is required when skuType is not true")
        total += grams * quantity
    return total, unknown


def _validate(data: Any) -> tuple[str, str]:
    if not isinstance(data, dict):
        raise OcError(400200, "data must be an object")
    for name in ("referenceId", "serviceRegion", "consigneeCountryCode", "consigneePostCode"):
        if not str(_get(data, name) or "").strip():
            raise OcError(400200, f"{name} is required")
    if not _get(data, "skuList"):
        raise OcError(400200, "skuList requires at least one SKU")
    region = str(_get(data, "serviceRegion")).strip()
    for hemi, cost_name in REGION_ALIASES.items():
        if region == cost_name:
            region = hemi
    if region not in SERVICE_NAMES:
        raise OcError(400202, f"serviceRegion {region} is not a fulfilment centre")
    return str(_get(data, "referenceId")).strip(), region


def _error_item(code: str, name: str, message: str) -> dict[str, Any]:
    return {
        "channelCode": code,
        "errorMessage": message,
        "productOuterCode": code,
        "productOuterName": name,
        "success": False,
    }


def calculate(sandbox: Any, client_id: str, data: Any) -> list[dict[str, Any]]:
    """The "Calculate Result" items for one trial request."""
    reference, region = _validate(data)
    offered = SERVICE_NAMES[region]
    wanted = [str(c) for c in _get(data, "shippingServiceCode") or []] or list(offered)
    grams, unknown = _parcel_grams(sandbox, client_id, data)
    ebay = _get(data, "mfservice") in (True, "true")
    results: list[dict[str, Any]] = []
    for n, code in enumerate(wanted):
        name = offered.get(code, "")
        if code not in offered:
            results.append(_error_item(code, name, f"{code} is not offered in {region}"))
            continue
        if unknown:
            message = f"SKU {', '.join(unknown)} does not exist or is not verified"
            results.append(_error_item(code, name, message))
            continue
        base, per_100g = TARIFF.get(code, TARIFF[next(iter(offered))])
        steps = (max(grams, Decimal(1)) / 100).to_integral_value(rounding=ROUND_CEILING)
        fulfilment = base + per_100g * steps
        package = Decimal("0.35")
        other_fee = (fulfilment + package).quantize(CENT, rounding=ROUND_HALF_UP)
        ebay_fee = (other_fee * EBAY_RATES.get(code, EBAY_RATE)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        results.append(
            {
                "calculateId": f"CAL{zlib.crc32(f'{reference}|{code}'.encode()):010d}",
                "productOuterCode": code,
                "productOuterName": name,
                "ebayFee": float(ebay_fee),
                "noEbayFee": float(other_fee),
                "success": True,
                "freightTrialChannelResults": [
                    {
                        "channelCode": f"{code}-{n + 1}",
                        "fulfillmentFee": float(fulfilment),
                        "packagingFee": float(package),
                        "chargeableWeight": f"{grams.quantize(Decimal('0.1'))}",
                        "chargeableWeightUnit": "g",
                        "currency": CURRENCY[region],
                        "ebayOrder": ebay,
                    }
                ],
            }
        )
    return results


def _success(data: Any, envelope: dict[str, Any]) -> Response:
    return json_response(
        {
            "code": 0,
            "message": "success",
            "messageId": envelope.get("messageId"),
            "data": data,
            "success": True,
        }
    )


def synced(sandbox: Any, client_id: str, envelope: dict[str, Any]) -> Response:
    """The synchronous freight trial: the results in one answer."""
    return _success(calculate(sandbox, client_id, envelope.get("data")), envelope)


def request(sandbox: Any, client_id: str, envelope: dict[str, Any]) -> Response:
    """Cost Estimation Request: remember the trial; its result is fetched later."""
    data = envelope.get("data")
    results = calculate(sandbox, client_id, data)
    reference, _ = _validate(data)
    book = _book(sandbox)
    if (client_id, reference) in book.trials:
        raise OcError(400409, f"referenceId {reference} has already been used")
    book.trials[(client_id, reference)] = Trial(sandbox.clock.now(), 0, results)
    return _success(None, envelope)


def detail(sandbox: Any, client_id: str, envelope: dict[str, Any]) -> Response:
    """Cost Estimation Response: ``[]`` while calculating, then the results."""
    data = envelope.get("data")
    reference = str(_get(data, "referenceId") or "").strip() if isinstance(data, dict) else ""
    if not reference:
        raise OcError(400200, "referenceId is required")
    trial = _book(sandbox).trials.get((client_id, reference))
    if trial is None:
        raise OcError(400404, f"referenceId {reference} does not exist")
    trial.polls += 1
    waited = sandbox.clock.now() - trial.requested_at
    if trial.polls < 2 and waited < READY_AFTER_SECONDS:
        return _success([], envelope)
    return _success(trial.results, envelope)


HANDLERS: dict[str, Callable[[Any, str, dict[str, Any]], Response]] = {
    SYNCED: synced,
    REQUEST: request,
    DETAIL: detail,
}
