"""The worker's heartbeat and the alert evaluation, both sent by beat every minute."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from hemi_fulfilment.operations.models import Heartbeat


@shared_task(name="operations.heartbeat", bind=True, acks_late=True, ignore_result=True)
def heartbeat(self: Task) -> str:
    """Prove the worker runs tasks: write its heartbeat row."""
    hostname = str(self.request.hostname or "")
    Heartbeat.objects.update_or_create(
        name=Heartbeat.WORKER, defaults={"beat_at": timezone.now(), "detail": hostname[:255]}
    )
    return hostname


@shared_task(name="operations.evaluate_alerts", acks_late=True)
def evaluate_alerts() -> dict[str, object]:
    """Run every registered check; open, keep or resolve the incidents."""
    from hemi_fulfilment.operations.alerts import evaluate

    return evaluate().summary()
