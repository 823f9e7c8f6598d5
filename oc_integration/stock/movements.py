"""Importing OC's stock movements (GetStockMovement) as a :class:`SyncRun`.

OC answers at most 7 days per call and nothing older than a year, so an import walks
windows from where the last complete window ended (the account's cursor) up to now, or
from ``since`` for a backfill. Each window is written in its own transaction together
with the cursor: a failure on window k keeps windows 1..k-1 and leaves the cursor at the
end of window k-1, so the next run asks for window k again. A movement already stored is
never stored twice (one unique key per movement), so asking again is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence, sentences
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCError
from oc_integration.client.stock_movement import (
    MAX_LOOKBACK,
    Movement,
    Window,
    fetch_movements,
    movement_windows,
)
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    ProductAccountOrangeConnex,
    StockMovement,
    StockMovementCursor,
    SyncRun,
)
from oc_integration.stock.runs import failure_message, reap_abandoned_runs, take_run_lock

logger = logging.getLogger(__name__)

#: Where an account's first scheduled import starts (a backfill goes further back).
FIRST_IMPORT_DAYS = 30
#: Each scheduled run also asks again for this much before the cursor: a movement OC
#: records a little late, with an earlier time, is not missed. Asking again costs nothing.
LATE_ARRIVAL_OVERLAP = timedelta(hours=1)
#: Kept clear of OC's one-year limit: the first window is asked a moment after it is made.
LOOKBACK_MARGIN = timedelta(hours=1)
#: Movements this recent that have no order yet are linked again at the end of a run.
RELINK_DAYS = 30
#: Rows per INSERT when storing a window's movements.
INSERT_BATCH = 2000

#: (what, done, total): the command's progress bar over windows.
Progress = Callable[[str, int, int], None]


@dataclass
class MovementImport:
    """What one import did, window by window."""

    windows: list[Window]
    completed: int = 0
    created: int = 0
    known: int = 0
    linked_orders: int = 0
    skus: set[str] = field(default_factory=set)


def queue_movement_sync(
    account: AccountOrangeConnex, *, trigger: str, dry_run: bool = False
) -> SyncRun:
    """A movement import waiting for a worker (or the command) to execute it."""
    return SyncRun.objects.create(
        account=account, kind=SyncRun.Kind.MOVEMENTS, trigger=trigger, dry_run=dry_run
    )


def earliest_allowed(now: datetime) -> datetime:
    """The oldest start OC still answers for, with a margin."""
    return now - MAX_LOOKBACK + LOOKBACK_MARGIN


def import_start(
    account: AccountOrangeConnex, *, since: datetime | None, now: datetime
) -> datetime:
    """Where an import begins: ``since`` for a backfill (refused beyond OC's year), else the
    account's cursor less the late-arrival overlap, else ``FIRST_IMPORT_DAYS`` ago."""
    if since is not None:
        if since < earliest_allowed(now):
            raise ValueError(
                f"OC keeps stock movements for {MAX_LOOKBACK.days} days only: start the "
                f"backfill on {earliest_allowed(now):%Y-%m-%d %H:%M} UTC or later."
            )
        return since
    cursor = (
        StockMovementCursor.objects.filter(account=account)
        .values_list("complete_until", flat=True)
        .first()
    )
    start = cursor - LATE_ARRIVAL_OVERLAP if cursor else now - timedelta(days=FIRST_IMPORT_DAYS)
    # A cursor older than OC's year (the job was off for long): what OC still has.
    return max(start, earliest_allowed(now))


def _stock_rows(account: AccountOrangeConnex) -> QuerySet[ProductAccountOrangeConnex]:
    return ProductAccountOrangeConnex.objects.filter(
        account=account, sku=OuterRef("seller_sku"), region=OuterRef("region")
    )


def _orders(account: AccountOrangeConnex) -> QuerySet[OutboundOrder]:
    return OutboundOrder.objects.filter(account=account).filter(
        Q(oc_order_number=OuterRef("order_number")) | Q(reference_number=OuterRef("order_number"))
    )


def link_movements(account: AccountOrangeConnex, movements: QuerySet[StockMovement]) -> int:
    """Link unlinked ``movements`` to their outbound order (by OC order number or
    reference) and stock row (by SKU and region): two UPDATEs, whatever their number.
    Returns how many were linked to an order."""
    orders = _orders(account)
    linked = (
        movements.filter(outbound_order__isnull=True)
        .exclude(order_number="")
        .filter(Exists(orders))
        .update(outbound_order=Subquery(orders.values("pk")[:1]))
    )
    rows = _stock_rows(account)
    movements.filter(stock_row__isnull=True).exclude(seller_sku="").filter(Exists(rows)).update(
        stock_row=Subquery(rows.values("pk")[:1])
    )
    return linked


def _store_window(
    run: SyncRun, window: Window, movements: list[Movement], *, write: bool, move_cursor: bool
) -> tuple[int, int, int]:
    """Store the window's movements that are new (one read, batched inserts), link them,
    and (``move_cursor``) move the cursor to the window's end.

    Returns (created, already known, linked to orders)."""
    account = run.account
    unique: dict[tuple[str, str, str, str], Movement] = {}
    for movement in movements:
        key = (movement.oc_sku, movement.region, movement.inventory_status, movement.movement_id)
        unique.setdefault(key, movement)
    known = set(
        StockMovement.objects.filter(
            account=account, movement_id__in={key[3] for key in unique}
        ).values_list("oc_sku", "region", "inventory_status", "movement_id")
    )
    new = [m for key, m in unique.items() if key not in known]
    if not write:
        return len(new), len(unique) - len(new), 0
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                account=account,
                oc_sku=m.oc_sku,
                seller_sku=m.seller_sku,
                region=m.region,
                inventory_status=m.inventory_status,
                movement_id=m.movement_id,
                quantity=m.quantity,
                count_after=m.count_after,
                reason=m.reason,
                order_number=m.order_number,
                moved_at=m.moved_at,
                run=run,
            )
            for m in new
        ],
        batch_size=INSERT_BATCH,
        # A run of another kind (or a redelivered task) may have stored one meanwhile.
        ignore_conflicts=True,
    )
    linked = link_movements(
        account,
        StockMovement.objects.filter(
            account=account, moved_at__gte=window.start, moved_at__lt=window.end
        ),
    )
    if move_cursor:
        cursor = StockMovementCursor.objects.filter(account=account).first()
        if cursor is None:
            StockMovementCursor.objects.create(account=account, complete_until=window.end)
        elif window.start <= cursor.complete_until < window.end:
            # Only a window that continues the covered period moves it: a backfill of
            # older windows never moves it back, one after a gap never jumps the gap.
            StockMovementCursor.objects.filter(pk=cursor.pk).update(complete_until=window.end)
    return len(new), len(unique) - len(new), linked


def import_movements(
    run: SyncRun, result: MovementImport, *, skus: Sequence[str] = (), progress: Progress
) -> None:
    """Ask OC for every window of ``result`` in order and store each one whole as it
    arrives, counting into ``result``. An import of some ``skus`` only leaves the cursor
    where it is: the other SKUs' movements of those windows are still to be imported.

    Raises on the first window that fails; the windows before it stay stored and the
    cursor stays at the end of the last of them.
    """
    client = api_client(run.account)
    windows = result.windows
    progress("movements", 0, len(windows))
    for number, window in enumerate(windows, start=1):
        movements = fetch_movements(client, window, skus)
        with transaction.atomic():
            created, known, linked = _store_window(
                run, window, movements, write=not run.dry_run, move_cursor=not skus
            )
        result.completed = number
        result.created += created
        result.known += known
        result.linked_orders += linked
        result.skus.update(m.oc_sku for m in movements)
        progress(f"movements {window}", number, len(windows))
    if windows and not run.dry_run:
        # Orders that reached Hemi after their movements (OC's own orders, pulled in by
        # the status job) are linked on a later run.
        since = windows[-1].end - timedelta(days=RELINK_DAYS)
        result.linked_orders += link_movements(
            run.account,
            StockMovement.objects.filter(account=run.account, moved_at__gte=since),
        )


def _record(run: SyncRun, result: MovementImport) -> None:
    run.skus_seen = len(result.skus)
    run.rows_created = result.created
    run.rows_unchanged = result.known
    run.rows_updated = result.linked_orders
    windows = result.windows
    if windows:
        done = windows[: result.completed]
        reach = f" up to {done[-1].end:%Y-%m-%d %H:%M} UTC" if done else ""
        run.messages = [
            sentence(
                f"{result.completed} of {len(windows)} windows from "
                f"{windows[0].start:%Y-%m-%d %H:%M} UTC imported{reach}"
            )
        ]
    else:
        run.messages = ["Nothing to ask for: the last import ended a moment ago."]


def movement_sync_summary(run: SyncRun) -> str:
    """What a movement import stored, or would have stored, in one sentence."""
    would = run.status == SyncRun.Status.DRY_RUN
    stored = f"{run.rows_created} new movement{'' if run.rows_created == 1 else 's'}"
    return sentence(
        f"{stored} {'would be stored' if would else 'stored'} ({run.rows_unchanged} already "
        f"known) for {run.skus_seen} SKU{'' if run.skus_seen == 1 else 's'}; "
        f"{run.rows_updated} linked to outbound orders"
    )


def run_movement_sync(
    run_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    skus: Sequence[str] = (),
    progress: Progress | None = None,
) -> SyncRun:
    """Execute a queued movement import and return it, finished.

    Without ``since`` it continues from the account's cursor; ``since`` (a backfill)
    starts there instead, at most a year back. One import per account at a time; a run
    that is not queued any more (a duplicate task delivery) is returned as it is.
    """
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED or run.kind != SyncRun.Kind.MOVEMENTS:
        return run
    reap_abandoned_runs()
    if not take_run_lock(run, from_status=SyncRun.Status.QUEUED):
        run.status = SyncRun.Status.SKIPPED
        run.messages = [
            f"Another stock movement import for {run.account} is running; this run did nothing."
        ]
        run.finished = timezone.now()
        run.save()
        return run
    run.refresh_from_db()
    result: MovementImport | None = None
    try:
        # OC's times have whole seconds: so do the windows, and the cursor.
        now = timezone.now().replace(microsecond=0)
        start = import_start(run.account, since=since, now=now).replace(microsecond=0)
        windows = movement_windows(start, min(until or now, now), now=now)
        result = MovementImport(windows)
        import_movements(run, result, skus=skus, progress=progress or _quiet)
        run.status = SyncRun.Status.DRY_RUN if run.dry_run else SyncRun.Status.SUCCEEDED
    except Exception as exc:
        run.status = SyncRun.Status.FAILED
        run.error = _failure(exc, run, result)
        if isinstance(exc, OCError | NoUsableToken | ValueError):
            logger.warning("Stock movement import #%s failed: %s", run.pk, run.error)
        else:
            logger.exception("Stock movement import #%s failed unexpectedly", run.pk)
    finally:
        if result is not None:
            _record(run, result)
        run.finished = timezone.now()
        run.save()
    return run


def _failure(exc: Exception, run: SyncRun, result: MovementImport | None) -> str:
    if isinstance(exc, ValueError):
        return sentences(str(exc), "Nothing was imported.")
    if result is None or not result.completed or run.dry_run:
        return failure_message(exc)
    cursor = (
        StockMovementCursor.objects.filter(account=run.account)
        .values_list("complete_until", flat=True)
        .first()
    )
    reason = exc.message if isinstance(exc, OCError) else failure_message(exc)
    return sentences(
        reason,
        f"The windows before {cursor:%Y-%m-%d %H:%M} UTC are imported; the next run "
        "continues from there"
        if cursor
        else "",
    )


def _quiet(what: str, done: int, total: int) -> None:
    """No progress to show (the worker)."""
