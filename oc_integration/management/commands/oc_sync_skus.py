"""``manage.py oc_sync_skus``: the SKU catalogue sync from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.catalog.sync import queue_sku_sync, run_sku_sync, sku_sync_summary
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import SyncRun


class Command(BaseCommand):
    help = (
        "Import every SKU of the OC account from SKU Query v3 into OC SKUs (status, names, "
        "sizes, weight, declared value, barcodes) and link each to the Hemi product with "
        "its seller SKU. Prints every SKU that matches no Hemi product."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Ask for every SKU since OC_SKU_SYNC_EARLIEST_DATE, not only those modified "
            "since the last sync.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            run = queue_sku_sync(
                account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
            )
            self.stdout.write(f"SKU sync for {account} (run #{run.pk})")
            bar = progress_bar(sys.stderr, "SKU query", unit="window")

            def progress(phase: str, done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total, phase)

            try:
                run = run_sku_sync(run.pk, full=options["full"], progress=progress)
            finally:
                bar.close()
            failed = self._report(run) or failed
        if failed:
            sys.exit(1)

    def _report(self, run: SyncRun) -> bool:
        """Print the run's outcome; True when it failed or was skipped."""
        write = self.stdout.write
        for line in run.messages:
            write(f"  {line}")
        if run.status == SyncRun.Status.SUCCEEDED:
            write(self.style.SUCCESS(f"  Done: {sku_sync_summary(run)}"))
            return False
        if run.status == SyncRun.Status.DRY_RUN:
            write(self.style.WARNING(f"  Dry run, nothing was changed: {sku_sync_summary(run)}"))
            return False
        if run.status == SyncRun.Status.SKIPPED:
            write(self.style.WARNING("  Skipped: nothing was changed."))
            return True
        self.stderr.write(self.style.ERROR(f"  Failed: {run.error}"))
        return True
