"""Automatic routing routes exactly the expected orders of a seeded set, never an order
fulfilled by eBay, never one twice, and looks again only at what changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hemi_fulfilment.orders.models import Order, OrderStatus
from oc_integration.models import (
    AutomaticRouting,
    OutboundOrder,
    OutboundStatus,
    RoutingCheck,
    SyncRun,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.routing.evaluate import preview
from oc_integration.outbound.routing.run import (
    accounts_to_route,
    route_new_orders,
    rules_changed,
    turn_off,
    turn_on,
)
from tests.oc_integration.outbound.routing.seed import (
    LEFT_ALONE,
    NOT_ROUTED,
    ROUTED,
    Seeded,
    order,
    seed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> Seeded:
    return seed()


def outbound_regions(seeded: Seeded) -> dict[str, str]:
    return dict(
        OutboundOrder.objects.filter(account=seeded.account)
        .exclude(reference_number="WEB-PUSHED")
        .values_list("reference_number", "service_region")
    )


def test_nothing_is_routed_while_routing_is_off(seeded: Seeded) -> None:
    result = route_new_orders(seeded.account.pk)
    assert result.skipped == f"Automatic routing is off for {seeded.account}."
    assert outbound_regions(seeded) == {} and not RoutingCheck.objects.exists()
    assert accounts_to_route() == []


def test_the_rules_route_exactly_the_expected_orders_from_the_expected_regions(
    seeded: Seeded,
) -> None:
    turn_on(seeded.account, by=None)
    assert accounts_to_route() == [seeded.account.pk]
    result = route_new_orders(seeded.account.pk)
    assert outbound_regions(seeded) == ROUTED
    assert sorted(result.queued) == sorted(ROUTED) and result.drafts == {}
    assert result.not_routed == len(NOT_ROUTED)
    assert result.summary() == "4 order(s) routed (4 queued for the push), 6 not routed."
    queued = OutboundOrder.objects.filter(reference_number__in=ROUTED)
    assert set(queued.values_list("status", flat=True)) == {OutboundStatus.QUEUED}
    routing = AutomaticRouting.objects.get(account=seeded.account)
    assert routing.last_run_outcome == result.summary() and routing.last_run_at is not None


def test_each_routed_order_records_the_rule_that_sent_it(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    checks = {
        c.order.number: c
        for c in RoutingCheck.objects.select_related("order", "rule", "outbound_order")
    }
    assert set(checks) == set(ROUTED) | set(NOT_ROUTED)
    web, ebay = seeded.rules["web"], seeded.rules["ebay"]
    assert {n: checks[n].rule for n in ROUTED} == {
        "WEB-UK-1": web,
        "WEB-UK-3": web,
        "EBAY-UK-1": ebay,
        "WEB-UK-4": web,
    }
    for number, region in ROUTED.items():
        check = checks[number]
        assert check.region == region
        assert check.outbound_order is not None
        assert check.outbound_order.reference_number == number
        assert check.outcome.endswith("Queued for the push to OC.")
    assert checks["WEB-UK-3"].outcome.startswith(
        "“UK web shop”: ships from the fallback region DE (not enough sellable stock at OC "
        "in UK (ROUTE-P3 is not stocked there))."
    )
    for number, reason in NOT_ROUTED.items():
        assert checks[number].rule is None and checks[number].outbound_order is None
        assert reason in checks[number].outcome, checks[number].outcome


def test_an_order_fulfilled_by_ebay_is_never_routed_even_by_a_rule_for_everything(
    seeded: Seeded,
) -> None:
    seeded.rules["everything"].enabled = True
    seeded.rules["everything"].save()
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    routed = set(outbound_regions(seeded))
    assert "EBAY-FBE" not in routed and "EBAY-MIXED" not in routed
    # The rule for everything takes what the others left (WEB-FR, EBAY-DE-1 from DE).
    assert {"WEB-FR", "EBAY-DE-1"} <= routed


def test_a_second_run_routes_nothing_and_looks_at_nothing_again(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    checked = dict(RoutingCheck.objects.values_list("order__number", "checked_at"))
    again = route_new_orders(seeded.account.pk)
    assert again.routed == 0 and again.not_routed == 0
    assert dict(RoutingCheck.objects.values_list("order__number", "checked_at")) == checked
    assert OutboundOrder.objects.filter(reference_number__in=ROUTED).count() == len(ROUTED)


def test_an_order_not_routed_is_looked_at_again_once_it_the_rules_or_the_stock_change(
    seeded: Seeded,
) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    # The order itself changed: shipped to GB after all.
    later = timezone.now() + timedelta(seconds=1)
    Order.objects.filter(number="WEB-FR").update(ship_country_code="GB", updated=later)
    assert route_new_orders(seeded.account.pk, now=later).queued == ["WEB-FR"]
    # The rules changed: eBay DE is now routed too.
    rule = seeded.rules["ebay"]
    rule.ebay_sites = ["UK", "DE"]
    rule.save()
    rules_changed(seeded.account)
    result = route_new_orders(seeded.account.pk, now=timezone.now() + timedelta(seconds=2))
    assert result.queued == ["EBAY-DE-1"]
    # A stock snapshot brought more P4: WEB-UK-5 fits now.
    ProductAccountOrangeConnex = seeded.account.products.model
    ProductAccountOrangeConnex.objects.filter(product=seeded.products["P4"]).update(
        available_stock=20
    )
    SyncRun.objects.create(
        account=seeded.account,
        trigger=SyncRun.Trigger.BEAT,
        status=SyncRun.Status.SUCCEEDED,
        finished=timezone.now() + timedelta(seconds=3),
    )
    result = route_new_orders(seeded.account.pk, now=timezone.now() + timedelta(seconds=4))
    assert result.queued == ["WEB-UK-5"]


def test_an_order_pushed_by_hand_is_never_routed_twice(seeded: Seeded) -> None:
    prepare_outbound_orders(
        seeded.account, Order.objects.filter(number="WEB-UK-1").values_list("pk", flat=True)
    )
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    assert OutboundOrder.objects.filter(reference_number="WEB-UK-1").count() == 1
    assert not RoutingCheck.objects.filter(order__number="WEB-UK-1").exists()


def test_an_order_another_oc_account_routed_is_left_alone(seeded: Seeded) -> None:
    from tests.oc_integration.outbound.routing.seed import routing_account

    other = routing_account("OC second (test)")
    turn_on(seeded.account, by=None)
    turn_on(other, by=None)
    route_new_orders(seeded.account.pk)
    route_new_orders(other.pk)
    numbers = list(OutboundOrder.objects.values_list("reference_number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_old_unpaid_shipped_and_pushed_orders_are_left_alone(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    route_new_orders(seeded.account.pk)
    assert not RoutingCheck.objects.filter(order__number__in=LEFT_ALONE).exists()
    shown = preview(seeded.account)
    assert shown.already_at_oc == 1 + len(ROUTED)  # WEB-PUSHED and the orders just routed


def test_turning_routing_off_stops_the_runs(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    turn_off(seeded.account)
    assert accounts_to_route() == []
    assert route_new_orders(seeded.account.pk).skipped.endswith("is off for OC routing (test).")


def _run_queries(seeded: Seeded, extra: int) -> int:
    for n in range(extra):
        order(f"MORE-{n:03d}", (seeded.products["P1"], 1), status=OrderStatus.PAID)
    AutomaticRouting.objects.filter(account=seeded.account).update(rules_changed_at=None)
    RoutingCheck.objects.all().delete()
    OutboundOrder.objects.exclude(reference_number="WEB-PUSHED").delete()
    with CaptureQueriesContext(connection) as queries:
        route_new_orders(seeded.account.pk)
    return len(queries)


def test_a_run_costs_the_same_queries_for_few_or_many_orders(seeded: Seeded) -> None:
    turn_on(seeded.account, by=None)
    few = _run_queries(seeded, 0)
    many = _run_queries(seeded, 30)
    assert few == many, f"{few} queries for the seeded set, {many} with 30 orders more"


def test_the_preview_costs_the_same_queries_for_few_or_many_orders(seeded: Seeded) -> None:
    counts: list[Any] = []
    for extra in (0, 30):
        for n in range(extra):
            order(f"MORE-{n:03d}", (seeded.products["P1"], 1))
        with CaptureQueriesContext(connection) as queries:
            shown = preview(seeded.account)
        counts.append((len(queries), len(shown.routed) + len(shown.not_routed)))
    assert counts[0][0] == counts[1][0] and counts[1][1] == counts[0][1] + 30
