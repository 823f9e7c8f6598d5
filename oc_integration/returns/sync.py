"""Importing OC's return orders, linked to the outbound order and Hemi order they return.

A run asks OC for the returns created or changed since the account's last complete
window (less a small overlap; on the first run, ``OC_RETURNS_FIRST_LOOKBACK_DAYS`` back),
window by window, and writes what OC says in a few bulk statements per window. A return
is linked to the account's outbound order with OC's outbound order number, else with its
reference number; its Hemi order is that outbound order's, else the order with its eBay
order id. An answer older than what is stored changes nothing; OC's items replace the
stored ones. After the orders, the returned-stock snapshot is refreshed (``stock.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.orders.models import Order
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient, OCError
from oc_integration.client import returns as oc_returns
from oc_integration.client.returns import ReturnState, query_returns, query_windows
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundOrderLine,
    PendingRequest,
    ReturnOrder,
    ReturnOrderItem,
    ReturnStatus,
    ReturnSyncState,
)

logger = logging.getLogger(__name__)

#: How far before the last covered moment the next import starts (OC's clock may lag).
OVERLAP = timedelta(minutes=10)
#: OC's meaning of a status word -> Hemi's status.
STATUS_OF_MEANING = {
    oc_returns.CREATED: ReturnStatus.CREATED,
    oc_returns.IN_TRANSIT: ReturnStatus.IN_TRANSIT,
    oc_returns.RECEIVED: ReturnStatus.RECEIVED,
    oc_returns.COMPLETED: ReturnStatus.COMPLETED,
    oc_returns.CANCELLED: ReturnStatus.CANCELLED,
    oc_returns.UNKNOWN: ReturnStatus.UNKNOWN,
}
RETURN_FIELDS = [
    "outbound_order",
    "order",
    "outbound_order_number",
    "reference_number",
    "ebay_order_id",
    "region",
    "status",
    "oc_status",
    "reason_code",
    "reason",
    "tracking_number",
    "carrier_code",
    "carrier_name",
    "oc_created_at",
    "oc_updated_at",
    "pending_request",
    "pending_since",
    "pending_tracking",
    "last_synced_at",
    "updated",
]


def first_lookback() -> timedelta:
    """How far back the first import of an account reaches."""
    return timedelta(days=settings.OC_RETURNS_FIRST_LOOKBACK_DAYS)


@dataclass
class Applied:
    """What applying one answer did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    unlinked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Outbound:
    pk: int
    order_id: int | None


def _outbound_links(
    account: AccountOrangeConnex, states: list[ReturnState]
) -> tuple[dict[str, _Outbound], dict[str, _Outbound]]:
    """The account's outbound orders by OC order number and by reference (one query)."""
    numbers = {s.outbound_number for s in states if s.outbound_number}
    references = {s.reference_number for s in states if s.reference_number}
    by_number: dict[str, _Outbound] = {}
    by_reference: dict[str, _Outbound] = {}
    if not numbers and not references:
        return by_number, by_reference
    rows = OutboundOrder.objects.filter(account=account).filter(
        Q(oc_order_number__in=numbers) | Q(reference_number__in=references)
    )
    for pk, number, reference, order_id in rows.values_list(
        "pk", "oc_order_number", "reference_number", "order_id"
    ):
        found = _Outbound(pk, order_id)
        if number:
            by_number[number] = found
        by_reference[reference] = found
    return by_number, by_reference


def _settle_pending(row: ReturnOrder) -> None:
    """OC's state shows the change whose answer was lost: nothing is pending any more."""
    cancelled = (
        row.pending_request == PendingRequest.CANCEL and row.status == ReturnStatus.CANCELLED
    )
    tracked = (
        row.pending_request == PendingRequest.TRACKING
        and row.tracking_number == row.pending_tracking
    )
    if cancelled or tracked:
        row.pending_request = PendingRequest.NONE
    if row.pending_request == PendingRequest.NONE:
        row.pending_since = None
        row.pending_tracking = ""


def apply_states(account: AccountOrangeConnex, states: Iterable[ReturnState]) -> Applied:
    """Write OC's return orders for ``account`` (row-locked, a few statements in all)."""
    latest: dict[str, ReturnState] = {}
    for state in states:
        latest[state.return_number] = state  # a page overlap repeats a row: the last wins
    applied = Applied()
    if not latest:
        return applied
    chosen = list(latest.values())
    now = timezone.now()
    by_number, by_reference = _outbound_links(account, chosen)
    ebay_ids = {s.ebay_order_id for s in chosen if s.ebay_order_id}
    orders_by_ebay_id = dict(
        Order.objects.filter(ebay_order_id__in=ebay_ids).values_list("ebay_order_id", "pk")
    )
    with transaction.atomic():
        existing = {
            row.oc_return_number: row
            for row in ReturnOrder.objects.select_for_update().filter(
                account=account, oc_return_number__in=list(latest)
            )
        }
        new_rows, changed_rows = [], []
        for state in chosen:
            row = existing.get(state.return_number)
            if row is None:
                row = ReturnOrder(account=account, oc_return_number=state.return_number)
                new_rows.append(row)
            elif row.oc_updated_at and state.updated_at and state.updated_at < row.oc_updated_at:
                applied.unchanged += 1  # an older answer arriving late
                continue
            else:
                changed_rows.append(row)
            outbound = by_number.get(state.outbound_number) or by_reference.get(
                state.reference_number
            )
            row.outbound_order_id = outbound.pk if outbound else None
            row.order_id = (outbound.order_id if outbound else None) or orders_by_ebay_id.get(
                state.ebay_order_id
            )
            if outbound is None:
                applied.unlinked.append(state.return_number)
            else:
                applied.linked += 1
            row.outbound_order_number = state.outbound_number
            row.reference_number = state.reference_number
            row.ebay_order_id = state.ebay_order_id
            row.region = state.region
            row.status = STATUS_OF_MEANING[state.meaning]
            row.oc_status = state.status
            row.reason_code = state.reason_code
            row.reason = state.reason
            row.tracking_number = state.tracking_number
            row.carrier_code = state.carrier_code
            row.carrier_name = state.carrier_name
            row.oc_created_at = state.created_at or row.oc_created_at
            row.oc_updated_at = state.updated_at or row.oc_updated_at
            row.last_synced_at = now
            row.updated = now
            _settle_pending(row)
        ReturnOrder.objects.bulk_create(new_rows)
        ReturnOrder.objects.bulk_update(changed_rows, RETURN_FIELDS)
        written = [*new_rows, *changed_rows]
        _replace_items(written, latest)
    applied.created, applied.updated = len(new_rows), len(changed_rows)
    return applied


def _replace_items(rows: list[ReturnOrder], states: dict[str, ReturnState]) -> None:
    """OC's items replace the stored ones; a missing seller SKU is the outbound line's."""
    if not rows:
        return
    ReturnOrderItem.objects.filter(return_order__in=rows).delete()
    outbound_ids = {row.outbound_order_id for row in rows if row.outbound_order_id}
    skus = {
        (outbound_id, oc_sku): sku
        for outbound_id, oc_sku, sku in OutboundOrderLine.objects.filter(
            outbound_order_id__in=outbound_ids
        ).values_list("outbound_order_id", "oc_sku", "sku")
    }
    ReturnOrderItem.objects.bulk_create(
        ReturnOrderItem(
            return_order=row,
            oc_sku=item.oc_sku,
            seller_sku=item.seller_sku or skus.get((row.outbound_order_id or 0, item.oc_sku), ""),
            quantity=item.quantity,
            received_quantity=item.received_quantity,
            condition=item.condition,
        )
        for row in rows
        for item in states[row.oc_return_number].items
    )


@dataclass
class ReturnSyncResult:
    """What one account's return import did."""

    windows: int = 0
    seen: int = 0
    created: int = 0
    updated: int = 0
    linked: int = 0
    stock_rows: int = 0
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The outcome in one sentence."""
        return (
            f"{self.seen} return order(s) read in {self.windows} window(s): {self.created} new, "
            f"{self.updated} updated, {self.linked} linked to their outbound order; "
            f"returned stock of {self.stock_rows} SKU/region row(s)."
        )


def _start(state: ReturnSyncState, now: datetime) -> datetime:
    if state.synced_until is None:
        return now - first_lookback()
    return min(state.synced_until - OVERLAP, now - timedelta(minutes=1))


def import_returns(
    account: AccountOrangeConnex, *, client: OCApiClient | None = None, with_stock: bool = True
) -> ReturnSyncResult:
    """Import the account's return orders changed since its last import, then (unless
    ``with_stock`` is false) its returned-stock snapshot.

    OC's errors are raised for the caller to report; windows already applied stay, and
    the next run goes on from the last complete one.
    """
    from oc_integration.returns.stock import refresh_returned_stock

    result = ReturnSyncResult()
    now = timezone.now()
    state, _ = ReturnSyncState.objects.get_or_create(account=account)
    api = client or api_client(account)
    try:
        # OC's times have whole seconds: ending a minute ahead keeps this second's changes.
        for window_start, window_end in query_windows(
            _start(state, now), now + timedelta(minutes=1)
        ):
            result.windows += 1
            states = query_returns(api, start=window_start, end=window_end)
            applied = apply_states(account, states)
            result.seen += len(states)
            result.created += applied.created
            result.updated += applied.updated
            result.linked += applied.linked
            if applied.unlinked:
                result.messages.append(
                    f"{len(applied.unlinked)} return(s) match no outbound order of this account: "
                    + ", ".join(applied.unlinked[:10])
                )
            state.synced_until = min(window_end, now)
            state.save(update_fields=["synced_until"])
        if with_stock:
            result.stock_rows = refresh_returned_stock(account, client=api)
    except (OCError, NoUsableToken, ValueError) as exc:
        _record(state, now, f"failed: {exc}")
        raise
    _record(state, now, result.summary())
    return result


def _record(state: ReturnSyncState, now: datetime, outcome: str) -> None:
    state.last_run_at = now
    state.last_outcome = outcome[:2000]
    state.save(update_fields=["last_run_at", "last_outcome"])


def sync_all_accounts() -> dict[str, str]:
    """The beat job: every authorized account; one account's failure stops no other."""
    from oc_integration.auth.accounts import authorized_accounts

    outcome = {}
    for account in authorized_accounts():
        try:
            outcome[account.name] = import_returns(account).summary()
        except (OCError, NoUsableToken, ValueError) as exc:
            logger.warning("Return import for %s failed: %s", account, exc)
            outcome[account.name] = f"failed: {exc}"
    return outcome
