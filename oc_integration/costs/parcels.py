"""The parcels OC is asked to price: an outbound order about to be pushed, or one unit of
a product sent to a standard address in its region."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oc_integration.client.costs import Parcel, ParcelLine
from oc_integration.models import OrderPlatform, OutboundOrder, OutboundOrderLine

#: Where a product's standard single-unit order goes, per region: (country, postcode).
#: A typical domestic address; regions not listed are estimated only for orders.
STANDARD_DESTINATIONS: dict[str, tuple[str, str]] = {
    "UK": ("GB", "BN2 5ES"),
    "DE": ("DE", "10115"),
    "US-East": ("US", "10001"),
    "US-South": ("US", "75201"),
    "US-West": ("US", "90001"),
    "AU": ("AU", "2000"),
    "AU-MEL": ("AU", "3000"),
}


@dataclass(frozen=True)
class ParcelRequest:
    """One parcel to price, with the reference of what it belongs to."""

    parcel: Parcel
    key: str  # the same parcel (same region, address, SKUs, services) has the same key
    order_reference: str = ""
    product_id: int | None = None


def new_reference_id() -> str:
    """A unique ``referenceId`` for one trial (OC requires one per request)."""
    return f"HEMI-{uuid.uuid4().hex[:24]}"


def parcel_key(account_id: int, parcel: Parcel, purpose: str = "") -> str:
    """A digest of what decides the price, so an estimate can be reused for the same parcel
    (``purpose`` keeps a product's standard estimate apart from orders' estimates)."""
    parts = {
        "purpose": purpose,
        "account": account_id,
        "region": parcel.region,
        "country": parcel.country_code.upper(),
        "postcode": "".join(parcel.post_code.upper().split()),
        "ebay": parcel.ebay,
        "lines": sorted((line.oc_sku, line.quantity) for line in parcel.lines),
        "services": sorted(parcel.service_codes),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _request(
    account_id: int,
    parcel: Parcel,
    *,
    order_reference: str = "",
    product_id: int | None = None,
) -> ParcelRequest:
    purpose = f"product:{product_id}" if product_id else ""
    return ParcelRequest(
        parcel, parcel_key(account_id, parcel, purpose), order_reference, product_id
    )


def for_outbound_order(
    outbound: OutboundOrder, lines: Sequence[OutboundOrderLine], services: Iterable[str]
) -> ParcelRequest:
    """The parcel of an outbound order (saved or not), priced for ``services``."""
    merged: dict[str, int] = {}
    for line in lines:
        merged[line.oc_sku] = merged.get(line.oc_sku, 0) + line.quantity
    parcel = Parcel(
        reference_id=new_reference_id(),
        region=outbound.service_region,
        country_code=outbound.country_code.upper(),
        post_code=outbound.zip_code,
        lines=tuple(ParcelLine(sku, quantity) for sku, quantity in merged.items()),
        ebay=outbound.order_platform == OrderPlatform.EBAY,
        service_codes=tuple(sorted(services)),
        city=outbound.city,
        state=outbound.province_or_state,
        address1=outbound.address1,
        name=outbound.consignee_name,
    )
    return _request(outbound.account_id, parcel, order_reference=outbound.reference_number)


def for_product(
    account_id: int, product_id: int, oc_sku: str, region: str, services: Iterable[str]
) -> ParcelRequest | None:
    """One unit of a product to the region's standard address (None: no such address)."""
    destination = STANDARD_DESTINATIONS.get(region)
    if destination is None:
        return None
    parcel = Parcel(
        reference_id=new_reference_id(),
        region=region,
        country_code=destination[0],
        post_code=destination[1],
        lines=(ParcelLine(oc_sku, 1),),
        service_codes=tuple(sorted(services)),
    )
    return _request(account_id, parcel, product_id=product_id)
