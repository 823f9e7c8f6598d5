"""``manage.py oc_sync_stock_age``: import OC's stock age from a terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from oc_integration.management.sync_run_command import SyncRunCommand
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.age import queue_stock_age_sync, run_stock_age_sync
from oc_integration.stock.plan import Progress


class Command(SyncRunCommand):
    what = "Stock age"
    unit = "page"
    dry_run_words = "Dry run"
    help = (
        "Import OC's stock age (GetStockAge, every page) into the aged stock report. "
        "Nothing is stored unless every page arrived and parsed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Read every page; store nothing."
        )

    def queue(self, account: AccountOrangeConnex, options: dict[str, Any]) -> SyncRun:
        return queue_stock_age_sync(
            account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
        )

    def run_one(self, run_id: int, options: dict[str, Any], progress: Progress) -> SyncRun:
        return run_stock_age_sync(run_id, progress=progress)
