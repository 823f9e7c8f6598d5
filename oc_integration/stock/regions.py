"""OC service regions of an account and the eBay accounts they serve."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings

from hemi_fulfilment.catalog.models import EbayAccount
from oc_integration.models import AccountOrangeConnex, RegionMapping


class RegionTarget(NamedTuple):
    """The eBay account one region's stock fills (None, None: stock only)."""

    ebay_account_id: int | None
    ebay_account_name: str | None


def start_region_mappings(account: AccountOrangeConnex) -> int:
    """Give an account without any mapping the one ``OC_REGION_EBAY_SITES`` describes
    (region -> eBay site code, that site's eBay account); how many were made.

    Staff change it per account in the admin afterwards; an account that already has a
    mapping is left alone.
    """
    if RegionMapping.objects.filter(account=account).exists():
        return 0
    by_site: dict[str, list[int]] = {}
    for pk, site in EbayAccount.objects.order_by("pk").values_list("pk", "site_code"):
        by_site.setdefault(site, []).append(pk)
    # A site with several sellers' eBay accounts is not guessed: that region starts as
    # "stock only" until staff choose the seller on the account's page.
    sole = {site: pks[0] for site, pks in by_site.items() if len(pks) == 1}
    made = RegionMapping.objects.bulk_create(
        RegionMapping(account=account, region=region, ebay_account_id=sole.get(site))
        for region, site in settings.OC_REGION_EBAY_SITES.items()
    )
    return len(made)


def region_targets(account: AccountOrangeConnex) -> dict[str, RegionTarget]:
    """Upper-cased OC region -> the eBay account it serves, for ``account`` (one query).

    OC spells regions differently between endpoints, so they are compared upper-cased.
    """
    return {
        region.upper(): RegionTarget(ebay_account_id, name)
        for region, ebay_account_id, name in RegionMapping.objects.filter(
            account=account
        ).values_list("region", "ebay_account_id", "ebay_account__name")
    }
