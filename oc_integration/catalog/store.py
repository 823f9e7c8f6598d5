"""Writing SKU Query rows into ``OCSku``: bulk upserts, a constant number of queries per batch.

Each SKU is linked to the Hemi product whose SKU is its seller SKU. A row whose values
did not change is not rewritten; only its "last synced" moves forward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery

from hemi_fulfilment.catalog.models import Product
from oc_integration.client.sku import SkuRow
from oc_integration.models import AccountOrangeConnex, OCSku

#: SKUs per batch: four queries each (read existing, read products, upsert, touch).
BATCH = 500
#: What a SKU query sets on an OC SKU (the product link is compared too).
SYNCED_FIELDS = (
    "seller_sku",
    "reference_sku",
    "product_id",
    "status",
    "approval",
    "name",
    "names",
    "length",
    "width",
    "height",
    "dimension_unit",
    "weight",
    "weight_unit",
    "declared_value",
    "declared_currency",
    "barcodes",
    "country_of_origin",
    "modified_at_oc",
)
_DECIMAL_PLACES = {"length": 2, "width": 2, "height": 2, "weight": 3, "declared_value": 2}

#: progress(phase, done, total)
Progress = Callable[[str, int, int], None]


@dataclass
class StoreResult:
    """What writing (or, in a dry run, comparing) a set of rows did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (OC SKU, seller SKU) of the SKUs that match no Hemi product.
    unlinked: list[tuple[str, str]] = field(default_factory=list)

    def add(self, other: StoreResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.unlinked.extend(other.unlinked)


def _quantized(name: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-_DECIMAL_PLACES[name]))


def values_of(row: SkuRow, product_id: int | None) -> dict[str, Any]:
    """The ``OCSku`` field values of one SKU Query row."""
    return {
        "seller_sku": row.seller_sku[:64],
        "reference_sku": row.reference_sku[:64],
        "product_id": product_id,
        "status": row.status[:32],
        "approval": row.approval,
        "name": row.name[:255],
        "names": [{"name": n.name, "language": n.language} for n in row.names],
        "length": _quantized("length", row.length),
        "width": _quantized("width", row.width),
        "height": _quantized("height", row.height),
        "dimension_unit": row.dimension_unit[:8],
        "weight": _quantized("weight", row.weight),
        "weight_unit": row.weight_unit[:8],
        "declared_value": _quantized("declared_value", row.declared_value),
        "declared_currency": row.declared_currency[:3],
        "barcodes": [{"code": b.code, "kind": b.kind} for b in row.barcodes],
        "country_of_origin": row.country_of_origin[:2],
        "modified_at_oc": row.modified_at,
    }


def latest_per_sku(rows: Iterable[SkuRow]) -> list[SkuRow]:
    """One row per OC SKU (windows overlap by a day): the most recently modified."""
    kept: dict[str, SkuRow] = {}
    for row in rows:
        old = kept.get(row.oc_sku)
        if (
            old is None
            or old.modified_at is None
            or (row.modified_at is not None and row.modified_at >= old.modified_at)
        ):
            kept[row.oc_sku] = row
    return list(kept.values())


def store_sku_rows(
    account: AccountOrangeConnex,
    rows: Sequence[SkuRow],
    *,
    now: datetime,
    write: bool = True,
    registered: bool = False,
    progress: Progress | None = None,
) -> StoreResult:
    """Upsert ``rows`` into the account's OC SKUs (or, with ``write=False``, only count
    what would change). ``registered`` marks them created from Hemi just now.

    The caller holds the transaction: the sync writes every batch in one, so a failure
    leaves nothing half-written.
    """
    result = StoreResult()
    for start in range(0, len(rows), BATCH):
        result.add(_store_batch(account, rows[start : start + BATCH], now, write, registered))
        if progress is not None:
            progress("write", min(start + BATCH, len(rows)), len(rows))
    return result


def _store_batch(
    account: AccountOrangeConnex,
    rows: Sequence[SkuRow],
    now: datetime,
    write: bool,
    registered: bool,
) -> StoreResult:
    result = StoreResult()
    existing = {
        values["oc_sku"]: values
        for values in OCSku.objects.filter(
            account=account, oc_sku__in=[r.oc_sku for r in rows]
        ).values("oc_sku", *SYNCED_FIELDS)
    }
    products = dict(
        Product.objects.filter(sku__in={r.seller_sku for r in rows if r.seller_sku}).values_list(
            "sku", "pk"
        )
    )
    changed: list[OCSku] = []
    unchanged: list[str] = []
    for row in rows:
        values = values_of(row, products.get(row.seller_sku))
        if values["product_id"] is None:
            result.unlinked.append((row.oc_sku, row.seller_sku))
        old = existing.get(row.oc_sku)
        if old is not None and all(old[name] == values[name] for name in SYNCED_FIELDS):
            unchanged.append(row.oc_sku)
            continue
        if old is None:
            result.created += 1
        else:
            result.updated += 1
        extra: dict[str, Any] = {"registered_from_hemi": now} if registered else {}
        changed.append(
            OCSku(account=account, oc_sku=row.oc_sku, last_synced=now, **values, **extra)
        )
    result.unchanged = len(unchanged)
    if not write:
        return result
    if changed:
        # bulk_create names the link by its field, not its column.
        update_fields = ["product" if name == "product_id" else name for name in SYNCED_FIELDS] + [
            "last_synced",
            "updated",
        ]
        if registered:
            update_fields.append("registered_from_hemi")
        OCSku.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["account", "oc_sku"],
            update_fields=update_fields,
        )
    if unchanged:
        OCSku.objects.filter(account=account, oc_sku__in=unchanged).update(last_synced=now)
    return result


def link_new_products(account: AccountOrangeConnex) -> int:
    """Link the account's unlinked OC SKUs to Hemi products made since they were synced
    (an incremental sync does not see those SKUs again). One UPDATE; returns how many."""
    return (
        OCSku.objects.filter(account=account, product__isnull=True, seller_sku__gt="")
        .filter(seller_sku__in=Product.objects.values("sku"))
        .update(
            product=Subquery(Product.objects.filter(sku=OuterRef("seller_sku")).values("pk")[:1])
        )
    )
