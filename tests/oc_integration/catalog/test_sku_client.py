"""The SKU client: each request as the reference says, each answer read leniently
(HTTP mocked with responses)."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import responses

from oc_integration.client import OCApiClient, OCBusinessError
from oc_integration.client.errors import OCMalformedResponse
from oc_integration.client.sku import (
    APPROVED,
    DOMESTIC,
    DRAFT,
    EF_QUERY_PATH,
    EF_SETUP_PATH,
    INTERNATIONAL,
    LABEL_PATH,
    MAX_SKUS_PER_CREATION,
    EFService,
    OCNoLabel,
    SkuDraft,
    SkuEFServices,
    SkuQuery,
    create_skus,
    creation_request,
    draft_problems,
    fetch_labels,
    find_by_seller_skus,
    query_all,
    query_ef_services,
    query_page,
    query_request,
    set_up_ef_services,
)
from tests.oc_integration.client_fakes import envelope, sent_data, unit_client

API = "https://oc.test/openapi"
QUERY = f"{API}/3pp/sku/v3/query"
CREATION = f"{API}/3pp/sku/v3/creation"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def client() -> OCApiClient:
    return unit_client(API)


def sent(call_index: int = 0) -> Any:
    return sent_data(responses.calls[call_index])


def row(oc_sku: str, seller: str, **extra: Any) -> dict[str, Any]:
    return {"MFSKUID": oc_sku, "sellerSKUID": seller, "referenceSKUID": seller, **extra}


GOOD = SkuDraft(
    seller_sku="GY1",
    name="Oak side table",
    length=Decimal("40"),
    width=Decimal("30"),
    height=Decimal("50.5"),
    dimension_unit="cm",
    weight=Decimal("4.200"),
    weight_unit="kg",
    declared_value=Decimal("25.00"),
    declared_currency="GBP",
    country_of_origin="CN",
    barcode="5012345678900",
    barcode_type="EAN",
)


# --- SKU Query v3 ----------------------------------------------------------------------
def test_a_window_query_sends_dates_with_an_offset_and_the_page_and_limit() -> None:
    query = SkuQuery(modified_from=date(2018, 11, 28), modified_to=date(2018, 12, 28))
    assert query_request(query, page=3) == {
        "startTime": "2018-11-28+0000",
        "endTime": "2018-12-28+0000",
        "page": 3,
        "limit": 200,
    }


def test_a_query_by_skus_sends_the_three_lists_in_ocs_spelling() -> None:
    query = SkuQuery(seller_skus=("A",), oc_skus=("OC1",), reference_skus=("R",))
    data = query_request(query, page=1, limit=50)
    assert data["sellerSKUIDList"] == [{"sellerSKUID": "A"}]
    assert data["mfskulist"] == [{"mfskuid": "OC1"}]
    assert data["referenceSKUIDList"] == [{"referenceSKUID": "R"}]
    assert "startTime" not in data and data["limit"] == 50


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"modified_from": date(2020, 1, 1)}, {"seller_skus": tuple(f"S{n}" for n in range(201))}],
)
def test_a_query_without_a_filter_or_with_too_many_skus_is_refused(kwargs: Any) -> None:
    with pytest.raises(ValueError):
        SkuQuery(**kwargs)


def test_the_page_size_is_at_most_200() -> None:
    with pytest.raises(ValueError):
        query_request(SkuQuery(oc_skus=("OC1",)), page=1, limit=201)


@responses.activate
def test_a_documented_row_parses_and_unknown_fields_are_ignored(client: OCApiClient) -> None:
    documented = row(
        "OC0000250380015",
        "GY1",
        SIOC=False,
        SKUDescription="A table",
        SKUNameList=[
            {"SKUName": "Tisch", "attributeDescription": "", "languageCode": "de-DE"},
            {"SKUName": "Table", "attributeDescription": "", "languageCode": "en-US"},
        ],
        SKUPictureURLList=[{"SKUPictureURL": "https://example.com/p.jpg"}],
        batteryForm="BCE",
        countryOfOrigin="cn",
        dimensionUnit="CM",
        length="40.00",
        width=30,
        height=50.5,
        weight="4.2",
        weightUnit="kg",
        declaredValue="25",
        declaredValueCurrency="gbp",
        barcodeList=[{"barcode": "5012345678900", "barcodeType": "EAN"}],
        fileList=[{"fileType": "MSDS", "fileUrl": "https://example.com/f.pdf"}],
        status="APPROVED",
        lastModifiedTime="2021-10-22T09:56:41+0800",
        somethingOcAddsLater={"x": 1},
    )
    responses.post(QUERY, json=envelope([documented]))
    page = query_page(client, SkuQuery(oc_skus=("OC0000250380015",)), page=1)
    (sku,) = page.rows
    assert (sku.oc_sku, sku.seller_sku, sku.reference_sku) == ("OC0000250380015", "GY1", "GY1")
    assert sku.name == "Table" and sku.description == "A table"
    assert (sku.length, sku.width, sku.height) == (Decimal("40.00"), Decimal(30), Decimal("50.5"))
    assert (sku.dimension_unit, sku.weight, sku.weight_unit) == ("cm", Decimal("4.2"), "kg")
    assert (sku.declared_value, sku.declared_currency) == (Decimal(25), "GBP")
    assert sku.country_of_origin == "CN" and sku.barcodes[0].code == "5012345678900"
    assert sku.approval == APPROVED and sku.modified_at is not None
    assert sku.modified_at.isoformat() == "2021-10-22T09:56:41+08:00"
    assert page.has_more is False


@responses.activate
def test_a_row_with_only_its_mfskuid_parses_with_empty_fields(client: OCApiClient) -> None:
    responses.post(QUERY, json=envelope([{"MFSKUID": "OC1"}], code="0"))
    (sku,) = query_page(client, SkuQuery(oc_skus=("OC1",)), page=1).rows
    assert sku.seller_sku == "" and sku.weight is None and sku.names == ()
    assert sku.approval == "unknown" and sku.modified_at is None


@responses.activate
def test_a_row_without_mfskuid_or_with_a_bad_number_is_malformed(client: OCApiClient) -> None:
    responses.post(QUERY, json=envelope([{"sellerSKUID": "A"}]))
    responses.post(QUERY, json=envelope([row("OC1", "A", weight="heavy")]))
    with pytest.raises(OCMalformedResponse, match="MFSKUID"):
        query_page(client, SkuQuery(oc_skus=("OC1",)), page=1)
    with pytest.raises(OCMalformedResponse, match="weight"):
        query_page(client, SkuQuery(oc_skus=("OC1",)), page=1)


@responses.activate
def test_pages_are_read_until_a_page_has_fewer_rows_than_the_limit(client: OCApiClient) -> None:
    responses.post(QUERY, json=envelope([row(f"OC{n}", f"S{n}") for n in range(3)]))
    responses.post(QUERY, json=envelope([row(f"OC{n}", f"S{n}") for n in range(3, 6)]))
    responses.post(QUERY, json=envelope([row("OC6", "S6")]))
    pages = list(query_all(client, SkuQuery(seller_skus=("S",)), limit=3))
    assert [len(p.rows) for p in pages] == [3, 3, 1]
    assert [sent(n)["page"] for n in range(3)] == [1, 2, 3]


@responses.activate
def test_totals_from_oc_decide_the_last_page(client: OCApiClient) -> None:
    rows = [row(f"OC{n}", f"S{n}") for n in range(2)]
    responses.post(QUERY, json=envelope({"skuList": rows, "total": 2}))
    pages = list(query_all(client, SkuQuery(seller_skus=("S",)), limit=2))
    assert len(pages) == 1 and len(responses.calls) == 1


@responses.activate
def test_oc_repeating_a_full_page_stops_the_query(client: OCApiClient) -> None:
    rows = [row(f"OC{n}", f"S{n}") for n in range(2)]
    responses.post(QUERY, json=envelope(rows))
    with pytest.raises(OCMalformedResponse, match="page 2"):
        list(query_all(client, SkuQuery(seller_skus=("S",)), limit=2))


@responses.activate
def test_seller_skus_are_looked_up_in_batches_of_200(client: OCApiClient) -> None:
    responses.post(QUERY, json=envelope([]))
    find_by_seller_skus(client, [f"S{n}" for n in range(250)])
    assert [len(sent(n)["sellerSKUIDList"]) for n in range(2)] == [200, 50]


# --- SKU Creation v3 ----------------------------------------------------------------------
def test_a_complete_draft_has_no_problems_and_is_sent_in_ocs_fields() -> None:
    assert draft_problems(GOOD) == []
    (item,) = creation_request([GOOD])
    assert item["sellerSKUID"] == item["referenceSKUID"] == "GY1"
    assert item["SKUNameList"] == [{"SKUName": "Oak side table", "languageCode": "en-US"}]
    assert (item["length"], item["height"], item["dimensionUnit"]) == ("40", "50.5", "cm")
    assert (item["weight"], item["weightUnit"], item["declaredValue"]) == ("4.2", "kg", "25")
    assert item["countryOfOrigin"] == "CN"
    assert item["barcodeList"] == [{"barcode": "5012345678900", "barcodeType": "EAN"}]
    assert "batteryType" not in item


def test_an_incomplete_draft_lists_every_missing_or_invalid_field() -> None:
    problems = draft_problems(
        SkuDraft(
            seller_sku="X" * 51,
            name="",
            length=Decimal(0),
            dimension_unit="mm",
            weight_unit="kg",
            declared_currency="pounds",
            country_of_origin="China",
            battery_type="BC",
        )
    )
    for expected in [
        "SKU is longer than 50 characters",
        "Name is missing",
        "Length must be more than 0",
        "Width is missing",
        "Dimension unit must be one of cm, ft, in, m",
        "Weight is missing",
        "Declared value is missing",
        "Declared value currency must be a 3-letter code such as GBP",
        "Country of origin must be a 2-letter ISO code such as CN",
        "Battery type and battery form go together",
        "Number of batteries is missing",
    ]:
        assert expected in problems


def test_at_most_200_skus_are_sent_per_creation_call() -> None:
    with pytest.raises(ValueError, match="200"):
        creation_request([GOOD] * (MAX_SKUS_PER_CREATION + 1))


@responses.activate
def test_creation_returns_each_new_mfskuid_by_seller_sku(client: OCApiClient) -> None:
    responses.post(
        CREATION,
        json=envelope([{"sellerSKUID": "GY1", "MFSKUID": "OC0000000600001", "extra": 1}]),
    )
    result = create_skus(client, [GOOD])
    assert result.created == {"GY1": "OC0000000600001"} and result.refused == {}


@responses.activate
def test_per_sku_refusals_are_a_result_and_a_whole_refusal_is_raised(
    client: OCApiClient,
) -> None:
    other = SkuDraft(**{**GOOD.__dict__, "seller_sku": "GY2"})
    responses.post(
        CREATION,
        json={
            "code": "4",
            "success": False,
            "data": [{"sellerSKUID": "GY1", "MFSKUID": "OC1"}],
            "errors": [{"code": "400202", "message": "bad unit", "referenceNumber": "GY2"}],
        },
    )
    responses.post(CREATION, json={"code": 1, "success": False, "message": "system busy"})
    result = create_skus(client, [GOOD, other])
    assert result.created == {"GY1": "OC1"}
    assert result.refused["GY2"].code == "400202"
    with pytest.raises(OCBusinessError, match="system busy"):
        create_skus(client, [GOOD])


# --- SKU Label ---------------------------------------------------------------------------
@responses.activate
def test_a_label_answered_as_a_pdf_is_returned_as_it_is(client: OCApiClient) -> None:
    responses.post(f"{API}{LABEL_PATH}", body=PDF, content_type="application/pdf")
    assert fetch_labels(client, ["OC1", "OC2"], quantity=2) == PDF
    assert sent() == {
        "skuList": [{"MFSKUID": "OC1", "quantity": 2}, {"MFSKUID": "OC2", "quantity": 2}]
    }


@responses.activate
def test_a_label_in_the_json_envelope_is_decoded(client: OCApiClient) -> None:
    encoded = base64.b64encode(PDF).decode()
    responses.post(f"{API}{LABEL_PATH}", json=envelope({"labelFile": encoded, "x": 1}))
    assert fetch_labels(client, ["OC1"]) == PDF


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (json.dumps(envelope(None)), "application/json", "no label"),
        (json.dumps(envelope({"labelFile": ""})), "application/json", "no label"),
        (b"<html>login</html>", "text/html", "text/html, not a PDF"),
        (b"not a pdf", "application/pdf", "is not a PDF; no label was returned"),
    ],
)
@responses.activate
def test_no_label_from_oc_is_a_typed_error_with_a_clear_message(
    client: OCApiClient, body: Any, content_type: str, why: str
) -> None:
    responses.post(f"{API}{LABEL_PATH}", body=body, content_type=content_type)
    with pytest.raises(OCNoLabel, match=why):
        fetch_labels(client, ["OC1"])


# --- EF services -------------------------------------------------------------------------
def test_the_ef_setup_groups_services_per_fulfilment_centre() -> None:
    from oc_integration.client.sku import ef_setup_request

    (item,) = ef_setup_request(
        [
            SkuEFServices(
                "OC1",
                (
                    EFService("UK", DOMESTIC, "GBDomesticStandard", "UK"),
                    EFService("UK", DOMESTIC, "GBDomesticExpress", "UK"),
                    EFService("DE", INTERNATIONAL, "DEInternationalStandard", "DE"),
                ),
            )
        ]
    )
    uk, de = item["fulfillmentCenterList"]
    assert item["MFSKUID"] == "OC1"
    assert uk["serviceRegion"] == "UK" and len(uk["domesticServiceList"]) == 2
    assert de["internationalServiceList"] == [{"shippingServiceCode": "DEInternationalStandard"}]


@responses.activate
def test_ef_services_round_trip_through_the_client(client: OCApiClient) -> None:
    responses.post(f"{API}{EF_SETUP_PATH}", json=envelope([{"MFSKUID": "OC1"}]))
    responses.post(
        f"{API}{EF_QUERY_PATH}",
        json=envelope(
            [
                {
                    "MFSKUID": "OC1",
                    "fulfillmentCenterList": [
                        {
                            "serviceRegion": "UK",
                            "domesticServiceList": [{"shippingServiceCode": "GBDomesticStandard"}],
                            "internationalServiceList": ["GBIntl"],
                            "unknown": True,
                        },
                        {"serviceRegion": "DE"},
                    ],
                }
            ]
        ),
    )
    set_up_ef_services(
        client, [SkuEFServices("OC1", (EFService("UK", DOMESTIC, "GBDomesticStandard"),))]
    )
    (answer,) = query_ef_services(client, ["OC1"])
    assert sent(1) == {"mfskulist": [{"mfskuid": "OC1"}]}
    assert [(s.region, s.service_type, s.service_code) for s in answer.services] == [
        ("UK", DOMESTIC, "GBDomesticStandard"),
        ("UK", INTERNATIONAL, "GBIntl"),
    ]


def test_status_words_have_their_meaning() -> None:
    from oc_integration.client.sku import meaning_of

    assert meaning_of("draft") == DRAFT and meaning_of(" Approved ") == APPROVED
    assert meaning_of("SOMETHING_NEW") == "unknown" and meaning_of("") == "unknown"
