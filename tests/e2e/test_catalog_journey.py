"""Registering products at OC from the admin, in a real browser, against the OC sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from oc_integration.models import AccountOrangeConnex, Approval, OCSku, SyncRun
from tests.e2e.conftest import Screenshots, log_in_and_authorize, wait_for
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)
# Complete in the demo and not at OC yet (GY0005859 lacks its weight).
REGISTERED = ("GY0005869", "GY0005879")


def test_staff_register_products_approve_them_at_oc_and_see_them_linked(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    worker: None,
    screenshot: Screenshots,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)

    page.goto(f"{live_server.url}/admin/catalog/product/")
    for sku in (*REGISTERED, "GY0005859"):
        page.locator("#result_list tr", has_text=sku).locator(
            "input[name=_selected_action]"
        ).check()
    page.select_option("select[name=action]", "register_at_orange_connex")
    page.click("button[name=index]")
    page.wait_for_selector("#register-preview")
    preview = page.inner_text("#register-preview")
    # The incomplete product is listed with what it lacks and is not sent.
    assert "GY0005859" in preview and "weight" in preview.lower()
    screenshot(page, "oc-register-preview")
    page.click("#confirm-register")
    page.wait_for_selector(".messagelist")
    listing = page.inner_text("#result_list")
    for sku in REGISTERED:
        assert sku in listing
    assert "Draft at OC" in listing
    drafts = OCSku.objects.filter(account=demo_oc, seller_sku__in=REGISTERED)
    assert drafts.count() == 2

    oc_sandbox.control("POST", "skus/approve", sellerSKUIDs=list(REGISTERED))
    page.goto(f"{live_server.url}/admin/oc_integration/ocsku/")
    page.click("#sync-skus-now")
    page.wait_for_selector(".messagelist")

    def synced() -> bool:
        return SyncRun.objects.filter(
            kind=SyncRun.Kind.SKUS, finished__isnull=False, account=demo_oc
        ).exists()

    wait_for(page, synced, "the SKU sync")
    run = SyncRun.objects.get(kind=SyncRun.Kind.SKUS, account=demo_oc)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert all(found.approval == Approval.APPROVED for found in drafts)
    page.goto(f"{live_server.url}/admin/oc_integration/ocsku/")
    table = page.inner_text("#result_list")
    for registered in drafts.select_related("product"):
        assert registered.oc_sku in table and registered.product is not None
        assert registered.product.sku in table
    screenshot(page, "oc-skus")
