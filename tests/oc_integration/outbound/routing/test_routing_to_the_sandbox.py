"""Routed orders reach the OC sandbox over real HTTP through the push path, once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hemi_fulfilment.orders.models import Channel, Order, OrderStatus
from oc_integration.models import AccountOrangeConnex, OutboundStatus, RoutingCheck, RoutingRule
from oc_integration.outbound.push import push_queued
from oc_integration.outbound.routing.run import turn_on
from oc_integration.tasks import route_orders
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed_world(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    stock_everything(oc_sandbox, demo_account)
    web_orders(3, prefix="AUTO", status=OrderStatus.PAID)
    web_orders(1, prefix="AUTOFR", status=OrderStatus.PAID, ship_country_code="FR")
    RoutingRule.objects.create(
        account=demo_account, name="UK web shop", channels=[Channel.WEB_SHOP], countries=["GB"]
    )
    return demo_account


def test_routed_orders_are_pushed_to_the_sandbox_and_never_twice(
    routed_world: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = routed_world
    turn_on(account, by=None)
    pushes: list[int] = []
    monkeypatch.setattr("oc_integration.tasks.push_outbound.delay", pushes.append)
    with django_capture_on_commit_callbacks(execute=True):
        route_orders(account.pk)
    assert pushes == [account.pk]  # the push was queued after the run committed
    decided = dict(
        RoutingCheck.objects.filter(order__number__startswith="AUTO").values_list(
            "order__number", "rule__name"
        )
    )
    assert decided == {
        "AUTO-00000": "UK web shop",
        "AUTO-00001": "UK web shop",
        "AUTO-00002": "UK web shop",
        "AUTOFR-00000": None,
    }
    result = push_queued(account.pk)
    assert {"AUTO-00000", "AUTO-00001", "AUTO-00002"} <= set(result.submitted)
    at_oc = sorted(o["referenceNumber"] for o in oc_sandbox.orders())
    assert [n for n in at_oc if n.startswith("AUTO")] == ["AUTO-00000", "AUTO-00001", "AUTO-00002"]
    checks = RoutingCheck.objects.select_related("outbound_order").filter(rule__isnull=False)
    assert {c.outbound_order.status for c in checks if c.outbound_order} == {
        OutboundStatus.SUBMITTED
    }
    # Redelivered task, or the next beat: nothing is routed or sent again.
    with django_capture_on_commit_callbacks(execute=True):
        assert route_orders(account.pk).startswith("0 order(s) routed")
    assert push_queued(account.pk).calls == 0
    assert len([o for o in oc_sandbox.orders() if o["referenceNumber"].startswith("AUTO")]) == 3


def test_the_command_previews_and_routes(routed_world: AccountOrangeConnex) -> None:
    out = StringIO()
    call_command("oc_route_orders", "--preview", stdout=out)
    text = out.getvalue()
    assert "(it is off): " in text
    for number in ("AUTO-00000", "AUTO-00001", "AUTO-00002"):
        assert f"Would route {number}: “UK web shop”: ships from UK." in text
    assert (
        "Would not route AUTOFR-00000: Not routed. “UK web shop” is for orders to GB only" in text
    )
    assert not Order.objects.filter(
        outbound_orders__isnull=False, number__startswith="AUTO"
    ).exists()
    out = StringIO()
    call_command("oc_route_orders", stdout=out)
    assert "Automatic routing is off for" in out.getvalue()
