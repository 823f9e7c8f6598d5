"""A buyer's return, in a real browser, against the OC sandbox: "Sync returns now" on the
OC account, the return's page linked to its outbound order, and its label download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from oc_integration.models import AccountOrangeConnex, ReturnOrder, ReturnStatus
from tests.e2e.conftest import Screenshots, log_in_and_authorize, wait_for
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.returns.helpers import oc_return, shipped_orders

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_import_a_return_see_it_beside_its_order_and_download_its_label(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    worker: None,
    screenshot: Screenshots,
    tmp_path: Path,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)
    outbound = shipped_orders(oc_sandbox, demo_oc, 1)[0]
    at_oc = oc_return(oc_sandbox, outbound, reasonCode="NOT_AS_DESCRIBED")

    page.goto(f"{live_server.url}/admin/oc_integration/accountorangeconnex/")
    page.locator("#result_list tr", has_text=demo_oc.name).locator(
        "input[name=_selected_action]"
    ).check()
    page.select_option("select[name=action]", "sync_returns_now")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .info")
    assert "Return import for" in page.inner_text(".messagelist")
    wait_for(page, ReturnOrder.objects.exists, "the return import")

    page.goto(f"{live_server.url}/admin/oc_integration/returnorder/")
    page.click(f"text={at_oc['orderNumber']}")
    page.wait_for_selector("#download-return-label")
    content = page.inner_text("#content")
    assert "Created (label issued)" in content and "Item not as described" in content
    assert outbound.reference_number in content and at_oc["trackingNumber"] in content
    screenshot(page, "oc-return-page")
    with page.expect_download() as download:
        page.click("#download-return-label")
    saved = tmp_path / "label.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-") and at_oc["orderNumber"].encode() in pdf

    page.click(".field-outbound_link a")  # to the outbound order it returns
    page.wait_for_selector("#return_orders-group")
    assert at_oc["orderNumber"] in page.inner_text("#return_orders-group")
    assert outbound.reference_number in page.inner_text("#content")
    assert ReturnOrder.objects.get().status == ReturnStatus.CREATED
