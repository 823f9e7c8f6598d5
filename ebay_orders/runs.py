"""Run rows: each import or shipping run leaves an ``EbayRun`` that the admin shows.

The tasks and the management commands both go through here, so a run looks the same
whoever started it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ebay_orders.importer import ImportResult, Progress, import_orders
from ebay_orders.models import EbayRun, RunKind, RunStatus
from ebay_orders.shipping import ShippingResult, ship_orders
from hemi_fulfilment.abandoned_runs import fail_abandoned_runs
from hemi_fulfilment.words import sentence


def _finish(
    run: EbayRun, *, succeeded: bool, summary: str, counts: dict[str, int], messages: list[str]
) -> None:
    run.status = RunStatus.SUCCEEDED if succeeded else RunStatus.FAILED
    run.finished = timezone.now()
    run.summary = summary[:255]
    run.counts = counts
    run.messages = "\n".join(messages)
    run.save(update_fields=["status", "finished", "summary", "counts", "messages"])


def reap_abandoned_runs() -> int:
    """Mark runs left "running" by a killed worker as failed.

    No run outlives the task time limit; one older than twice that has no worker left.
    """
    return fail_abandoned_runs(
        EbayRun.objects.all(),
        running=RunStatus.RUNNING,
        failed=RunStatus.FAILED,
        older_than=timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT),
        why={"summary": "The run did not finish (its worker stopped); the next run continues."},
    )


def run_import(
    *,
    account_id: int,
    trigger: str,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[EbayRun, ImportResult]:
    """Import one account's orders and record the run."""
    reap_abandoned_runs()
    run = EbayRun.objects.create(kind=RunKind.IMPORT, ebay_account_id=account_id, trigger=trigger)
    try:
        result = import_orders(account_id=account_id, since=since, progress=progress)
    except BaseException as exc:
        # A bug or a killed task must not leave the run "running" forever.
        _finish(run, succeeded=False, summary=sentence(f"Crashed: {exc!r}"), counts={}, messages=[])
        raise
    messages = [*result.messages, *([result.error] if result.error else [])]
    _finish(
        run,
        succeeded=result.succeeded,
        summary=result.summary(),
        counts=result.counts(),
        messages=messages,
    )
    return run, result


def run_shipping(
    *, trigger: str, account_id: int | None = None, progress: Progress | None = None
) -> tuple[EbayRun, ShippingResult]:
    """Report shipped orders to eBay and record the run."""
    reap_abandoned_runs()
    run = EbayRun.objects.create(kind=RunKind.SHIPPING, ebay_account_id=account_id, trigger=trigger)
    try:
        result = ship_orders(account_id=account_id, progress=progress)
    except BaseException as exc:
        _finish(run, succeeded=False, summary=sentence(f"Crashed: {exc!r}"), counts={}, messages=[])
        raise
    _finish(
        run,
        succeeded=result.succeeded,
        summary=result.summary(),
        counts=result.counts(),
        messages=[*result.messages, *result.errors],
    )
    return run, result


def with_last_runs(queryset: QuerySet[Any], account_path: str = "pk") -> QuerySet[Any]:
    """Annotate each row with its eBay account's latest import and shipping run
    (``last_import_status``, ``last_import_at``, ``last_import_summary`` and the same for
    ``last_shipping``), in the same query: an admin list costs no query per row."""
    annotations: dict[str, Any] = {}
    for kind, prefix in ((RunKind.IMPORT, "last_import"), (RunKind.SHIPPING, "last_shipping")):
        mine = Q(ebay_account_id=OuterRef(account_path))
        if kind == RunKind.SHIPPING:
            mine |= Q(ebay_account__isnull=True)  # a shipping run over every account
        latest = (
            EbayRun.objects.filter(mine, kind=kind)
            .annotate(at=Coalesce(F("finished"), F("started")))
            .order_by("-started", "-id")
        )
        annotations[f"{prefix}_status"] = Subquery(latest.values("status")[:1])
        annotations[f"{prefix}_at"] = Subquery(latest.values("at")[:1])
        annotations[f"{prefix}_summary"] = Subquery(latest.values("summary")[:1])
    return queryset.annotate(**annotations)
