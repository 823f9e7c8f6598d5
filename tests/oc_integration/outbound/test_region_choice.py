"""Which OC region ships an order, and that any product OC holds there can be pushed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.orders.models import Channel, Order
from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus
from oc_integration.outbound.orders import prepare_outbound_orders, region_for
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db


def _line(product_id: int, quantity: int) -> tuple[Any, ...]:
    return (product_id, "SKU", quantity, Decimal("1"), "USD", "", "")


def test_an_ebay_order_ships_from_the_first_region_serving_its_site_with_enough_stock() -> None:
    order = Order(number="E-1", channel=Channel.EBAY, ebay_account_id=7, ship_country_code="US")
    served = {7: ["US-East", "US-South", "US-West"]}
    stock = {
        (1, "US-East"): ("OC1", 0),
        (1, "US-South"): ("OC1", 5),
        (2, "US-South"): ("OC2", 1),
        (2, "US-West"): ("OC2", 9),
        (1, "US-West"): ("OC1", 9),
    }
    assert region_for(order, [_line(1, 3)], served, stock) == "US-South"
    assert region_for(order, [_line(1, 3), _line(2, 2)], served, stock) == "US-West"
    # Nowhere enough: the first region serving the site (validation then says why).
    assert region_for(order, [_line(1, 50)], served, stock) == "US-East"


def test_an_order_of_a_site_no_region_serves_ships_by_its_destination(settings: Any) -> None:
    settings.OC_COUNTRY_REGIONS = {"DE": "DE"}
    settings.OC_DEFAULT_REGION = "UK"
    order = Order(number="E-2", channel=Channel.EBAY, ebay_account_id=8, ship_country_code="de")
    assert region_for(order, [_line(1, 1)], {7: ["UK"]}, {}) == "DE"
    order.ship_country_code = "FR"
    assert region_for(order, [_line(1, 1)], {7: ["UK"]}, {}) == "UK"


def test_a_product_oc_holds_but_eBay_does_not_list_can_be_pushed(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    stock_everything(oc_sandbox, demo_account)
    product = Product.objects.order_by("sku").first()
    assert product is not None
    ItemAccount.objects.filter(product=product).delete()  # no eBay listing anywhere
    assert product.oc_stock.filter(region="UK", item_account__isnull=True).exists()
    order = next(o for o in web_orders(5) if o.items.get().product_id == product.pk)

    result = prepare_outbound_orders(demo_account, [order.pk])

    assert result.queued == [order.number], result.invalid
    outbound = OutboundOrder.objects.get(order=order)
    assert outbound.status == OutboundStatus.QUEUED and outbound.service_region == "UK"
    assert outbound.lines.get().oc_sku == product.oc_stock.get(region="UK").oc_sku


def test_an_ebay_order_ships_from_the_region_its_account_maps_to_its_site(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    stock_everything(oc_sandbox, demo_account)
    de = EbayAccount.objects.get(name="eBay DE")
    order = web_orders(1, prefix="DEWEB")[0]
    # A web order to a UK address would ship from UK; an eBay DE order ships from DE.
    Order.objects.filter(pk=order.pk).update(channel=Channel.EBAY, ebay_account=de)
    order.refresh_from_db()
    served = {de.pk: ["DE"]}
    assert region_for(order, [_line(1, 1)], served, {}) == "DE"
