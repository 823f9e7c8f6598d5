"""What OC says about outbound orders: applying its status and tracking, and cancelling."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.orders.models import Order, OrderStatus
from oc_integration.auth.api_client import api_client
from oc_integration.client import OCApiClient, OCBusinessError, OCError
from oc_integration.client.errors import in_words
from oc_integration.client.outbound import OutboundState, cancel_order, query_orders
from oc_integration.models import (
    OC_STATUS,
    OPEN_AT_OC,
    STATUS_RANK,
    AccountOrangeConnex,
    OrderPlatform,
    OutboundOrder,
    OutboundStatus,
)
from oc_integration.outbound.fees import record_parcels

logger = logging.getLogger(__name__)

QUERY_CHUNK = 100
SHIPPED = {OutboundStatus.OUTBOUND, OutboundStatus.DELIVERED}


def status_from(word: str) -> OutboundStatus:
    """Our status for OC's word (unknown words count as Submitted: OC has the order)."""
    return OC_STATUS.get(word.strip(), OutboundStatus.SUBMITTED)


def is_older(current: str, new: str) -> bool:
    """True when ``new`` is behind ``current`` in OC's progression (an out-of-order report)."""
    return STATUS_RANK.get(OutboundStatus(new), 0) < STATUS_RANK.get(OutboundStatus(current), 0)


def apply_state(outbound: OutboundOrder, state: OutboundState, *, save: bool = True) -> bool:
    """Take OC's view of ``outbound`` (already locked or freshly read); True if it changed.

    An older status never replaces a newer one. Reaching Outbound marks the Hemi order
    shipped with OC's tracking number. With ``save=False`` the caller writes the changes
    (in bulk, with :data:`STATE_FIELDS`, :func:`mark_hemi_orders_shipped` and
    :func:`~oc_integration.outbound.fees.record_parcels`). The order's own weight and fee
    fields keep its first parcel; every parcel, with estimate and charge, is an
    ``OutboundParcel``.
    """
    new = status_from(state.status)
    now = timezone.now()
    outbound.last_checked_at = now
    # OC has the order: earlier "not found" answers were OC lagging (see outbound.resend).
    outbound.not_found_checks = 0
    outbound.first_not_found_at = None
    outbound.oc_order_number = state.order_number or outbound.oc_order_number
    outbound.oc_created_at = state.created_at or outbound.oc_created_at
    changed = False
    if outbound.status not in STATUS_RANK or not is_older(outbound.status, new):
        changed = outbound.status != new
        if changed:
            outbound.status = new
            outbound.status_changed_at = now
    if state.tracking:
        first = state.tracking[0]
        outbound.tracking_number = first.tracking_number
        outbound.carrier_code = first.carrier_code
        outbound.carrier_name = first.carrier_name
        outbound.chargeable_weight = first.chargeable_weight
        outbound.fee_amount = first.fee_amount
        outbound.fee_currency = first.fee_currency
        outbound.tracking = [
            {
                "trackingNumber": t.tracking_number,
                "carrier": t.carrier_name or t.carrier_code,
                "chargeableWeight": (
                    f"{t.chargeable_weight} {t.weight_unit}".strip()
                    if t.chargeable_weight is not None
                    else ""
                ),
                "fee": f"{t.fee_amount or ''} {t.fee_currency}".strip(),
            }
            for t in state.tracking
        ]
    if outbound.status in (OutboundStatus.SUBMITTED, *OPEN_AT_OC):
        outbound.last_error = ""
    outbound.updated = now
    if save:
        outbound.save()
        mark_hemi_orders_shipped([outbound])
        record_parcels([(outbound, state)])
    return changed


#: What :func:`apply_state` may change on an outbound order.
STATE_FIELDS = [
    "last_checked_at",
    "not_found_checks",
    "first_not_found_at",
    "oc_order_number",
    "oc_created_at",
    "status",
    "status_changed_at",
    "tracking_number",
    "carrier_code",
    "carrier_name",
    "chargeable_weight",
    "fee_amount",
    "fee_currency",
    "tracking",
    "last_error",
    "updated",
]


def mark_hemi_orders_shipped(outbounds: list[OutboundOrder]) -> None:
    """Hemi orders whose outbound order OC shipped: shipped, with OC's carrier and tracking
    (two statements however many)."""
    shipped = {o.order_id: o for o in outbounds if o.status in SHIPPED and o.order_id}
    if not shipped:
        return
    now = timezone.now()
    orders = list(Order.objects.filter(pk__in=list(shipped), shipped=False))
    for order in orders:
        outbound = shipped[order.pk]
        order.shipped = True
        order.shipped_at = now
        order.status = OrderStatus.SHIPPED
        order.shipping_carrier = outbound.carrier_name or outbound.carrier_code
        order.tracking_number = outbound.tracking_number
        order.updated = now
    Order.objects.bulk_update(
        orders,
        ["shipped", "shipped_at", "status", "shipping_carrier", "tracking_number", "updated"],
    )


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + QUERY_CHUNK] for i in range(0, len(items), QUERY_CHUNK)]


def refresh_open_orders(account: AccountOrangeConnex) -> dict[str, int]:
    """Query OC for every open order of ``account`` (by OC order number) and apply it."""
    numbers = list(
        OutboundOrder.objects.filter(
            account=account, status__in=OPEN_AT_OC, oc_order_number__isnull=False
        ).values_list("oc_order_number", flat=True)
    )
    client = api_client(account)
    counts = {"checked": 0, "changed": 0}
    for chunk in _chunks([n for n in numbers if n]):
        states, _ = query_orders(client, order_numbers=chunk)
        by_number = {s.order_number: s for s in states}
        with transaction.atomic():
            outbounds = list(
                OutboundOrder.objects.select_for_update().filter(
                    account=account, oc_order_number__in=list(by_number)
                )
            )
            applied = []
            for outbound in outbounds:
                state = by_number[outbound.oc_order_number or ""]
                counts["changed"] += apply_state(outbound, state, save=False)
                applied.append((outbound, state))
            # One write per chunk of 100, not one per order.
            OutboundOrder.objects.bulk_update(outbounds, STATE_FIELDS)
            mark_hemi_orders_shipped(outbounds)
            record_parcels(applied)
            counts["checked"] += len(outbounds)
    counts["created_by_oc"] = pull_orders_created_by_oc(account, client=client)
    return counts


def refresh_all_accounts() -> dict[str, str]:
    """Refresh every authorized account; one account's failure does not stop the others."""
    from oc_integration.auth.accounts import authorized_accounts

    outcome = {}
    for account in authorized_accounts():
        try:
            counts = refresh_open_orders(account)
        except (OCError, NoUsableToken) as exc:
            logger.warning("Outbound status refresh for %s failed: %s", account, exc)
            outcome[account.name] = f"failed: {exc}"
        else:
            outcome[account.name] = (
                f"checked {counts['checked']}, changed {counts['changed']}, "
                f"created by OC {counts['created_by_oc']}"
            )
    return outcome


def pull_orders_created_by_oc(
    account: AccountOrangeConnex, *, client: OCApiClient | None = None
) -> int:
    """Bring in orders OC created itself (``autoFulfillmentEF``), linked to their Hemi order.

    Looks back ``OC_AUTO_ORDER_LOOKBACK_HOURS`` in windows of at most 6 hours, halving a
    window whenever OC says it holds more than 1,000 orders in it.
    """
    api = client or api_client(account)
    # OC's times have whole seconds: end a minute ahead so this second's orders are in.
    end = timezone.now() + timedelta(minutes=1)
    start = end - timedelta(hours=settings.OC_AUTO_ORDER_LOOKBACK_HOURS)
    windows: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        windows.append((cursor, min(end, cursor + timedelta(hours=6))))
        cursor += timedelta(hours=6)
    created = 0
    while windows:
        low, high = windows.pop()
        states, more = query_orders(api, start=low, end=high)
        if more and high - low > timedelta(minutes=10):
            middle = low + (high - low) / 2
            windows += [(low, middle), (middle, high)]
            continue
        created += _adopt(account, [s for s in states if s.auto_fulfillment_ef])
    return created


def _adopt(account: AccountOrangeConnex, states: list[OutboundState]) -> int:
    if not states:
        return 0
    known = set(
        OutboundOrder.objects.filter(
            oc_order_number__in=[s.order_number for s in states]
        ).values_list("oc_order_number", flat=True)
    )
    fresh = [s for s in states if s.order_number not in known]
    references = [s.reference_number for s in fresh]
    ebay_ids = [str(s.raw.get("ebayOrderId") or "") for s in fresh]
    orders = {
        key: pk
        for pk, number, ebay_id in Order.objects.filter(number__in=references).values_list(
            "pk", "number", "ebay_order_id"
        )
        for key in (number, ebay_id)
        if key
    }
    orders.update(
        {
            ebay_id: pk
            for pk, ebay_id in Order.objects.filter(
                ebay_order_id__in=[e for e in ebay_ids if e]
            ).values_list("pk", "ebay_order_id")
            if ebay_id
        }
    )
    for state in fresh:
        ebay_id = str(state.raw.get("ebayOrderId") or "")
        outbound = OutboundOrder(
            account=account,
            order_id=orders.get(state.reference_number) or orders.get(ebay_id),
            reference_number=state.reference_number or state.order_number,
            order_platform=OrderPlatform.EBAY if ebay_id else OrderPlatform.OTHERS,
            ebay_order_id=ebay_id,
            service_region=state.service_region,
            auto_fulfillment_ef=True,
            status=OutboundStatus.SUBMITTED,
        )
        apply_state(outbound, state)
    return len(fresh)


def cancel_outbound(outbound_id: int, reason: str) -> str:
    """Ask OC to cancel; return what happened in words (raises nothing OC-related)."""
    outbound = OutboundOrder.objects.select_related("account").get(pk=outbound_id)
    if not outbound.oc_order_number:
        if outbound.status in (
            OutboundStatus.DRAFT,
            OutboundStatus.QUEUED,
            OutboundStatus.REJECTED,
        ):
            # Conditional: a push may have claimed it since it was read.
            cancelled = OutboundOrder.objects.filter(pk=outbound.pk, status=outbound.status).update(
                status=OutboundStatus.CANCELLED, cancel_reason=reason, updated=timezone.now()
            )
            if cancelled:
                return f"{outbound}: cancelled before it was sent to OC."
        return f"{outbound}: OC has not confirmed this order yet; try again in a minute."
    try:
        cancel_order(api_client(outbound.account), outbound.oc_order_number, reason, timezone.now())
    except OCBusinessError as exc:
        first = exc.errors[0] if exc.errors else None
        words = in_words(first.code if first else exc.code, first.message if first else exc.message)
        OutboundOrder.objects.filter(pk=outbound.pk).update(
            last_error=f"Cancellation refused: {words}"
        )
        return f"{outbound}: OC refused to cancel. {words}."
    except (OCError, NoUsableToken) as exc:
        return f"{outbound}: could not reach OC to cancel ({exc}). Nothing changed; try again."
    OutboundOrder.objects.filter(pk=outbound.pk).update(
        status=OutboundStatus.CANCELLED,
        cancel_reason=reason,
        status_changed_at=timezone.now(),
        last_error="",
        updated=timezone.now(),
    )
    return f"{outbound}: cancelled at OC."
