"""The stock snapshot sync in Python: from OC's snapshot to Product Account Orange Connex rows.

This planner serves SQLite (the demo) and applies stored reviews; on PostgreSQL a run is
planned in SQL (:mod:`oc_integration.stock.sql_plan`), and a test holds both to the same
decisions. Planning reads in bulk (a constant number of queries per 1,000 SKUs) and
produces a :class:`StockPlan`: which rows to create or update, which products left OC,
and the messages staff need ("SKU 123456 item account for eBay UK is missing"). Applying
a plan writes it in one transaction with bulk upserts. Nothing is written unless the
whole snapshot was received and parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.catalog.models import ItemAccount, Product
from oc_integration.client.stock import SnapshotRow
from oc_integration.models import AccountOrangeConnex, OCSku, ProductAccountOrangeConnex
from oc_integration.stock.history import record_changes
from oc_integration.stock.regions import region_targets
from oc_integration.stock.writer import (
    Upsert,
    check_catalog,
    hold_account,
    hold_catalog,
    upsert_stock_rows,
)

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


def split_counts(counts: dict[str, int], *, fresh: bool = False) -> tuple[int, int, dict[str, int]]:
    """A region's counts as the stock row keeps them: available, in transit (0 when OC
    leaves one out) and every other count by its status. ``fresh``: ``counts`` is the
    caller's own, made for this, and is split in place."""
    other = counts if fresh else dict(counts)  # a copy and two pops: C speed
    return other.pop(AVAILABLE, 0), other.pop(IN_TRANSIT, 0), other


# Stored plans carry this; one stored with another layout of its rows is refused.
PLAN_VERSION = 2

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


def unknown_sku_message(sku: str) -> str:
    return f"SKU {sku} is not in Hemi"


def missing_item_account_message(sku: str, ebay_account_name: str) -> str:
    return f"SKU {sku} item account for {ebay_account_name} is missing"


def duplicate_message(sku: str, region: str, oc_sku: str) -> str:
    # One product and region take one set of figures: a second row for them (another
    # MFSKUID for the same product) would be a guess.
    return (
        f"SKU {sku} is in the snapshot more than once for region {region} "
        f"(also as MFSKUID {oc_sku}): the first row was used"
    )


def unmapped_region_message(region: str) -> str:
    return (
        f"OC region {region} is not in this account's region mapping: its stock is kept "
        "without an eBay listing (map it to an eBay account on the OC account's page)"
    )


@dataclass(frozen=True)
class PlanSummary:
    """What a planned snapshot would change, in counts, and the lines staff should read
    (``messages`` may be cut short; ``message_total`` counts them all)."""

    skus_seen: int
    snapshot_time: str | None
    creates: int
    updates: int
    unchanged: int
    flips: int
    created_in_oc_before: int
    missing_item_accounts: int
    unknown_skus: int
    messages: list[str]
    message_total: int

    def confirmation_reason(self, share: float) -> str | None:
        """Why this plan must not be applied without a person looking, if it must not."""
        if self.skus_seen == 0:
            return (
                "OC returned an empty snapshot. Applying it would set every product to "
                "Created in OC = No."
            )
        if self.created_in_oc_before and self.flips > share * self.created_in_oc_before:
            return (
                f"The snapshot would set {self.flips} of {self.created_in_oc_before} "
                f"products to Created in OC = No (more than {share:.0%})."
            )
        return None


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

    def summary(self) -> PlanSummary:
        """The counts and messages of this plan."""
        messages = self.messages
        return PlanSummary(
            skus_seen=self.skus_seen,
            snapshot_time=self.snapshot_time,
            creates=self.creates,
            updates=self.updates,
            unchanged=self.unchanged,
            flips=len(self.flips),
            created_in_oc_before=self.created_in_oc_before,
            missing_item_accounts=len(self.missing_item_accounts),
            unknown_skus=len(self.unknown_skus),
            messages=messages,
            message_total=len(messages),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
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
        """The stored plan; ``ValueError`` for one stored by an earlier version."""
        if data.get("version") != PLAN_VERSION:
            raise ValueError("the plan was stored by an earlier version of Hemi Fulfilment")
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
    """A stored row: its id, listing and SKU, then the values of FIGURES in that order."""

    id: int
    item_account_id: int | None
    sku: str
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


def plan_stock_sync(
    account: AccountOrangeConnex, rows: Sequence[SnapshotRow], progress: Progress = _no_progress
) -> StockPlan:
    """Compare a complete snapshot with what Hemi holds; change nothing.

    Each (product, region) OC reports is one stock row. A product is found through the
    account's OC SKU catalogue (the SKU registered for it), else by its Hemi SKU; the
    region's eBay account (the account's region mapping) gives the listing to link.
    """
    latest = max((r.snapshot_time for r in rows), default=None)
    plan = StockPlan(skus_seen=len(rows), snapshot_time=latest.isoformat() if latest else None)
    targets = region_targets(account)
    existing = {
        (product_id, region): _Existing(*values)
        for product_id, region, *values in ProductAccountOrangeConnex.objects.filter(
            account=account
        )
        .values_list("product_id", "region", "id", "item_account_id", "sku", *FIGURES)
        .iterator(chunk_size=5000)
    }
    plan.created_in_oc_before = sum(1 for e in existing.values() if e.created_in_oc)
    seen: set[tuple[int, str]] = set()
    unmapped: set[str] = set()
    ebay_account_ids = {t.ebay_account_id for t in targets.values() if t.ebay_account_id}
    done = 0
    for chunk in _chunks(rows):
        found = _products_of(account, chunk)
        listings = {
            (product_id, ebay_account_id): pk
            for product_id, ebay_account_id, pk in ItemAccount.objects.filter(
                product_id__in={pk for pk, _ in found.values()},
                ebay_account_id__in=ebay_account_ids,
            ).values_list("product_id", "ebay_account_id", "pk")
        }
        for row in chunk:
            product = found.get(row.oc_sku) or found.get(f"sku:{row.seller_sku}")
            if product is None:
                plan.unknown_skus.append(unknown_sku_message(row.seller_sku))
                continue
            product_id, sku = product
            for stock in row.regions:
                target = targets.get(stock.region.upper())
                item_account_id = None
                if target is None:
                    unmapped.add(stock.region)
                elif target.ebay_account_id is not None:
                    item_account_id = listings.get((product_id, target.ebay_account_id))
                    if item_account_id is None:
                        plan.missing_item_accounts.append(
                            missing_item_account_message(sku, target.ebay_account_name or "")
                        )
                key = (product_id, stock.region)
                if key in seen:
                    plan.duplicates.append(duplicate_message(sku, stock.region, row.oc_sku))
                    continue
                seen.add(key)
                _compare(plan, existing.get(key), product_id, item_account_id, sku, row, stock)
        done += len(chunk)
        progress("compare", done, len(rows))
    plan.flips = _flips(account, existing, seen)
    plan.unmapped_regions = [unmapped_region_message(region) for region in sorted(unmapped)]
    return plan


def _products_of(
    account: AccountOrangeConnex, chunk: Sequence[SnapshotRow]
) -> dict[str, tuple[int, str]]:
    """The products of a chunk's rows, two queries: OC SKU -> (product id, Hemi SKU) from
    the account's OC SKU catalogue, and ``"sku:" + Hemi SKU`` -> the same by SKU."""
    found: dict[str, tuple[int, str]] = {
        oc_sku: (product_id, sku)
        for oc_sku, product_id, sku in OCSku.objects.filter(
            account=account, oc_sku__in={r.oc_sku for r in chunk}, product__isnull=False
        ).values_list("oc_sku", "product_id", "product__sku")
        if product_id is not None
    }
    for product_id, sku in Product.objects.filter(
        sku__in={r.seller_sku for r in chunk}
    ).values_list("pk", "sku"):
        found[f"sku:{sku}"] = (product_id, sku)
    return found


def _compare(
    plan: StockPlan,
    before: _Existing | None,
    product_id: int,
    item_account_id: int | None,
    sku: str,
    row: SnapshotRow,
    stock: Any,
) -> None:
    available, intransit, other = split_counts(stock.counts)
    if (
        before is not None
        and before.created_in_oc
        and not before.stale
        and before.item_account_id == item_account_id
        and before.sku == sku
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
            plan.refreshes.append(Refresh(before.id, _utc(row.snapshot_time)))
        return
    plan.upserts.append(
        Upsert(
            existing_id=before.id if before else None,
            product_id=product_id,
            item_account_id=item_account_id,
            sku=sku,
            region=stock.region,
            oc_sku=row.oc_sku,
            available=available,
            intransit=intransit,
            other=other,
            stock_updated=_utc(row.snapshot_time),
            before_available=before.available if before else None,
            before_intransit=before.intransit if before else None,
            before_created_in_oc=before.created_in_oc if before else None,
            before_other=before.other if before else None,
        )
    )


def _utc(moment: datetime) -> str:
    # Stored plans say every time in UTC, as the database gives them back.
    return moment.astimezone(UTC).isoformat()


def _flips(
    account: AccountOrangeConnex,
    existing: dict[tuple[int, str], _Existing],
    seen: set[tuple[int, str]],
) -> list[Flip]:
    gone = [e.id for key, e in existing.items() if e.created_in_oc and key not in seen]
    flips: list[Flip] = []
    for chunk in _chunks(gone):
        flips += [
            Flip(pk, sku, region)
            for pk, sku, region in ProductAccountOrangeConnex.objects.filter(pk__in=chunk)
            .values_list("pk", "product__sku", "region")
            .order_by("pk")
        ]
    return flips


def apply_stock_plan(
    account: AccountOrangeConnex,
    plan: StockPlan,
    progress: Progress = _no_progress,
    *,
    run_id: int | None = None,
) -> None:
    """Write ``plan`` in one transaction: upserts in batches (with their history lines,
    seen by run ``run_id``), the flips to No, then the snapshot times of unchanged rows."""
    now = timezone.now()
    total = len(plan.upserts) + len(plan.flips) + len(plan.refreshes)
    done = 0
    with transaction.atomic():
        if plan.upserts:
            hold_account(account.pk)
            hold_catalog()
            check_catalog(plan.upserts)
        for chunk in _chunks(plan.upserts, WRITE_BATCH):
            upsert_stock_rows(account.pk, chunk, now)
            record_changes(account.pk, chunk, run_id)
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
