"""The import through the Sell Fulfillment API, against the sandbox over real HTTP: the same
stored result as the Trading import of the same orders."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebay_orders.importer import import_orders
from ebay_orders.models import EbayConnection, IssueKind, OrderIssue, OrderSource
from ebay_orders.sandbox import RunningSandbox
from ebay_orders.sandbox.xml import ebay_time
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.demo.data import DEMO_SKUS
from hemi_fulfilment.orders.admin import REF_ID_UNKNOWN
from hemi_fulfilment.orders.models import FulfillmentChannel, Order, OrderItemEbay, OrderItemType
from tests.ebay_orders.fulfillment.conftest import use_source

pytestmark = pytest.mark.django_db

MIX: dict[str, Any] = {
    "seller_fulfilled": 3,
    "ebay_fulfilled": 2,
    "vault": 1,
    "malformed": 1,
    "unknown_sku": 1,
}
IGNORED = {"id", "created", "updated", "order", "order_id", "product"}


def sandbox_ids(sandbox: RunningSandbox) -> list[str]:
    return [o.order_id for o in sandbox.state.orders.values() if o.site_id == 3]


def stored(sandbox: RunningSandbox) -> dict[str, Any]:
    """Everything the import stored for the sandbox's UK orders, ids aside."""
    ids = sandbox_ids(sandbox)
    orders = {
        o["ebay_order_id"]: {k: v for k, v in o.items() if k not in IGNORED}
        for o in Order.objects.filter(ebay_order_id__in=ids).values()
    }
    lines = {
        item["order_line_item_id"]: {k: v for k, v in item.items() if k not in IGNORED}
        for item in OrderItemEbay.objects.filter(order__ebay_order_id__in=ids).values()
    }
    issues = sorted(OrderIssue.objects.values_list("ebay_order_id", "kind", "resolved"))
    return {"orders": orders, "lines": lines, "issues": issues}


def forget(sandbox: RunningSandbox, account: EbayAccount) -> None:
    """Hemi as before any import: no such orders, no issues, no cursor."""
    Order.objects.filter(ebay_order_id__in=sandbox_ids(sandbox)).delete()
    OrderIssue.objects.all().delete()
    EbayConnection.objects.filter(ebay_account=account).update(import_cursor=None)


def test_rest_import_of_mixed_orders_stores_what_the_trading_import_stores(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(**MIX)
    use_source(rest_uk, OrderSource.TRADING)
    by_trading = import_orders(account_id=rest_uk.pk)
    trading = stored(connected)
    forget(connected, rest_uk)
    use_source(rest_uk, OrderSource.FULFILLMENT)

    by_rest = import_orders(account_id=rest_uk.pk)

    assert by_trading.succeeded and by_rest.succeeded, by_rest.error
    assert by_rest.counts() == {**by_trading.counts(), "pages": by_rest.counts()["pages"]}
    assert stored(connected) == trading
    assert connected.state.calls("getOrders") and len(trading["orders"]) == 6
    kinds = {kind for _, kind, _ in trading["issues"]}
    assert kinds == {IssueKind.MALFORMED, IssueKind.UNKNOWN_SKU}


def test_vault_lines_are_ebays_through_either_source(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=0, ebay_fulfilled=0, vault=2)
    for source in (OrderSource.TRADING, OrderSource.FULFILLMENT):
        forget(connected, rest_uk)
        use_source(rest_uk, source)
        assert import_orders(account_id=rest_uk.pk).succeeded

        items = OrderItemEbay.objects.filter(order__ebay_order_id__in=sandbox_ids(connected))
        assert items and {i.type for i in items} == {OrderItemType.EBAY_VAULT}
        assert {i.fulfillment_ref_id for i in items} == {""}
        assert {i.get_type_display() for i in items} == {"eBay Vault"}
        channels = {i.order.marketplace_fulfillment_channel for i in items}
        assert channels == {FulfillmentChannel.EBAY}
    # Vault lines have no warehouse to ask Trading about.
    assert connected.state.calls("GetOrders") == [
        c for c in connected.state.calls("GetOrders") if "requested_order_ids" not in c
    ]


def test_switching_source_back_and_forth_never_duplicates_an_order_or_line(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=4, ebay_fulfilled=2, vault=1)
    counts = []
    results = []
    since = timezone.now() - timedelta(days=1)  # each import reads every order again
    for source in (OrderSource.TRADING, OrderSource.FULFILLMENT, OrderSource.TRADING):
        use_source(rest_uk, source)
        results.append(import_orders(account_id=rest_uk.pk, since=since))
        counts.append((Order.objects.count(), OrderItemEbay.objects.count()))

    assert all(r.succeeded for r in results)
    assert counts[0] == counts[1] == counts[2]
    # Same keys and same values: the other source finds every order already as it is.
    assert results[1].counts()["unchanged"] == 7 and results[1].counts()["imported"] == 0
    assert results[2].counts()["unchanged"] == 7


def test_fulfillment_ref_ids_come_from_one_trading_call(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=3, ebay_fulfilled=3)
    by_ebay = sorted(
        o.order_id
        for o in connected.state.orders.values()
        if o.site_id == 3 and o.fulfilled_by_ebay
    )

    result = import_orders(account_id=rest_uk.pk)

    assert result.succeeded, result.error
    [lookup] = connected.state.calls("GetOrders")
    assert sorted(lookup["requested_order_ids"]) == by_ebay
    items = OrderItemEbay.objects.filter(order__ebay_order_id__in=by_ebay)
    assert items and {i.fulfillment_ref_id for i in items} == {"OCUK01"}
    assert {i.type for i in items} == {OrderItemType.FULFILLED_BY_EBAY}


def test_without_a_ref_id_from_trading_the_order_is_stored_said_and_not_held(
    rest_uk: EbayAccount, connected: RunningSandbox, admin_client: Client
) -> None:
    connected.state.reset(seller_fulfilled=1, ebay_fulfilled=1)
    [order_id] = [
        o.order_id
        for o in connected.state.orders.values()
        if o.site_id == 3 and o.fulfilled_by_ebay
    ]
    connected.state.inject("ack_failure", call="GetOrders")

    result = import_orders(account_id=rest_uk.pk)

    assert result.succeeded, result.error
    item = OrderItemEbay.objects.get(order__ebay_order_id=order_id)
    assert item.fulfillment_ref_id == "" and item.type == OrderItemType.FULFILLED_BY_EBAY
    assert item.order.marketplace_fulfillment_channel == FulfillmentChannel.EBAY
    assert any(order_id in m and "Fulfillment Ref ID" in m for m in result.messages)
    assert not OrderIssue.objects.filter(ebay_order_id=order_id).exists()
    # The order page says so on the line.
    page = admin_client.get(reverse("admin:orders_order_change", args=[item.order_id]))
    assert REF_ID_UNKNOWN in html.unescape(page.content.decode())


def test_a_ref_id_stored_earlier_survives_a_failed_lookup(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=0, ebay_fulfilled=1)
    use_source(rest_uk, OrderSource.TRADING)
    import_orders(account_id=rest_uk.pk)
    use_source(rest_uk, OrderSource.FULFILLMENT)
    connected.state.inject("http_500", call="GetOrders")

    result = import_orders(account_id=rest_uk.pk, since=timezone.now() - timedelta(days=1))

    assert result.succeeded and any("Fulfillment Ref ID" in m for m in result.messages)
    ids = sandbox_ids(connected)
    assert set(
        OrderItemEbay.objects.filter(order__ebay_order_id__in=ids).values_list(
            "fulfillment_ref_id", flat=True
        )
    ) == {"OCUK01"}


def test_more_than_200_orders_are_read_in_pages_of_200(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    connected.state.reset(seller_fulfilled=0, ebay_fulfilled=0)
    moment = timezone.now() - timedelta(hours=1)
    for n in range(205):
        connected.state.add_order(
            site_id=3, lines=[{"sku": DEMO_SKUS[n % 10]}], modified=moment + timedelta(seconds=n)
        )

    result = import_orders(account_id=rest_uk.pk)

    assert result.succeeded, result.error
    pages = connected.state.calls("getOrders")
    assert [(p["offset"], p["limit"]) for p in pages] == [(0, 200), (200, 200)]
    assert len(pages[0]["order_ids"]) == 200 and len(pages[1]["order_ids"]) == 5
    assert Order.objects.filter(ebay_order_id__in=sandbox_ids(connected)).count() == 205
    assert {p["marketplace_id"] for p in pages} == {"EBAY_GB"}


def test_since_sets_the_window_requested_on_rest(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    since = timezone.now() - timedelta(days=40)

    result = import_orders(account_id=rest_uk.pk, since=since)

    assert result.succeeded, result.error
    windows = [(c["modified_from"], c["modified_to"]) for c in connected.state.calls("getOrders")]
    assert windows[0][0] == ebay_time(since) and len(windows) == 2
    # At most 30 days per filter window, the second starting where the first ended.
    assert windows[1][0] == windows[0][1]


def test_the_cursor_and_overlap_apply_on_rest(
    rest_uk: EbayAccount, connected: RunningSandbox
) -> None:
    cursor = timezone.now() - timedelta(hours=3)
    EbayConnection.objects.filter(ebay_account=rest_uk).update(import_cursor=cursor)

    assert import_orders(account_id=rest_uk.pk).succeeded

    [window] = connected.state.calls("getOrders")
    assert window["modified_from"] == ebay_time(cursor - timedelta(minutes=10))
    moved = EbayConnection.objects.get(ebay_account=rest_uk).import_cursor
    assert moved is not None and moved > cursor
