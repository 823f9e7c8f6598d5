"""Query v2's parcels as the client reads them: weight with unit, fee with currency, SKUs
with serial numbers (HTTP mocked with responses, OC's own example shape)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import responses

from oc_integration.client import OCApiClient, OCMalformedResponse
from oc_integration.client.outbound import QUERY_PATH, ParcelSku, query_orders
from tests.oc_integration.client_fakes import FixedTokens, unit_client

API = "https://oc.test/openapi"
URL = f"{API}{QUERY_PATH}"


def _client() -> OCApiClient:
    return unit_client(API, account_id=None, account_label="OC", tokens=FixedTokens("t", "t2"))


def _answer(*parcels: dict[str, Any]) -> dict[str, Any]:
    row = {
        "orderNumber": "OCO2000011360056GB",
        "referenceNumber": "R-1",
        "autoFulfillmentEF": False,
        "orderCreationTime": "2026-11-20T10:00:00+0800",
        "serviceRegion": "UK",
        "status": "Outbound",
        "trackingNumberList": list(parcels),
    }
    return {"code": 0, "success": True, "message": "ok", "data": {"orderList": [row]}}


OC_EXAMPLE_PARCEL = {
    "orderNumber": "OCO2000011360056GB",
    "trackingNumber": "RM123456785GB",
    "LMCarrierCode": "XDP",
    "LMCarrierName": "XDP",
    "chargeableWeight": "11000.0000",
    "chargeableWeightUnit": "g",
    "feeAmount": 12.35,
    "feeAmountCurrency": "GBP",
    "SKUList": [
        {"MFSKUID": "OC0000000400301", "SKUQuantity": 2, "SN": "A01,A02"},
        {"MFSKUID": "OC0000000400302", "SKUQuantity": 1, "SN": ""},
    ],
}


@responses.activate
def test_a_parcel_keeps_weight_unit_fee_currency_and_serial_numbers() -> None:
    second = {**OC_EXAMPLE_PARCEL, "trackingNumber": "RM2", "SKUList": []}
    responses.post(URL, json=_answer(OC_EXAMPLE_PARCEL, second))
    (state,), _ = query_orders(_client(), order_numbers=["OCO2000011360056GB"])
    first, other = state.tracking
    assert first.chargeable_weight == Decimal("11000.0000") and first.weight_unit == "g"
    assert first.fee_amount == Decimal("12.35") and first.fee_currency == "GBP"
    assert first.skus == (
        ParcelSku("OC0000000400301", 2, ("A01", "A02")),
        ParcelSku("OC0000000400302", 1, ()),
    )
    assert other.tracking_number == "RM2" and other.skus == ()
    body = json.loads(responses.calls[0].request.body or b"{}")
    assert body["apiVersion"] == "2.0"


@responses.activate
def test_a_fee_is_a_decimal_never_a_float() -> None:
    responses.post(URL, json=_answer({**OC_EXAMPLE_PARCEL, "feeAmount": 0.1}))
    (state,), _ = query_orders(_client(), order_numbers=["OCO2000011360056GB"])
    assert state.tracking[0].fee_amount == Decimal("0.1")
    assert isinstance(state.tracking[0].fee_amount, Decimal)


@responses.activate
def test_serial_numbers_as_a_list_and_the_older_quantity_name_are_read_too() -> None:
    parcel = {**OC_EXAMPLE_PARCEL, "SKUList": [{"MFSKUID": "OC1", "quantity": 3, "SN": ["X", "Y"]}]}
    responses.post(URL, json=_answer(parcel))
    (state,), _ = query_orders(_client(), order_numbers=["OCO2000011360056GB"])
    assert state.tracking[0].skus == (ParcelSku("OC1", 3, ("X", "Y")),)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"feeAmount": "NaN"}, "not a number"),
        ({"chargeableWeight": "heavy"}, "not a number"),
        ({"SKUList": [{"MFSKUID": "OC1", "SKUQuantity": "two"}]}, "SKUQuantity 'two' of OC1"),
        ({"SKUList": [{"SKUQuantity": 1}]}, "no MFSKUID"),
    ],
)
@responses.activate
def test_a_malformed_parcel_is_a_typed_error_naming_the_field(
    change: dict[str, Any], words: str
) -> None:
    responses.post(URL, json=_answer({**OC_EXAMPLE_PARCEL, **change}))
    with pytest.raises(OCMalformedResponse, match=words):
        query_orders(_client(), order_numbers=["OCO2000011360056GB"])


@responses.activate
def test_a_parcel_without_fee_or_weight_reads_as_unknown_not_zero() -> None:
    parcel = {"trackingNumber": "", "LMCarrierCode": "RM", "LMCarrierName": "Royal Mail"}
    responses.post(URL, json=_answer(parcel))
    (state,), _ = query_orders(_client(), order_numbers=["OCO2000011360056GB"])
    entry = state.tracking[0]
    assert entry.fee_amount is None and entry.chargeable_weight is None
    assert entry.fee_currency == "" and entry.weight_unit == "" and entry.skus == ()
