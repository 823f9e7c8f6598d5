"""``manage.py oc_sync_inbound``: the inbound order sync from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.client import OCError
from oc_integration.inbound.runs import sync_account
from oc_integration.management.accounts import OC_ACCOUNT


class Command(BaseCommand):
    help = (
        "Ask OC for the status and received units of every open inbound order (placed, "
        "not received or cancelled yet) of the chosen OC accounts, and store them; orders "
        "whose placing answer was lost are looked up first (never sent again from here). "
        "Exits 1 when an account's sync failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            self.stdout.write(f"Inbound sync for {account}")
            try:
                result = sync_account(account)
            except (OCError, NoUsableToken, ValueError) as exc:
                self.stderr.write(self.style.ERROR(f"  Failed: {exc}"))
                failed = True
                continue
            for line in result.messages:
                self.stdout.write(f"  {line}")
            self.stdout.write(self.style.SUCCESS(f"  Done: {result.summary()}"))
        if failed:
            sys.exit(1)
