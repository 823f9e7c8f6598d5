"""Shared pieces of the operations tests: a task that fails on request, heartbeats."""

from __future__ import annotations

from datetime import datetime

from django.core import mail

from hemi_fulfilment.celery import app as celery_app
from hemi_fulfilment.operations.models import Heartbeat


@celery_app.task(name="tests.operations.flaky")
def flaky(fail: bool) -> str:
    """Fails when asked to, like a job whose provider is down."""
    if fail:
        raise RuntimeError("The provider answered 503 Service Unavailable.")
    return "done"


def run_flaky(*, fail: bool) -> None:
    """One real run of the task through Celery's tracer (and so through its signals)."""
    result = flaky.apply(args=(fail,))
    assert result.failed() is fail


def beat(name: str, at: datetime) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": at})


def subjects() -> list[str]:
    """The subjects of the emails sent so far."""
    return [str(message.subject) for message in mail.outbox]
