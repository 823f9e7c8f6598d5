"""Placing inbound orders at the OC sandbox over real HTTP: OC's rules checked first
(nothing sent when they are broken), OC's refusals, and never twice when answers are lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oc_integration.inbound.placing import (
    CONFIRMED,
    INVALID,
    NOT_SENT,
    PLACED,
    REFUSED,
    UNKNOWN,
    place_inbound_order,
)
from oc_integration.models import (
    AccountOrangeConnex,
    InboundLine,
    InboundOrder,
    InboundStatus,
    ProductAccountOrangeConnex,
)
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.inbound.helpers import approved_skus, draft_order

pytestmark = pytest.mark.django_db

CREATION = "/openapi/3pp/inbound/v1/creation"
DETAIL = "/openapi/3pp/inbound/v1/detail"


def at_oc(oc: Sandbox) -> list[dict]:
    return list(oc.control("GET", "inbound")["orders"])


def test_a_valid_order_with_two_cartons_is_placed_and_oc_s_number_stored(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first, second, _ = approved_skus(authorized_account)
    order = draft_order(
        authorized_account, {"C001": [(first, 10), (second, 5)], "C002": [(first, 4)]}
    )
    result = place_inbound_order(order.pk)
    assert result.outcome == PLACED, result.message
    order.refresh_from_db()
    assert order.status == InboundStatus.CREATED
    assert (
        order.oc_inbound_number.startswith("OCI4UK")
        and result.inbound_number == order.oc_inbound_number
    )
    [sent] = at_oc(oc_sandbox)
    assert sent["sellerinboundNumber"] == order.seller_inbound_number
    assert {(s["mfskuid"], s["quantity"]) for s in sent["skuList"]} == {
        (first.oc_sku, 14),
        (second.oc_sku, 5),
    }
    assert [c["sellerCartonNumber"] for c in sent["cartons"]] == ["C001", "C002"]
    assert list(order.status_changes.values_list("status", flat=True)) == ["created"]


def test_placing_it_again_sends_nothing(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    assert place_inbound_order(order.pk).outcome == PLACED
    again = place_inbound_order(order.pk)
    assert again.outcome == NOT_SENT and "already placed" in again.message
    assert oc_sandbox.count("POST", CREATION) == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ("no_cartons", "cartons", "at least one carton"),
        ("empty_carton", "cartons", "is empty"),
        ("zero_quantity", "cartons", "must be more than 0"),
        ("negative_quantity", "cartons", "must be more than 0"),
        ("eta_in_the_past", "eta", "in the past"),
        ("not_approved_in_region", "cartons", "not approved at OC for the fulfilment centre DE"),
        ("bad_country", "shipping_from", "2-letter country code"),
    ],
)
def test_bad_input_gets_a_field_named_error_and_nothing_is_sent(
    authorized_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    change: str,
    field: str,
    words: str,
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    cartons: dict = {"C1": [(sku, 3)]}
    fields: dict = {}
    if change == "no_cartons":
        cartons = {}
    elif change == "empty_carton":
        cartons = {"C1": [(sku, 3)], "C2": []}
    elif change == "eta_in_the_past":
        fields["eta"] = timezone.localdate() - timedelta(days=1)
    elif change == "not_approved_in_region":
        fields["region"] = "DE"
    elif change == "bad_country":
        fields["shipping_from"] = "C1"
    order = draft_order(authorized_account, cartons, **fields)
    if change in ("zero_quantity", "negative_quantity"):
        InboundLine.objects.filter(carton__order=order).update(
            quantity=0 if change == "zero_quantity" else -2
        )
    result = place_inbound_order(order.pk)
    assert result.outcome == INVALID
    assert any(name == field and words in text for name, text in result.problems), result.problems
    assert words in result.message
    order.refresh_from_db()
    assert order.status == InboundStatus.DRAFT and not order.oc_inbound_number
    assert oc_sandbox.count("POST", CREATION) == 0


def test_a_sku_with_stock_at_oc_in_the_region_counts_as_approved_there(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0, region="UK")
    from hemi_fulfilment.catalog.models import Product

    product = Product.objects.create(sku=sku.seller_sku, title="Stocked")
    ProductAccountOrangeConnex.objects.create(
        account=authorized_account,
        product=product,
        region="DE",
        oc_sku=sku.oc_sku,
        created_in_oc=True,
    )
    order = draft_order(authorized_account, {"C1": [(sku, 2)]}, region="DE")
    assert place_inbound_order(order.pk).outcome == PLACED


def test_oc_s_refusal_is_stored_in_its_words_and_the_order_can_be_fixed(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0, region="AU")  # Hemi believes AU; OC does not
    order = draft_order(authorized_account, {"C1": [(sku, 2)]}, region="AU")
    result = place_inbound_order(order.pk)
    assert result.outcome == REFUSED
    assert "not approved for serviceRegion AU" in result.message
    order.refresh_from_db()
    assert order.status == InboundStatus.REFUSED and "AU" in order.last_error
    assert at_oc(oc_sandbox) == []


def test_an_accepted_order_whose_answer_is_lost_is_found_at_oc_and_created_once(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: object
) -> None:
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "accept_then_timeout")
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    result = place_inbound_order(order.pk)
    assert result.outcome == CONFIRMED, result.message
    [placed] = at_oc(oc_sandbox)
    order.refresh_from_db()
    assert order.oc_inbound_number == placed["inboundNumber"]
    assert order.status == InboundStatus.CREATED
    assert place_inbound_order(order.pk).outcome == NOT_SENT
    assert oc_sandbox.count("POST", CREATION) == 1
    assert order.status_changes.get().note == "Found at OC after a lost answer"


def test_a_lost_answer_that_cannot_be_checked_leaves_it_unknown_and_checked_before_resending(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "accept_then_timeout")
    oc_sandbox.fault(DETAIL, "http500")
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    result = place_inbound_order(order.pk)
    assert result.outcome == UNKNOWN and "checked before it is ever sent again" in result.message
    order.refresh_from_db()
    assert order.status == InboundStatus.UNKNOWN
    again = place_inbound_order(order.pk)  # the detail query answers now
    assert again.outcome == CONFIRMED
    assert oc_sandbox.count("POST", CREATION) == 1 and len(at_oc(oc_sandbox)) == 1


def test_a_request_that_never_reached_oc_is_sent_after_the_check_finds_nothing(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "timeout")
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    assert place_inbound_order(order.pk).outcome == UNKNOWN
    assert at_oc(oc_sandbox) == []
    result = place_inbound_order(order.pk)
    assert result.outcome == PLACED, result.message
    assert len(at_oc(oc_sandbox)) == 1


def test_an_order_being_sent_by_another_request_is_left_alone(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    [sku] = approved_skus(authorized_account, 0)
    order = draft_order(authorized_account, {"C1": [(sku, 3)]})
    InboundOrder.objects.filter(pk=order.pk).update(
        status=InboundStatus.SENDING, sent_at=timezone.now()
    )
    assert place_inbound_order(order.pk).outcome == NOT_SENT
    assert oc_sandbox.count("POST", CREATION) == 0 and oc_sandbox.count("POST", DETAIL) == 0
