"""Every region OC serves, the region mapping per account, and StockSnapshot v2."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from oc_integration.models import (
    AccountOrangeConnex,
    OCSku,
    ProductAccountOrangeConnex,
    RegionMapping,
    SyncRun,
)
from oc_integration.sandbox.catalog import ALL_REGIONS
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from oc_integration.stock.snapshot import snapshot_version
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import ebay_sites, region_mapping_form

pytestmark = pytest.mark.django_db
V2 = "/openapi/3pp/inventory/v2/snapshot"
SKUS = 30


def _sync(account: AccountOrangeConnex) -> SyncRun:
    return run_stock_sync(queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND).pk)


def _seven_region_world(
    account: AccountOrangeConnex, sandbox: Sandbox, *, catalogue: bool = True
) -> EbayAccount:
    """``SKUS`` products OC holds in every region; eBay US is served by three US regions;
    the products are listed on eBay UK and US, and registered in the OC SKU catalogue."""
    sandbox.control("POST", "catalog/generate", count=SKUS, all_regions=True, sku_prefix="WR")
    us = EbayAccount.objects.create(name="eBay US", site_code="US", site_id=0)
    sites = ebay_sites()
    for region in ("US-East", "US-South", "US-West"):
        RegionMapping.objects.create(account=account, region=region, ebay_account=us)
    for i in range(SKUS):
        product = Product.objects.create(sku=f"WR{i:07d}", title=f"Product {i}")
        ItemAccount.objects.create(product=product, ebay_account=sites["UK"])
        ItemAccount.objects.create(product=product, ebay_account=us)
        if catalogue:
            OCSku.objects.create(
                account=account, oc_sku=f"OC9{i:012d}", seller_sku=product.sku, product=product
            )
    return us


def test_every_region_lands_and_three_us_regions_keep_three_rows(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    us = _seven_region_world(authorized_account, oc_sandbox)

    run = _sync(authorized_account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    rows = ProductAccountOrangeConnex.objects.filter(account=authorized_account)
    assert set(rows.values_list("region", flat=True)) == set(ALL_REGIONS)
    assert rows.count() == SKUS * len(ALL_REGIONS)
    first = Product.objects.get(sku="WR0000000")
    us_rows = rows.filter(product=first, region__startswith="US-")
    assert us_rows.count() == 3
    listing = ItemAccount.objects.get(product=first, ebay_account=us)
    assert set(us_rows.values_list("item_account_id", flat=True)) == {listing.pk}
    # DE is mapped to eBay DE, where nothing is listed: reported in the seed's words, and
    # the stock is still kept. AU and AU-MEL are not mapped: kept without a listing.
    assert f"SKU {first.sku} item account for eBay DE is missing" in run.messages
    assert rows.get(product=first, region="DE").item_account_id is None
    assert rows.get(product=first, region="AU-MEL").item_account_id is None
    assert any(
        "OC region AU-MEL is not in this account's region mapping" in m for m in run.messages
    )


def test_v2_reads_every_page_of_every_region_through_the_oc_sku_catalogue(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _seven_region_world(authorized_account, oc_sandbox)
    authorized_account.stock_snapshot_version = "v2"
    authorized_account.save()

    run = _sync(authorized_account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    pages = [c for c in oc_sandbox.control("GET", "calls")["calls"] if c["path"] == V2]
    assert len(pages) == 2  # 210 rows, 200 per page
    rows = ProductAccountOrangeConnex.objects.filter(account=authorized_account)
    assert rows.count() == SKUS * len(ALL_REGIONS)
    assert set(rows.values_list("region", flat=True)) == set(ALL_REGIONS)
    assert not rows.filter(sku="").exists()


def test_a_v2_page_failing_half_way_changes_no_row(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _seven_region_world(authorized_account, oc_sandbox)
    authorized_account.stock_snapshot_version = "v2"
    authorized_account.save()
    assert _sync(authorized_account).status == SyncRun.Status.SUCCEEDED
    before = list(ProductAccountOrangeConnex.objects.order_by("pk").values())
    oc_sandbox.control("POST", "catalog/generate", count=5, all_regions=True, sku_prefix="WR")
    oc_sandbox.fault(V2, "http500", count=1, after=1)
    oc_sandbox.control("POST", "catalog/generate", count=SKUS + 400, all_regions=True)

    run = _sync(authorized_account)

    assert run.status == SyncRun.Status.FAILED
    assert "page 2" in run.error and "Nothing was changed" in run.error
    assert list(ProductAccountOrangeConnex.objects.order_by("pk").values()) == before


def test_when_oc_insists_on_a_sku_list_v2_lists_the_catalogue(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _seven_region_world(authorized_account, oc_sandbox)
    authorized_account.stock_snapshot_version = "v2"
    authorized_account.save()
    oc_sandbox.control("POST", "config", v2_requires_sku_list=True)

    run = _sync(authorized_account)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert ProductAccountOrangeConnex.objects.count() == SKUS * len(ALL_REGIONS)


def test_automatic_takes_v2_once_the_catalogue_is_large(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, settings: Any
) -> None:
    _seven_region_world(authorized_account, oc_sandbox)
    settings.OC_STOCK_V2_FROM_SKUS = SKUS + 1
    assert snapshot_version(authorized_account) == "v1"
    settings.OC_STOCK_V2_FROM_SKUS = SKUS
    assert snapshot_version(authorized_account) == "v2"
    authorized_account.stock_snapshot_version = "v1"
    assert snapshot_version(authorized_account) == "v1"


def test_a_new_account_starts_with_the_configured_mapping_and_staff_edit_it(
    admin_client: Client, oc_account: AccountOrangeConnex, settings: Any
) -> None:
    settings.OC_REGION_EBAY_SITES = {"UK": "UK", "DE": "DE"}
    data = {
        "name": "Second seller",
        "environment": "sandbox",
        "api_base_url": oc_account.api_base_url,
        "oauth_base_url": oc_account.oauth_base_url,
        "client_key": "another-client-key",
        "new_secret_key": "another-secret-key",
        "redirect_uri": "https://hemi.example.com/oc/oauth/callback/",
        "signature_mode": oc_account.signature_mode,
        "token_client_auth": oc_account.token_client_auth,
        "access_token_bearer_prefix": "on",
        "stock_snapshot_version": "auto",
        "region_mappings-TOTAL_FORMS": "0",
        "region_mappings-INITIAL_FORMS": "0",
    }
    added = admin_client.post(reverse("admin:oc_integration_accountorangeconnex_add"), data)
    assert added.status_code == 302, (
        added.context["adminform"].form.errors,
        [f.errors for f in added.context["inline_admin_formsets"][0].formset],
        added.context["inline_admin_formsets"][0].formset.non_form_errors(),
    )
    account = AccountOrangeConnex.objects.get(name="Second seller")
    mapped = dict(account.region_mappings.values_list("region", "ebay_account__site_code"))
    assert mapped == {"UK": "UK", "DE": "DE"}

    us = EbayAccount.objects.create(name="eBay US", site_code="US", site_id=0)
    form = {**data, "new_secret_key": "", **region_mapping_form(account)}
    form.update(
        {
            "region_mappings-TOTAL_FORMS": "3",
            "region_mappings-2-region": "US-East",
            "region_mappings-2-ebay_account": str(us.pk),
            "region_mappings-2-account": str(account.pk),
        }
    )
    change = reverse("admin:oc_integration_accountorangeconnex_change", args=[account.pk])
    assert admin_client.post(change, form).status_code == 302
    assert account.region_mappings.get(region="US-East").ebay_account == us
    # The same region twice (in any spelling) is refused.
    form.update(
        {
            "region_mappings-TOTAL_FORMS": "4",
            "region_mappings-3-region": "us-east",
            "region_mappings-3-ebay_account": str(us.pk),
            "region_mappings-3-account": str(account.pk),
        }
    )
    form.update(region_mapping_form(account))
    form["region_mappings-TOTAL_FORMS"] = "4"
    refused = admin_client.post(change, form)
    assert refused.status_code == 200
    assert account.region_mappings.count() == 3


def test_a_site_with_two_sellers_starts_as_stock_only_until_staff_choose(
    oc_account: AccountOrangeConnex,
) -> None:
    from oc_integration.stock.regions import start_region_mappings

    EbayAccount.objects.create(name="eBay UK seller B", site_code="UK", site_id=3)
    RegionMapping.objects.filter(account=oc_account).delete()

    assert start_region_mappings(oc_account) == 2

    mapped = dict(oc_account.region_mappings.values_list("region", "ebay_account__name"))
    assert mapped == {"UK": None, "DE": "eBay DE"}


def test_the_review_totals_each_ebay_account_over_the_regions_serving_it(
    authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox, admin_client: Client
) -> None:
    _seven_region_world(authorized_account, oc_sandbox)
    assert _sync(authorized_account).status == SyncRun.Status.SUCCEEDED

    page = admin_client.get(reverse("admin:oc_integration_productaccountorangeconnex_changelist"))

    sites = {row["name"]: row for row in page.context["site_totals"]}
    assert sites["eBay US"]["regions"] == "US-East, US-South, US-West"
    assert sites["eBay US"]["products"] == 3 * SKUS
    us_rows = ProductAccountOrangeConnex.objects.filter(region__startswith="US-")
    assert sites["eBay US"]["available"] == sum(us_rows.values_list("available_stock", flat=True))
    assert set(sites) == {"eBay US", "eBay UK", "eBay DE"}
    regions = {row["region"] for row in page.context["region_totals"]}
    assert regions == set(ALL_REGIONS)
    filtered = admin_client.get(
        reverse("admin:oc_integration_productaccountorangeconnex_changelist"), {"region": "AU-MEL"}
    )
    assert [row["region"] for row in filtered.context["region_totals"]] == ["AU-MEL"]
