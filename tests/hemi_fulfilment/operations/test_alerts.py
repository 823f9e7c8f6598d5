"""Each alert is sent once when its problem starts and once when it clears, never in between."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import requests
import responses
from django.core import mail
from django.utils import timezone

from hemi_fulfilment.operations import alerts
from hemi_fulfilment.operations.alerts import evaluate
from hemi_fulfilment.operations.models import Heartbeat, Incident, JobOutcome
from hemi_fulfilment.operations.registry import IncidentCheck, Problem, Subject, registry
from hemi_fulfilment.operations.standard_checks import (
    BEAT_STOPPED,
    JOB_FAILING,
    WORKER_STOPPED,
)
from tests.hemi_fulfilment.operations.helpers import beat, run_flaky, subjects

pytestmark = pytest.mark.django_db

WEBHOOK = "https://chat.example.com/hooks/secret-part"


@pytest.fixture(autouse=True)
def _alert_settings(settings: Any) -> None:
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.ALERT_JOB_FAILURES = 3
    settings.ALERT_HEARTBEAT_STALE_MINUTES = 5
    settings.ALERT_WEBHOOK_URL = ""
    settings.PUBLIC_BASE_URL = "https://hemi.example.com"


def test_a_stopped_worker_is_alerted_once_and_its_recovery_once() -> None:
    now = timezone.now()
    beat(Heartbeat.BEAT, now)
    beat(Heartbeat.WORKER, now - timedelta(minutes=2))
    assert evaluate().opened == [] and mail.outbox == []  # two minutes is not stopped

    beat(Heartbeat.WORKER, now - timedelta(minutes=6))
    first = evaluate()
    assert [i.kind for i in first.opened] == [WORKER_STOPPED]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com"]
    assert mail.outbox[0].subject.startswith("[Hemi Fulfilment] Problem: Celery worker: ")
    assert "https://hemi.example.com/admin/health/#machinery" in mail.outbox[0].body

    for _ in range(3):  # still stopped: nothing more
        again = evaluate()
        assert again.opened == [] and again.resolved == [] and again.still_open == 1
    assert len(mail.outbox) == 1

    beat(Heartbeat.WORKER, timezone.now())
    cleared = evaluate()
    assert [i.kind for i in cleared.resolved] == [WORKER_STOPPED]
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("[Hemi Fulfilment] Recovered: Celery worker: ")
    assert evaluate().resolved == [] and len(mail.outbox) == 2

    incident = Incident.objects.get()
    assert incident.resolved_at is not None
    assert incident.last_notified_at is not None and incident.recovery_notified_at is not None


def test_a_stopped_beat_has_its_own_incident() -> None:
    beat(Heartbeat.WORKER, timezone.now())
    beat(Heartbeat.BEAT, timezone.now() - timedelta(minutes=30))
    assert [i.kind for i in evaluate().opened] == [BEAT_STOPPED]
    assert "Beat has sent no job since" in mail.outbox[0].body


def test_a_machine_never_seen_is_no_incident() -> None:
    assert not Heartbeat.objects.exists()
    assert evaluate().opened == [] and mail.outbox == []


def test_a_job_failing_n_times_in_a_row_is_alerted_once_and_its_recovery_once() -> None:
    run_flaky(fail=True)
    run_flaky(fail=True)
    assert evaluate().opened == []  # two in a row: below ALERT_JOB_FAILURES
    run_flaky(fail=True)
    opened = evaluate().opened
    assert [(i.kind, i.subject_key) for i in opened] == [
        (JOB_FAILING, "job:tests.operations.flaky")
    ]
    assert "failed 3 times in a row" in opened[0].message
    assert "RuntimeError: The provider answered 503 Service Unavailable." in opened[0].message
    run_flaky(fail=True)  # a fourth failure: same incident, no new message
    assert evaluate().opened == [] and len(subjects()) == 1
    assert "failed 4 times in a row" in Incident.objects.get().message  # the page says the latest

    run_flaky(fail=False)
    assert JobOutcome.objects.get(task_name="tests.operations.flaky").consecutive_failures == 0
    resolved = evaluate().resolved
    assert [i.kind for i in resolved] == [JOB_FAILING]
    assert [s.split(":")[0] for s in subjects()] == [
        "[Hemi Fulfilment] Problem",
        "[Hemi Fulfilment] Recovered",
    ]


def test_an_email_that_could_not_be_sent_is_sent_on_the_next_run_and_only_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    real_send = alerts.send_email

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(alerts, "send_email", refuse)
    assert len(evaluate().opened) == 1 and mail.outbox == []
    incident = Incident.objects.get()
    assert (
        incident.last_notified_at is None
        and "ConnectionRefusedError" in incident.notification_error
    )

    monkeypatch.setattr(alerts, "send_email", real_send)
    assert evaluate().opened == [] and len(mail.outbox) == 1
    assert evaluate().opened == [] and len(mail.outbox) == 1
    assert Incident.objects.get().last_notified_at is not None


def test_a_check_that_fails_leaves_its_incidents_open_and_silent() -> None:
    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    evaluate()
    assert len(mail.outbox) == 1
    machinery = registry.checks["machinery"]

    def broken(now: Any) -> list[Problem]:
        raise RuntimeError("database hiccup")

    registry.checks["machinery"] = IncidentCheck(machinery.name, machinery.kinds, broken)
    try:
        result = evaluate()
    finally:
        registry.checks["machinery"] = machinery
    assert result.failed_checks == ["machinery"] and result.resolved == []
    assert Incident.objects.get().resolved_at is None and len(mail.outbox) == 1


def test_an_evaluation_already_running_is_not_doubled() -> None:
    from django.core.cache import cache

    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    cache.add(alerts.LOCK_KEY, "1", timeout=60)
    assert evaluate().skipped and not Incident.objects.exists()
    cache.delete(alerts.LOCK_KEY)
    assert len(evaluate().opened) == 1


def test_one_open_incident_per_kind_and_subject_even_when_two_evaluations_race() -> None:
    problem = Problem(WORKER_STOPPED, Subject("machinery:worker", "Celery worker"), "stopped")
    now = timezone.now()
    assert alerts._open(problem, [], now) is not None
    assert alerts._open(problem, [], now) is None
    assert Incident.objects.filter(resolved_at=None).count() == 1


@responses.activate
def test_the_webhook_gets_json_for_opening_and_recovery(settings: Any) -> None:
    settings.ALERT_WEBHOOK_URL = WEBHOOK
    responses.post(WEBHOOK, json={"ok": True})
    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    evaluate()
    beat(Heartbeat.WORKER, timezone.now())
    evaluate()
    bodies = [json.loads(call.request.body or b"") for call in responses.calls]
    assert [b["event"] for b in bodies] == ["opened", "resolved"]
    assert bodies[0]["kind"] == WORKER_STOPPED and bodies[0]["subject"] == "Celery worker"
    assert bodies[0]["text"].startswith("Problem: Celery worker: ")
    assert bodies[0]["link"] == "https://hemi.example.com/admin/health/#machinery"
    assert bodies[1]["resolved_at"] is not None
    assert len(mail.outbox) == 2  # email as well


@responses.activate
def test_a_failing_webhook_is_logged_without_its_address_and_breaks_nothing(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ALERT_WEBHOOK_URL = WEBHOOK
    responses.post(WEBHOOK, body=requests.ConnectionError("refused"))
    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    assert len(evaluate().opened) == 1
    assert len(mail.outbox) == 1
    assert "Alert webhook failed" in caplog.text and "secret-part" not in caplog.text


def test_the_alert_log_is_read_only_and_kept(admin_client: Any) -> None:
    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    evaluate()
    incident = Incident.objects.get()
    page = admin_client.get("/admin/operations/incident/")
    assert page.status_code == 200 and "Celery worker" in page.content.decode()
    assert 'value="delete_selected"' not in page.content.decode()
    change = admin_client.get(f"/admin/operations/incident/{incident.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin_client.post(f"/admin/operations/incident/{incident.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/operations/incident/add/").status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_the_watchdog_command_evaluates_without_worker_or_beat() -> None:
    from io import StringIO

    from django.core.management import call_command

    beat(Heartbeat.WORKER, timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("check_alerts", stdout=out)
    assert "Opened: Celery worker: No worker heartbeat since" in out.getvalue()
    assert "1 opened, 0 resolved, 0 still open." in out.getvalue()
    again = StringIO()
    call_command("check_alerts", stdout=again)
    assert again.getvalue().strip() == "0 opened, 0 resolved, 1 still open."
    assert len(mail.outbox) == 1
