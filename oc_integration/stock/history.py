"""The stock history: appending what a snapshot changed, and purging what is too old."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from oc_integration.models import ProductAccountOrangeConnex, StockHistory
from oc_integration.stock.writer import Upsert

BATCH = 1000


def record_changes(account_id: int, upserts: Sequence[Upsert], run_id: int | None) -> int:
    """Append a history line for every written row whose figures changed (the Python
    path: SQLite, and reviewed plans; the SQL path appends in the same statement set as
    it writes). Call after the rows are written, in the same transaction."""
    changed = [u for u in upserts if u.figures_changed]
    lines = 0
    for start in range(0, len(changed), BATCH):
        chunk = changed[start : start + BATCH]
        ids = {
            (product_id, region): pk
            for product_id, region, pk in ProductAccountOrangeConnex.objects.filter(
                account_id=account_id, product_id__in={u.product_id for u in chunk}
            ).values_list("product_id", "region", "pk")
        }
        StockHistory.objects.bulk_create(
            StockHistory(
                stock_id=ids[(u.product_id, u.region)],
                run_id=run_id,
                recorded=datetime.fromisoformat(u.stock_updated),
                available_stock=u.available,
                intransit_stock=u.intransit,
                other_stock=u.other,
            )
            for u in chunk
        )
        lines += len(chunk)
    return lines


def purge_history(*, now: datetime | None = None) -> int:
    """Delete history lines older than ``OC_STOCK_HISTORY_DAYS``; how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OC_STOCK_HISTORY_DAYS)
    deleted, _ = StockHistory.objects.filter(recorded__lt=cutoff).delete()
    return deleted
