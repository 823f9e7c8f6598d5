"""``manage.py oc_sync_movements``: import OC's stock movements from a terminal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import SyncRun
from oc_integration.stock.movements import (
    movement_sync_summary,
    queue_movement_sync,
    run_movement_sync,
)


def moment(text: str) -> datetime:
    """``2026-03-01`` or ``2026-03-01T08:00`` (UTC unless an offset is given)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text!r} is not a date or time: write it like 2026-03-01 or 2026-03-01T08:00."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Import OC's stock movements (GetStockMovement) in windows of under 7 days: from "
        "where the last complete window ended, or from --since (a backfill, at most a year "
        "back). Movements already stored are not stored again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--since", type=moment, help="Start here (UTC date or time), e.g. 2026-01-01."
        )
        parser.add_argument(
            "--until", type=moment, help="End here (default: now); with --since, a backfill."
        )
        parser.add_argument(
            "--sku",
            action="append",
            default=[],
            metavar="OC_SKU",
            help="Only this OC SKU (repeatable); default: every SKU, by time slot.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is new; store nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            run = queue_movement_sync(
                account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
            )
            self.stdout.write(f"Stock movements for {account} (run #{run.pk})")
            bar = progress_bar(sys.stderr, "movements", unit="window")

            def progress(phase: str, done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total, phase)

            try:
                run = run_movement_sync(
                    run.pk,
                    since=options["since"],
                    until=options["until"],
                    skus=options["sku"],
                    progress=progress,
                )
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
            write(self.style.SUCCESS(f"  Done: {movement_sync_summary(run)}"))
            return False
        if run.status == SyncRun.Status.DRY_RUN:
            write(self.style.WARNING(f"  Dry run: {movement_sync_summary(run)}"))
            return False
        if run.status == SyncRun.Status.SKIPPED:
            write(self.style.WARNING("  Skipped: nothing was imported."))
            return True
        self.stderr.write(self.style.ERROR(f"  Failed: {run.error}"))
        return True
