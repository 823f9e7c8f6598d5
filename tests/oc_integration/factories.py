"""Test data: Hemi products with eBay UK and DE item accounts, OC accounts and their stock
rows; admin form data."""

from __future__ import annotations

from django.utils import timezone

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, RegionMapping


def ebay_sites() -> dict[str, EbayAccount]:
    """The eBay UK and eBay DE accounts (created if missing)."""
    return {
        code: EbayAccount.objects.get_or_create(
            name=f"eBay {code}", defaults={"site_code": code, "site_id": site_id}
        )[0]
        for code, site_id in (("UK", 3), ("DE", 77))
    }


def hemi_catalog(count: int, prefix: str = "BENCH", *, batch: int = 5000) -> None:
    """``count`` products named like the sandbox's generated catalog, each listed on
    eBay UK and eBay DE."""
    sites = ebay_sites()
    for start in range(0, count, batch):
        skus = [f"{prefix}{i:07d}" for i in range(start, min(count, start + batch))]
        Product.objects.bulk_create(
            [Product(sku=sku, title=f"Product {sku}") for sku in skus], ignore_conflicts=True
        )
        ids = Product.objects.filter(sku__in=skus).values_list("pk", flat=True)
        ItemAccount.objects.bulk_create(
            [
                ItemAccount(product_id=pk, ebay_account=site)
                for pk in ids
                for site in sites.values()
            ],
            ignore_conflicts=True,
        )


def unreachable_account(name: str, *, client_key: str = "ck") -> AccountOrangeConnex:
    """An OC account whose API no test reaches (nothing listens at its URLs)."""
    account = AccountOrangeConnex(
        name=name,
        api_base_url="http://127.0.0.1:9/openapi",
        oauth_base_url="http://127.0.0.1:9",
        client_key=client_key,
        redirect_uri="http://testserver/oc/oauth/callback/",
    )
    account.secret_key = "sk"
    account.save()
    return account


def listed_stock_rows(account: AccountOrangeConnex, products: int, prefix: str) -> None:
    """``products`` new products listed on eBay UK and DE and one stock row per listing in
    ``account``, with figures and flags that vary with the listing's id (some rows not
    Created in OC, some stale, some never given a time)."""
    hemi_catalog(products, prefix)
    listings = (
        ItemAccount.objects.select_related("product", "ebay_account")
        .filter(product__sku__startswith=prefix)
        .exclude(oc_products__account=account)
    )
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
                intransit_stock=listing.pk % 3,
                other_stock={"RSVALOC": listing.pk % 2},
                created_in_oc=listing.pk % 7 != 0,
                stale=listing.pk % 11 == 0,
                stock_updated=timezone.now() if listing.pk % 4 else None,
            )
            for listing in listings
        ],
        batch_size=2000,
    )


def region_mapping_form(account: AccountOrangeConnex) -> dict[str, str]:
    """The account change form's region-mapping inline, as the admin renders it: the
    account's existing mappings, unchanged."""
    rows = list(RegionMapping.objects.filter(account=account).order_by("pk"))
    data = {
        "region_mappings-TOTAL_FORMS": str(len(rows)),
        "region_mappings-INITIAL_FORMS": str(len(rows)),
        "region_mappings-MIN_NUM_FORMS": "0",
        "region_mappings-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data[f"region_mappings-{n}-id"] = str(row.pk)
        data[f"region_mappings-{n}-account"] = str(row.account_id)
        data[f"region_mappings-{n}-region"] = row.region
        data[f"region_mappings-{n}-ebay_account"] = str(row.ebay_account_id or "")
    return data
