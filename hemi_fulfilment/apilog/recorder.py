"""Storing :class:`CallRecord` objects, outside the caller's transaction."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.apilog.records import CallRecord, Outcome
from hemi_fulfilment.apilog.redaction import redact_body, redact_headers, redact_url, truncate

logger = logging.getLogger(__name__)


def _row(record: CallRecord) -> ApiCallLog:
    limit = settings.API_LOG_BODY_LIMIT
    return ApiCallLog(
        provider=record.provider,
        account_id=record.account_id,
        account_label=record.account_label[:100],
        operation=record.operation[:64],
        method=record.method[:8],
        url=truncate(redact_url(record.url), 480),
        http_status=record.http_status,
        duration_ms=max(0, record.duration_ms),
        outcome=record.outcome,
        correlation_id=record.correlation_id[:64],
        request_headers=redact_headers(record.request_headers),
        request_body=truncate(redact_body(record.request_body), limit),
        response_body=truncate(redact_body(record.response_body), limit),
        error_message=truncate(redact_body(record.error_message), 2000),
    )


def _insert_on_own_connection(row: ApiCallLog, failure: list[BaseException]) -> None:
    try:
        row.save(force_insert=True)
    except BaseException as exc:  # reported by the calling thread
        failure.append(exc)
    finally:
        connections.close_all()


def record_call(record: CallRecord) -> None:
    """Store ``record`` (redacted, truncated) so that it survives a rollback of the caller.

    Inside a transaction on PostgreSQL the row is written by a short-lived thread with
    its own connection, which commits at once. SQLite (the demo's database) allows one
    writer at a time, so there the row joins the caller's transaction. A failure to log
    is reported in the application log and never breaks the call it describes.
    """
    row = _row(record)
    try:
        if connection.in_atomic_block and connection.vendor == "postgresql":
            failure: list[BaseException] = []
            writer = threading.Thread(
                target=_insert_on_own_connection, args=(row, failure), name="api-call-log"
            )
            writer.start()
            writer.join()
            if failure:
                raise failure[0]
        else:
            row.save(force_insert=True)
    except Exception:
        logger.exception(
            "Could not store the API call log entry for %s %s (correlation id %s)",
            record.provider,
            record.operation,
            record.correlation_id,
        )


def purge_old_calls() -> tuple[int, int]:
    """Delete successful calls older than ``API_LOG_KEEP_SUCCESS_DAYS`` and failed ones
    older than ``API_LOG_KEEP_FAILURE_DAYS``; return how many of each were deleted."""
    moment = timezone.now()
    success_cutoff = moment - timedelta(days=settings.API_LOG_KEEP_SUCCESS_DAYS)
    failure_cutoff = moment - timedelta(days=settings.API_LOG_KEEP_FAILURE_DAYS)
    successes, _ = ApiCallLog.objects.filter(
        outcome=Outcome.SUCCESS, created__lt=success_cutoff
    ).delete()
    failures, _ = (
        ApiCallLog.objects.exclude(outcome=Outcome.SUCCESS)
        .filter(created__lt=failure_cutoff)
        .delete()
    )
    return successes, failures
