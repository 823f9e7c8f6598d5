"""``manage.py ebay_import_orders``: GetOrders for the eBay accounts, with a summary."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ebay_orders.importer import ImportResult, import_orders
from ebay_orders.management.commands._common import EBAY_ACCOUNT, parse_since
from ebay_orders.models import RunTrigger
from ebay_orders.runs import run_import
from hemi_fulfilment.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import eBay orders (GetOrders) from each enabled eBay connection's cursor, or from "
        "--since (eBay keeps 90 days). Exits non-zero when an import fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        EBAY_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--since",
            help="Backfill: import orders modified since this date (YYYY-MM-DD, UTC) or time.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read from eBay, save nothing, move no cursor."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = EBAY_ACCOUNT.select(options["account"])
        since = parse_since(options["since"]) if options["since"] else None
        failed = []
        for account in accounts:
            with progress_bar(self.stdout, f"Importing {account}", unit="order") as bar:
                result = self._import(account.pk, since, options["dry_run"], bar.update)
            self._report(result)
            if not result.succeeded:
                failed.append(result.account_label)
        if failed:
            raise CommandError(f"eBay import failed for {', '.join(failed)}.")

    def _import(self, account_id: int, since: Any, dry_run: bool, progress: Any) -> ImportResult:
        if dry_run:
            return import_orders(
                account_id=account_id, since=since, dry_run=True, progress=progress
            )
        _, result = run_import(
            account_id=account_id, trigger=RunTrigger.COMMAND, since=since, progress=progress
        )
        return result

    def _report(self, result: ImportResult) -> None:
        style = self.style.SUCCESS if result.succeeded else self.style.ERROR
        self.stdout.write(style(result.summary()))
        for message in result.messages:
            self.stdout.write(f"  {message}")
        if result.cursor is not None:
            self.stdout.write(f"  Imported up to {result.cursor:%Y-%m-%d %H:%M:%S} UTC.")
