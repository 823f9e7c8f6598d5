"""``manage.py oc_push_outbound``: send queued outbound orders to OC from a terminal."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.outbound.push import preview_queued, push_queued


class Command(BaseCommand):
    help = (
        "Send queued outbound orders to OC, at most 50 per call; unconfirmed orders are "
        "checked with OC first, so nothing is created twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and list; send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            self.stdout.write(f"Outbound orders for {account}")
            if options["dry_run"]:
                valid, invalid = preview_queued(account.pk)
                self.stdout.write(f"  Would send {len(valid)}: {', '.join(valid) or '-'}")
                for reference, errors in invalid.items():
                    self.stdout.write(f"  Invalid, would not send {reference}: {errors}")
                continue
            bar = progress_bar(sys.stderr, "pushing", unit="order")

            def progress(done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total)

            try:
                result = push_queued(account.pk, progress=progress)
            finally:
                bar.close()
            for reference, reason in result.rejected.items():
                self.stdout.write(f"  Rejected by OC {reference}: {reason}")
            for reference, reason in result.invalid.items():
                self.stdout.write(f"  Not sent (invalid) {reference}: {reason}")
            for problem in result.problems:
                self.stderr.write(self.style.WARNING(f"  {problem}"))
            self.stdout.write(
                f"  OC calls: {result.calls}; submitted: {len(result.submitted)}; rejected: "
                f"{len(result.rejected)}; invalid: {len(result.invalid)}; unconfirmed: "
                f"{len(result.unknown)} (checked with OC: {result.reconciled} found, "
                f"{result.requeued} queued again, {result.not_found} not found yet and waiting "
                "before a re-send)"
            )
            failed = failed or bool(result.problems)
        if failed:
            sys.exit(1)
