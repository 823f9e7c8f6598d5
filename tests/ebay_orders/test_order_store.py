"""The page store's per-order rules, which the bulk writes must keep: one bad order is
left out while the rest of its page imports, and review issues follow eBay's answers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ebay_orders.importer import import_orders
from ebay_orders.models import IssueKind, OrderIssue
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.demo.data import DEMO_SKUS
from hemi_fulfilment.orders.models import FulfillmentChannel, Order, OrderItemEbay

pytestmark = pytest.mark.django_db


def _first_uk_order(sandbox: RunningSandbox) -> str:
    return min(o.order_id for o in sandbox.state.orders.values() if o.site_id == 3)


def test_a_line_of_another_order_leaves_out_only_its_order(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order_id = _first_uk_order(connected)
    line_id = connected.state.orders[order_id].lines[0].line_id
    other = Order.objects.create(number="MANUAL-1", ebay_account=uk)
    OrderItemEbay.objects.create(order=other, order_line_item_id=line_id, ebay_item_id="1")

    result = import_orders(account_id=uk.pk)

    assert result.counts()["imported"] == 11 and result.skipped == 1 and not result.failed
    assert f"already belongs to Hemi order {other.pk}: skipped" in "\n".join(result.messages)
    assert not Order.objects.filter(ebay_order_id=order_id).exists()
    assert OrderIssue.objects.get(ebay_order_id=order_id).kind == IssueKind.NOT_STORED


def test_an_order_the_database_refuses_fails_alone(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order_id = _first_uk_order(connected)
    # A hand-made order already holds the number the import would give this one.
    Order.objects.create(number=f"EBAY-{order_id}")

    result = import_orders(account_id=uk.pk)

    assert result.counts()["imported"] == 11 and result.failed == 1 and not result.succeeded
    assert Order.objects.filter(ebay_order_id__startswith="03-").count() == 11
    issue = OrderIssue.objects.get(ebay_order_id=order_id)
    assert issue.kind == IssueKind.NOT_STORED and "could not be stored" in issue.message


def test_a_mixed_order_later_sent_wholly_one_way_settles_its_issue(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.reset(seller_fulfilled=1, ebay_fulfilled=0, mixed=1)
    import_orders(account_id=uk.pk)
    issue = OrderIssue.objects.get(kind=IssueKind.MIXED_FULFILMENT)
    assert not issue.resolved and issue.order is not None
    for line in connected.state.orders[issue.ebay_order_id].lines:
        line.fulfilled_by_ebay, line.fulfillment_ref_id = True, "OCUK01"

    result = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=1))

    assert result.flagged == 0 and result.counts()["updated"] == 1
    issue.refresh_from_db()
    assert issue.resolved
    assert issue.order is not None and issue.order.is_fulfilled_by_ebay
    assert issue.order.marketplace_fulfillment_channel == FulfillmentChannel.EBAY


def test_a_persons_decision_on_an_issue_stands(connected: RunningSandbox, uk: EbayAccount) -> None:
    connected.state.reset(seller_fulfilled=1, ebay_fulfilled=0, mixed=1, unknown_sku=1)
    import_orders(account_id=uk.pk)
    assert OrderIssue.objects.filter(resolved=False).count() == 2
    OrderIssue.objects.update(resolved=True)

    again = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=1))

    assert again.flagged == 1 and again.skipped == 1
    assert (
        OrderIssue.objects.count() == 2 and not OrderIssue.objects.filter(resolved=False).exists()
    )


def test_a_dry_run_of_a_refused_page_saves_nothing(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order_id = _first_uk_order(connected)
    Order.objects.create(number=f"EBAY-{order_id}")

    result = import_orders(account_id=uk.pk, dry_run=True)

    assert result.counts()["imported"] == 11 and result.failed == 1
    assert not Order.objects.filter(ebay_order_id__startswith="03-").exists()
    assert not OrderIssue.objects.exists()


def test_changed_lines_update_only_what_changed(connected: RunningSandbox, uk: EbayAccount) -> None:
    import_orders(account_id=uk.pk)
    order_id = _first_uk_order(connected)
    order = Order.objects.get(ebay_order_id=order_id)
    Order.objects.filter(pk=order.pk).update(tracking_number="RM1", shipping_carrier="Royal Mail")
    sandbox_line = connected.state.orders[order_id].lines[0]
    new_sku = next(sku for sku in DEMO_SKUS if sku != sandbox_line.sku)
    sandbox_line.sku, sandbox_line.quantity, sandbox_line.price = new_sku, 3, Decimal("9.99")

    result = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=1))

    assert result.counts()["updated"] == 1 and result.counts()["unchanged"] == 11
    item = OrderItemEbay.objects.get(order_line_item_id=sandbox_line.line_id)
    assert (item.sku, item.quantity, item.price) == (new_sku, 3, Decimal("9.99"))
    assert item.product is not None and item.product.sku == new_sku
    order.refresh_from_db()
    assert order.subtotal == connected.state.orders[order_id].subtotal
    assert (order.tracking_number, order.shipping_carrier) == ("RM1", "Royal Mail")
