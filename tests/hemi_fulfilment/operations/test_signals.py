"""Job outcomes and beat's ticks are recorded through Celery's signals, for every task."""

from __future__ import annotations

from typing import Any

import pytest

from hemi_fulfilment.operations import jobs
from hemi_fulfilment.operations.models import Heartbeat, JobOutcome
from tests.hemi_fulfilment.operations.helpers import run_flaky

pytestmark = pytest.mark.django_db


def test_failures_in_a_row_are_counted_and_a_success_ends_them() -> None:
    run_flaky(fail=True)
    run_flaky(fail=True)
    outcome = JobOutcome.objects.get(task_name="tests.operations.flaky")
    assert (outcome.consecutive_failures, outcome.runs, outcome.failures) == (2, 2, 2)
    assert outcome.last_success_at is None and outcome.last_failure_at is not None
    assert (
        outcome.last_failure_reason
        == "RuntimeError: The provider answered 503 Service Unavailable."
    )
    run_flaky(fail=False)
    outcome.refresh_from_db()
    assert (outcome.consecutive_failures, outcome.runs, outcome.failures) == (0, 3, 2)
    assert outcome.last_success_at is not None and outcome.last_duration_seconds is not None
    assert outcome.last_started_at is not None


def test_a_failure_reason_is_scrubbed_of_tokens_and_cut() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    reason = jobs.failure_reason(ValueError(f"refused {token} " + "x" * 3000))
    assert token not in reason and reason.startswith("ValueError: refused ")
    assert len(reason) == jobs.REASON_LIMIT


def test_a_message_is_stamped_with_its_sent_time_but_no_tick_outside_beat() -> None:
    headers: dict[str, Any] = {"task": "x"}
    jobs._on_publish(headers=headers)
    assert isinstance(headers[jobs.SENT_AT_HEADER], float)
    assert not Heartbeat.objects.exists()  # the web process is not beat


def test_beat_ticks_when_it_starts_and_when_it_sends_a_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "_in_beat", False)
    monkeypatch.setattr(jobs, "_last_beat_tick", 0.0)
    jobs._on_beat_start()
    started = Heartbeat.objects.get(name=Heartbeat.BEAT)
    assert started.detail == "started"
    monkeypatch.setattr(jobs, "_last_beat_tick", 0.0)
    jobs._on_publish(headers={"task": "operations.heartbeat"})
    ticked = Heartbeat.objects.get(name=Heartbeat.BEAT)
    assert ticked.detail == "operations.heartbeat" and ticked.beat_at >= started.beat_at
