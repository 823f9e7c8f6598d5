"""Per product and region: what a standard single-unit order would cost at OC.

Asked on demand (an admin action with its permission), stored, and read back on the
product's page; never asked when a page is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from hemi_fulfilment.catalog.models import Product
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.costs.estimates import NOT_SENT, estimate
from oc_integration.costs.parcels import STANDARD_DESTINATIONS, ParcelRequest, for_product
from oc_integration.models import (
    AccountOrangeConnex,
    CostTrial,
    OCSku,
    ProductAccountOrangeConnex,
    RegionMapping,
    TrialStatus,
)
from oc_integration.outbound.orders import services_by_region

#: At most this many products per press (each region of each is one call to OC).
MAX_PRODUCTS_PER_REQUEST = 50


@dataclass
class ProductEstimates:
    """What one press of "Estimate OC fulfilment costs" did."""

    estimated: int = 0
    pending: int = 0
    failed: list[str] = field(default_factory=list)
    not_at_oc: list[str] = field(default_factory=list)


def _pairs(account: AccountOrangeConnex, product_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    """(product, region, OC SKU) the account can ship: its stock rows, else its OC SKUs in
    each of its regions (three queries)."""
    pairs = {
        (product_id, region, oc_sku)
        for product_id, region, oc_sku in ProductAccountOrangeConnex.objects.filter(
            account=account, product_id__in=product_ids, created_in_oc=True
        )
        .exclude(oc_sku="")
        .values_list("product_id", "region", "oc_sku")
    }
    covered = {product_id for product_id, _, _ in pairs}
    regions = list(
        RegionMapping.objects.filter(account=account).values_list("region", flat=True).distinct()
    )
    for product_id, oc_sku in OCSku.objects.filter(
        account=account, product_id__in=product_ids
    ).values_list("product_id", "oc_sku"):
        if product_id is not None and product_id not in covered:
            pairs |= {(product_id, region, oc_sku) for region in regions}
    return pairs


def estimate_products(product_ids: Sequence[int]) -> ProductEstimates:
    """Ask OC, per authorized account and region, what one unit of each product costs
    to send to the region's standard address, and store the answers."""
    if len(product_ids) > MAX_PRODUCTS_PER_REQUEST:
        raise ValueError(
            f"Products: at most {MAX_PRODUCTS_PER_REQUEST} at a time (each region is a call to OC)."
        )
    outcome = ProductEstimates()
    skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    services = services_by_region()
    seen: set[int] = set()
    for account in authorized_accounts():
        requests: list[ParcelRequest] = []
        for product_id, region, oc_sku in sorted(_pairs(account, product_ids)):
            if region not in STANDARD_DESTINATIONS:
                continue
            request = for_product(
                account.pk, product_id, oc_sku, region, services.get(region, set())
            )
            if request is not None:
                requests.append(request)
                seen.add(product_id)
        found = estimate(account, requests, refresh=True)
        for request in requests:
            result = found[request.key]
            label = f"{skus.get(request.product_id or 0, '?')} in {request.parcel.region}"
            if result.status == TrialStatus.READY:
                outcome.estimated += 1
            elif result.status == TrialStatus.PENDING:
                outcome.pending += 1
            elif result.status in (TrialStatus.FAILED, NOT_SENT):
                outcome.failed.append(f"{label}: {result.error}")
    outcome.not_at_oc = sorted(sku for pk, sku in skus.items() if pk not in seen)
    return outcome


def latest_product_trials(product_id: int | None = None) -> QuerySet[CostTrial]:
    """The latest trial per product, account and region (with their estimates: two
    queries however many are shown)."""
    base = CostTrial.objects.filter(product__isnull=False)
    if product_id is not None:
        base = base.filter(product_id=product_id)
    latest: QuerySet[CostTrial, Any]
    if connection.features.can_distinct_on_fields:
        latest = (
            base.order_by("product_id", "account_id", "region", "-requested_at", "-id")
            .distinct("product_id", "account_id", "region")
            .values("pk")
        )
    else:
        # SQLite (the demo) has no DISTINCT ON: the newest trial of each group, asked of
        # the group itself.
        newest = CostTrial.objects.filter(
            product_id=OuterRef("product_id"),
            account_id=OuterRef("account_id"),
            region=OuterRef("region"),
        ).order_by("-requested_at", "-id")
        latest = base.filter(pk=Subquery(newest.values("pk")[:1])).values("pk")
    return (
        CostTrial.objects.filter(pk__in=latest)
        .select_related("account")
        .prefetch_related("estimates")
        .order_by("account__name", "region")
    )
