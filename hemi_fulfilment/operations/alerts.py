"""The alert engine: open an incident once per problem, resolve it once when it clears.

Each evaluation runs every registered check. A problem without an open incident opens
one (the database allows one open incident per kind and subject) and sends one message;
an open incident its check no longer finds is resolved and sends one recovery message;
anything still broken sends nothing. A check that raises changes none of its incidents.
An opening message that could not be sent is tried again on the next evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from hemi_fulfilment.operations.models import AlertRecipients, Incident
from hemi_fulfilment.operations.notify import admin_addresses, post_webhook, send_email
from hemi_fulfilment.operations.registry import IncidentCheck, Problem, parse_addresses, registry

logger = logging.getLogger(__name__)

LOCK_KEY = "operations:alerts-evaluation"
LOCK_SECONDS = 300


@dataclass
class Evaluation:
    """What one evaluation did."""

    opened: list[Incident] = field(default_factory=list)
    resolved: list[Incident] = field(default_factory=list)
    still_open: int = 0
    failed_checks: list[str] = field(default_factory=list)
    skipped: bool = False

    def summary(self) -> dict[str, object]:
        return {
            "opened": [f"{i.kind} {i.subject_key}" for i in self.opened],
            "resolved": [f"{i.kind} {i.subject_key}" for i in self.resolved],
            "still_open": self.still_open,
            "failed_checks": self.failed_checks,
            "skipped": self.skipped,
        }


def recipients_of(problem: Problem, kept: dict[str, tuple[str, ...]]) -> list[str]:
    """Who is told about ``problem``: its record's recipients, its own, then ADMINS."""
    everyone = [*kept.get(problem.subject.key, ()), *problem.recipients, *admin_addresses()]
    return list(dict.fromkeys(a for a in everyone if a))


def kept_recipients(problems: Iterable[Problem]) -> dict[str, tuple[str, ...]]:
    """The recipients staff set in the admin for the problems' records (one query)."""
    wanted = {p.subject.key: p.subject for p in problems if p.subject.app_label}
    if not wanted:
        return {}
    rows = AlertRecipients.objects.filter(
        app_label__in={s.app_label for s in wanted.values()},
        object_id__in={s.object_id for s in wanted.values()},
    )
    return {
        row.subject_key: parse_addresses(row.emails) for row in rows if row.subject_key in wanted
    }


def _notify(incident: Incident, recipients: list[str], *, recovered: bool) -> bool:
    """Email and webhook; True when the email went out (or there was nobody to email)."""
    post_webhook(incident, recovered=recovered)
    if not recipients:
        logger.warning(
            "Alert %s for %s has no recipients: set ADMINS or the record's recipients.",
            incident.kind,
            incident.subject_key,
        )
        return True
    try:
        send_email(incident, recipients, recovered=recovered)
    except Exception as exc:
        logger.warning("Alert email for incident %s failed: %s", incident.pk, type(exc).__name__)
        Incident.objects.filter(pk=incident.pk).update(
            notification_error=f"{timezone.now():%Y-%m-%d %H:%M:%S}: {type(exc).__name__}"
        )
        return False
    return True


def _open(problem: Problem, recipients: list[str], now: datetime) -> Incident | None:
    try:
        with transaction.atomic():
            return Incident.objects.create(
                kind=problem.kind,
                subject_key=problem.subject.key,
                subject=problem.subject.label[:255],
                message=problem.message,
                link=problem.link[:500],
                recipients=", ".join(recipients),
                opened_at=now,
            )
    except IntegrityError:  # another evaluation opened it a moment ago
        return None


def _run(check: IncidentCheck, now: datetime) -> list[Problem] | None:
    try:
        return list(check.find(now))
    except Exception:
        logger.exception("Alert check %s failed; its incidents stay as they are", check.name)
        return None


def evaluate(*, now: datetime | None = None) -> Evaluation:
    """Run every registered check once and open, keep or resolve incidents accordingly.

    Two evaluations never overlap (a cache lock); one that finds the lock taken does
    nothing and says so (``skipped``).
    """
    result = Evaluation()
    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        result.skipped = True
        return result
    try:
        _evaluate(now or timezone.now(), result)
    finally:
        cache.delete(LOCK_KEY)
    return result


def _evaluate(now: datetime, result: Evaluation) -> None:
    found: dict[tuple[str, str], Problem] = {}
    checked_kinds: set[str] = set()
    for check in registry.checks.values():
        problems = _run(check, now)
        if problems is None:
            result.failed_checks.append(check.name)
            continue
        checked_kinds |= check.kinds
        for problem in problems:
            if problem.kind not in check.kinds:
                logger.error(
                    "Check %s reported a kind it does not own: %s", check.name, problem.kind
                )
                continue
            found.setdefault((problem.kind, problem.subject.key), problem)

    kept = kept_recipients(found.values())
    open_incidents = {(i.kind, i.subject_key): i for i in Incident.objects.filter(resolved_at=None)}

    for key, problem in found.items():
        recipients = recipients_of(problem, kept)
        incident = open_incidents.get(key)
        if incident is None:
            incident = _open(problem, recipients, now)
            if incident is None:
                continue
            result.opened.append(incident)
        else:
            result.still_open += 1
            if incident.message != problem.message:
                # The figures changed (3 orders stuck, then 5): the page says the latest,
                # nobody is emailed again.
                Incident.objects.filter(pk=incident.pk).update(message=problem.message)
                incident.message = problem.message
            if incident.last_notified_at is not None:
                continue
        if _notify(incident, recipients, recovered=False):
            incident.last_notified_at = timezone.now()
            Incident.objects.filter(pk=incident.pk).update(
                last_notified_at=incident.last_notified_at, notification_error=""
            )

    for key, incident in open_incidents.items():
        if key in found or incident.kind not in checked_kinds:
            continue
        resolved = Incident.objects.filter(pk=incident.pk, resolved_at=None).update(resolved_at=now)
        if not resolved:
            continue  # another evaluation resolved it
        incident.resolved_at = now
        result.resolved.append(incident)
        if incident.last_notified_at is None:
            continue  # nobody heard of it opening: no recovery message either
        told = list(parse_addresses(incident.recipients)) or admin_addresses()
        if _notify(incident, told, recovered=True):
            incident.recovery_notified_at = timezone.now()
            Incident.objects.filter(pk=incident.pk).update(
                recovery_notified_at=incident.recovery_notified_at
            )
