"""``manage.py oc_sync_skus``: the SKU catalogue sync from a terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from oc_integration.catalog.sync import queue_sku_sync, run_sku_sync, sku_sync_summary
from oc_integration.management.sync_run_command import SyncRunCommand
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.plan import Progress


class Command(SyncRunCommand):
    what = "SKU sync"
    unit = "window"
    dry_run_words = "Dry run, nothing was changed"
    help = (
        "Import every SKU of the OC account from SKU Query v3 into OC SKUs (status, names, "
        "sizes, weight, declared value, barcodes) and link each to the Hemi product with "
        "its seller SKU. Prints every SKU that matches no Hemi product."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Ask for every SKU since OC_SKU_SYNC_EARLIEST_DATE, not only those modified "
            "since the last sync.",
        )

    def queue(self, account: AccountOrangeConnex, options: dict[str, Any]) -> SyncRun:
        return queue_sku_sync(account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"])

    def run_one(self, run_id: int, options: dict[str, Any], progress: Progress) -> SyncRun:
        return run_sku_sync(run_id, full=options["full"], progress=progress)

    def summary(self, run: SyncRun) -> str:
        return sku_sync_summary(run)
