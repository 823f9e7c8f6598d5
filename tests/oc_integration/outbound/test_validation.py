"""OC's Place Outbound Order field rules, checked before an order is sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oc_integration.models import OrderPlatform, OutboundOrder, OutboundOrderLine
from oc_integration.outbound.validation import (
    OC_FIELDS,
    POSTCODE_COUNTRIES,
    Validation,
    creation_payload,
    validate,
)

SERVICES = {"GBDomesticStandard"}
ORDER_RULES = {name: rule for name, rule in OC_FIELDS.items() if not name.startswith("line.")}
LIMITED = [name for name, rule in ORDER_RULES.items() if rule.max_length and name != "country_code"]
REQUIRED = [name for name, rule in ORDER_RULES.items() if rule.required]


def _order(**changes: Any) -> OutboundOrder:
    """A valid UK web-shop outbound order (not saved: validation needs no database)."""
    fields: dict[str, Any] = {
        "reference_number": "WEB-00001",
        "order_platform": OrderPlatform.OTHERS,
        "service_region": "UK",
        "shipping_service_code": "GBDomesticStandard",
        "consignee_name": "Andrea Jakab",
        "address1": "93 Maresfield Road",
        "city": "Brighton",
        "country_code": "GB",
        "zip_code": "BN2 5ES",
        "phone": "07510057052",
        "email": "andrea@example.com",
        "remarks": "Hemi order WEB-00001",
        **changes,
    }
    return OutboundOrder(**fields)


def _line(**changes: Any) -> OutboundOrderLine:
    fields: dict[str, Any] = {
        "sku": "MUG-1",
        "oc_sku": "OC0000250380015",
        "quantity": 1,
        "declared_value": Decimal("12.00"),
        **changes,
    }
    return OutboundOrderLine(**fields)


def _check(order: OutboundOrder, lines: list[OutboundOrderLine] | None = None) -> Validation:
    return validate(order, [_line()] if lines is None else lines, services=SERVICES, available={})


def test_a_complete_order_is_valid() -> None:
    result = _check(_order())
    assert result.ok, result.errors


@pytest.mark.parametrize("name", LIMITED)
def test_each_ocs_length_limit_is_checked_and_named_in_the_users_words(name: str) -> None:
    rule = OC_FIELDS[name]
    assert rule.max_length is not None
    at_limit = "9" * rule.max_length
    assert name not in _check(_order(**{name: at_limit})).errors
    too_long = at_limit + "99"

    errors = _check(_order(**{name: too_long})).errors

    assert errors[name] == [
        f"{rule.label}: at most {rule.max_length} characters for OC "
        f"(this has {rule.max_length + 2})."
    ]


def test_the_postcode_message_reads_as_staff_expect() -> None:
    errors = _check(_order(zip_code="BN2 5ES 1234")).errors
    assert errors["zip_code"] == ["Postcode: at most 10 characters for OC (this has 12)."]


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_is_refused_when_empty_or_blank(name: str) -> None:
    errors = _check(_order(**{name: "  "})).errors
    assert errors[name] == [f"{OC_FIELDS[name].label}: required by OC."]


def test_every_message_starts_with_the_name_of_its_field() -> None:
    labels = tuple(f"{rule.label}:" for rule in OC_FIELDS.values())
    result = _check(
        _order(
            reference_number="",
            consignee_name="",
            address1="x" * 201,
            city="",
            zip_code="",
            country_code="UK",
            shipping_service_code="Nope",
            order_platform=OrderPlatform.EBAY,
            ebay_order_id="",
        ),
        [_line(oc_sku="", quantity=0)],
    )
    messages = [m for msgs in result.errors.values() for m in msgs]
    assert len(messages) >= 9
    for message in messages:
        assert message.startswith((*labels, "Lines:")) or message.startswith(
            ("OC SKU of SKU MUG-1:", "Quantity of SKU MUG-1:")
        ), message
        assert message.endswith((".", "?")), message


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("UK", "Country code: UK is not a country code: did you mean GB?"),
        (
            "DEU",
            "Country code: DEU is not an ISO 3166-1 two-letter country code: did you mean "
            "DE (Germany)?",
        ),
        (
            "Germany",
            "Country code: Germany is not an ISO 3166-1 two-letter country code: did you "
            "mean DE (Germany)?",
        ),
        (
            "G1",
            "Country code: G1 is not an ISO 3166-1 two-letter country code; use the "
            "country's two letters, e.g. GB or DE.",
        ),
        (
            "XX",
            "Country code: XX is not an ISO 3166-1 two-letter country code; use the "
            "country's two letters, e.g. GB or DE.",
        ),
    ],
)
def test_country_codes_are_checked_against_iso_3166_with_a_suggestion(
    code: str, message: str
) -> None:
    errors = _check(_order(country_code=code)).errors
    assert errors["country_code"] == [message]


@pytest.mark.parametrize("code", ["GB", "DE", "FR", "IE", "gb"])
def test_real_country_codes_pass(code: str) -> None:
    assert "country_code" not in _check(_order(country_code=code)).errors


@pytest.mark.parametrize("country", ["GB", "DE"])
def test_a_postcode_is_required_where_the_country_uses_one(country: str) -> None:
    assert country in POSTCODE_COUNTRIES
    errors = _check(_order(country_code=country, zip_code=" ")).errors
    assert errors["zip_code"][0].startswith(f"Postcode: required for addresses in {country} (")


def test_no_postcode_is_asked_for_where_the_country_needs_none() -> None:
    assert "IE" not in POSTCODE_COUNTRIES
    assert "zip_code" not in _check(_order(country_code="IE", zip_code="")).errors


def test_an_empty_city_is_refused() -> None:
    errors = _check(_order(city="")).errors
    assert errors["city"] == ["City: required to deliver the parcel."]


def test_ebay_orders_need_an_ebay_order_id_in_ocs_form() -> None:
    missing = _check(_order(order_platform=OrderPlatform.EBAY, ebay_order_id="")).errors
    wrong = _check(_order(order_platform=OrderPlatform.EBAY, ebay_order_id="2-5696-555")).errors
    right = _check(
        _order(
            order_platform=OrderPlatform.EBAY,
            ebay_order_id="02-05696-00555",
            ebay_buyer_id="demo-buyer-1",
        )
    )
    assert missing["ebay_order_id"] == [
        "eBay order id: required by OC for eBay orders, in OC's form 02-05696-00555."
    ]
    assert wrong["ebay_order_id"] == [
        "eBay order id: 2-5696-555 is not in OC's form 02-05696-00555."
    ]
    assert right.ok


def test_lines_need_an_oc_sku_and_a_quantity_of_at_least_one() -> None:
    none = _check(_order(), []).errors["lines"]
    bad = _check(_order(), [_line(oc_sku="", quantity=0)]).errors["lines"]
    long_sku = _check(_order(), [_line(oc_sku="OC00002503800151")]).errors["lines"]
    assert none == ["Lines: the order has none; OC needs at least one product."]
    assert bad[0].startswith("OC SKU of SKU MUG-1: none in UK")
    assert bad[1] == "Quantity of SKU MUG-1: at least 1 for OC (this has 0)."
    assert long_sku == ["OC SKU of SKU MUG-1: at most 15 characters for OC (this has 16)."]


def test_an_unknown_shipping_service_is_named() -> None:
    errors = _check(_order(shipping_service_code="Nope")).errors
    assert errors["shipping_service_code"] == ["Shipping service: OC offers no service Nope in UK."]


def test_the_payload_sends_what_was_validated_trimmed_with_an_upper_case_country() -> None:
    payload = creation_payload(
        _order(zip_code=" BN2 5ES ", country_code="gb", city="Brighton "), [_line()]
    )
    assert payload["consigneeZipCode"] == "BN2 5ES"
    assert payload["consigneeCountryCode"] == "GB"
    assert payload["consigneeCity"] == "Brighton"
    sent = {rule.oc_name for name, rule in ORDER_RULES.items()}
    assert sent <= set(payload) | {"ebayOrderId", "ebayId"}


def test_ebay_orders_need_the_buyers_ebay_user_id_and_send_it_as_ebay_id() -> None:
    ebay = {"order_platform": OrderPlatform.EBAY, "ebay_order_id": "02-05696-00555"}
    missing = _check(_order(**ebay, ebay_buyer_id=" ")).errors
    assert missing["ebay_buyer_id"] == [
        "eBay buyer: required by OC for eBay orders (the buyer's eBay user id); the Hemi "
        "order has none. Import the order from eBay again."
    ]
    too_long = _check(_order(**ebay, ebay_buyer_id="b" * 101)).errors
    assert too_long["ebay_buyer_id"] == [
        "eBay buyer: at most 100 characters for OC (this has 101)."
    ]
    payload = creation_payload(_order(**ebay, ebay_buyer_id=" buyer-7 "), [_line()])
    assert payload["ebayId"] == "buyer-7" and payload["ebayOrderId"] == "02-05696-00555"
    assert "ebayId" not in creation_payload(_order(), [_line()])
