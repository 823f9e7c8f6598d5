"""Every task's outcome and beat's ticks, recorded through Celery's signals.

No task is touched: ``task_prerun`` / ``task_success`` / ``task_failure`` update one
:class:`JobOutcome` row per task name (last success, last failure and its reason,
failures in a row). ``before_task_publish`` stamps each message with the time it was sent
(so the queue's oldest message has an age) and, in the beat process, counts as beat's tick.
Recording never breaks a task or beat: a failure to record is logged and dropped.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from celery.signals import (
    beat_embedded_init,
    beat_init,
    before_task_publish,
    task_failure,
    task_prerun,
    task_success,
)
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hemi_fulfilment.apilog.redaction import scrub_message
from hemi_fulfilment.operations.models import Heartbeat, JobOutcome

logger = logging.getLogger(__name__)

#: The header each published message carries: seconds since the epoch when it was sent.
SENT_AT_HEADER = "hemi_sent_at"
#: A failure reason is kept this long (the whole traceback lives in the worker's log).
REASON_LIMIT = 1000
#: Beat's tick is written at most this often (beat may send many jobs in one second).
BEAT_TICK_EVERY_SECONDS = 10.0

_started: dict[str, float] = {}
_in_beat = False
_last_beat_tick = 0.0


def failure_reason(exception: BaseException | None) -> str:
    """``Type: message``, scrubbed of anything token-like and cut to a readable length."""
    if exception is None:
        return "Failed (no exception given)."
    text = scrub_message(f"{type(exception).__name__}: {exception}".strip())
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _outcome_row(task_name: str) -> None:
    try:
        with transaction.atomic():
            JobOutcome.objects.get_or_create(task_name=task_name)
    except IntegrityError:  # another worker created it meanwhile
        pass


def record_start(task_name: str, task_id: str, *, now: datetime | None = None) -> None:
    """A task began running."""
    _started[task_id] = time.monotonic()
    _outcome_row(task_name)
    JobOutcome.objects.filter(task_name=task_name).update(last_started_at=now or timezone.now())


def _duration(task_id: str | None) -> float | None:
    started = _started.pop(task_id, None) if task_id else None
    return None if started is None else round(time.monotonic() - started, 3)


def record_success(task_name: str, task_id: str | None, *, now: datetime | None = None) -> None:
    """A task finished without raising: its failures in a row are over."""
    _outcome_row(task_name)
    JobOutcome.objects.filter(task_name=task_name).update(
        last_success_at=now or timezone.now(),
        consecutive_failures=0,
        runs=F("runs") + 1,
        last_duration_seconds=_duration(task_id),
    )


def record_failure(
    task_name: str,
    task_id: str | None,
    exception: BaseException | None,
    *,
    now: datetime | None = None,
) -> None:
    """A task raised (after its last retry, if it retries)."""
    _outcome_row(task_name)
    JobOutcome.objects.filter(task_name=task_name).update(
        last_failure_at=now or timezone.now(),
        last_failure_reason=failure_reason(exception),
        consecutive_failures=F("consecutive_failures") + 1,
        runs=F("runs") + 1,
        failures=F("failures") + 1,
        last_duration_seconds=_duration(task_id),
    )


def record_beat_tick(*, now: datetime | None = None, detail: str = "") -> None:
    """Beat is alive: it just sent a job (or started)."""
    Heartbeat.objects.update_or_create(
        name=Heartbeat.BEAT, defaults={"beat_at": now or timezone.now(), "detail": detail}
    )


def _task_name(sender: Any) -> str:
    return str(getattr(sender, "name", None) or sender)


@task_prerun.connect(dispatch_uid="operations.task_prerun")
def _on_prerun(sender: Any = None, task_id: str = "", **_: Any) -> None:
    try:
        record_start(_task_name(sender), task_id)
    except Exception:
        logger.exception("Could not record the start of %s", _task_name(sender))


@task_success.connect(dispatch_uid="operations.task_success")
def _on_success(sender: Any = None, **_: Any) -> None:
    request = getattr(sender, "request", None)
    try:
        record_success(_task_name(sender), getattr(request, "id", None))
    except Exception:
        logger.exception("Could not record the success of %s", _task_name(sender))


@task_failure.connect(dispatch_uid="operations.task_failure")
def _on_failure(
    sender: Any = None, task_id: str | None = None, exception: BaseException | None = None, **_: Any
) -> None:
    try:
        record_failure(_task_name(sender), task_id, exception)
    except Exception:
        logger.exception("Could not record the failure of %s", _task_name(sender))


@beat_init.connect(dispatch_uid="operations.beat_init")
@beat_embedded_init.connect(dispatch_uid="operations.beat_embedded_init")
def _on_beat_start(**_: Any) -> None:
    global _in_beat
    _in_beat = True
    try:
        record_beat_tick(detail="started")
    except Exception:
        logger.exception("Could not record beat's start")


@before_task_publish.connect(dispatch_uid="operations.before_task_publish")
def _on_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    global _last_beat_tick
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())
    if not _in_beat or time.monotonic() - _last_beat_tick < BEAT_TICK_EVERY_SECONDS:
        return
    _last_beat_tick = time.monotonic()
    try:
        record_beat_tick(detail=str((headers or {}).get("task", "")))
    except Exception:
        logger.exception("Could not record beat's tick")
