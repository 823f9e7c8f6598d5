"""``manage.py ebay_ship_orders``: Hemi's cron_ebay_007_shipped_orders_update (CompleteSale)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ebay_orders.management.commands._common import EBAY_ACCOUNT
from ebay_orders.models import RunTrigger
from ebay_orders.runs import run_shipping
from ebay_orders.shipping import ShippingResult, ship_orders
from hemi_fulfilment.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Report the seller's shipped eBay orders to eBay (CompleteSale). Orders fulfilled by "
        "eBay are never reported. Exits non-zero when a report fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        EBAY_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be reported; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account_id = EBAY_ACCOUNT.select(options["account"])[0].pk if options["account"] else None
        with progress_bar(self.stdout, "Reporting shipments", unit="order") as bar:
            result = self._ship(account_id, options["dry_run"], bar.update)
        style = self.style.SUCCESS if result.succeeded else self.style.ERROR
        self.stdout.write(style(result.summary()))
        for number in result.would_report:
            self.stdout.write(f"  would report {number}")
        for message in [*result.messages, *result.errors]:
            self.stdout.write(f"  {message}")
        if not result.succeeded:
            raise CommandError("Some shipments were not reported; the next run retries them.")

    def _ship(self, account_id: int | None, dry_run: bool, progress: Any) -> ShippingResult:
        if dry_run:
            return ship_orders(account_id=account_id, dry_run=True, progress=progress)
        _, result = run_shipping(
            trigger=RunTrigger.COMMAND, account_id=account_id, progress=progress
        )
        return result
