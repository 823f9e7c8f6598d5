"""Outbound orders through the OC sandbox: batches, per-order results, never twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.db.models import F
from django.utils import timezone

from hemi_fulfilment.orders.models import Order
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundStatus,
    ShippingService,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.outbound.shipping_services import refresh_shipping_services
from oc_integration.outbound.status import cancel_outbound, refresh_open_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

CREATION = "/openapi/3pp/outbound/v1/creation"
QUERY = "/openapi/3pp/outbound/v2/query"


@pytest.fixture
def stocked(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    stock_everything(oc_sandbox, demo_account)
    return demo_account


def _prepare(account: AccountOrangeConnex, orders: list[Order]) -> Any:
    return prepare_outbound_orders(account, [o.pk for o in orders])


def _creation_sizes(sandbox: Sandbox) -> list[int]:
    """How many orders each creation call that reached the sandbox carried, in order."""
    calls = sandbox.control("GET", "calls")["calls"]
    return [int(c["orders"]) for c in calls if c["path"] == CREATION]


@pytest.mark.django_db
def test_120_valid_orders_go_in_creation_calls_of_50_50_and_20_and_a_second_push_sends_none(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    result = _prepare(stocked, web_orders(120))
    assert len(result.queued) == 120 and not result.invalid

    pushed = push_queued(stocked.pk)

    assert pushed.calls == 3 and len(pushed.submitted) == 120
    assert _creation_sizes(oc_sandbox) == [50, 50, 20]
    assert len(oc_sandbox.orders()) == 120
    assert (
        OutboundOrder.objects.filter(
            status=OutboundStatus.SUBMITTED, oc_order_number__isnull=False
        ).count()
        == 120
    )
    again = push_queued(stocked.pk)
    assert again.calls == 0 and _creation_sizes(oc_sandbox) == [50, 50, 20]


@pytest.mark.django_db
def test_a_mixed_batch_sends_the_valid_keeps_the_invalid_and_records_ocs_refusals(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    good = web_orders(3, prefix="GOOD")
    no_address = web_orders(1, prefix="NOADDR", ship_address1="")
    bad_country = web_orders(1, prefix="BADCTRY", ship_country_code="G1")
    too_many = web_orders(1, prefix="BIG", quantity=5000)  # more than OC's 1,000 available
    prepared = _prepare(stocked, good + no_address + bad_country + too_many)
    assert set(prepared.invalid) == {"NOADDR-00000", "BADCTRY-00000"}
    assert "address1" in prepared.invalid["NOADDR-00000"]
    assert any("available" in w for w in prepared.warnings)  # low stock warns, does not block

    pushed = push_queued(stocked.pk)

    assert sorted(pushed.submitted) == [o.number for o in good]
    assert set(pushed.rejected) == {"BIG-00000"}
    big = OutboundOrder.objects.get(reference_number="BIG-00000")
    assert big.status == OutboundStatus.REJECTED and big.rejection_code == "400448"
    assert big.last_error.startswith("Insufficient stock at OC (400448")
    sent = {o["referenceNumber"] for o in oc_sandbox.orders()}
    assert "NOADDR-00000" not in sent and "BADCTRY-00000" not in sent
    assert OutboundOrder.objects.get(reference_number="NOADDR-00000").status == OutboundStatus.DRAFT


@pytest.mark.django_db
def test_eBay_fulfilled_orders_are_never_made_outbound_orders(stocked: AccountOrangeConnex) -> None:
    fbe = Order.objects.filter(marketplace_fulfillment_channel="ebay").first()
    assert fbe is not None
    result = prepare_outbound_orders(stocked, [fbe.pk])
    assert "Fulfilled by eBay" in result.skipped[0]
    assert not OutboundOrder.objects.filter(order=fbe).exists()


@pytest.mark.django_db
def test_accept_then_timeout_is_reconciled_to_exactly_one_order_per_reference(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "accept_then_timeout", count=1)
    _prepare(stocked, web_orders(7))

    first = push_queued(stocked.pk)
    assert first.unknown and first.reconciled == 7
    second = push_queued(stocked.pk)

    assert second.calls == 0
    per_reference = Counter(o["referenceNumber"] for o in oc_sandbox.orders())
    assert len(per_reference) == 7 and set(per_reference.values()) == {1}
    assert set(OutboundOrder.objects.values_list("status", flat=True)) == {OutboundStatus.SUBMITTED}
    assert oc_sandbox.count("POST", CREATION) == 1


@pytest.mark.django_db
def test_a_lost_answer_and_a_query_that_lags_once_still_make_exactly_one_order_each(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_READ_TIMEOUT = 1
    oc_sandbox.control("POST", "config", timeout_fault_seconds=3)
    oc_sandbox.fault(CREATION, "accept_then_timeout", count=1)
    oc_sandbox.fault(QUERY, "query_lag", count=1)
    _prepare(stocked, web_orders(3, prefix="LAG"))

    first = push_queued(stocked.pk)

    # First check: OC's query lags and finds none of them; second check: all three.
    assert oc_sandbox.count("POST", QUERY) == 2
    assert first.not_found == 3 and first.reconciled == 3 and first.requeued == 0
    assert set(OutboundOrder.objects.values_list("status", "not_found_checks")) == {
        (OutboundStatus.SUBMITTED, 0)
    }
    assert not OutboundOrder.objects.filter(first_not_found_at__isnull=False).exists()
    second = push_queued(stocked.pk)
    assert second.calls == 0
    assert _creation_sizes(oc_sandbox) == [3]
    per_reference = Counter(o["referenceNumber"] for o in oc_sandbox.orders())
    assert len(per_reference) == 3 and set(per_reference.values()) == {1}


@pytest.mark.django_db
def test_an_order_oc_never_got_is_resent_only_after_3_not_found_checks_over_10_minutes(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault(CREATION, "http500", count=1)
    _prepare(stocked, web_orders(2, prefix="LOST"))

    first = push_queued(stocked.pk)  # checked right after the failed call and at the end

    assert not first.submitted and first.requeued == 0 and first.not_found == 4
    lost = OutboundOrder.objects.get(reference_number="LOST-00000")
    assert lost.status == OutboundStatus.UNKNOWN and lost.not_found_checks == 2
    assert "2 checks since" in lost.last_error and 'answered "not found"' in lost.last_error
    assert "It is sent again once 3 checks" in lost.last_error

    second = push_queued(stocked.pk)  # the 3rd check, but within 10 minutes of the first

    assert second.calls == 0 and second.requeued == 0
    assert set(OutboundOrder.objects.values_list("status", "not_found_checks")) == {
        (OutboundStatus.UNKNOWN, 3)
    }
    OutboundOrder.objects.update(first_not_found_at=F("first_not_found_at") - timedelta(minutes=10))

    third = push_queued(stocked.pk)

    assert third.requeued == 2 and sorted(third.submitted) == ["LOST-00000", "LOST-00001"]
    assert _creation_sizes(oc_sandbox) == [2, 2]  # the refused call, then the re-send
    assert Counter(o["referenceNumber"] for o in oc_sandbox.orders()) == {
        "LOST-00000": 1,
        "LOST-00001": 1,
    }
    assert set(
        OutboundOrder.objects.values_list("status", "not_found_checks", "first_not_found_at")
    ) == {(OutboundStatus.SUBMITTED, 0, None)}


@pytest.mark.django_db
def test_ten_minutes_without_the_3rd_not_found_check_do_not_resend(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _prepare(stocked, web_orders(1, prefix="NEVER"))
    # A push died before its call reached OC: the order is left Sending.
    OutboundOrder.objects.update(
        status=OutboundStatus.SENDING, sent_at=timezone.now() - timedelta(hours=1)
    )
    assert push_queued(stocked.pk).not_found == 1
    OutboundOrder.objects.update(first_not_found_at=timezone.now() - timedelta(hours=1))

    second = push_queued(stocked.pk)

    assert second.not_found == 1 and second.calls == 0
    never = OutboundOrder.objects.get()
    assert never.status == OutboundStatus.UNKNOWN and never.not_found_checks == 2
    third = push_queued(stocked.pk)
    assert third.requeued == 1 and third.submitted == ["NEVER-00000"]
    assert _creation_sizes(oc_sandbox) == [1]


@pytest.mark.django_db
def test_the_resend_rule_follows_its_settings(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    settings.OC_RESEND_AFTER_NOT_FOUND_CHECKS = 1
    settings.OC_RESEND_AFTER_NOT_FOUND_MINUTES = 0
    oc_sandbox.fault(CREATION, "http500", count=1)
    _prepare(stocked, web_orders(1, prefix="QUICK"))
    assert push_queued(stocked.pk).requeued == 1
    assert push_queued(stocked.pk).submitted == ["QUICK-00000"]
    assert len(oc_sandbox.orders()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pushes_at_once_send_each_order_once(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _prepare(stocked, web_orders(100))
    oc_sandbox.fault(CREATION, "latency", latency_ms=400, count=10)
    results: list[Any] = []

    def push() -> None:
        try:
            results.append(push_queued(stocked.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    per_reference = Counter(o["referenceNumber"] for o in oc_sandbox.orders())
    assert len(per_reference) == 100 and set(per_reference.values()) == {1}
    assert sum(len(r.submitted) for r in results) == 100
    assert oc_sandbox.count("POST", CREATION) == 2


@pytest.mark.django_db
def test_status_and_tracking_flow_back_and_mark_the_hemi_order_shipped(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    order = web_orders(1, prefix="TRACK")[0]
    _prepare(stocked, [order])
    push_queued(stocked.pk)
    outbound = OutboundOrder.objects.get(order=order)
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=outbound.oc_order_number, to="Picked"
    )
    refresh_open_orders(stocked)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.PICKED
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=outbound.oc_order_number, to="Outbound"
    )
    refresh_open_orders(stocked)
    outbound.refresh_from_db()
    order.refresh_from_db()
    assert outbound.status == OutboundStatus.OUTBOUND and outbound.tracking_number
    assert outbound.carrier_name == "Royal Mail" and outbound.fee_amount is not None
    assert order.shipped and order.tracking_number == outbound.tracking_number


@pytest.mark.django_db
def test_orders_oc_created_itself_are_pulled_in_and_linked(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    order = Order.objects.filter(marketplace_fulfillment_channel="ebay").first()
    assert order is not None
    oc_sandbox.control(
        "POST", "outbound/auto", referenceNumber=order.number, ebayOrderId=order.ebay_order_id
    )
    counts = refresh_open_orders(stocked)
    assert counts["created_by_oc"] == 1
    adopted = OutboundOrder.objects.get(auto_fulfillment_ef=True)
    assert adopted.order == order and adopted.oc_order_number
    assert refresh_open_orders(stocked)["created_by_oc"] == 0


@pytest.mark.django_db
def test_cancellation_is_accepted_before_picking_and_refused_after(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _prepare(stocked, web_orders(2, prefix="CANCEL"))
    push_queued(stocked.pk)
    early, late = OutboundOrder.objects.order_by("reference_number")
    oc_sandbox.control("POST", "outbound/advance", orderNumber=late.oc_order_number, to="Picked")

    assert "cancelled at OC" in cancel_outbound(early.pk, "Customer changed their mind")
    refused = cancel_outbound(late.pk, "Too late")

    assert "OC refused to cancel" in refused and "already picked" in refused
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == OutboundStatus.CANCELLED and late.status != OutboundStatus.CANCELLED
    assert "already picked" in late.last_error


@pytest.mark.django_db
def test_the_service_list_is_cached_per_region_and_checked_before_sending(
    stocked: AccountOrangeConnex,
) -> None:
    assert refresh_shipping_services(stocked) > 0
    assert ShippingService.objects.filter(region="UK", code="GBDomesticStandard").exists()
    order = web_orders(1, prefix="SVC")[0]
    from django.conf import settings

    settings.OC_DEFAULT_SHIPPING_SERVICES = {"UK": "NoSuchService"}
    result = prepare_outbound_orders(stocked, [order.pk])
    assert result.invalid["SVC-00000"]["shipping_service_code"] == [
        "Shipping service: OC offers no service NoSuchService in UK."
    ]


@pytest.mark.django_db
def test_orders_left_sending_by_a_dead_push_are_checked_not_resent(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    _prepare(stocked, web_orders(2, prefix="DEAD"))
    push_queued(stocked.pk)  # OC has both
    OutboundOrder.objects.update(
        status=OutboundStatus.SENDING, sent_at=timezone.now() - timedelta(hours=1)
    )
    result = push_queued(stocked.pk)
    assert result.reconciled == 2 and result.calls == 0
    assert set(OutboundOrder.objects.values_list("status", flat=True)) == {OutboundStatus.SUBMITTED}
    assert len(oc_sandbox.orders()) == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_preparing_and_pushing_cost_the_same_statements_for_5_or_50_orders(
    stocked: AccountOrangeConnex,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(count: int, prefix: str) -> tuple[int, int]:
        orders = web_orders(count, prefix=prefix)
        with CaptureQueriesContext(connection) as prepared:
            _prepare(stocked, orders)
        with CaptureQueriesContext(connection) as pushed:
            assert len(push_queued(stocked.pk).submitted) == count
        return len(prepared), len(pushed)

    assert statements(5, "FEW") == statements(50, "MANY")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_status_refresh_costs_the_same_statements_for_5_or_50_open_orders(
    stocked: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(count: int, prefix: str) -> int:
        _prepare(stocked, web_orders(count, prefix=prefix))
        push_queued(stocked.pk)
        oc_sandbox.control("POST", "outbound/advance", all=True)  # every open order moves
        with CaptureQueriesContext(connection) as captured:
            refresh_open_orders(stocked)
        OutboundOrder.objects.update(status=OutboundStatus.DELIVERED)  # off the next refresh
        return len(captured)

    assert statements(5, "SFEW") == statements(50, "SMANY")
