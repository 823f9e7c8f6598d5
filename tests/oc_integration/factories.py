"""Bulk test data: Hemi products with eBay UK and DE item accounts."""

from __future__ import annotations

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product


def ebay_sites() -> dict[str, EbayAccount]:
    """The eBay UK and eBay DE accounts (created if missing)."""
    return {
        code: EbayAccount.objects.get_or_create(
            site_code=code, defaults={"name": f"eBay {code}", "site_id": site_id}
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
