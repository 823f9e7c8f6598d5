"""The GetOrders import through the sandbox, over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ebay_orders.importer import MAX_WINDOW, import_orders
from ebay_orders.models import IssueKind, OrderIssue
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.demo.data import DEMO_SKUS
from hemi_fulfilment.orders.models import FulfillmentChannel, Order, OrderItemEbay, OrderItemType
from tests.ebay_orders.conftest import connection_of

pytestmark = pytest.mark.django_db


def uk_orders(sandbox: RunningSandbox) -> list[str]:
    return [o.order_id for o in sandbox.state.orders.values() if o.site_id == 3]


def test_program_fields_land_as_the_scope_says(connected: RunningSandbox, uk: EbayAccount) -> None:
    result = import_orders(account_id=uk.pk)

    assert result.succeeded, result.error
    assert result.counts()["imported"] == 12 and result.ebay_fulfilled == 4
    for sandbox_order in (o for o in connected.state.orders.values() if o.site_id == 3):
        order = Order.objects.get(ebay_order_id=sandbox_order.order_id)
        expected = (
            FulfillmentChannel.EBAY
            if sandbox_order.fulfilled_by_ebay
            else FulfillmentChannel.SELLER
        )
        assert order.marketplace_fulfillment_channel == expected
        assert order.ebay_account == uk and order.total == sandbox_order.subtotal + Decimal("2.50")
        for line in sandbox_order.lines:
            item = OrderItemEbay.objects.get(order_line_item_id=line.line_id)
            assert item.order == order and item.sku == line.sku and item.product is not None
            if sandbox_order.fulfilled_by_ebay:
                assert item.type == OrderItemType.FULFILLED_BY_EBAY
                assert item.fulfillment_ref_id == "OCUK01"
            else:
                assert item.type == OrderItemType.SELLER_FULFILLED
                assert item.fulfillment_ref_id == ""
    # Only this account's site was asked for and stored.
    assert not Order.objects.filter(ebay_order_id__startswith="77-").exists()


def test_a_reimport_changes_nothing(connected: RunningSandbox, uk: EbayAccount) -> None:
    import_orders(account_id=uk.pk)
    before = {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "updated")),
        "items": list(OrderItemEbay.objects.order_by("pk").values_list("pk", "updated")),
    }

    again = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=1))

    assert again.counts()["imported"] == 0 and again.counts()["updated"] == 0
    assert again.counts()["unchanged"] == 12
    assert list(Order.objects.order_by("pk").values_list("pk", "updated")) == before["orders"]
    assert (
        list(OrderItemEbay.objects.order_by("pk").values_list("pk", "updated")) == before["items"]
    )


def test_a_modified_order_is_updated_not_duplicated(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    import_orders(account_id=uk.pk)
    order_id = uk_orders(connected)[0]
    connected.state.orders[order_id].city = "Hove"
    connected.state.touch(order_id)

    result = import_orders(account_id=uk.pk)

    assert result.counts()["updated"] == 1 and result.counts()["imported"] == 0
    assert Order.objects.filter(ebay_order_id=order_id).get().ship_city == "Hove"


def test_the_import_never_overwrites_the_sellers_shipping(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    import_orders(account_id=uk.pk)
    order_id = uk_orders(connected)[0]
    Order.objects.filter(ebay_order_id=order_id).update(
        shipping_carrier="Royal Mail", tracking_number="RM1", status="shipped", shipped=True
    )
    connected.state.touch(order_id)
    import_orders(account_id=uk.pk)
    order = Order.objects.get(ebay_order_id=order_id)
    assert (order.shipping_carrier, order.tracking_number, order.status, order.shipped) == (
        "Royal Mail",
        "RM1",
        "shipped",
        True,
    )


def test_pages_are_followed_until_has_more_orders_is_false(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.max_entries_per_page = 5
    result = import_orders(account_id=uk.pk)
    assert result.pages == 3 and result.counts()["imported"] == 12
    pages = [c["page_number"] for c in connected.state.calls("GetOrders")]
    assert pages == [1, 2, 3]
    assert {c["entries_per_page"] for c in connected.state.calls("GetOrders")} == {5}


@pytest.mark.parametrize(
    "moved_to",
    [timedelta(minutes=-3), timedelta(0)],
    ids=["later-in-the-window", "out-of-the-window"],
)
def test_orders_shifting_between_pages_are_read_again_so_none_is_missed(
    connected: RunningSandbox, uk: EbayAccount, moved_to: timedelta
) -> None:
    connected.state.max_entries_per_page = 5
    by_time = sorted(
        (o for o in connected.state.orders.values() if o.site_id == 3), key=lambda o: o.modified
    )
    moving, slides_back = by_time[0], by_time[5]

    def modify_during_paging(_: int) -> None:
        # Between pages 1 and 2 the first order changes: everything after it slides back,
        # so the sixth order would land on the page already read.
        if len(connected.state.calls("GetOrders")) == 1:
            connected.state.touch(moving.order_id, timezone.now() + moved_to)

    result = import_orders(account_id=uk.pk, progress=modify_during_paging)

    assert result.succeeded, result.error
    assert any("reading it again" in m for m in result.messages)
    assert Order.objects.filter(ebay_order_id=slides_back.order_id).exists()
    assert Order.objects.filter(ebay_order_id=moving.order_id).count() == 1
    assert result.counts()["imported"] == 12 and result.counts()["unchanged"] == 0


def test_windows_span_at_most_30_days_and_stay_inside_90(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    result = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=120))
    assert result.succeeded, result.error
    assert any("90 days" in m for m in result.messages)
    windows = {(c["mod_time_from"], c["mod_time_to"]) for c in connected.state.calls("GetOrders")}
    assert len(windows) == result.windows == 3
    for start, end in windows:
        span = _time(end) - _time(start)
        assert timedelta(0) < span <= MAX_WINDOW
        assert _time(start) > timezone.now() - timedelta(days=90)


def test_backfill_with_since_reaches_older_orders_and_keeps_the_cursor(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    old = connected.state.add_order(
        site_id=3, lines=[{"sku": DEMO_SKUS[5]}], modified=timezone.now() - timedelta(days=40)
    )
    import_orders(account_id=uk.pk)
    cursor = connection_of(uk).import_cursor
    assert cursor is not None and not Order.objects.filter(ebay_order_id=old.order_id).exists()

    result = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=45))

    assert result.counts()["imported"] == 1 and result.windows == 2
    assert Order.objects.filter(ebay_order_id=old.order_id).exists()
    assert connection_of(uk).import_cursor >= cursor  # type: ignore[operator]


def test_the_next_run_starts_at_the_cursor_minus_the_overlap(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    import_orders(account_id=uk.pk)
    cursor = connection_of(uk).import_cursor
    assert cursor is not None and timezone.now() - cursor < timedelta(minutes=3)
    import_orders(account_id=uk.pk)
    last = connected.state.calls("GetOrders")[-1]
    # eBay times carry milliseconds.
    expected = cursor - timedelta(minutes=10)
    assert abs(_time(last["mod_time_from"]) - expected) < timedelta(milliseconds=1)


def test_bad_orders_are_recorded_and_skipped_while_the_rest_imports(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.reset(seller_fulfilled=3, ebay_fulfilled=2, unknown_sku=1, malformed=1)

    result = import_orders(account_id=uk.pk)

    assert result.counts()["imported"] == 5 and result.skipped == 2 and not result.error
    issues = OrderIssue.objects.filter(ebay_account=uk)
    assert sorted(issues.values_list("kind", flat=True)) == [
        IssueKind.MALFORMED,
        IssueKind.UNKNOWN_SKU,
    ]
    assert any("GY9990001 is not in Hemi" in m for m in result.messages)
    bad_ids = set(issues.values_list("ebay_order_id", flat=True))
    assert not Order.objects.filter(ebay_order_id__in=bad_ids).exists()
    # The window was read completely: the cursor moves on.
    assert connection_of(uk).import_cursor is not None


def test_a_mixed_order_is_stored_flagged_and_not_guessed(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.reset(seller_fulfilled=1, ebay_fulfilled=0, mixed=1)
    mixed_id = next(
        o.order_id
        for o in connected.state.orders.values()
        if o.site_id == 3 and len({ln.fulfilled_by_ebay for ln in o.lines}) == 2
    )

    result = import_orders(account_id=uk.pk)
    again = import_orders(account_id=uk.pk, since=timezone.now() - timedelta(days=1))

    assert result.flagged == 1 and again.flagged == 1
    assert f"Order {mixed_id} mixes eBay-fulfilled and seller-fulfilled lines" in "\n".join(
        result.messages
    )
    issue = OrderIssue.objects.get(kind=IssueKind.MIXED_FULFILMENT)
    assert issue.order is not None and issue.order.ebay_order_id == mixed_id
    assert not issue.resolved
    types = set(issue.order.ebay_items.values_list("type", flat=True))
    assert types == {OrderItemType.FULFILLED_BY_EBAY, OrderItemType.SELLER_FULFILLED}


def test_the_cursor_moves_only_when_its_whole_window_is_done(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.max_entries_per_page = 5
    # Window 1 (old, one empty page) passes; window 2 fails on its second page.
    connected.state.inject("http_500", call="GetOrders", after=2)
    since = timezone.now() - timedelta(days=40)

    failed = import_orders(account_id=uk.pk, since=since)

    assert not failed.succeeded and "HTTP 500" in failed.error
    assert connection_of(uk).import_cursor == since + MAX_WINDOW
    assert Order.objects.filter(ebay_order_id__startswith="03-").count() == 5  # window 2, page 1

    resumed = import_orders(account_id=uk.pk)

    assert resumed.succeeded and resumed.counts()["imported"] == 7
    assert resumed.counts()["unchanged"] == 5
    assert connection_of(uk).import_cursor > since + MAX_WINDOW  # type: ignore[operator]


@pytest.mark.parametrize("fault", ["timeout", "malformed_xml", "ack_failure"])
def test_a_failed_call_stops_the_run_without_moving_the_cursor(
    connected: RunningSandbox, uk: EbayAccount, fault: str
) -> None:
    connected.state.inject(fault)
    result = import_orders(account_id=uk.pk)
    assert not result.succeeded and result.error
    assert connection_of(uk).import_cursor is None
    assert (
        ApiCallLog.objects.filter(provider="ebay", account_id=uk.pk)
        .exclude(outcome="success")
        .exists()
    )


def test_a_rejected_token_says_so(connected: RunningSandbox, uk: EbayAccount) -> None:
    connection = connection_of(uk)
    connection.user_token = "expired-token"
    connection.save()
    result = import_orders(account_id=uk.pk)
    assert "refused the OAuth user token" in result.error
    assert not Order.objects.filter(ebay_account=uk, ebay_order_id__startswith="03-").exists()


def test_a_dry_run_saves_nothing(connected: RunningSandbox, uk: EbayAccount) -> None:
    connected.state.reset(seller_fulfilled=2, ebay_fulfilled=1, unknown_sku=1)
    before = Order.objects.count()
    result = import_orders(account_id=uk.pk, dry_run=True)
    assert result.counts()["imported"] == 3 and result.skipped == 1
    assert Order.objects.count() == before and not OrderIssue.objects.exists()
    assert connection_of(uk).import_cursor is None


def test_an_import_is_refused_without_calling_ebay_while_another_holds_the_lease(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connection = connection_of(uk)
    connection.import_lease_until = timezone.now() + timedelta(minutes=5)
    connection.save()
    result = import_orders(account_id=uk.pk)
    assert "Another import of eBay UK is running" in result.error
    assert connected.state.calls() == [] and connection_of(uk).import_cursor is None


def test_a_lease_left_by_a_dead_import_does_not_block_the_next_one(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connection = connection_of(uk)
    connection.import_lease_until = timezone.now() - timedelta(seconds=1)
    connection.save()
    result = import_orders(account_id=uk.pk)
    assert result.succeeded, result.error
    assert result.counts()["imported"] == 12 and connected.state.calls("GetOrders")
    assert connection_of(uk).import_lease_until is None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)
