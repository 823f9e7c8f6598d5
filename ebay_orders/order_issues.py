"""Orders held for review (``OrderIssue``), recorded a page at a time.

A page's notes cost one query to find the earlier records, one bulk insert and one bulk
update, however many orders the page flags.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from django.utils import timezone

from ebay_orders.models import IssueKind, OrderIssue
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import Order

# OrderIssue.ebay_order_id's column length.
_ORDER_ID_LENGTH = 64


@dataclass(frozen=True)
class IssueNote:
    """One order to hold for review, as the import met it."""

    ebay_order_id: str
    kind: str
    message: str
    order: Order | None = None


def mixed_message(order_id: str) -> str:
    """The review message for an order with both kinds of lines (the seed says none exist)."""
    return f"Order {order_id} mixes eBay-fulfilled and seller-fulfilled lines: flagged for review"


def _merge(notes: Sequence[IssueNote]) -> tuple[dict[tuple[str, str], IssueNote], list[IssueNote]]:
    # The same order and kind met twice on a page is one record: the later message, and
    # the order once one was known (as two notes one after the other would leave it).
    named: dict[tuple[str, str], IssueNote] = {}
    unnamed: list[IssueNote] = []
    for note in notes:
        if not note.ebay_order_id:
            unnamed.append(note)  # nothing to recognise it by next time: always a new record
            continue
        key = (note.ebay_order_id, note.kind)
        earlier = named.get(key)
        if earlier is not None and note.order is None:
            note = replace(note, order=earlier.order)
        named[key] = note
    return named, unnamed


def flag_issues(*, account: EbayAccount, notes: Sequence[IssueNote]) -> None:
    """Record (or refresh the records of) the orders in ``notes`` as held for review.

    A person's decision stands: an issue marked resolved is not reopened when the next
    import (the overlap re-reads recent orders) meets the same order again.
    """
    if not notes:
        return
    named, unnamed = _merge(notes)
    known: dict[tuple[str, str], OrderIssue] = {}
    if named:
        earlier = OrderIssue.objects.filter(
            ebay_account=account,
            ebay_order_id__in={order_id for order_id, _ in named},
            kind__in={kind for _, kind in named},
        ).order_by("resolved", "-id")  # the open one if any, else the latest
        for record in earlier:
            known.setdefault((record.ebay_order_id, record.kind), record)
    new: list[OrderIssue] = []
    refreshed: list[OrderIssue] = []
    now = timezone.now()
    for key, note in named.items():
        issue = known.get(key)
        if issue is None:
            new.append(_new_issue(account, note))
        elif not issue.resolved:
            issue.message = note.message
            if note.order is not None:
                issue.order = note.order
            issue.last_seen = now  # bulk_update skips auto_now
            refreshed.append(issue)
    new.extend(_new_issue(account, note) for note in unnamed)
    if new:
        OrderIssue.objects.bulk_create(new)
    if refreshed:
        OrderIssue.objects.bulk_update(refreshed, ["message", "order", "last_seen"])


def _new_issue(account: EbayAccount, note: IssueNote) -> OrderIssue:
    return OrderIssue(
        ebay_account=account,
        ebay_order_id=note.ebay_order_id[:_ORDER_ID_LENGTH],
        kind=note.kind,
        message=note.message,
        order=note.order,
    )


def settle_mixed(order_ids: Collection[int]) -> None:
    """Resolve the open mixed-fulfilment issues of these orders: eBay now sends each of
    them wholly one way, so the earlier doubt is settled."""
    if order_ids:
        OrderIssue.objects.filter(
            order_id__in=order_ids, kind=IssueKind.MIXED_FULFILMENT, resolved=False
        ).update(resolved=True)
