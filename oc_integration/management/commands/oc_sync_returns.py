"""``manage.py oc_sync_returns``: the return order import from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.client import OCError
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.returns.sync import import_returns


class Command(BaseCommand):
    help = (
        "Import OC's return orders created or changed since the last import (linked to "
        "their outbound and Hemi orders), then the returned-stock snapshot, for the chosen "
        "OC accounts. Exits 1 when an account's import failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--no-stock",
            action="store_true",
            help="Import the return orders only, not the returned-stock snapshot.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            self.stdout.write(f"Return import for {account}")
            try:
                result = import_returns(account, with_stock=not options["no_stock"])
            except (OCError, NoUsableToken, ValueError) as exc:
                self.stderr.write(self.style.ERROR(f"  Failed: {exc}"))
                failed = True
                continue
            for line in result.messages:
                self.stdout.write(f"  {line}")
            self.stdout.write(self.style.SUCCESS(f"  Done: {result.summary()}"))
        if failed:
            sys.exit(1)
