"""The order import for one eBay account: windows, pages, the cursor, bad orders.

The connection's order source decides who reads the pages (``order_sources``: Trading's
GetOrders or the Sell Fulfillment API's getOrders); everything else here is shared, and
orders and lines are keyed alike by both, so switching source never duplicates one.

Windows run from the saved cursor (minus ``EBAY_IMPORT_OVERLAP_MINUTES``) to two minutes
before now, at most 30 days each. A page is stored in bulk in one transaction (a fixed
number of SQL statements, whatever its size); one bad order is recorded and skipped while
the rest of the page imports; the cursor moves to a window's end only once every page of
that window is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ebay_orders.client import EbayError, EbayTokenRejected, GetOrdersPage
from ebay_orders.connections import ConnectionNotReady
from ebay_orders.models import EbayConnection, IssueKind
from ebay_orders.order_issues import IssueNote, flag_issues, mixed_message
from ebay_orders.order_sources import OrderReader, reader_for
from ebay_orders.order_store import CREATED, UNCHANGED, UPDATED, Rejection, store_page
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.words import sentence, sentences

logger = logging.getLogger(__name__)

# Orders modified in the last moments may not be visible to GetOrders yet.
END_LAG = timedelta(minutes=2)
# eBay's limits: a ModTime window spans at most 30 days and starts at most 90 days back.
MAX_WINDOW = timedelta(days=30)
EBAY_HISTORY = timedelta(days=90)
# Slack so that a window start computed now is still inside 90 days when eBay reads it.
HISTORY_MARGIN = timedelta(minutes=10)
# Reads of one window before giving up on it when its pages keep shifting.
WINDOW_READS = 3

_RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}

#: Called after each page with the number of orders the page held.
Progress = Callable[[int], None]


@dataclass
class ImportResult:
    """What one account's import did; the command, task and admin each present it."""

    account_label: str
    dry_run: bool = False
    ebay_fulfilled: int = 0
    flagged: int = 0
    skipped: int = 0
    failed: int = 0
    windows: int = 0
    pages: int = 0
    cursor: datetime | None = None
    error: str = ""
    messages: list[str] = field(default_factory=list)
    # OrderID -> outcome; an order met twice (it moved between pages) counts once.
    outcomes: dict[str, str] = field(default_factory=dict)
    _ebay_ids: set[str] = field(default_factory=set)

    def note(self, order_id: str, outcome: str, fulfilment: str) -> None:
        """Count an order stored with ``outcome``."""
        before = self.outcomes.get(order_id)
        if before is None or _RANK[outcome] > _RANK[before]:
            self.outcomes[order_id] = outcome
        if fulfilment == "ebay" and order_id not in self._ebay_ids:
            self._ebay_ids.add(order_id)
            self.ebay_fulfilled += 1

    def _count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def succeeded(self) -> bool:
        return not self.error and not self.failed

    def counts(self) -> dict[str, int]:
        """The figures of the summary, by name."""
        return {
            "imported": self._count(CREATED),
            "updated": self._count(UPDATED),
            "unchanged": self._count(UNCHANGED),
            "ebay_fulfilled": self.ebay_fulfilled,
            "flagged": self.flagged,
            "skipped": self.skipped,
            "failed": self.failed,
            "pages": self.pages,
        }

    def summary(self) -> str:
        """One line for a terminal, an admin message or a run row."""
        c = self.counts()
        text = (
            f"{self.account_label}: {c['imported']} imported, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['ebay_fulfilled']} eBay-fulfilled, "
            f"{c['flagged']} flagged for review, {c['skipped']} skipped, {c['failed']} failed"
        )
        if self.dry_run:
            text += " (dry run: nothing saved)"
        return sentences(text, f"Stopped: {self.error}") if self.error else text


def plan_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Consecutive (from, to) windows covering [start, end], none longer than 30 days."""
    windows = []
    while start < end:
        window_end = min(start + MAX_WINDOW, end)
        windows.append((start, window_end))
        start = window_end
    return windows


def _bounds(
    connection: EbayConnection, since: datetime | None, moment: datetime, result: ImportResult
) -> tuple[datetime, datetime]:
    end = moment - END_LAG
    if since is not None:
        start = since
    elif connection.import_cursor is not None:
        start = connection.import_cursor - timedelta(minutes=settings.EBAY_IMPORT_OVERLAP_MINUTES)
    else:
        start = end - timedelta(days=settings.EBAY_IMPORT_INITIAL_DAYS)
    oldest = moment - EBAY_HISTORY + HISTORY_MARGIN
    if start < oldest:
        result.messages.append(
            f"eBay keeps 90 days of orders: importing from {oldest:%Y-%m-%d %H:%M} UTC "
            f"instead of {start:%Y-%m-%d %H:%M} UTC."
        )
        start = oldest
    return start, end


def _take_lease(connection_id: int) -> bool:
    now = timezone.now()
    until = now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    free = Q(import_lease_until__isnull=True) | Q(import_lease_until__lt=now)
    return (
        EbayConnection.objects.filter(free, pk=connection_id).update(import_lease_until=until) == 1
    )


def _release_lease(connection_id: int) -> None:
    EbayConnection.objects.filter(pk=connection_id).update(import_lease_until=None)


def _advance_cursor(connection_id: int, window_end: datetime) -> None:
    # Never backwards: a --since backfill of old windows leaves a later cursor alone.
    behind = Q(import_cursor__isnull=True) | Q(import_cursor__lt=window_end)
    EbayConnection.objects.filter(behind, pk=connection_id).update(import_cursor=window_end)


def _reject(
    account: EbayAccount,
    order_id: str,
    kind: str,
    message: str,
    result: ImportResult,
    *,
    failed: bool = False,
) -> IssueNote:
    """Count and report an order left out; the note is recorded with the page's others."""
    logger.warning("eBay import %s: %s", account, message)
    result.messages.append(message)
    if failed:
        result.failed += 1
    else:
        result.skipped += 1
    return IssueNote(ebay_order_id=order_id, kind=kind, message=message)


def _import_page(page: GetOrdersPage, account: EbayAccount, result: ImportResult) -> None:
    result.messages.extend(sentence(f"eBay warning: {warning}") for warning in page.warnings)
    notes: list[IssueNote] = []
    for problem in page.problems:
        label = problem.order_id or "(without OrderID)"
        message = sentence(f"Order {label} is malformed and was skipped: {problem.message}")
        notes.append(_reject(account, problem.order_id, IssueKind.MALFORMED, message, result))
    # One transaction per page: a crash mid-page leaves none of it written, and the
    # cursor only moves once the whole window is done, so the next run reads it again.
    with transaction.atomic():
        for outcome in store_page(account=account, orders=page.orders):
            if isinstance(outcome, Rejection):
                notes.append(
                    _reject(
                        account,
                        outcome.order_id,
                        outcome.kind,
                        outcome.message,
                        result,
                        failed=outcome.failed,
                    )
                )
                continue
            result.note(outcome.order_id, outcome.outcome, outcome.fulfilment)
            if outcome.fulfilment == "mixed":
                result.flagged += 1
                result.messages.append(mixed_message(outcome.order_id))
        if result.dry_run:
            transaction.set_rollback(True)
        else:
            flag_issues(account=account, notes=notes)


class WindowUnstable(Exception):
    """The window's orders kept changing while its pages were read."""


def _read_window(
    reader: OrderReader,
    account: EbayAccount,
    window: tuple[datetime, datetime],
    result: ImportResult,
    progress: Progress | None,
) -> bool:
    """Read every page of the window; False when the result set shifted meanwhile."""
    seen: set[str] = set()
    totals: set[int | None] = set()
    stable = True
    for fetched in reader.pages(window):
        completed = reader.complete(fetched)
        page = completed.page
        result.pages += 1
        result.messages.extend(completed.messages)
        _import_page(page, account, result)
        if progress is not None:
            progress(len(page.orders) + len(page.problems))
        ids = [o.order_id for o in page.orders]
        # A repeated order or a changed total means the pages shifted under us: an order
        # modified meanwhile moved, and an unmodified one may have slid onto a read page.
        stable = stable and seen.isdisjoint(ids)
        seen.update(ids)
        totals.add(page.total_entries)
    return stable and len(totals) <= 1


def _import_window(
    reader: OrderReader,
    account: EbayAccount,
    window: tuple[datetime, datetime],
    result: ImportResult,
    progress: Progress | None,
) -> None:
    for _ in range(WINDOW_READS):
        if _read_window(reader, account, window, result, progress):
            return
        result.messages.append(
            f"Orders changed while {window[0]:%Y-%m-%d %H:%M}-{window[1]:%Y-%m-%d %H:%M} UTC "
            "was read: reading it again so that none is missed."
        )
    raise WindowUnstable(
        f"orders kept changing during {WINDOW_READS} reads of the window from "
        f"{window[0]:%Y-%m-%d %H:%M} UTC; the next run reads it again"
    )


def import_orders(
    *,
    account_id: int,
    since: datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import the orders of eBay account ``account_id`` modified since its cursor (or ``since``),
    through the Trading API or the Sell Fulfillment API as its connection says.

    Never raises for eBay or data problems: they end up in the result's ``error``,
    ``messages`` and counts. ``dry_run`` reads from eBay and saves nothing.
    """
    connection = (
        EbayConnection.objects.select_related("ebay_account")
        .filter(ebay_account_id=account_id)
        .first()
    )
    if connection is None:
        label = str(EbayAccount.objects.filter(pk=account_id).first() or f"account {account_id}")
        return ImportResult(label, dry_run, error=f"{label} has no eBay connection.")
    account = connection.ebay_account
    result = ImportResult(str(account), dry_run, cursor=connection.import_cursor)
    if not connection.enabled:
        result.error = f"The eBay connection of {account} is disabled."
        return result
    start, end = _bounds(connection, since, now or timezone.now(), result)
    if not dry_run and not _take_lease(connection.pk):
        result.error = f"Another import of {account} is running; try again when it has finished."
        return result
    try:
        with reader_for(connection) as reader:
            for window in plan_windows(start, end):
                _import_window(reader, account, window, result, progress)
                if not dry_run:
                    _advance_cursor(connection.pk, window[1])
                result.cursor = max(window[1], result.cursor or window[1])
                result.windows += 1
    except ConnectionNotReady as exc:
        result.error = str(exc)
    except EbayTokenRejected as exc:
        result.error = f"eBay refused the OAuth user token ({exc}); store a new one."
    except (EbayError, WindowUnstable) as exc:
        result.error = sentences(str(exc), "The next run resumes from the last completed window.")
    finally:
        if not dry_run:
            _release_lease(connection.pk)
    if result.error:
        logger.error("eBay import %s stopped: %s", account, result.error)
    return result
