"""A real Celery worker on the configured broker consumes the project's tasks."""

from __future__ import annotations

import time
import uuid

from django.core.cache import cache

from hemi_fulfilment.tasks import ping


def test_a_queued_task_is_run_by_the_worker(celery_worker: None) -> None:
    nonce = uuid.uuid4().hex
    ping.delay(nonce)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and cache.get(f"ping:{nonce}") != "pong":
        time.sleep(0.1)
    assert cache.get(f"ping:{nonce}") == "pong"
