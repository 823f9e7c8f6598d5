"""A real Celery worker on the configured broker consumes the project's tasks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from hemi_fulfilment.celery import app
from hemi_fulfilment.tasks import ping


@pytest.fixture
def celery_worker() -> Iterator[None]:
    # The worker runs in a thread of this process, against the real broker in settings.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def test_a_queued_task_is_run_by_the_worker(celery_worker: None) -> None:
    nonce = uuid.uuid4().hex
    ping.delay(nonce)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and cache.get(f"ping:{nonce}") != "pong":
        time.sleep(0.1)
    assert cache.get(f"ping:{nonce}") == "pong"
