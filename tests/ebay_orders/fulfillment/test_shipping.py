"""The shipping job on a Sell Fulfillment API connection: createShippingFulfillment once per
seller-shipped order, never for eBay's orders, a lost answer checked before any re-send."""

from __future__ import annotations

import pytest

from ebay_orders.models import ReportStatus, ShipmentReport
from ebay_orders.sandbox import RunningSandbox
from ebay_orders.shipping import ship_orders
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import FulfillmentChannel, Order
from tests.ebay_orders.test_shipping import imported, ship

pytestmark = pytest.mark.django_db


def created(sandbox: RunningSandbox, order: Order) -> list[dict[str, object]]:
    return sandbox.state.calls("createShippingFulfillment", order.ebay_order_id or "")


def test_seller_shipped_orders_are_reported_once_with_every_line(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    orders = imported(connected, rest_uk)["seller"]
    ship(*orders)

    first = ship_orders()
    second = ship_orders()

    assert first.reported == len(orders) == 8 and second.reported == 0, first.errors
    for order in orders:
        [call] = created(connected, order)
        order.refresh_from_db()
        assert call["tracking_number"] == order.tracking_number
        assert call["carrier"] == "Royal Mail"
        assert isinstance(call["line_items"], list)
        assert sorted(call["line_items"]) == sorted(
            order.ebay_items.values_list("transaction_id", flat=True)
        )
        assert order.ebay_shipment.status == ReportStatus.REPORTED
    assert connected.state.calls("CompleteSale") == []


def test_ebay_fulfilled_and_vault_orders_are_never_sent(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=0, ebay_fulfilled=2, vault=2)
    orders = imported(connected, rest_uk)["ebay"]
    ship(*orders)

    result = ship_orders()

    assert len(orders) == 4 and result.ebay_fulfilled == 4 and result.reported == 0
    assert {o.marketplace_fulfillment_channel for o in orders} == {FulfillmentChannel.EBAY}
    assert connected.state.calls("createShippingFulfillment") == []
    assert connected.state.calls("getShippingFulfillments") == []


def test_a_lost_answer_is_checked_with_ebay_and_never_sent_again(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    [order, *_] = imported(connected, rest_uk)["seller"]
    ship(order)
    connected.state.inject("accept_then_timeout", call="createShippingFulfillment")

    lost = ship_orders()
    checked = ship_orders()

    assert lost.unconfirmed == 1 and lost.reported == 0
    assert checked.confirmed == 1 and checked.reported == 0
    assert len(created(connected, order)) == 1
    calls = [c["call"] for c in connected.state.calls() if c.get("order_id") == order.ebay_order_id]
    assert calls == ["createShippingFulfillment", "getShippingFulfillments"]
    assert ShipmentReport.objects.get(order=order).status == ReportStatus.REPORTED


def test_a_call_ebay_never_took_is_sent_once_more_after_asking(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    [order, *_] = imported(connected, rest_uk)["seller"]
    ship(order)
    connected.state.inject("timeout", call="createShippingFulfillment")

    lost = ship_orders()
    resent = ship_orders()
    after = ship_orders()

    assert lost.unconfirmed == 1 and resent.reported == 1 and after.reported == 0
    calls = [c["call"] for c in connected.state.calls() if c.get("order_id") == order.ebay_order_id]
    # The first never reached eBay's books (the sandbox hung up before taking it).
    assert calls == [
        "createShippingFulfillment",
        "getShippingFulfillments",
        "createShippingFulfillment",
    ]
    assert [c.get("fault", "") for c in created(connected, order)] == ["timeout", ""]
