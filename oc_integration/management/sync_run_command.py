"""What the OC sync commands share: one run per account, a progress bar, the outcome."""

from __future__ import annotations

import sys
from abc import ABCMeta, abstractmethod
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hemi_fulfilment.progress import progress_bar, set_progress
from oc_integration.management.accounts import OC_ACCOUNT
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.plan import Progress


class SyncRunCommand(BaseCommand, metaclass=ABCMeta):
    """Queue and execute one :class:`SyncRun` per chosen OC account (``--account``, all
    authorized ones by default), with a progress bar; print each run's messages and
    outcome; exit 1 when a run failed or was skipped (another run held the account)."""

    #: "Stock movements", "SKU sync", …: how a run is announced.
    what = ""
    #: What the progress bar counts ("window", "page").
    unit = "item"
    #: The dry-run line's words before the summary.
    dry_run_words = "Dry run"

    def add_arguments(self, parser: CommandParser) -> None:
        OC_ACCOUNT.add_to(parser)

    @abstractmethod
    def queue(self, account: AccountOrangeConnex, options: dict[str, Any]) -> SyncRun:
        """A queued run of this command's kind for ``account``."""

    @abstractmethod
    def run_one(self, run_id: int, options: dict[str, Any], progress: Progress) -> SyncRun:
        """Execute the queued run ``run_id`` and return it, finished."""

    def summary(self, run: SyncRun) -> str:
        """The run's outcome in one sentence ("" when the run's messages say it)."""
        return ""

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for account in OC_ACCOUNT.select(options["account"]):
            run = self.queue(account, options)
            self.stdout.write(f"{self.what} for {account} (run #{run.pk})")
            bar = progress_bar(sys.stderr, self.what.lower(), unit=self.unit)

            def progress(phase: str, done: int, total: int, bar: tqdm = bar) -> None:
                set_progress(bar, done, total, phase)

            try:
                run = self.run_one(run.pk, options, progress)
            finally:
                bar.close()
            failed = self.report(run) or failed
        if failed:
            sys.exit(1)

    def report(self, run: SyncRun) -> bool:
        """Print the run's outcome; True when it failed or was skipped."""
        for line in run.messages:
            self.stdout.write(f"  {line}")
        summary = self.summary(run)
        tail = f": {summary}" if summary else "."
        if run.status == SyncRun.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(f"  Done{tail}"))
            return False
        if run.status == SyncRun.Status.DRY_RUN:
            self.stdout.write(self.style.WARNING(f"  {self.dry_run_words}{tail}"))
            return False
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(self.style.WARNING("  Skipped: nothing was changed."))
            return True
        self.stderr.write(self.style.ERROR(f"  Failed: {run.error}"))
        return True
