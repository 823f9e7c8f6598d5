"""The account option "choose the cheapest shipping service": off by default; on, each
outbound order made from a Hemi order gets the cheapest allowed service of its region,
eBay orders by OC's eBay fee and others by the non-eBay fee."""

from __future__ import annotations

from typing import Any

import pytest

from hemi_fulfilment.orders.models import Order
from oc_integration.models import (
    AccountOrangeConnex,
    CostTrial,
    OutboundOrder,
    OutboundStatus,
    ServiceCostEstimate,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.costs.conftest import SYNCED
from tests.oc_integration.outbound_helpers import web_orders

pytestmark = pytest.mark.django_db


def cheapest_stored(reference: str, *, ebay: bool) -> str:
    rows = ServiceCostEstimate.objects.filter(trial__order_reference=reference, ok=True)
    fee = "ebay_fee" if ebay else "other_fee"
    return str(rows.order_by(fee, "service_code").values_list("service_code", flat=True)[0])


def test_the_option_is_off_by_default_and_then_no_cost_is_asked(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    assert stocked.choose_cheapest_service is False
    order = web_orders(1, prefix="OFF")[0]
    prepare_outbound_orders(stocked, [order.pk])
    assert OutboundOrder.objects.get(order=order).shipping_service_code == "GBDomesticStandard"
    assert oc_sandbox.count("POST", SYNCED) == 0 and not CostTrial.objects.exists()


def test_a_web_order_gets_the_cheapest_service_by_the_non_ebay_fee(
    stocked: AccountOrangeConnex,
) -> None:
    AccountOrangeConnex.objects.filter(pk=stocked.pk).update(choose_cheapest_service=True)
    stocked.refresh_from_db()
    order = web_orders(1, prefix="CHEAP")[0]
    result = prepare_outbound_orders(stocked, [order.pk])
    outbound = OutboundOrder.objects.get(order=order)
    assert result.queued == [order.number] and outbound.status == OutboundStatus.QUEUED
    assert outbound.shipping_service_code == "GBDomesticEconomy"
    assert outbound.shipping_service_code == cheapest_stored(order.number, ebay=False)


def test_an_ebay_order_gets_the_cheapest_service_by_the_ebay_fee(
    stocked: AccountOrangeConnex,
) -> None:
    AccountOrangeConnex.objects.filter(pk=stocked.pk).update(choose_cheapest_service=True)
    stocked.refresh_from_db()
    ebay_orders = Order.objects.filter(channel="ebay", ebay_account__site_code="UK").exclude(
        marketplace_fulfillment_channel="EBAY"
    )
    order = next(o for o in ebay_orders if o.ebay_items.exists())
    prepare_outbound_orders(stocked, [order.pk])
    outbound = OutboundOrder.objects.get(order=order)
    assert outbound.service_region == "UK"
    # The eBay programme's rates make Standard cheapest for eBay orders, Economy for others.
    assert outbound.shipping_service_code == "GBDomesticStandard"
    assert cheapest_stored(order.number, ebay=True) == "GBDomesticStandard"
    assert cheapest_stored(order.number, ebay=False) == "GBDomesticEconomy"
    assert CostTrial.objects.get(order_reference=order.number).ebay_order is True


def test_when_oc_cannot_price_it_the_default_service_is_kept_with_a_warning(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_COST_ESTIMATE_MODE = "synced"
    AccountOrangeConnex.objects.filter(pk=stocked.pk).update(choose_cheapest_service=True)
    stocked.refresh_from_db()
    oc_sandbox.fault(SYNCED, "http500")
    order = web_orders(1, prefix="NOPRICE")[0]
    result = prepare_outbound_orders(stocked, [order.pk])
    outbound = OutboundOrder.objects.get(order=order)
    assert outbound.shipping_service_code == "GBDomesticStandard"
    assert outbound.status == OutboundStatus.QUEUED
    [warning] = [w for w in result.warnings if "cheapest service could not be chosen" in w]
    assert warning.startswith("NOPRICE-00000:") and "sent with GBDomesticStandard" in warning
