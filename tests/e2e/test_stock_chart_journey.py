"""A product's stock chart, Stock at a glance and the aged-stock report, in a real browser,
on the demo data (a stock sync from the OC sandbox, then the demo's weeks of history)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from hemi_fulfilment.demo.data import DEMO_SKUS
from oc_integration.models import AccountOrangeConnex, StockMovement, SyncRun
from oc_integration.stock.age import queue_stock_age_sync, run_stock_age_sync
from tests.e2e.conftest import Screenshots, log_in_and_authorize
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything

pytestmark = pytest.mark.django_db(transaction=True)
SKU = DEMO_SKUS[0]


class _Quiet:
    def write(self, *_: Any) -> None:
        return None

    def flush(self) -> None:
        return None


def test_staff_read_a_products_stock_chart_and_open_the_aged_stock_report(
    page: Any,
    live_server: Any,
    manager: User,
    demo_oc: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    screenshot: Screenshots,
) -> None:
    log_in_and_authorize(page, live_server, manager, demo_oc)
    stock_everything(oc_sandbox, demo_oc, available=40)
    # The demo seed again, now that the stock rows exist: a few weeks of history.
    call_command("seed_demo", "--username", "demo-admin", stdout=_Quiet())
    assert StockMovement.objects.filter(account=demo_oc, seller_sku=SKU).exists()

    page.goto(f"{live_server.url}/admin/oc_integration/productaccountorangeconnex/?q={SKU}")
    page.click(f"#result_list a:text-is('{SKU}') >> nth=0")
    page.wait_for_selector("#stock-chart")
    chart = page.locator("#stock-chart")
    assert "last 7 days" in chart.locator("title").first.text_content() or ""
    # A point's tooltip says its value; the last one is the synced figure.
    values = [
        int(m.group(1))
        for t in chart.locator("circle.point title").all_text_contents()
        if (m := re.match(r"Available: (\d+)", t))
    ]
    assert values, "the chart has no points"

    page.click("#chart-days-30")
    page.wait_for_selector("#chart-days-30[aria-current]")
    chart = page.locator("#stock-chart")
    assert "last 30 days" in chart.locator("title").first.text_content() or ""
    tooltips = chart.locator("polygon.movement title").all_text_contents()
    assert tooltips and any("reason OEH · order DEMO" in t for t in tooltips)
    assert any("reason INB" in t for t in tooltips)
    page.locator("#stock-chart polygon.movement").first.hover()
    page.locator("#stock-chart-module").scroll_into_view_if_needed()
    screenshot(page, "stock-chart")

    # The product's own page: a line per region.
    page.goto(f"{live_server.url}/admin/catalog/product/?q={SKU}")
    page.click(f"#result_list a:text-is('{SKU}')")
    page.wait_for_selector("#stock-chart")
    series = page.locator("#stock-chart g.series").evaluate_all(
        "nodes => nodes.map(n => n.dataset.series)"
    )
    assert {"UK available", "DE available"} <= set(series)

    page.goto(f"{live_server.url}/admin/oc_integration/productaccountorangeconnex/")
    page.click("#stock-at-a-glance")
    page.wait_for_selector("#glance-regions")
    table = page.inner_text("#glance-regions")
    assert "UK" in table and "DE" in table
    assert page.locator("#glance-regions svg.sparkline").count() >= 2
    screenshot(page, "stock-at-a-glance")

    run = run_stock_age_sync(queue_stock_age_sync(demo_oc, trigger=SyncRun.Trigger.COMMAND).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    page.goto(f"{live_server.url}/admin/oc_integration/stockage/")
    page.wait_for_selector("#aged-stock-help")
    assert "Aged stock" in page.inner_text("#content")
    page.click("#changelist-filter a:text-is('Over 90 days')")
    page.wait_for_selector("#result_list, p.paginator")
