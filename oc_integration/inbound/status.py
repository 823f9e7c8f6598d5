"""Following placed inbound orders: OC's status, received units and checked papers.

OC's detail query answers the orders *created or changed* within a window of under 7
days (at most a year back). Each open order keeps the end of the last window that covered
it (``checked_until``); a sync asks from the earliest of those (less a small overlap)
until now, window by window, by OC inbound number, and applies what OC says. A status
never goes back (an older answer arriving late changes nothing), every change is kept in
the order's history, and OC's per-SKU quantities replace the stored ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient
from oc_integration.client.inbound import (
    MAX_LOOKBACK,
    MAX_NUMBERS_PER_QUERY,
    InboundState,
    query_details,
    query_windows,
)
from oc_integration.models import (
    OPEN_INBOUND,
    AccountOrangeConnex,
    InboundDocument,
    InboundOrder,
    InboundReceipt,
    InboundStatus,
    InboundStatusChange,
)
from oc_integration.models.inbound import STATUS_OF_MEANING

#: How far before the last covered moment the next sync starts (OC's clock may lag ours).
OVERLAP = timedelta(minutes=settings.OC_INBOUND_SYNC_OVERLAP_MINUTES)
#: The order of OC's steps: a status is never replaced by an earlier one.
STATUS_RANK = {
    InboundStatus.CREATED: 0,
    InboundStatus.IN_TRANSIT: 1,
    InboundStatus.ARRIVED: 2,
    InboundStatus.RECEIVING: 3,
    InboundStatus.RECEIVED: 4,
    InboundStatus.CANCELLED: 5,
}
ORDER_FIELDS = [
    "status",
    "oc_status",
    "booking_number",
    "status_changed_at",
    "last_checked_at",
    "last_error",
    "updated",
]


@dataclass
class Applied:
    """What applying OC's answers changed, to be written in bulk."""

    orders: list[InboundOrder] = field(default_factory=list)
    history: list[InboundStatusChange] = field(default_factory=list)
    receipts: list[InboundReceipt] = field(default_factory=list)
    changed: int = 0


def status_of(state: InboundState) -> str:
    """Hemi's status for OC's word (an unknown word: placed, since OC has the order)."""
    return STATUS_OF_MEANING[state.meaning]


def apply_state(order: InboundOrder, state: InboundState, applied: Applied, now: datetime) -> None:
    """Take OC's view of ``order`` into ``applied`` (the caller writes it)."""
    new = status_of(state)
    order.oc_status = state.status or order.oc_status
    order.booking_number = state.booking_number or order.booking_number
    order.last_checked_at = now
    order.last_error = ""
    order.updated = now
    current = STATUS_RANK.get(InboundStatus(order.status), -1)
    if STATUS_RANK[InboundStatus(new)] > current:
        order.status = new
        order.status_changed_at = state.changed_at or now
        applied.changed += 1
        applied.history.append(
            InboundStatusChange(
                order=order,
                status=new,
                oc_status=state.status,
                changed_at=order.status_changed_at,
            )
        )
    applied.orders.append(order)
    applied.receipts.extend(
        InboundReceipt(order=order, oc_sku=sku.oc_sku, sent=sku.sent, received=sku.received)
        for sku in state.skus
    )


def write(applied: Applied, states: dict[str, InboundState]) -> None:
    """Write what :func:`apply_state` collected (a few statements however many orders)."""
    InboundOrder.objects.bulk_update(applied.orders, ORDER_FIELDS)
    InboundStatusChange.objects.bulk_create(applied.history)
    InboundReceipt.objects.bulk_create(
        applied.receipts,
        update_conflicts=True,
        unique_fields=["order", "oc_sku"],
        update_fields=["sent", "received", "updated"],
    )
    checked = {
        (order.pk, f.file_type, f.file_name): f
        for order in applied.orders
        for f in states[order.oc_inbound_number].files
    }
    if not checked:
        return
    documents = list(InboundDocument.objects.filter(order__in=applied.orders))
    for document in documents:
        found = checked.get((document.order_id, document.file_type, document.file_name))
        if found is not None:
            document.verify_status = found.verify_status
            document.fail_reason = found.fail_reason[:255]
    InboundDocument.objects.bulk_update(documents, ["verify_status", "fail_reason"])


def apply_states(account: AccountOrangeConnex, states: Iterable[InboundState]) -> int:
    """Apply OC's rows to the account's orders with those inbound numbers (row-locked);
    returns how many changed status."""
    by_number = {s.inbound_number: s for s in states}
    if not by_number:
        return 0
    now = timezone.now()
    applied = Applied()
    with transaction.atomic():
        orders = InboundOrder.objects.select_for_update().filter(
            account=account, oc_inbound_number__in=list(by_number)
        )
        for order in orders:
            apply_state(order, by_number[order.oc_inbound_number], applied, now)
        write(applied, by_number)
    return applied.changed


@dataclass
class InboundSyncResult:
    """What one account's inbound sync did."""

    checked: int = 0
    changed: int = 0
    calls: int = 0
    windows: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.checked} open inbound order(s) checked in {self.windows} window(s), "
            f"{self.changed} changed status."
        )


def _chunks(numbers: list[str]) -> list[list[str]]:
    step = MAX_NUMBERS_PER_QUERY
    return [numbers[i : i + step] for i in range(0, len(numbers), step)]


def sync_inbound_orders(
    account: AccountOrangeConnex, *, client: OCApiClient | None = None
) -> InboundSyncResult:
    """Ask OC about every open inbound order of ``account`` and apply its answers.

    OC's errors are raised (the caller reports them); what was applied before the failure
    stays, and the orders' cursors move only once every window was answered.
    """
    result = InboundSyncResult()
    now = timezone.now()
    open_orders = list(
        InboundOrder.objects.filter(account=account, status__in=OPEN_INBOUND)
        .exclude(oc_inbound_number="")
        .values_list("pk", "oc_inbound_number", "checked_until", "placed_at", "created")
    )
    if not open_orders:
        result.messages.append("No open inbound orders to check.")
        return result
    earliest = min(until or placed or created for _, _, until, placed, created in open_orders)
    # OC answers a year back at most; a minute's margin keeps the first window inside it.
    start = max(earliest - OVERLAP, now - MAX_LOOKBACK + timedelta(minutes=1))
    numbers = sorted({number for _, number, *_ in open_orders})
    api = client or api_client(account)
    # OC's times have whole seconds: ending a minute ahead keeps this second's changes in.
    for window_start, window_end in query_windows(start, now + timedelta(minutes=1)):
        result.windows += 1
        for chunk in _chunks(numbers):
            result.calls += 1
            states = query_details(api, start=window_start, end=window_end, inbound_numbers=chunk)
            result.changed += apply_states(account, states)
    InboundOrder.objects.filter(pk__in=[pk for pk, *_ in open_orders]).update(
        checked_until=now, last_checked_at=now
    )
    result.checked = len(open_orders)
    return result
