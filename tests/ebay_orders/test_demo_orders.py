"""The demo's own eBay orders are orders the eBay sandbox knows, so the demo's jobs succeed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ebay_orders.importer import import_orders
from ebay_orders.models import ReportStatus, ShipmentReport
from ebay_orders.sandbox import RunningSandbox
from ebay_orders.shipping import ship_orders
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.demo.data import DEMO_EBAY_ORDERS
from hemi_fulfilment.orders.models import Order, OrderItemEbay

pytestmark = pytest.mark.django_db

SELLER = [demo for demo in DEMO_EBAY_ORDERS if not demo.fulfilled_by_ebay]
BY_EBAY = [demo for demo in DEMO_EBAY_ORDERS if demo.fulfilled_by_ebay]
# What the import writes; the order time differs by the moments the seed and sandbox started.
IMPORTED_ORDER_FIELDS = [
    "number",
    "channel",
    "ebay_account_id",
    "buyer_name",
    "buyer_username",
    "buyer_email",
    "subtotal",
    "shipping_cost",
    "total",
    "currency",
    "ship_name",
    "ship_address1",
    "ship_city",
    "ship_state",
    "ship_postcode",
    "ship_country_code",
    "ship_phone",
    "status",
    "marketplace_fulfillment_channel",
]
IMPORTED_LINE_FIELDS = [
    "order__number",
    "ebay_item_id",
    "transaction_id",
    "order_line_item_id",
    "sku",
    "title",
    "quantity",
    "price",
    "currency",
    "fulfillment_ref_id",
    "type",
]


def _seeded(*fields: str) -> list[dict[str, Any]]:
    numbers = [demo.number for demo in DEMO_EBAY_ORDERS]
    return list(Order.objects.filter(number__in=numbers).order_by("number").values(*fields))


def _seeded_lines() -> list[dict[str, Any]]:
    numbers = [demo.number for demo in DEMO_EBAY_ORDERS]
    lines = OrderItemEbay.objects.filter(order__number__in=numbers).order_by("order__number")
    return list(lines.values(*IMPORTED_LINE_FIELDS))


def test_the_shipping_job_reports_the_seeded_seller_fulfilled_orders_without_a_failure(
    demo_sandbox: RunningSandbox,
) -> None:
    shipped = Order.objects.filter(number__in=[demo.number for demo in DEMO_EBAY_ORDERS])
    assert shipped.count() == len(DEMO_EBAY_ORDERS) == 10
    for order in shipped:
        order.shipping_carrier = "Royal Mail"
        order.tracking_number = f"RM{order.number[-4:]}GB"
        order.shipped = True
        order.shipped_at = timezone.now()
        order.save()

    result = ship_orders()

    assert result.succeeded, result.summary()
    assert (result.reported, result.failed, result.ebay_fulfilled) == (len(SELLER), 0, len(BY_EBAY))
    calls = demo_sandbox.state.calls("CompleteSale")
    assert sorted(call["order_id"] for call in calls) == sorted(d.ebay_order_id for d in SELLER)
    assert [call for call in calls if call.get("error") or call.get("fault")] == []
    for demo in SELLER:
        on_ebay = demo_sandbox.state.orders[demo.ebay_order_id]
        assert on_ebay.tracking == [{"carrier": "Royal Mail", "number": f"RM{demo.n:04d}GB"}]
    reports = ShipmentReport.objects.filter(order__number__in=[d.number for d in SELLER])
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.REPORTED}
    assert not ShipmentReport.objects.filter(order__number__in=[d.number for d in BY_EBAY])


def test_importing_ebay_uk_finds_the_seeded_orders_as_they_were_seeded(
    demo_sandbox: RunningSandbox,
) -> None:
    orders_before, lines_before = _seeded(*IMPORTED_ORDER_FIELDS), _seeded_lines()
    count_before = Order.objects.count()

    result = import_orders(account_id=EbayAccount.objects.get(site_code="UK").pk)

    assert result.succeeded, result.error
    # Matched by OrderID: updated (their order time at most), never imported a second time.
    assert result.counts()["updated"] + result.counts()["unchanged"] == len(DEMO_EBAY_ORDERS)
    assert Order.objects.count() == count_before + result.counts()["imported"]
    assert _seeded(*IMPORTED_ORDER_FIELDS) == orders_before
    assert _seeded_lines() == lines_before
