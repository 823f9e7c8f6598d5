"""The cost estimation client: requests as OC's reference says, answers read as the
inferred shapes say (HTTP mocked with responses)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import responses

from oc_integration.client import OCApiClient, OCBusinessError
from oc_integration.client.costs import (
    DEFAULT_SHAPE,
    Parcel,
    ParcelLine,
    estimate_now,
    fetch_estimate,
    parcel_problems,
    parse_results,
    request_estimate,
    trial_request,
)
from oc_integration.client.errors import OCMalformedResponse
from tests.oc_integration.client_fakes import envelope, unit_client

API = "https://oc.test/openapi"
SYNCED = f"{API}/calculate/v1/freightTrial/synced"
REQUEST = f"{API}/calculate/v1/freightTrial"
DETAIL = f"{API}/calculate/v1/getFreightTrialDetail"
PARCEL = Parcel(
    reference_id="HEMI-1",
    region="UK",
    country_code="GB",
    post_code="BN2 5ES",
    lines=(ParcelLine("OC0000250380015", 2),),
    ebay=True,
    service_codes=("GBDomesticStandard", "GBDomesticEconomy"),
    city="Brighton",
)

RESULT = {
    "calculateId": "CAL1",
    "productOuterCode": "GBDomesticStandard",
    "productOuterName": "UK Domestic Standard",
    "ebayFee": 3.15,
    "noEbayFee": "3.50",
    "success": True,
    "freightTrialChannelResults": [{"channelCode": "X", "currency": "GBP"}],
}
ERROR_ITEM = {
    "channelCode": "GBDomesticEconomy",
    "errorMessage": "SKU OC0000250380015 does not exist",
    "productOuterCode": "GBDomesticEconomy",
    "productOuterName": "UK Domestic Economy",
    "success": False,
}


@pytest.fixture
def client() -> OCApiClient:
    return unit_client(API)


def test_the_trial_request_carries_the_stated_fields_by_oc_sku() -> None:
    data = trial_request(PARCEL)
    assert data == {
        "referenceId": "HEMI-1",
        "serviceRegion": "UK",
        "serviceType": "EF",
        "shippingServiceCode": ["GBDomesticStandard", "GBDomesticEconomy"],
        "skuType": True,
        "skuList": [{"skuId": "OC0000250380015", "pieceQuantity": 2}],
        "mfservice": True,
        "consigneeCountryCode": "GB",
        "consigneePostCode": "BN2 5ES",
        "consigneeCity": "Brighton",
    }


def test_regions_take_the_cost_pages_names() -> None:
    melbourne = Parcel("R", "AU-MEL", "AU", "3000", (ParcelLine("OC1", 1),))
    assert trial_request(melbourne)["serviceRegion"] == "AU-Melbourne"


def test_bad_input_is_named_by_field_and_nothing_is_sent(client: OCApiClient) -> None:
    bad = Parcel("R", "UK", "G", " ", (ParcelLine("", 0),))
    problems = parcel_problems(bad)
    assert set(problems) == {"Country code", "Postcode", "SKUs", "Quantity"}
    with responses.RequestsMock() as mocked:
        with pytest.raises(ValueError, match="Postcode: required"):
            estimate_now(client, bad)
        assert not mocked.calls


def test_the_synchronous_trial_reads_fees_as_decimals_with_their_currency(
    client: OCApiClient,
) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(SYNCED, json=envelope([RESULT, ERROR_ITEM]))
        standard, economy = estimate_now(client, PARCEL)
        sent = json.loads(mocked.calls[0].request.body or "")
    assert sent["data"]["referenceId"] == "HEMI-1"
    assert (standard.ebay_fee, standard.other_fee, standard.currency) == (
        Decimal("3.15"),
        Decimal("3.50"),
        "GBP",
    )
    assert standard.fee_for(ebay=True) == Decimal("3.15") and standard.ok
    assert not economy.ok and economy.error == "SKU OC0000250380015 does not exist"
    assert economy.service_code == "GBDomesticEconomy" and economy.other_fee is None


def test_a_result_without_a_currency_takes_the_regions() -> None:
    item = {k: v for k, v in RESULT.items() if k != "freightTrialChannelResults"}
    [result] = parse_results([item], "DE") or []
    assert result.currency == "EUR"
    with pytest.raises(OCMalformedResponse, match="no currency"):
        parse_results([item], "Mars")


@pytest.mark.parametrize(
    "item, words",
    [
        ({**RESULT, "noEbayFee": "lots"}, "not a number"),
        ({**RESULT, "ebayFee": None, "noEbayFee": None}, "neither ebayFee nor noEbayFee"),
        ({**RESULT, "productOuterCode": ""}, "no productOuterCode"),
        ({**RESULT, "noEbayFee": -1}, "not an amount"),
    ],
)
def test_malformed_results_are_refused_with_the_reason(item: dict, words: str) -> None:
    with pytest.raises(OCMalformedResponse, match=words):
        parse_results([item], "UK")


def test_an_empty_synchronous_answer_is_malformed(client: OCApiClient) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(SYNCED, json=envelope([]))
        with pytest.raises(OCMalformedResponse):
            estimate_now(client, PARCEL)


def test_the_asynchronous_pair_answers_nothing_until_calculated(client: OCApiClient) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(REQUEST, json=envelope(None))
        mocked.post(DETAIL, json=envelope([]))
        mocked.post(DETAIL, json=envelope({"calculateResults": [RESULT]}))
        request_estimate(client, PARCEL)
        assert fetch_estimate(client, "HEMI-1", "UK") is None
        [ready] = fetch_estimate(client, "HEMI-1", "UK") or []
        asked = [json.loads(c.request.body or "")["data"] for c in mocked.calls]
    assert asked[1] == asked[2] == {"referenceId": "HEMI-1"}
    assert ready.other_fee == Decimal("3.50")


def test_ocs_refusal_is_raised_with_its_reason(client: OCApiClient) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(
            DETAIL,
            json={"code": 3, "message": "referenceId does not exist", "success": False},
        )
        with pytest.raises(OCBusinessError, match="referenceId does not exist"):
            fetch_estimate(client, "HEMI-9", "UK")


def test_shapes_can_be_changed_by_configuration_and_typos_are_refused() -> None:
    shape = DEFAULT_SHAPE.with_overrides({"region_currencies": {"UK": "USD"}})
    item = {k: v for k, v in RESULT.items() if k != "freightTrialChannelResults"}
    [result] = parse_results([item], "UK", shape) or []
    assert result.currency == "USD"
    with pytest.raises(ValueError, match="region_currency"):
        DEFAULT_SHAPE.with_overrides({"region_currency": {}})
