"""``manage.py check_alerts``: evaluate the alerts once, in this process.

The beat job does this every minute on the worker; a stopped worker cannot report
itself, so production also runs this command from cron (or a systemd timer), where it
needs neither the worker nor beat.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hemi_fulfilment.operations.alerts import evaluate


class Command(BaseCommand):
    help = "Run the alert checks once: open, keep or resolve incidents and notify."

    def handle(self, *args: Any, **options: Any) -> None:
        result = evaluate()
        if result.skipped:
            self.stdout.write("Another evaluation is running; nothing done.")
            return
        for incident in result.opened:
            self.stdout.write(f"Opened: {incident.subject}: {incident.message}")
        for incident in result.resolved:
            self.stdout.write(f"Resolved: {incident.subject}: {incident.message}")
        for name in result.failed_checks:
            self.stderr.write(f"Check {name} failed (see the log); its alerts are unchanged.")
        self.stdout.write(
            f"{len(result.opened)} opened, {len(result.resolved)} resolved, "
            f"{result.still_open} still open."
        )
