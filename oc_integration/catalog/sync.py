"""The SKU sync as a :class:`SyncRun`: every SKU of an account from SKU Query v3.

OC's SKU query is paged (≤ 200 rows a page) and, to import everything, windowed by
modified date. The sync reads every page of every window first and writes only when all
of them arrived and parsed, in one transaction: a failure on any page changes nothing.
The first sync (or a full one) starts at ``OC_SKU_SYNC_EARLIEST_DATE``; later ones start
``OC_SKU_SYNC_OVERLAP_DAYS`` before the previous complete sync began.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence, sentences
from oc_integration.auth.api_client import api_client
from oc_integration.catalog.store import (
    Progress,
    StoreResult,
    latest_per_sku,
    link_new_products,
    store_sku_rows,
)
from oc_integration.client import OCApiClient, OCError
from oc_integration.client.sku import SkuQuery, SkuRow, query_all
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.runs import failure_message, reap_abandoned_runs, take_run_lock

logger = logging.getLogger(__name__)

MAX_STORED_MESSAGES = 1000


@dataclass(frozen=True)
class Window:
    """One modified-date window of the SKU query (both days included)."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


def earliest_date() -> date:
    """``OC_SKU_SYNC_EARLIEST_DATE`` as a date (a clear error when it is not one)."""
    try:
        return date.fromisoformat(settings.OC_SKU_SYNC_EARLIEST_DATE)
    except ValueError:
        raise ValueError(
            f"OC_SKU_SYNC_EARLIEST_DATE {settings.OC_SKU_SYNC_EARLIEST_DATE!r} is not a date "
            "(YYYY-MM-DD)."
        ) from None


def windows_between(first: date, last: date, days: int) -> list[Window]:
    """Windows of ``days`` days from ``first`` to ``last``; each starts on the day the
    previous one ends, so a boundary day is asked twice rather than never."""
    if first > last:
        first = last
    windows, start = [], first
    while True:
        end = min(start + timedelta(days=max(days, 1)), last)
        windows.append(Window(start, end))
        if end >= last:
            return windows
        start = end


def sync_windows(account: AccountOrangeConnex, *, full: bool, today: date) -> list[Window]:
    """The windows this account's sync asks for: all history, or since the last sync."""
    first = earliest_date()
    if not full:
        last_complete = (
            SyncRun.objects.filter(
                account=account,
                kind=SyncRun.Kind.SKUS,
                status=SyncRun.Status.SUCCEEDED,
                started__isnull=False,
            )
            .order_by("-started")
            .values_list("started", flat=True)
            .first()
        )
        if last_complete is not None:
            since = last_complete.date() - timedelta(days=settings.OC_SKU_SYNC_OVERLAP_DAYS)
            first = max(first, since)
    return windows_between(first, today, settings.OC_SKU_QUERY_WINDOW_DAYS)


def fetch_every_sku(client: OCApiClient, windows: list[Window], progress: Progress) -> list[SkuRow]:
    """Every page of every window; raises on the first failure (nothing is kept)."""
    rows: list[SkuRow] = []
    for number, window in enumerate(windows, start=1):
        query = SkuQuery(modified_from=window.start, modified_to=window.end)
        for page_number, page in enumerate(query_all(client, query), start=1):
            rows.extend(page.rows)
            progress(f"SKU query {window}, page {page_number}", number - 1, len(windows))
        progress(f"SKU query {window}", number, len(windows))
    return latest_per_sku(rows)


def queue_sku_sync(account: AccountOrangeConnex, *, trigger: str, dry_run: bool = False) -> SyncRun:
    """A SKU sync run waiting for a worker (or the command) to execute it."""
    return SyncRun.objects.create(
        account=account, kind=SyncRun.Kind.SKUS, trigger=trigger, dry_run=dry_run
    )


def _record(run: SyncRun, seen: int, result: StoreResult) -> None:
    run.skus_seen = seen
    run.rows_created = result.created
    run.rows_updated = result.updated
    run.rows_unchanged = result.unchanged
    run.unknown_skus = len(result.unlinked)
    lines = [
        f"OC SKU {oc_sku} (seller SKU {seller or 'none'}) matches no Hemi product."
        for oc_sku, seller in result.unlinked
    ]
    extra = len(lines) - MAX_STORED_MESSAGES
    run.messages = lines[:MAX_STORED_MESSAGES] + ([f"… and {extra} more"] if extra > 0 else [])


def sku_sync_summary(run: SyncRun) -> str:
    """What a SKU sync changed, or would have changed, in one sentence."""
    verb = "would be" if run.status == SyncRun.Status.DRY_RUN else ""
    created = f"{run.rows_created} {verb} created".replace("  ", " ")
    updated = f"{run.rows_updated} {verb} updated".replace("  ", " ")
    return sentence(
        f"{run.skus_seen} SKUs at OC: {created}, {updated}, {run.rows_unchanged} unchanged; "
        f"{run.unknown_skus} match no Hemi product"
    )


def run_sku_sync(run_id: int, *, full: bool = False, progress: Progress | None = None) -> SyncRun:
    """Execute a queued SKU sync run and return it, finished.

    One run per account at a time (the run lock of every sync); a run that is not
    queued any more (a duplicate task delivery) is returned as it is.
    """
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED or run.kind != SyncRun.Kind.SKUS:
        return run
    reap_abandoned_runs()
    if not take_run_lock(run, from_status=SyncRun.Status.QUEUED):
        run.status = SyncRun.Status.SKIPPED
        run.messages = [f"Another SKU sync for {run.account} is running; this run did nothing."]
        run.finished = timezone.now()
        run.save()
        return run
    run.refresh_from_db()
    report = progress or (lambda *_: None)
    try:
        windows = sync_windows(run.account, full=full, today=timezone.now().date())
        rows = fetch_every_sku(api_client(run.account), windows, report)
        now = timezone.now()
        with transaction.atomic():
            result = store_sku_rows(
                run.account, rows, now=now, write=not run.dry_run, progress=report
            )
            linked = 0 if run.dry_run else link_new_products(run.account)
        _record(run, len(rows), result)
        if linked:
            run.messages = [
                f"{linked} OC SKU(s) synced earlier are now linked to new Hemi products.",
                *run.messages,
            ]
        run.status = SyncRun.Status.DRY_RUN if run.dry_run else SyncRun.Status.SUCCEEDED
    except Exception as exc:
        run.status = SyncRun.Status.FAILED
        # A configuration mistake (the earliest date) is said as it is.
        run.error = (
            sentences(str(exc), "Nothing was changed.")
            if isinstance(exc, ValueError)
            else failure_message(exc)
        )
        if isinstance(exc, OCError | NoUsableToken | ValueError):
            logger.warning("SKU sync run #%s failed: %s", run.pk, run.error)
        else:
            logger.exception("SKU sync run #%s failed unexpectedly", run.pk)
    finally:
        run.finished = timezone.now()
        run.save()
    return run
