"""Pushing orders to OC from the admin in a real browser: the confirmation page lists what
will be sent with OC's cost estimates, and only confirming queues the push."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus
from oc_integration.outbound.shipping_services import refresh_shipping_services
from tests.e2e.conftest import Screenshots, log_in_and_authorize
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_the_estimated_costs_before_confirming_a_push(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    screenshot: Screenshots,
    settings: Any,
) -> None:
    settings.OC_COST_ESTIMATE_POLL_SECONDS = 0.05
    log_in_and_authorize(page, live_server, manager, demo_oc)
    stock_everything(oc_sandbox, demo_oc)
    refresh_shipping_services(demo_oc)

    page.goto(f"{live_server.url}/admin/orders/order/?q=DEMO-000")
    for number in ("DEMO-0005", "DEMO-0006"):
        page.locator("#result_list tr", has_text=number).locator(
            "input[name=_selected_action]"
        ).check()
    page.select_option("select[name=action]", "push_to_orange_connex")
    page.click("button[name=index]")
    page.wait_for_selector("#push-preview")
    summary = page.inner_text("#push-summary")
    assert "will be sent" in summary and "Nothing is queued before that" in summary
    row = page.locator("#push-preview tr[data-reference='DEMO-0005']")
    costs = row.locator("td.estimates").inner_text()
    assert "GBDomesticEconomy" in costs and "GBP" in costs and "cheapest" in costs
    assert "will be sent" in costs
    assert not OutboundOrder.objects.exists()  # nothing is made before confirming
    screenshot(page, "push-preview-with-costs")

    page.click("#confirm-push")
    page.wait_for_selector(".messagelist .success")
    assert "queued for" in page.inner_text(".messagelist")
    outbound = OutboundOrder.objects.get(reference_number="DEMO-0005")
    assert outbound.status == OutboundStatus.QUEUED
