"""Cost estimation at OC: the synchronous freight trial and the asynchronous pair.

* Synchronous freight trial, ``POST /calculate/v1/freightTrial/synced``: OC publishes its
  path and that ``data`` starts with ``referenceId`` and ``skuT…``. **Inferred:** its body
  is the Cost Estimation Request's, and it answers the Cost Estimation Response's
  ``data[]`` in the same call.
* Cost Estimation Request, ``POST /calculate/v1/freightTrial`` (stated: one request = one
  parcel, a unique ``referenceId``, the request fields below) and Cost Estimation
  Response, ``POST /calculate/v1/getFreightTrialDetail`` (stated: ``{referenceId}`` in,
  ``data[]`` of "Calculate Result" out: ``calculateId``, ``productOuterCode``/``Name``,
  ``ebayFee``, ``noEbayFee``, ``success``, ``freightTrialChannelResults[]``; error items
  ``{channelCode, errorMessage, productOuterCode, productOuterName, success}``).
  **Inferred:** what the request answers (nothing needed from it), that an empty
  ``data`` from the detail call means "not calculated yet, ask again", and where the
  currency of a fee is (OC's result lists none: ``CostShape.currency_fields``, then the
  channel results, then the region's currency).

Every inferred choice lives in ``CostShape``, whose defaults can be replaced (the service
reads ``OC_COST_ESTIMATE_SHAPE`` overrides). Fees are ``Decimal`` with their currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from oc_integration.client.api import OCApiClient
from oc_integration.client.errors import OCMalformedResponse

SYNCED_PATH = "/calculate/v1/freightTrial/synced"
REQUEST_PATH = "/calculate/v1/freightTrial"
DETAIL_PATH = "/calculate/v1/getFreightTrialDetail"
#: OC's fulfilment-centre names on the cost pages differ from the stock pages' (stated).
STATED_REGIONS = ("UK", "DE", "US-East", "US-South", "US-West", "AU-Sydney", "AU-Melbourne")
REFERENCE_ID_MAX_LENGTH = 64  # inferred: OC states no length
SERVICE_TYPE_EF = "EF"  # stated: EF (default) or OCN
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class CostShape:
    """The shapes OC's cost pages leave open (all inferred), in one replaceable place."""

    #: Hemi's region name -> the cost pages' name (the stock pages say AU, AU-MEL).
    region_names: Mapping[str, str] = field(
        default_factory=lambda: {"AU": "AU-Sydney", "AU-MEL": "AU-Melbourne"}
    )
    #: Where a result may carry its currency (first present wins).
    currency_fields: tuple[str, ...] = ("currency", "currencyCode", "feeCurrency", "ccy")
    #: The currency a region charges in when the answer names none.
    region_currencies: Mapping[str, str] = field(
        default_factory=lambda: {
            "UK": "GBP",
            "DE": "EUR",
            "US-East": "USD",
            "US-South": "USD",
            "US-West": "USD",
            "AU": "AUD",
            "AU-MEL": "AUD",
            "AU-Sydney": "AUD",
            "AU-Melbourne": "AUD",
        }
    )
    #: Where a dict-shaped ``data`` may hold the result list.
    result_list_fields: tuple[str, ...] = ("calculateResults", "resultList", "list", "results")

    def with_overrides(self, overrides: Mapping[str, Any]) -> CostShape:
        """This shape with some fields replaced (unknown names are a configuration error)."""
        unknown = set(overrides) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"Unknown cost shape setting(s): {', '.join(sorted(unknown))}.")
        return replace(self, **dict(overrides))


DEFAULT_SHAPE = CostShape()


@dataclass(frozen=True)
class ParcelLine:
    """One SKU of the parcel, by OC SKU (MFSKUID), and how many."""

    oc_sku: str
    quantity: int


@dataclass(frozen=True)
class Parcel:
    """What OC prices: one parcel from one region to one address."""

    reference_id: str
    region: str
    country_code: str
    post_code: str
    lines: tuple[ParcelLine, ...]
    ebay: bool = False  # OC's ``mfservice``: an eBay order
    service_codes: tuple[str, ...] = ()  # empty: every service OC supports there
    city: str = ""
    state: str = ""
    address1: str = ""
    name: str = ""


def parcel_problems(parcel: Parcel) -> dict[str, list[str]]:
    """What OC would refuse in ``parcel``, by field (empty: it may be sent)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(f"{name}: {message}")

    if not parcel.reference_id or len(parcel.reference_id) > REFERENCE_ID_MAX_LENGTH:
        add("Reference", f"required, at most {REFERENCE_ID_MAX_LENGTH} characters")
    if not parcel.region:
        add("Region", "required")
    if not _COUNTRY.match(parcel.country_code):
        add("Country code", "required by OC, two letters such as GB")
    if not parcel.post_code.strip():
        add("Postcode", "required by OC for a cost estimate")
    if not parcel.lines:
        add("SKUs", "at least one OC SKU")
    for line in parcel.lines:
        if not line.oc_sku:
            add("SKUs", "every line needs its OC SKU (sync SKUs or stock first)")
        if line.quantity < 1:
            add("Quantity", f"{line.oc_sku}: at least 1")
    return problems


def trial_request(parcel: Parcel, shape: CostShape = DEFAULT_SHAPE) -> dict[str, Any]:
    """The ``data`` of a freight trial (both calls); ``ValueError`` names bad fields."""
    problems = parcel_problems(parcel)
    if problems:
        raise ValueError(" ".join(m for messages in problems.values() for m in messages))
    data: dict[str, Any] = {
        "referenceId": parcel.reference_id,
        "serviceRegion": shape.region_names.get(parcel.region, parcel.region),
        "serviceType": SERVICE_TYPE_EF,
        "shippingServiceCode": list(parcel.service_codes),
        "skuType": True,  # the skuIds are OC SKU ids: OC knows their size and weight
        "skuList": [
            {"skuId": line.oc_sku, "pieceQuantity": line.quantity} for line in parcel.lines
        ],
        "mfservice": parcel.ebay,
        "consigneeCountryCode": parcel.country_code,
        "consigneePostCode": parcel.post_code.strip(),
    }
    optional = {
        "consigneeName": parcel.name,
        "consigneeAddress1": parcel.address1,
        "consigneeCity": parcel.city,
        "consigneeProvinceOrState": parcel.state,
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


@dataclass(frozen=True)
class ServiceEstimate:
    """OC's estimate for one shipping service (or why it has none)."""

    service_code: str
    service_name: str
    ebay_fee: Decimal | None
    other_fee: Decimal | None
    currency: str
    ok: bool
    error: str = ""
    calculate_id: str = ""

    def fee_for(self, *, ebay: bool) -> Decimal | None:
        """The total for an eBay order (``ebayFee``) or any other order (``noEbayFee``)."""
        return self.ebay_fee if ebay else self.other_fee


def _money(value: Any, what: str) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise OCMalformedResponse(f"Cost estimate: {what} {value!r} is not a number.") from None
    if not amount.is_finite() or amount < 0:
        raise OCMalformedResponse(f"Cost estimate: {what} {value!r} is not an amount.")
    return amount


def _currency(item: dict[str, Any], region: str, shape: CostShape) -> str:
    sources = [
        item,
        *[c for c in item.get("freightTrialChannelResults") or [] if isinstance(c, dict)],
    ]
    for source in sources:
        for name in shape.currency_fields:
            value = source.get(name)
            if isinstance(value, str) and re.match(r"^[A-Za-z]{3}$", value.strip()):
                return value.strip().upper()
    return shape.region_currencies.get(region, "")


def parse_result(item: Any, region: str, shape: CostShape = DEFAULT_SHAPE) -> ServiceEstimate:
    """One "Calculate Result", or one error item in OC's own error shape."""
    if not isinstance(item, dict):
        raise OCMalformedResponse("Cost estimate: a result is not an object.")
    code = str(item.get("productOuterCode") or item.get("channelCode") or "").strip()
    name = str(item.get("productOuterName") or "").strip()
    error = str(item.get("errorMessage") or "").strip()
    if item.get("success") is False or error:
        return ServiceEstimate(
            code, name, None, None, "", ok=False, error=error or "OC could not estimate it."
        )
    if not code:
        raise OCMalformedResponse("Cost estimate: a result has no productOuterCode.")
    ebay_fee = _money(item.get("ebayFee"), "ebayFee")
    other_fee = _money(item.get("noEbayFee"), "noEbayFee")
    if ebay_fee is None and other_fee is None:
        raise OCMalformedResponse(f"Cost estimate: {code} has neither ebayFee nor noEbayFee.")
    currency = _currency(item, region, shape)
    if not currency:
        raise OCMalformedResponse(
            f"Cost estimate: no currency for {code} in {region} (set OC_COST_ESTIMATE_SHAPE)."
        )
    return ServiceEstimate(
        code,
        name,
        ebay_fee,
        other_fee,
        currency,
        ok=True,
        calculate_id=str(item.get("calculateId") or ""),
    )


def _result_items(data: Any, shape: CostShape) -> list[Any] | None:
    """The result list of an answer; None when OC has nothing yet (inferred: empty)."""
    if data in (None, "", [], {}):
        return None
    if isinstance(data, dict):
        found = next(
            (data[k] for k in shape.result_list_fields if isinstance(data.get(k), list)), None
        )
        data = found if found is not None else [data]
    if not isinstance(data, list):
        raise OCMalformedResponse("Cost estimate: 'data' is neither a list nor an object.")
    return data or None


def parse_results(
    data: Any, region: str, shape: CostShape = DEFAULT_SHAPE
) -> list[ServiceEstimate] | None:
    """Every service's estimate in ``data``; None when OC has not calculated it yet."""
    items = _result_items(data, shape)
    if items is None:
        return None
    return [parse_result(item, region, shape) for item in items]


def estimate_now(
    client: OCApiClient, parcel: Parcel, shape: CostShape = DEFAULT_SHAPE
) -> list[ServiceEstimate]:
    """The synchronous freight trial. An empty answer is malformed here: the call is
    documented to answer in one go."""
    data = client.call(
        "cost estimate (synchronous)", SYNCED_PATH, trial_request(parcel, shape)
    ).data
    results = parse_results(data, parcel.region, shape)
    if results is None:
        raise OCMalformedResponse("Cost estimate: the synchronous trial answered no result.")
    return results


def request_estimate(client: OCApiClient, parcel: Parcel, shape: CostShape = DEFAULT_SHAPE) -> None:
    """Cost Estimation Request: OC calculates in the background (fetch with ``fetch_estimate``)."""
    client.call("cost estimate request", REQUEST_PATH, trial_request(parcel, shape))


def fetch_estimate(
    client: OCApiClient, reference_id: str, region: str, shape: CostShape = DEFAULT_SHAPE
) -> list[ServiceEstimate] | None:
    """Cost Estimation Response for ``reference_id``; None while OC is still calculating."""
    if not reference_id:
        raise ValueError("Reference: required to fetch an estimate.")
    data = client.call("cost estimate result", DETAIL_PATH, {"referenceId": reference_id}).data
    return parse_results(data, region, shape)
