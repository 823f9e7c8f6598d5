"""Stock review and stock actions in the admin."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hemi_fulfilment.catalog.models import ItemAccount
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, SyncRun
from oc_integration.stock.runs import run_stock_sync
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import hemi_catalog, unreachable_account

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:oc_integration_productaccountorangeconnex_changelist")


def _stock_rows(account: AccountOrangeConnex, count: int) -> None:
    hemi_catalog(count, "ADM")
    ProductAccountOrangeConnex.objects.bulk_create(
        [
            ProductAccountOrangeConnex(
                account=account,
                product=listing.product,
                item_account=listing,
                sku=listing.product.sku,
                region=listing.ebay_account.site_code,
                oc_sku=f"OC{listing.pk:013d}",
                available_stock=listing.pk % 5,
                intransit_stock=1,
                other_stock={"RSVALOC": 2},
                created_in_oc=True,
            )
            for listing in ItemAccount.objects.select_related("product", "ebay_account")
            .filter(product__sku__startswith="ADM")
            .exclude(oc_products__account=account)
        ]
    )


@pytest.fixture
def oc_account_row(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC stock")


def _queries(client: Client, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_stock_list_costs_the_same_queries_for_10_and_1000_rows(
    admin_client: Client, oc_account_row: AccountOrangeConnex
) -> None:
    filtered = {"region": "UK", "stock": "out"}
    _stock_rows(oc_account_row, 5)  # 10 rows
    few, few_filtered = _queries(admin_client), _queries(admin_client, filtered)
    _stock_rows(oc_account_row, 500)  # 1,000 more
    assert _queries(admin_client) == few
    assert _queries(admin_client, filtered) == few_filtered


def test_the_stock_list_shows_figures_totals_per_region_and_filters(
    admin_client: Client, oc_account_row: AccountOrangeConnex
) -> None:
    _stock_rows(oc_account_row, 20)
    page = admin_client.get(CHANGELIST, {"region": "DE"}).content.decode()
    assert 'id="region-totals"' in page
    assert "<td>DE</td><td>20</td>" in page and "<td>UK</td>" not in page
    assert "Reserved (allocated) 2" in page
    searched = admin_client.get(CHANGELIST, {"q": "ADM0000003"}).content.decode()
    # Its two rows (UK, DE) are listed, with the product's title; no other product.
    assert searched.count(">Product ADM0000003<") == 2 and "ADM0000004" not in searched
    assert "<td>UK</td><td>1</td>" in searched and "<td>DE</td><td>1</td>" in searched
    oc_sku = ProductAccountOrangeConnex.objects.filter(sku="ADM0000005").first().oc_sku  # type: ignore[union-attr]
    by_oc_sku = admin_client.get(CHANGELIST, {"q": oc_sku.lower()}).content.decode()
    assert by_oc_sku.count(">Product ADM0000005<") == 1 and "ADM0000003" not in by_oc_sku
    sorted_page = admin_client.get(CHANGELIST, {"o": "-5"})  # by available stock, descending
    assert sorted_page.status_code == 200


def test_the_search_finds_any_part_of_a_hemi_sku_and_an_oc_sku_from_its_start(
    admin_client: Client, oc_account_row: AccountOrangeConnex
) -> None:
    _stock_rows(oc_account_row, 12)
    row = ProductAccountOrangeConnex.objects.get(sku="ADM0000011", region="UK")

    def found(q: str) -> set[tuple[str, str]]:
        cl = admin_client.get(CHANGELIST, {"q": q}).context["cl"]
        return {(r.sku, r.region) for r in cl.result_list}

    assert found("m000001") == {
        (sku, region) for sku in ("ADM0000010", "ADM0000011") for region in ("UK", "DE")
    }
    # An OC SKU from its start, whole or in part, in any case; from its middle, nothing.
    assert found(row.oc_sku.lower()) == {("ADM0000011", "UK")}
    assert ("ADM0000011", "UK") in found(row.oc_sku[:-2])
    assert found(row.oc_sku[2:]) == set()
    # Every word must match, each on the SKU or the OC SKU (as Django's own search).
    assert found(f"m000001 {row.oc_sku}") == {("ADM0000011", "UK")}
    assert found("m000001 0000011") == {("ADM0000011", "UK"), ("ADM0000011", "DE")}
    assert found("m000001 nothing") == set()


def test_csv_export_contains_exactly_the_filtered_list(
    admin_client: Client, oc_account_row: AccountOrangeConnex
) -> None:
    _stock_rows(oc_account_row, 10)
    response = admin_client.get(
        reverse("admin:oc_integration_productaccountorangeconnex_export"), {"region": "UK"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][:6] == ["SKU", "Title", "Region", "OC SKU", "Available", "In transit"]
    assert len(rows) == 11 and {r[2] for r in rows[1:]} == {"UK"}
    assert rows[1][:2] == ["ADM0000000", "Product ADM0000000"]  # in SKU order, with titles


def test_sync_stock_now_queues_a_run_and_links_to_it(
    admin_client: Client, demo_account: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("admin:oc_integration_accountorangeconnex_changelist")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            url, {"action": "sync_stock_now", "_selected_action": [demo_account.pk]}, follow=True
        )
    run = SyncRun.objects.get(account=demo_account, trigger=SyncRun.Trigger.ADMIN)
    assert run.status == SyncRun.Status.QUEUED and len(callbacks) == 1
    assert f"run #{run.pk}" in response.content.decode()


def test_a_dry_run_shows_the_changes_and_apply_writes_them(
    admin_client: Client,
    demo_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("admin:oc_integration_accountorangeconnex_changelist")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            url, {"action": "stock_dry_run", "_selected_action": [demo_account.pk]}, follow=True
        )
    assert 'id="review-pending"' in response.content.decode()
    assert len(queued) == 1
    run = SyncRun.objects.get(account=demo_account, dry_run=True)
    run_stock_sync(run.pk)  # what the worker does with the queued task
    page = admin_client.get(
        reverse("admin:oc_integration_syncrun_review", args=[run.pk])
    ).content.decode()
    assert 'id="stock-changes"' in page and "item account for eBay DE is missing" in page
    assert "SKU GY9990001 is not in Hemi" in page
    assert ProductAccountOrangeConnex.objects.count() == 0
    run.refresh_from_db()
    applied = admin_client.post(
        reverse("admin:oc_integration_syncrun_review", args=[run.pk]), follow=True
    )
    assert "Applied run" in applied.content.decode()
    assert ProductAccountOrangeConnex.objects.count() == run.rows_created > 0


def test_staff_without_the_apply_permission_cannot_apply(
    manager_client: Client, demo_account: AccountOrangeConnex
) -> None:
    from oc_integration.stock.runs import queue_stock_sync, run_stock_sync

    run = run_stock_sync(
        queue_stock_sync(demo_account, trigger=SyncRun.Trigger.ADMIN, dry_run=True).pk
    )
    manager = User.objects.get(username="manager")
    manager.user_permissions.remove(Permission.objects.get(codename="apply_syncrun"))
    response = manager_client.post(reverse("admin:oc_integration_syncrun_review", args=[run.pk]))
    assert response.status_code == 403
    assert ProductAccountOrangeConnex.objects.count() == 0
