"""Runs left "running" by a worker that died: one way to find them and fail them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone


def fail_abandoned_runs(
    runs: models.QuerySet[Any],
    *,
    running: str,
    failed: str,
    older_than: timedelta,
    why: dict[str, str],
    started_field: str = "started",
) -> int:
    """Mark the ``running`` runs of ``runs`` started more than ``older_than`` ago as
    ``failed``, with ``why`` (field -> message) saying what happened; return how many.

    No run outlives its task's time limit, so one older than that has no worker left.
    One conditional UPDATE: a run that finishes meanwhile is not touched.
    """
    cutoff = timezone.now() - older_than
    return runs.filter(status=running, **{f"{started_field}__lt": cutoff}).update(
        status=failed, finished=timezone.now(), **why
    )
