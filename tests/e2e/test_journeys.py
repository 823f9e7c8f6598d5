"""What account managers and staff click, in a real browser, against the sandboxes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    OutboundOrder,
    OutboundStatus,
)
from tests.e2e.conftest import Screenshots, authorize, log_in, log_in_and_authorize
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_account_manager_authorizes_an_oc_account(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    screenshot: Screenshots,
) -> None:
    log_in(page, live_server.url, manager)
    authorize(page, live_server, demo_oc)
    assert demo_oc.client_key in page.content()
    screenshot(page, "oc-sandbox-consent")
    page.click("#approve")
    page.wait_for_selector(".messagelist .success")
    assert "is now authorized with Orange Connex" in page.inner_text(".messagelist")
    assert "code=" not in page.url
    page.goto(f"{live_server.url}/admin/oc_integration/accountorangeconnex/")
    assert "Authorized" in page.inner_text("#result_list")
    screenshot(page, "oc-accounts-authorized")
    demo_oc.refresh_from_db()
    assert demo_oc.authorization_status == AuthorizationStatus.AUTHORIZED


def test_staff_sync_stock_and_review_it_by_region(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    worker: None,
    screenshot: Screenshots,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)

    page.goto(f"{live_server.url}/admin/oc_integration/accountorangeconnex/")
    page.check(f"input[name=_selected_action][value='{demo_oc.pk}']")
    page.select_option("select[name=action]", "sync_stock_now")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .info")
    assert "queued as" in page.inner_text(".messagelist")
    page.click(".messagelist a")  # the run
    for _ in range(60):
        if "Succeeded" in page.inner_text("#content"):
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Succeeded" in page.inner_text("#content")

    page.goto(f"{live_server.url}/admin/oc_integration/productaccountorangeconnex/")
    page.click("#changelist-filter a:text-is('DE')")
    page.wait_for_selector("#region-totals")
    assert "DE" in page.inner_text("#region-totals")
    table = page.inner_text("#result_list")
    assert "GY0005886" in table and "OC0000000400371" in table
    assert "UK" not in page.inner_text("#region-totals")
    screenshot(page, "stock-review")


def test_staff_push_an_order_and_see_it_shipped_with_tracking(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    worker: None,
    screenshot: Screenshots,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)
    stock_everything(oc_sandbox, demo_oc)

    page.goto(f"{live_server.url}/admin/orders/order/?q=DEMO-0005")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "push_to_orange_connex")
    page.click("button[name=index]")
    page.wait_for_selector("#push-preview")  # what will be sent, then confirm
    page.click("#confirm-push")
    page.wait_for_selector(".messagelist .success")
    assert "queued for" in page.inner_text(".messagelist")

    for _ in range(60):
        outbound = OutboundOrder.objects.filter(reference_number="DEMO-0005").first()
        if outbound and outbound.oc_order_number:
            break
        page.wait_for_timeout(500)
    assert outbound is not None and outbound.status == OutboundStatus.SUBMITTED
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=outbound.oc_order_number, to="Outbound"
    )

    page.goto(f"{live_server.url}/admin/oc_integration/outboundorder/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "refresh_from_oc")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    row = page.inner_text("#result_list")
    assert "Outbound (shipped)" in row
    outbound.refresh_from_db()
    assert outbound.tracking_number and outbound.tracking_number in row
    screenshot(page, "outbound-orders")
