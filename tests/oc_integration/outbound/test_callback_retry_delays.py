"""An OC callback that cannot be confirmed yet is retried after doubling delays, then given up."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Retry

from oc_integration.outbound import callbacks
from oc_integration.tasks import CALLBACK_RETRIES, process_outbound_callback


def test_an_unconfirmed_callback_is_retried_after_doubling_delays_then_marked_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    countdowns: list[int] = []
    given_up: list[tuple[int, str]] = []

    def oc_unreachable(delivery_id: int) -> str:
        raise ConnectionError("OC did not answer")

    def record_retry(*, exc: Exception, countdown: int, **_: Any) -> Retry:
        countdowns.append(countdown)
        return Retry(exc=exc)

    monkeypatch.setattr(callbacks, "process", oc_unreachable)
    monkeypatch.setattr(callbacks, "give_up", lambda d, e: given_up.append((d, str(e))))
    monkeypatch.setattr(process_outbound_callback, "retry", record_retry)

    # celery-types gives push_request the task's own parameters, not a request's fields.
    task: Any = process_outbound_callback
    for retries in range(CALLBACK_RETRIES + 1):
        task.push_request(retries=retries)
        try:
            last = retries == CALLBACK_RETRIES
            with pytest.raises(ConnectionError if last else Retry):
                task.run(7)
        finally:
            task.pop_request()

    assert countdowns == [30, 60, 120, 240, 480, 600]  # doubling, at most ten minutes
    assert given_up == [(7, "OC did not answer")]
