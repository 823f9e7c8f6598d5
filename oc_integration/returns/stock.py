"""The returned-stock snapshot: returned units OC holds per OC SKU and region."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient
from oc_integration.client.returns import returned_stock
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    ReturnedStock,
    ReturnOrderItem,
)


def account_oc_skus(account: AccountOrangeConnex) -> list[str]:
    """The OC SKUs to ask about: those of the account's stock rows and of its returns."""
    stocked = (
        ProductAccountOrangeConnex.objects.filter(account=account)
        .exclude(oc_sku="")
        .values_list("oc_sku", flat=True)
        .distinct()
    )
    returned = (
        ReturnOrderItem.objects.filter(return_order__account=account)
        .exclude(oc_sku="")
        .values_list("oc_sku", flat=True)
        .distinct()
    )
    return sorted({*stocked, *returned})


def refresh_returned_stock(
    account: AccountOrangeConnex, *, client: OCApiClient | None = None
) -> int:
    """Replace the account's returned stock with OC's snapshot; returns the rows stored.

    The snapshot is the whole truth for the SKUs asked: a SKU/region OC no longer lists
    has no returned units any more. Nothing changes when OC's answer fails.
    """
    skus = account_oc_skus(account)
    if not skus:
        return 0
    rows = returned_stock(client or api_client(account), skus)
    now = timezone.now()
    latest = {(row.oc_sku, row.region): row for row in rows}
    with transaction.atomic():
        ReturnedStock.objects.filter(account=account, oc_sku__in=skus).delete()
        ReturnedStock.objects.bulk_create(
            ReturnedStock(
                account=account,
                oc_sku=row.oc_sku,
                region=row.region,
                returned=row.returned,
                counts=row.counts,
                fetched_at=now,
            )
            for row in latest.values()
        )
    return len(latest)
