"""The stock snapshot sync: from OC's snapshot to Product Account Orange Connex rows.

Planning reads in bulk (a constant number of queries per 1,000 SKUs) and produces a
:class:`StockPlan`: which rows to create or update, which products left OC, and the
messages staff need ("SKU 123456 item account for eBay UK is missing"). Applying a
plan writes it in one transaction with bulk upserts. Nothing is written unless the
whole snapshot was received and parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from hemi_fulfilment.catalog.models import EbayAccount, Product
from oc_integration.client.stock import SnapshotRow
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex
from oc_integration.stock.writer import Upsert, upsert_stock_rows

T = TypeVar("T")
BATCH = 1000
# Rows per write: large, since a write is one COPY and one upsert (progress steps too).
WRITE_BATCH = 20_000
#: What a snapshot sets on a Product Account Orange Connex row (besides its region).
FIGURES = (
    "oc_sku",
    "available_stock",
    "intransit_stock",
    "other_stock",
    "stock_updated",
    "created_in_oc",
    "stale",
)
AVAILABLE, IN_TRANSIT = "AVL", "INTRAN"

#: progress(phase, done, total)
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class Refresh(NamedTuple):
    """A row whose figures are unchanged: only its snapshot time moves forward."""

    id: int
    stock_updated: str  # ISO 8601, as in :class:`Upsert`


class Flip(NamedTuple):
    """A row that was Created in OC = yes and is absent from the snapshot."""

    id: int
    sku: str
    region: str


@dataclass
class StockPlan:
    """What a snapshot would change.

    ``unchanged`` counts rows whose figures are what OC reports; they are not written:
    the run keeps ``snapshot_time`` and the review shows it as their "Stock Updated".
    Only a row that has no time at all is in ``refreshes`` (applying gives it one).
    """

    skus_seen: int = 0
    #: The latest snapshotTime of the snapshot (ISO 8601), None for an empty one.
    snapshot_time: str | None = None
    upserts: list[Upsert] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)
    unchanged: int = 0
    refreshes: list[Refresh] = field(default_factory=list)
    created_in_oc_before: int = 0
    missing_item_accounts: list[str] = field(default_factory=list)
    unknown_skus: list[str] = field(default_factory=list)
    unmapped_regions: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def creates(self) -> int:
        return sum(1 for u in self.upserts if u.existing_id is None)

    @property
    def updates(self) -> int:
        return len(self.upserts) - self.creates

    @property
    def messages(self) -> list[str]:
        """Every line staff should read, in the seed's wording."""
        return [
            *self.missing_item_accounts,
            *self.unknown_skus,
            *self.unmapped_regions,
            *self.duplicates,
        ]

    def confirmation_reason(self, share: float) -> str | None:
        """Why this plan must not be applied without a person looking, if it must not."""
        if self.skus_seen == 0:
            return (
                "OC returned an empty snapshot. Applying it would set every product to "
                "Created in OC = No."
            )
        if self.created_in_oc_before and len(self.flips) > share * self.created_in_oc_before:
            return (
                f"The snapshot would set {len(self.flips)} of {self.created_in_oc_before} "
                f"products to Created in OC = No (more than {share:.0%})."
            )
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "skus_seen": self.skus_seen,
            "snapshot_time": self.snapshot_time,
            "upserts": [list(u) for u in self.upserts],
            "flips": [list(f) for f in self.flips],
            "unchanged": self.unchanged,
            "refreshes": [list(r) for r in self.refreshes],
            "created_in_oc_before": self.created_in_oc_before,
            "missing_item_accounts": self.missing_item_accounts,
            "unknown_skus": self.unknown_skus,
            "unmapped_regions": self.unmapped_regions,
            "duplicates": self.duplicates,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StockPlan:
        return cls(
            skus_seen=data["skus_seen"],
            snapshot_time=data.get("snapshot_time"),
            upserts=[Upsert(*u) for u in data["upserts"]],
            flips=[Flip(*f) for f in data["flips"]],
            unchanged=data["unchanged"],
            refreshes=[Refresh(*r) for r in data.get("refreshes", [])],
            created_in_oc_before=data["created_in_oc_before"],
            missing_item_accounts=data["missing_item_accounts"],
            unknown_skus=data["unknown_skus"],
            unmapped_regions=data["unmapped_regions"],
            duplicates=data.get("duplicates", []),
        )


class _Existing(NamedTuple):
    """A stored row: its id, then the values of FIGURES in that order."""

    id: int
    oc_sku: str
    available: int
    intransit: int
    other: dict[str, int]
    stock_updated: datetime | None
    created_in_oc: bool
    stale: bool


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def region_accounts() -> dict[str, tuple[int, str]]:
    """OC region -> (eBay account id, name), from ``OC_REGION_EBAY_SITES``."""
    by_site = {
        site: (pk, name)
        for pk, name, site in EbayAccount.objects.filter(
            site_code__in=settings.OC_REGION_EBAY_SITES.values()
        ).values_list("pk", "name", "site_code")
    }
    return {
        region: by_site[site]
        for region, site in settings.OC_REGION_EBAY_SITES.items()
        if site in by_site
    }


def plan_stock_sync(
    account: AccountOrangeConnex, rows: Sequence[SnapshotRow], progress: Progress = _no_progress
) -> StockPlan:
    """Compare a complete snapshot with what Hemi holds; change nothing."""
    latest = max((r.snapshot_time for r in rows), default=None)
    plan = StockPlan(skus_seen=len(rows), snapshot_time=latest.isoformat() if latest else None)
    regions = region_accounts()
    existing = {
        item_account_id: _Existing(*values)
        for item_account_id, *values in ProductAccountOrangeConnex.objects.filter(account=account)
        .values_list("item_account_id", "id", *FIGURES)
        .iterator(chunk_size=5000)
    }
    plan.created_in_oc_before = sum(1 for e in existing.values() if e.created_in_oc)
    seen: set[int] = set()
    unmapped: set[str] = set()
    site_ids = [pk for pk, _ in regions.values()]
    done = 0
    for chunk in _chunks(rows):
        # One query per 1,000 SKUs: each product with its listings on the mapped eBay sites.
        products: dict[str, int] = {}
        listings: dict[tuple[int, int], int] = {}
        for sku, product_id, listing_id, ebay_account_id in (
            Product.objects.filter(sku__in={r.seller_sku for r in chunk})
            .annotate(
                listing=FilteredRelation(
                    "item_accounts",
                    condition=Q(item_accounts__ebay_account_id__in=site_ids),
                )
            )
            .values_list("sku", "pk", "listing__pk", "listing__ebay_account_id")
        ):
            products[sku] = product_id
            if listing_id is not None and ebay_account_id is not None:
                listings[(product_id, ebay_account_id)] = listing_id
        for row in chunk:
            found = products.get(row.seller_sku)
            if found is None:
                plan.unknown_skus.append(f"SKU {row.seller_sku} is not in Hemi")
                continue
            for stock in row.regions:
                if stock.region not in regions:
                    unmapped.add(stock.region)
                    continue
                ebay_account_id, ebay_account_name = regions[stock.region]
                item_account_id = listings.get((found, ebay_account_id))
                if item_account_id is None:
                    plan.missing_item_accounts.append(
                        f"SKU {row.seller_sku} item account for {ebay_account_name} is missing"
                    )
                    continue
                if item_account_id in seen:
                    # One listing can take one set of figures: a second row for it (another
                    # MFSKUID, or two regions mapped to one site) would be a guess.
                    plan.duplicates.append(
                        f"SKU {row.seller_sku} is in the snapshot more than once for "
                        f"{ebay_account_name} (also as MFSKUID {row.oc_sku}): "
                        "the first row was used"
                    )
                    continue
                seen.add(item_account_id)
                _compare(plan, existing.get(item_account_id), item_account_id, row, stock)
        done += len(chunk)
        progress("compare", done, len(rows))
    plan.flips = _flips(account, existing, seen)
    plan.unmapped_regions = [
        f"OC region {region} is not mapped to an eBay account (OC_REGION_EBAY_SITES): skipped"
        for region in sorted(unmapped)
    ]
    return plan


def _compare(
    plan: StockPlan,
    before: _Existing | None,
    item_account_id: int,
    row: SnapshotRow,
    stock: Any,
) -> None:
    available = stock.counts.get(AVAILABLE, 0)
    intransit = stock.counts.get(IN_TRANSIT, 0)
    other = {k: v for k, v in stock.counts.items() if k not in (AVAILABLE, IN_TRANSIT)}
    if (
        before is not None
        and before.created_in_oc
        and not before.stale
        and before.oc_sku == row.oc_sku
        and before.available == available
        and before.intransit == intransit
        and before.other == other
    ):
        # Same figures: not an update, even when OC's snapshot time moved on (it moves
        # with every snapshot). The row is not written: the run's snapshot time is what
        # the review shows for it, so a repeat sync rewrites nothing.
        plan.unchanged += 1
        if before.stock_updated is None:
            plan.refreshes.append(Refresh(before.id, row.snapshot_time.isoformat()))
        return
    plan.upserts.append(
        Upsert(
            existing_id=before.id if before else None,
            item_account_id=item_account_id,
            sku=row.seller_sku,
            region=stock.region,
            oc_sku=row.oc_sku,
            available=available,
            intransit=intransit,
            other=other,
            stock_updated=row.snapshot_time.isoformat(),
            before_available=before.available if before else None,
            before_intransit=before.intransit if before else None,
            before_created_in_oc=before.created_in_oc if before else None,
        )
    )


def _flips(
    account: AccountOrangeConnex, existing: dict[int, _Existing], seen: set[int]
) -> list[Flip]:
    gone = [
        e.id
        for item_account_id, e in existing.items()
        if e.created_in_oc and item_account_id not in seen
    ]
    flips: list[Flip] = []
    for chunk in _chunks(gone):
        flips += [
            Flip(pk, sku, region)
            for pk, sku, region in ProductAccountOrangeConnex.objects.filter(pk__in=chunk)
            .values_list("pk", "item_account__product__sku", "region")
            .order_by("pk")
        ]
    return flips


def apply_stock_plan(
    account: AccountOrangeConnex, plan: StockPlan, progress: Progress = _no_progress
) -> None:
    """Write ``plan`` in one transaction: upserts in batches, the flips to No, then the
    snapshot times of unchanged rows."""
    now = timezone.now()
    total = len(plan.upserts) + len(plan.flips) + len(plan.refreshes)
    done = 0
    with transaction.atomic():
        for chunk in _chunks(plan.upserts, WRITE_BATCH):
            upsert_stock_rows(account.pk, chunk, now)
            done += len(chunk)
            progress("write", done, total)
        for flips in _chunks(plan.flips):
            # The last figures stay, marked stale.
            ProductAccountOrangeConnex.objects.filter(pk__in=[f.id for f in flips]).update(
                created_in_oc=False, stale=True, updated=now
            )
            done += len(flips)
            progress("write", done, total)
        for when, ids in _by_time(plan.refreshes).items():
            for same_time in _chunks(ids):
                ProductAccountOrangeConnex.objects.filter(pk__in=same_time).update(
                    stock_updated=datetime.fromisoformat(when)
                )
                done += len(same_time)
                progress("write", done, total)


def _by_time(refreshes: Sequence[Refresh]) -> dict[str, list[int]]:
    # A snapshot usually has one time for every row: one statement per 1,000 rows.
    grouped: dict[str, list[int]] = {}
    for refresh in refreshes:
        grouped.setdefault(refresh.stock_updated, []).append(refresh.id)
    return grouped
