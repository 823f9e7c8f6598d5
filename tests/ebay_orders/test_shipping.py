"""The shipping job through the sandbox: seller-shipped orders reported once, eBay's never."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from ebay_orders.importer import import_orders
from ebay_orders.models import OrderIssue, ReportStatus, ShipmentReport
from ebay_orders.sandbox import RunningSandbox
from ebay_orders.shipping import ShippingResult, ship_orders
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import FulfillmentChannel, Order


def imported(sandbox: RunningSandbox, account: EbayAccount) -> dict[str, list[Order]]:
    """Import the account's sandbox orders; return Hemi's, split by who fulfils them."""
    result = import_orders(account_id=account.pk)
    assert result.succeeded, result.error
    orders = Order.objects.filter(ebay_account=account, ebay_order_id__startswith="03-")
    return {
        "seller": list(orders.filter(marketplace_fulfillment_channel=FulfillmentChannel.SELLER)),
        "ebay": list(orders.filter(marketplace_fulfillment_channel=FulfillmentChannel.EBAY)),
    }


def ship(*orders: Order) -> None:
    """What the seller does in Hemi: carrier and tracking number."""
    for n, order in enumerate(orders):
        order.shipping_carrier = "Royal Mail"
        order.tracking_number = f"RM{order.pk:06d}{n}GB"
        order.shipped = True
        order.shipped_at = timezone.now()
        order.save()


def sent(sandbox: RunningSandbox, order: Order) -> list[dict[str, object]]:
    return sandbox.state.calls("CompleteSale", order.ebay_order_id or "-")


@pytest.mark.django_db
def test_seller_shipped_orders_are_reported_once_with_tracking(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    orders = imported(connected, uk)
    seller = orders["seller"][:2]
    ship(*seller)

    first = ship_orders()
    second = ship_orders()

    assert first.reported == 2 and first.succeeded
    assert second.reported == 0 and second.succeeded
    for order in seller:
        [call] = sent(connected, order)
        assert call["tracking_number"] == order.tracking_number
        assert call["carrier"] == "Royal Mail" and call["shipped"] == "true"
        report = ShipmentReport.objects.get(order=order)
        assert report.status == ReportStatus.REPORTED and report.attempts == 1
        assert report.reported_at is not None
    # Unshipped orders are not reported.
    assert len(connected.state.calls("CompleteSale")) == 2


@pytest.mark.django_db
def test_ebay_fulfilled_orders_are_never_sent(connected: RunningSandbox, uk: EbayAccount) -> None:
    orders = imported(connected, uk)
    ship(*orders["ebay"], orders["seller"][0])

    result = ship_orders()
    ship_orders()

    assert result.ebay_fulfilled == len(orders["ebay"]) == 4 and result.reported == 1
    for order in orders["ebay"]:
        assert sent(connected, order) == []
        assert not ShipmentReport.objects.filter(order=order).exists()
    assert len(connected.state.calls("CompleteSale")) == 1


@pytest.mark.django_db
def test_a_failed_complete_sale_is_retried_on_the_next_run(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    ship(*imported(connected, uk)["seller"][:2])
    connected.state.inject("ack_failure", call="CompleteSale")

    failed = ship_orders()

    assert failed.failed == 1 and failed.reported == 1 and not failed.succeeded
    report = ShipmentReport.objects.get(status=ReportStatus.FAILED)
    assert "10007" in report.last_error and report.attempts == 1
    other = ShipmentReport.objects.exclude(pk=report.pk).get()

    retried = ship_orders()

    assert retried.reported == 1 and retried.failed == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.REPORTED and report.attempts == 2
    assert [c.get("fault", "") for c in sent(connected, report.order)] == ["ack_failure", ""]
    assert len(sent(connected, other.order)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["http_500", "timeout"])
def test_ebay_unreachable_stops_the_run_and_the_next_run_sends_the_rest(
    connected: RunningSandbox, uk: EbayAccount, fault: str
) -> None:
    seller = imported(connected, uk)["seller"][:3]
    ship(*seller)
    connected.state.inject(fault, call="CompleteSale")

    stopped = ship_orders()

    assert stopped.failed == 1 and stopped.reported == 0 and stopped.errors
    assert len(connected.state.calls("CompleteSale")) == 1

    resumed = ship_orders()

    assert resumed.reported == 3 and resumed.succeeded
    assert ShipmentReport.objects.filter(status=ReportStatus.REPORTED).count() == 3


@pytest.mark.django_db
def test_an_order_held_for_review_is_not_reported_until_resolved(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.reset(seller_fulfilled=0, ebay_fulfilled=0, mixed=1)
    import_orders(account_id=uk.pk)
    mixed = Order.objects.get(ebay_issues__isnull=False)
    ship(mixed)

    held = ship_orders()

    assert held.held == 1 and held.reported == 0 and sent(connected, mixed) == []
    OrderIssue.objects.update(resolved=True)
    ship_orders()
    # Resolved by a person: now the job asks eBay (which has its own view of the order).
    assert len(sent(connected, mixed)) == 1


@pytest.mark.django_db
def test_an_interrupted_report_is_never_sent_again_by_itself(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order = imported(connected, uk)["seller"][0]
    ship(order)
    ShipmentReport.objects.create(
        order=order,
        status=ReportStatus.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - timedelta(hours=2),
    )

    result = ship_orders()

    assert result.reported == 0 and sent(connected, order) == []
    assert any("check it on eBay" in m for m in result.messages)


@pytest.mark.django_db
def test_a_dry_run_sends_nothing(connected: RunningSandbox, uk: EbayAccount) -> None:
    orders = imported(connected, uk)
    ship(orders["seller"][0], orders["ebay"][0])
    result = ship_orders(dry_run=True)
    assert result.would_report == [orders["seller"][0].number] and result.ebay_fulfilled == 1
    assert connected.state.calls("CompleteSale") == [] and not ShipmentReport.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_report_each_order_exactly_once(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    seller = imported(connected, uk)["seller"]
    ship(*seller)
    results: list[ShippingResult] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(ship_orders())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(r.reported for r in results) == len(seller) == 8
    for order in seller:
        assert len(sent(connected, order)) == 1


@pytest.mark.django_db
def test_a_lost_answer_is_confirmed_with_ebay_and_never_sent_again(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    ship(*imported(connected, uk)["seller"][:2])
    # eBay records the shipment, then the answer never arrives.
    connected.state.inject("accept_then_timeout", call="CompleteSale")

    lost = ship_orders()

    # The run stops at the lost answer: the other order is not tried yet.
    assert lost.failed == 1 and lost.unconfirmed == 1 and lost.errors
    report = ShipmentReport.objects.select_related("order").get()
    order = report.order
    assert report.status == ReportStatus.UNCONFIRMED and report.reported_at is None
    assert [c.get("fault") for c in sent(connected, order)] == ["accept_then_timeout"]
    assert connected.state.orders[order.ebay_order_id or ""].shipped_time is not None

    checked = ship_orders()

    assert checked.succeeded and checked.confirmed == 1, checked.summary()
    assert checked.reported == 1  # the other order, never tried before
    report.refresh_from_db()
    assert report.status == ReportStatus.REPORTED and report.reported_at is not None
    assert report.attempts == 1
    assert len(sent(connected, order)) == 1  # no second CompleteSale
    [lookup] = connected.state.calls("GetOrders")[-1:]
    assert lookup["requested_order_ids"] == [order.ebay_order_id]
    assert any("marked reported, not sent again" in m for m in checked.messages)
    # Later runs leave it alone.
    assert ship_orders().confirmed == 0 and len(sent(connected, order)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["http_500", "timeout", "malformed_xml"])
def test_an_unknown_outcome_ebay_never_recorded_is_sent_exactly_once_more(
    connected: RunningSandbox, uk: EbayAccount, fault: str
) -> None:
    order = imported(connected, uk)["seller"][0]
    ship(order)
    # These faults fail before eBay processes anything, but the client cannot know that.
    connected.state.inject(fault, call="CompleteSale")

    first = ship_orders()

    assert first.unconfirmed == 1 and first.reported == 0
    assert ShipmentReport.objects.get(order=order).status == ReportStatus.UNCONFIRMED
    assert connected.state.orders[order.ebay_order_id or ""].shipped_time is None

    second = ship_orders()

    assert second.reported == 1 and second.confirmed == 0 and second.succeeded
    report = ShipmentReport.objects.get(order=order)
    assert report.status == ReportStatus.REPORTED and report.attempts == 2
    assert [c.get("fault", "") for c in sent(connected, order)] == [fault, ""]
    assert ship_orders().reported == 0 and len(sent(connected, order)) == 2


@pytest.mark.django_db
def test_an_unconfirmed_report_stays_unconfirmed_while_ebay_cannot_be_asked(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order, other = imported(connected, uk)["seller"][:2]
    ship(order, other)
    ShipmentReport.objects.create(
        order=order,
        status=ReportStatus.UNCONFIRMED,
        attempts=1,
        tracking_number=order.tracking_number,
    )
    connected.state.inject("http_500", call="GetOrders")

    result = ship_orders()

    assert not result.succeeded and result.reported == 0
    assert any("left unconfirmed, not sent" in m for m in result.messages)
    assert ShipmentReport.objects.get(order=order).status == ReportStatus.UNCONFIRMED
    # Nothing was sent: the lookup comes before any CompleteSale.
    assert connected.state.calls("CompleteSale") == []


@pytest.mark.django_db
def test_shipped_on_ebay_with_other_tracking_is_left_for_a_person(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order = imported(connected, uk)["seller"][0]
    ship(order)
    ShipmentReport.objects.create(
        order=order, status=ReportStatus.UNCONFIRMED, attempts=1, tracking_number="RM-OURS"
    )
    ebay_order = connected.state.orders[order.ebay_order_id or ""]
    ebay_order.shipped_time = timezone.now()
    ebay_order.tracking.append({"carrier": "DHL", "number": "SOMEONE-ELSES"})

    result = ship_orders()

    assert ShipmentReport.objects.get(order=order).status == ReportStatus.UNCONFIRMED
    assert sent(connected, order) == []
    assert any("not with tracking RM-OURS" in m for m in result.messages)


@pytest.mark.django_db
def test_a_dry_run_does_not_ask_ebay_about_unconfirmed_reports(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    order = imported(connected, uk)["seller"][0]
    ship(order)
    ShipmentReport.objects.create(order=order, status=ReportStatus.UNCONFIRMED, attempts=1)
    calls_before = len(connected.state.calls())

    result = ship_orders(dry_run=True)

    assert result.would_report == [] and len(connected.state.calls()) == calls_before
    assert ShipmentReport.objects.get(order=order).status == ReportStatus.UNCONFIRMED
