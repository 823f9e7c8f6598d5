"""Celery tasks for the API call log."""

from __future__ import annotations

import logging

from celery import shared_task

from hemi_fulfilment.apilog.recorder import purge_old_calls

logger = logging.getLogger(__name__)


@shared_task(name="apilog.purge_old_calls", acks_late=True)
def purge_api_call_log() -> dict[str, int]:
    """Delete old API call log rows (idempotent: safe to run twice)."""
    successes, failures = purge_old_calls()
    logger.info(
        "API call log purge: %s successful and %s failed calls deleted", successes, failures
    )
    return {"successes_deleted": successes, "failures_deleted": failures}
