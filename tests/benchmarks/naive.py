"""The naive per-row baseline, against the project's planner on the same rows.

``naive_sync`` is what a first version would do (``get`` / ``get_or_create`` / ``save`` per
SKU and region); ``bulk_sync`` is the project's Python planner and writer
(``plan_stock_sync`` + ``apply_stock_plan``, the path SQLite keeps). Both write the first
``skus`` SKUs of one downloaded snapshot into an empty table.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tests.benchmarks.database import clear_stock_rows
from tests.benchmarks.forked import StatementCount

if TYPE_CHECKING:
    from oc_integration.client.stock import SnapshotRow
    from oc_integration.models import AccountOrangeConnex

AVAILABLE, IN_TRANSIT = "AVL", "INTRAN"


def naive_sync(account: AccountOrangeConnex, rows: Sequence[SnapshotRow]) -> int:
    """The baseline the bulk path replaces: per row and region, look everything up one at a
    time and write one row at a time (autocommit). Returns the number of rows written.

    It writes what the project's sync writes (same fields, same values), without the review,
    the unknown-SKU messages or the flips to No, so it does less than the real path.
    """
    from django.conf import settings

    from hemi_fulfilment.catalog.models import ItemAccount, Product
    from oc_integration.models import ProductAccountOrangeConnex

    sites: dict[str, str] = settings.OC_REGION_EBAY_SITES
    written = 0
    for row in rows:
        try:
            product = Product.objects.get(sku=row.seller_sku)
        except Product.DoesNotExist:
            continue
        for stock in row.regions:
            site_code = sites.get(stock.region)
            if site_code is None:
                continue
            try:
                item_account = ItemAccount.objects.get(
                    product=product, ebay_account__site_code=site_code
                )
            except ItemAccount.DoesNotExist:
                continue
            oc_row, _ = ProductAccountOrangeConnex.objects.get_or_create(
                account=account,
                product=product,
                region=stock.region,
                defaults={"item_account": item_account},
            )
            oc_row.item_account = item_account
            oc_row.sku = row.seller_sku
            oc_row.oc_sku = row.oc_sku
            oc_row.available_stock = stock.counts.get(AVAILABLE, 0)
            oc_row.intransit_stock = stock.counts.get(IN_TRANSIT, 0)
            oc_row.other_stock = {
                k: v for k, v in stock.counts.items() if k not in (AVAILABLE, IN_TRANSIT)
            }
            oc_row.stock_updated = row.snapshot_time
            oc_row.created_in_oc = True
            oc_row.stale = False
            oc_row.save()
            written += 1
    return written


def bulk_sync(account: AccountOrangeConnex, rows: Sequence[SnapshotRow]) -> int:
    """The project's Python path without the download: ``plan_stock_sync`` +
    ``apply_stock_plan``. Returns the rows it created, updated or flipped."""
    from oc_integration.stock.plan import apply_stock_plan, plan_stock_sync

    plan = plan_stock_sync(account, rows)
    apply_stock_plan(account, plan)
    return len(plan.upserts) + len(plan.flips)


@dataclass
class Comparison:
    """Naive and bulk on the same rows."""

    skus: int
    naive_rows: int
    naive_seconds: float
    naive_statements_per_sku: float
    bulk_rows: int
    bulk_seconds: float
    bulk_statements: int

    @property
    def naive_ms_per_row(self) -> float:
        return 1000 * self.naive_seconds / max(self.naive_rows, 1)

    @property
    def bulk_ms_per_row(self) -> float:
        return 1000 * self.bulk_seconds / max(self.bulk_rows, 1)

    @property
    def ratio(self) -> float:
        return self.naive_ms_per_row / self.bulk_ms_per_row if self.bulk_ms_per_row else 0.0


def _statements() -> int:
    return sum(StatementCount.by_kind.values())


def compare_naive_and_bulk(account: AccountOrangeConnex, skus: int) -> dict[str, Any]:
    """Download the snapshot once, then write its first ``skus`` rows both ways, each time
    into an empty table (so both create every row); the download is not timed.

    Runs in a measured child (``forked.in_child``), whose statement counter it reads.
    """
    from oc_integration.auth.api_client import api_client
    from oc_integration.client.stock import fetch_stock_snapshot

    rows = fetch_stock_snapshot(api_client(account))[:skus]
    gc.collect()

    sample = rows[: min(100, len(rows))]
    clear_stock_rows()
    before = _statements()
    naive_sync(account, sample)
    naive_statements_per_sku = (_statements() - before) / max(len(sample), 1)

    clear_stock_rows()
    started = time.perf_counter()
    naive_rows = naive_sync(account, rows)
    naive_seconds = time.perf_counter() - started

    clear_stock_rows()
    before = _statements()
    started = time.perf_counter()
    bulk_rows = bulk_sync(account, rows)
    bulk_seconds = time.perf_counter() - started
    bulk_statements = _statements() - before
    clear_stock_rows()
    return asdict(
        Comparison(
            len(rows),
            naive_rows,
            naive_seconds,
            naive_statements_per_sku,
            bulk_rows,
            bulk_seconds,
            bulk_statements,
        )
    )
