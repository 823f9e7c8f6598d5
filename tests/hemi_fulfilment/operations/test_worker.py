"""On a real Celery worker (the configured broker): the heartbeat is written and job
outcomes are recorded by the signals, and the alert job runs there."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from hemi_fulfilment.operations.models import Heartbeat, Incident, JobOutcome
from hemi_fulfilment.operations.tasks import evaluate_alerts, heartbeat
from tests.hemi_fulfilment.operations.helpers import flaky

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_the_worker_writes_its_heartbeat_and_a_failing_job_raises_an_alert(
    celery_worker: None, settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.ALERT_JOB_FAILURES = 2
    heartbeat.delay()
    _wait_for(lambda: Heartbeat.objects.filter(name=Heartbeat.WORKER).exists())
    assert Heartbeat.objects.get(name=Heartbeat.WORKER).detail  # the worker's hostname

    flaky.delay(True)
    flaky.delay(True)
    _wait_for(
        lambda: JobOutcome.objects.filter(
            task_name="tests.operations.flaky", consecutive_failures=2
        ).exists()
    )
    evaluate_alerts.delay()
    _wait_for(lambda: Incident.objects.filter(kind="job_failing").exists())
    _wait_for(lambda: len(mail.outbox) == 1)
    outcome = JobOutcome.objects.get(task_name="operations.heartbeat")
    assert outcome.runs == 1 and outcome.consecutive_failures == 0
