"""``manage.py oc_route_orders``: automatic routing from a terminal (run it, or preview it)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.outbound.routing.evaluate import preview
from oc_integration.outbound.routing.run import route_new_orders
from oc_integration.tasks import push_outbound


class Command(BaseCommand):
    help = (
        "Route new paid orders to OC by each account's routing rules (accounts whose "
        "routing is on) and queue their push; --preview only says what would be routed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--preview",
            action="store_true",
            help="List what would be routed and why the other orders would not; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            if options["preview"]:
                self._preview(account)
                continue
            result = route_new_orders(account.pk)
            self.stdout.write(f"Automatic routing for {account}: {result.summary()}")
            for number in result.queued:
                self.stdout.write(f"  Routed and queued: {number}")
            for number, errors in result.drafts.items():
                self.stdout.write(f"  Routed, left as Draft: {number}: {errors}")
            if result.queued:
                push_outbound.delay(account.pk)
                self.stdout.write("  Push queued for the worker.")
            failed = failed or bool(result.drafts)
        if failed:
            sys.exit(1)

    def _preview(self, account: Any) -> None:
        shown = preview(account)
        state = "on" if shown.routing.is_on else "off"
        self.stdout.write(
            f"Automatic routing for {account} (it is {state}): {len(shown.routed)} order(s) "
            f"would be routed, {len(shown.not_routed)} would not; {shown.already_at_oc} "
            "already have an outbound order."
        )
        for decision in shown.routed:
            self.stdout.write(f"  Would route {decision.order.number}: {decision.reason}")
        for decision in shown.not_routed:
            self.stdout.write(f"  Would not route {decision.order.number}: {decision.reason}")
