"""Importing OC's stock age (GetStockAge) as a :class:`SyncRun`.

Every page is read first; only when all of them arrived and parsed is anything written,
in one transaction: each SKU and region's row is replaced by the new figures, and the
rows OC no longer lists are removed (that stock is gone). A failure changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCError
from oc_integration.client.stock_age import AgeBucket, StockAgeRow, fetch_age_pages
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, StockAge, SyncRun
from oc_integration.stock.runs import failure_message, reap_abandoned_runs, take_run_lock

logger = logging.getLogger(__name__)

#: The report's thresholds: stock older than this many days.
AGE_THRESHOLDS = (90, 180, 365)
#: Rows per INSERT / UPDATE when storing.
WRITE_BATCH = 2000

Progress = Callable[[str, int, int], None]
#: The columns an import rewrites on a row it already holds.
UPDATED_FIELDS = (
    "seller_sku",
    "buckets",
    "total_quantity",
    "over_90_days",
    "over_180_days",
    "over_365_days",
    "snapshot_date",
)


def queue_stock_age_sync(
    account: AccountOrangeConnex, *, trigger: str, dry_run: bool = False
) -> SyncRun:
    """A stock age import waiting for a worker (or the command) to execute it."""
    return SyncRun.objects.create(
        account=account, kind=SyncRun.Kind.STOCK_AGE, trigger=trigger, dry_run=dry_run
    )


def quantity_older_than(buckets: Sequence[AgeBucket], days: int) -> int:
    """The quantity in buckets that start at ``days`` or later (a bucket straddling the
    threshold, such as 61-120 for 90, is not counted: OC does not say how it splits)."""
    return sum(b.quantity for b in buckets if b.from_days >= days)


def _fields(row: StockAgeRow, today: date) -> dict[str, Any]:
    over = {days: quantity_older_than(row.buckets, days) for days in AGE_THRESHOLDS}
    return {
        "seller_sku": row.seller_sku,
        "buckets": [
            {"label": b.label, "from": b.from_days, "to": b.to_days, "quantity": b.quantity}
            for b in row.buckets
        ],
        "total_quantity": sum(b.quantity for b in row.buckets),
        "over_90_days": over[90],
        "over_180_days": over[180],
        "over_365_days": over[365],
        "snapshot_date": row.snapshot_date or today,
    }


def store_age_rows(run: SyncRun, rows: list[StockAgeRow], *, today: date) -> tuple[int, int, int]:
    """Replace the account's stock age with ``rows``: (created, updated, removed).

    A constant number of statements per batch of rows: one read of the existing keys,
    batched inserts and updates, one delete, one link to the stock rows.
    """
    account = run.account
    latest: dict[tuple[str, str], StockAgeRow] = {}
    for row in rows:
        latest[(row.oc_sku, row.region)] = row  # a SKU listed twice: the later row wins
    existing = {
        (oc_sku, region): pk
        for pk, oc_sku, region in StockAge.objects.filter(account=account).values_list(
            "pk", "oc_sku", "region"
        )
    }
    creates: list[StockAge] = []
    updates: list[StockAge] = []
    for (oc_sku, region), row in latest.items():
        values = _fields(row, today)
        pk = existing.get((oc_sku, region))
        record = StockAge(pk=pk, account=account, oc_sku=oc_sku, region=region, run=run, **values)
        (updates if pk else creates).append(record)
    StockAge.objects.bulk_create(creates, batch_size=WRITE_BATCH)
    StockAge.objects.bulk_update(updates, [*UPDATED_FIELDS, "run"], batch_size=WRITE_BATCH)
    gone = [pk for key, pk in existing.items() if key not in latest]
    removed = StockAge.objects.filter(pk__in=gone).delete()[0] if gone else 0
    stock_rows = ProductAccountOrangeConnex.objects.filter(
        account=account, sku=OuterRef("seller_sku"), region=OuterRef("region")
    )
    StockAge.objects.filter(account=account).exclude(seller_sku="").filter(
        Exists(stock_rows)
    ).update(stock_row=Subquery(stock_rows.values("pk")[:1]))
    return len(creates), len(updates), removed


def stock_age_summary(created: int, updated: int, removed: int) -> str:
    """What a stock age import stored, in one sentence."""
    return sentence(
        f"{created + updated} SKU and region rows of stock age from OC ({created} new, "
        f"{updated} updated); {removed} removed as OC no longer lists them"
    )


def run_stock_age_sync(
    run_id: int, *, skus: Sequence[str] = (), progress: Progress | None = None
) -> SyncRun:
    """Execute a queued stock age import and return it, finished (see the module)."""
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED or run.kind != SyncRun.Kind.STOCK_AGE:
        return run
    reap_abandoned_runs()
    if not take_run_lock(run, from_status=SyncRun.Status.QUEUED):
        run.status = SyncRun.Status.SKIPPED
        run.messages = [
            f"Another stock age import for {run.account} is running; this run did nothing."
        ]
        run.finished = timezone.now()
        run.save()
        return run
    run.refresh_from_db()
    report = progress or (lambda *_: None)
    try:
        rows: list[StockAgeRow] = []
        for number, page in enumerate(fetch_age_pages(api_client(run.account), skus=skus), 1):
            rows.extend(page.rows)
            report(f"stock age page {number}", number, number + (0 if page.last else 1))
        run.skus_seen = len({row.oc_sku for row in rows})
        if run.dry_run:
            run.messages = [
                sentence(
                    f"Dry run: OC lists stock age for {len(rows)} SKU and region rows; "
                    "nothing was stored"
                )
            ]
            run.status = SyncRun.Status.DRY_RUN
        else:
            with transaction.atomic():
                created, updated, removed = store_age_rows(run, rows, today=timezone.localdate())
            run.rows_created, run.rows_updated = created, updated
            run.messages = [stock_age_summary(created, updated, removed)]
            run.status = SyncRun.Status.SUCCEEDED
    except Exception as exc:
        run.status = SyncRun.Status.FAILED
        run.error = failure_message(exc)
        if isinstance(exc, OCError | NoUsableToken):
            logger.warning("Stock age import #%s failed: %s", run.pk, run.error)
        else:
            logger.exception("Stock age import #%s failed unexpectedly", run.pk)
    finally:
        run.finished = timezone.now()
        run.save()
    return run
