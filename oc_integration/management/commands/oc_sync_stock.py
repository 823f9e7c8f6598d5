"""``manage.py oc_sync_stock``: the stock snapshot sync from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import SyncRun
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync

EXIT_NEEDS_CONFIRMATION = 3


class Command(BaseCommand):
    help = (
        "Fetch OC's stock snapshot and update Product Account Orange Connex: OC SKU, "
        "available and in-transit stock, Created in OC. Prints every missing item account "
        "and unknown SKU."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Apply even a snapshot that would need confirmation (empty, or many products "
            "leaving OC).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worst = 0
        for account in OC_ACCOUNT.select(options["account"]):
            run = queue_stock_sync(
                account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
            )
            self.stdout.write(f"Stock sync for {account} (run #{run.pk})")
            bar = progress_bar(sys.stderr, "download", unit="SKU")

            def progress(phase: str, done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total, phase)

            try:
                run = run_stock_sync(run.pk, force=options["yes"], progress=progress)
            finally:
                bar.close()
            worst = max(worst, self._report(run))
        if worst:
            sys.exit(worst)

    def _report(self, run: SyncRun) -> int:
        write = self.stdout.write
        for line in run.messages:
            write(f"  {line}")
        write(
            f"  SKUs seen: {run.skus_seen}; rows created: {run.rows_created}, "
            f"updated: {run.rows_updated}, unchanged: {run.rows_unchanged}; "
            f"flipped to No: {run.flipped_to_no}; missing item accounts: "
            f"{run.missing_item_accounts}; unknown SKUs: {run.unknown_skus}"
        )
        if run.status == SyncRun.Status.SUCCEEDED:
            write(self.style.SUCCESS("  Done: changes applied."))
            return 0
        if run.status == SyncRun.Status.DRY_RUN:
            write(self.style.WARNING("  Dry run: nothing was changed."))
            return 0
        if run.status == SyncRun.Status.NEEDS_CONFIRMATION:
            write(self.style.WARNING(f"  Not applied: {run.error}"))
            write("  Run again with --yes to apply anyway, or apply it from the admin.")
            return EXIT_NEEDS_CONFIRMATION
        if run.status == SyncRun.Status.SKIPPED:
            write(self.style.WARNING("  Skipped: nothing was changed."))
            return 1
        self.stderr.write(self.style.ERROR(f"  Failed: {run.error}"))
        return 1
