"""``manage.py oc_sync_movements``: import OC's stock movements from a terminal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser

from oc_integration.management.sync_run_command import SyncRunCommand
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.movements import (
    movement_sync_summary,
    queue_movement_sync,
    run_movement_sync,
)
from oc_integration.stock.plan import Progress


def moment(text: str) -> datetime:
    """``2026-03-01`` or ``2026-03-01T08:00`` (UTC unless an offset is given)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text!r} is not a date or time: write it like 2026-03-01 or 2026-03-01T08:00."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Command(SyncRunCommand):
    what = "Stock movements"
    unit = "window"
    dry_run_words = "Dry run"
    help = (
        "Import OC's stock movements (GetStockMovement) in windows of under 7 days: from "
        "where the last complete window ended, or from --since (a backfill, at most a year "
        "back). Movements already stored are not stored again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
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

    def queue(self, account: AccountOrangeConnex, options: dict[str, Any]) -> SyncRun:
        return queue_movement_sync(
            account, trigger=SyncRun.Trigger.COMMAND, dry_run=options["dry_run"]
        )

    def run_one(self, run_id: int, options: dict[str, Any], progress: Progress) -> SyncRun:
        return run_movement_sync(
            run_id,
            since=options["since"],
            until=options["until"],
            skus=options["sku"],
            progress=progress,
        )

    def summary(self, run: SyncRun) -> str:
        return movement_sync_summary(run)
