"""An inbound shipment from the admin, in a real browser, against the OC sandbox: draft it
with two cartons, place it, download its labels, upload a tracking number, and see it
received once OC (the sandbox) has received it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from hemi_fulfilment.demo.data import demo_oc_sku
from oc_integration.models import AccountOrangeConnex, InboundOrder, InboundStatus, OCSku, SyncRun
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.e2e.conftest import Screenshots, log_in_and_authorize, wait_for
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_send_stock_to_oc_and_follow_it_until_received(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    worker: None,
    screenshot: Screenshots,
    tmp_path: Any,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)
    # OC's stock rows tell Hemi which OC SKUs serve which fulfilment centre.
    stock = run_stock_sync(queue_stock_sync(demo_oc, trigger=SyncRun.Trigger.COMMAND).pk)
    assert stock.status == SyncRun.Status.SUCCEEDED, stock.error
    first = OCSku.objects.get(account=demo_oc, oc_sku=demo_oc_sku(0))
    second = OCSku.objects.get(account=demo_oc, oc_sku=demo_oc_sku(1))

    page.goto(f"{live_server.url}/admin/oc_integration/inboundorder/add/")
    page.select_option("select[name=account]", str(demo_oc.pk))
    page.fill("input[name=seller_inbound_number]", "IN-JOURNEY-1")
    page.fill("input[name=region]", "UK")
    page.fill("input[name=shipping_from]", "CN")
    page.select_option("select[name=shipping_method]", "EX")
    page.select_option("select[name=transport_method]", "AF")
    page.fill("input[name=eta]", f"{timezone.localdate() + timedelta(days=10):%Y-%m-%d}")
    lines = [("C001", first, "12"), ("C001", second, "4"), ("C002", first, "8")]
    for n, (carton, sku, units) in enumerate(lines):
        page.click("#lines-group .add-row a")
        page.fill(f"input[name=lines-{n}-carton_number]", carton)
        page.select_option(f"select[name=lines-{n}-sku]", str(sku.pk))
        page.fill(f"input[name=lines-{n}-quantity]", units)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    order = InboundOrder.objects.get(seller_inbound_number="IN-JOURNEY-1")
    assert order.cartons.count() == 2

    page.click("#place-at-oc")
    page.wait_for_selector("#place-preview")
    assert "Will be placed" in page.inner_text("#place-preview")
    screenshot(page, "oc-inbound-place")
    page.click("#confirm-place")
    page.wait_for_selector(".messagelist .success")
    order.refresh_from_db()
    assert order.status == InboundStatus.CREATED and order.oc_inbound_number
    assert order.oc_inbound_number in page.inner_text(".messagelist")

    page.goto(f"{live_server.url}/admin/oc_integration/inboundorder/{order.pk}/change/")
    with page.expect_download() as download:
        page.click("#download-labels")
    label = tmp_path / "labels.pdf"
    download.value.save_as(str(label))
    assert label.read_bytes().startswith(b"%PDF-")

    page.click("#upload-tracking")
    page.fill("input[name=carrier]", "DHL")
    page.fill("input[name=whole_order]", "JD014600006281")
    page.click("#send-to-oc")
    page.wait_for_selector(".messagelist .success")
    [at_oc] = oc_sandbox.control("GET", "inbound")["orders"]
    assert at_oc["tracking"][0]["trackingNumber"] == "JD014600006281"

    # OC receives two units fewer of the first SKU than were sent.
    oc_sandbox.control(
        "POST",
        "inbound/advance",
        inboundNumber=order.oc_inbound_number,
        to="RECEIVED",
        short={first.oc_sku: 2},
    )
    page.goto(f"{live_server.url}/admin/oc_integration/accountorangeconnex/")
    page.locator("#result_list tr", has_text=demo_oc.name).locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "sync_inbound_now")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")

    def received() -> bool:
        return InboundOrder.objects.get(pk=order.pk).status == InboundStatus.RECEIVED

    wait_for(page, received, "the inbound sync")
    page.goto(f"{live_server.url}/admin/oc_integration/inboundorder/{order.pk}/change/")
    table = page.inner_text("#sent-vs-received")
    assert "20" in table and "18" in table and "-2" in table
    assert "Received" in page.inner_text(".field-status_shown")
    page.locator("#sent-vs-received").scroll_into_view_if_needed()
    screenshot(page, "oc-inbound-received")
