"""The own-label client: the inferred body shape, its configuration and OC's answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import responses

from oc_integration.client import OCApiClient, OCBusinessError
from oc_integration.client.errors import OCMalformedResponse
from oc_integration.client.own_label import (
    LabelFields,
    SellerLabel,
    create_own_label_orders,
    own_label_order,
)
from tests.oc_integration.client_fakes import unit_client

API = "https://oc.test/openapi"
URL = f"{API}/3pp/ocw/v1/creation"
ORDER = {
    "referenceNumber": "WEB-1",
    "orderPlatform": "OTHERS",
    "serviceRegion": "UK",
    "shippingServiceCode": "GBDomesticStandard",
    "consigneeName": "Ann",
    "productList": [{"MFSKUID": "OC0000250380015", "SKUQuantity": 1}],
}
LABEL = SellerLabel("DPD UK", "15501234GB", "PDF", b"%PDF-1.4 label")


def _client() -> OCApiClient:
    return unit_client(API)


def test_the_body_is_the_outbound_order_plus_the_label_with_ocs_first_fields_first() -> None:
    body = own_label_order(ORDER, LABEL, LabelFields())

    assert list(body)[:3] == ["referenceNumber", "orderPlatform", "serviceCode"]
    assert body["serviceCode"] == body["shippingServiceCode"] == "GBDomesticStandard"
    assert body["productList"] == ORDER["productList"] and body["consigneeName"] == "Ann"
    assert body["carrierName"] == "DPD UK" and body["trackingNumber"] == "15501234GB"
    assert body["labelFileType"] == "PDF"
    assert base64.b64decode(body["labelFile"]) == LABEL.content
    assert "serviceCode" not in ORDER  # the normal payload is not changed


def test_the_label_field_names_come_from_configuration() -> None:
    names = LabelFields.configured({"label_file": "labelBase64", "service_code": "serviceCode2"})

    body = own_label_order(ORDER, LABEL, names)

    assert "labelBase64" in body and "labelFile" not in body
    assert list(body)[2] == "serviceCode2"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [({"label": "x"}, "Unknown own-label field(s) label"), ({"carrier": " "}, "need a JSON name")],
)
def test_a_wrong_field_configuration_is_named(overrides: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        LabelFields.configured(overrides)


@responses.activate
def test_accepted_and_refused_orders_come_back_per_reference() -> None:
    responses.post(
        URL,
        json={
            "code": 4,
            "success": False,
            "data": [{"referenceNumber": "WEB-1", "orderNumber": "OCO2000011360056GB"}],
            "errors": [
                {"code": "400202", "id": "WEB-2", "referenceNumber": "WEB-2", "message": "bad"}
            ],
        },
    )
    orders = [own_label_order(ORDER, LABEL, LabelFields())] * 2

    result = create_own_label_orders(_client(), orders, max_per_call=10)

    assert result.accepted == {"WEB-1": "OCO2000011360056GB"}
    assert result.refused["WEB-2"].code == "400202"
    sent = json.loads(responses.calls[0].request.body or "")
    assert len(sent["data"]) == 2 and sent["data"][0]["labelFileType"] == "PDF"


@responses.activate
@pytest.mark.parametrize(
    "data", [{"orderNumber": "x"}, [{"orderNumber": "OCO1"}], ["WEB-1"]], ids=str
)
def test_an_answer_without_references_is_malformed_not_success(data: Any) -> None:
    responses.post(URL, json={"code": 0, "success": True, "message": "ok", "data": data})

    with pytest.raises(OCMalformedResponse):
        create_own_label_orders(_client(), [dict(ORDER)], max_per_call=10)


@responses.activate
def test_a_refusal_of_the_whole_request_is_raised() -> None:
    responses.post(URL, json={"code": 400100, "success": False, "message": "too many"})

    with pytest.raises(OCBusinessError):
        create_own_label_orders(_client(), [dict(ORDER)], max_per_call=10)


def test_more_orders_than_one_call_takes_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="At most 2"):
        create_own_label_orders(_client(), [dict(ORDER)] * 3, max_per_call=2)
