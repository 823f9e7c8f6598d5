"""``manage.py oc_sync_stock_age``: import OC's stock age from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import SyncRun
from oc_integration.stock.age import queue_stock_age_sync, run_stock_age_sync


class Command(BaseCommand):
    help = (
        "Import OC's stock age (GetStockAge, every page) into the aged stock report. "
        "Nothing is stored unless every page arrived and parsed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Read every page; store nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            run = queue_stock_age_sync(
                account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
            )
            self.stdout.write(f"Stock age for {account} (run #{run.pk})")
            bar = progress_bar(sys.stderr, "stock age", unit="page")

            def progress(phase: str, done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total, phase)

            try:
                run = run_stock_age_sync(run.pk, progress=progress)
            finally:
                bar.close()
            for line in run.messages:
                self.stdout.write(f"  {line}")
            if run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.DRY_RUN):
                self.stdout.write(self.style.SUCCESS("  Done."))
            elif run.status == SyncRun.Status.SKIPPED:
                self.stdout.write(self.style.WARNING("  Skipped: nothing was imported."))
                failed = True
            else:
                self.stderr.write(self.style.ERROR(f"  Failed: {run.error}"))
                failed = True
        if failed:
            sys.exit(1)
