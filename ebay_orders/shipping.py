"""The shipping job, Hemi's ``cron_ebay_007_shipped_orders_update``: CompleteSale per order.

Orders the seller shipped (carrier and tracking number set) are reported to eBay once.
Orders whose Marketplace Fulfillment Channel is "Fulfilled by eBay" are shipped by eBay's
warehouse (OC): they are counted and logged, and no eBay call is ever made for them.
Orders held for review (a mixed order) wait until a person resolves the issue.

"Never twice": a report is claimed (``sending``, committed) before the HTTP call, under
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere.
A call that ends without a trustworthy answer (timeout, connection reset, HTTP 5xx,
unreadable XML) may still have reached eBay: the report becomes ``unconfirmed``, and the
next run asks eBay with GetOrders (by OrderID) before anything is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ebay_orders.client import (
    MAX_ORDER_IDS,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayOrder,
    EbayTokenRejected,
    EbayTransportError,
    TradingClient,
)
from ebay_orders.connections import ConnectionNotReady, client_for
from ebay_orders.models import EbayConnection, OrderIssue, ReportStatus, ShipmentReport
from hemi_fulfilment.orders.models import Channel, FulfillmentChannel, Order, OrderStatus
from hemi_fulfilment.words import sentence, sentences

logger = logging.getLogger(__name__)

RETRYABLE = [ReportStatus.PENDING, ReportStatus.FAILED]
# A report still "sending" after this long was interrupted mid-call: a person decides.
STALE_SENDING = timedelta(hours=1)
# Errors that say eBay (or the token) is unusable right now: stop this account's run.
ACCOUNT_STOPPERS = (EbayTokenRejected, EbayTransportError, EbayHttpError)

#: Called after each order handled.
Progress = Callable[[int], None]


@dataclass
class ShippingResult:
    """What one run of the shipping job did."""

    dry_run: bool = False
    reported: int = 0
    ebay_fulfilled: int = 0
    held: int = 0
    busy: int = 0
    failed: int = 0
    # Of ``failed``: sent, but eBay's answer was lost; checked with eBay on the next run.
    unconfirmed: int = 0
    # Earlier unconfirmed reports that eBay showed it had taken: marked reported, not resent.
    confirmed: int = 0
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    would_report: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return not self.failed and not self.errors

    def counts(self) -> dict[str, int]:
        """The figures of the summary, by name."""
        return {
            "reported": len(self.would_report) if self.dry_run else self.reported,
            "ebay_fulfilled": self.ebay_fulfilled,
            "held": self.held,
            "busy": self.busy,
            "failed": self.failed,
            "unconfirmed": self.unconfirmed,
            "confirmed": self.confirmed,
        }

    def summary(self) -> str:
        """One line for a terminal, an admin message or a run row."""
        c = self.counts()
        verb = "would be reported (dry run: nothing sent)" if self.dry_run else "reported"
        text = (
            f"{c['reported']} {verb}, {c['ebay_fulfilled']} eBay-fulfilled skipped, "
            f"{c['held']} held for review, {c['busy']} being sent by another run, "
            f"{c['failed']} failed"
        )
        if c["unconfirmed"]:
            text += f" ({c['unconfirmed']} with outcome unknown: checked with eBay next run)"
        if c["confirmed"]:
            text += f", {c['confirmed']} earlier unknown outcome(s) confirmed by eBay"
        return sentences(text, f"Stopped: {'; '.join(self.errors)}") if self.errors else text


def shipped_unreported(account_id: int) -> QuerySet[Order]:
    """eBay orders of the account that the seller shipped and Hemi has not reported."""
    return (
        Order.objects.filter(channel=Channel.EBAY, ebay_account_id=account_id)
        .exclude(ebay_order_id__isnull=True)
        .exclude(ebay_order_id="")
        .exclude(shipping_carrier="")
        .exclude(tracking_number="")
        .exclude(status=OrderStatus.CANCELLED)
        .exclude(
            ebay_shipment__status__in=[
                ReportStatus.REPORTED,
                ReportStatus.SENDING,
                ReportStatus.UNCONFIRMED,
            ]
        )
        .order_by("pk")
    )


def unconfirmed_reports(account_id: int) -> QuerySet[ShipmentReport]:
    """The account's reports sent without a trustworthy answer: eBay must be asked first."""
    return (
        ShipmentReport.objects.filter(
            status=ReportStatus.UNCONFIRMED,
            order__channel=Channel.EBAY,
            order__ebay_account_id=account_id,
        )
        .select_related("order")
        .order_by("pk")
    )


def outcome_unknown(error: EbayError) -> bool:
    """Whether eBay may have recorded a call that raised ``error`` (no answer to trust)."""
    if isinstance(error, EbayTransportError | EbayMalformedResponse):
        return True
    return isinstance(error, EbayHttpError) and error.status >= 500


def _claim(order: Order) -> ShipmentReport | None:
    ShipmentReport.objects.bulk_create([ShipmentReport(order=order)], ignore_conflicts=True)
    with transaction.atomic():
        report = (
            ShipmentReport.objects.select_for_update(skip_locked=True)
            .filter(order=order, status__in=RETRYABLE)
            .first()
        )
        if report is None:
            return None
        # SQLite has no row locks: the status condition in the UPDATE is the guard there.
        claimed = ShipmentReport.objects.filter(pk=report.pk, status__in=RETRYABLE).update(
            status=ReportStatus.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=timezone.now(),
            shipping_carrier=order.shipping_carrier,
            tracking_number=order.tracking_number,
        )
    if not claimed:
        return None
    report.refresh_from_db()
    return report


def _finish(report: ShipmentReport, error: EbayError | None) -> None:
    if error is None:
        report.status = ReportStatus.REPORTED
        report.reported_at = timezone.now()
        report.last_error = ""
    else:
        unknown = outcome_unknown(error)
        report.status = ReportStatus.UNCONFIRMED if unknown else ReportStatus.FAILED
        report.last_error = str(error)[:2000]
    report.save(update_fields=["status", "reported_at", "last_error", "updated"])


def _send(client: TradingClient, order: Order, result: ShippingResult) -> bool:
    """Report one order; False when the account's run must stop."""
    report = _claim(order)
    if report is None:
        result.busy += 1
        return True
    try:
        answer = client.complete_sale(
            order_id=order.ebay_order_id or "",
            carrier=order.shipping_carrier,
            tracking_number=order.tracking_number,
            shipped_time=order.shipped_at,
        )
    except EbayError as exc:
        _finish(report, exc)
        result.failed += 1
        message = sentence(f"Order {order.number} not reported (attempt {report.attempts}): {exc}")
        if report.status == ReportStatus.UNCONFIRMED:
            result.unconfirmed += 1
            message = sentences(
                message, "eBay may have taken it: the next run asks eBay before any re-send."
            )
        logger.warning("eBay shipping: %s", message)
        if isinstance(exc, ACCOUNT_STOPPERS):
            result.errors.append(message)
            return False
        result.messages.append(message)
        return True
    _finish(report, None)
    result.reported += 1
    result.messages.extend(
        sentence(f"Order {order.number}: eBay warned: {w}") for w in answer.warnings
    )
    return True


def _normal_tracking(number: str) -> str:
    return "".join(number.split()).upper()


def _settle(report: ShipmentReport, **changes: object) -> bool:
    # Conditional: another run may have settled (or re-sent) the report since it was read.
    return bool(
        ShipmentReport.objects.filter(
            pk=report.pk, status=ReportStatus.UNCONFIRMED, attempts=report.attempts
        ).update(updated=timezone.now(), **changes)
    )


def _settle_from_ebay(
    report: ShipmentReport, ebay_order: EbayOrder | None, result: ShippingResult
) -> None:
    number = report.order.number
    if ebay_order is None:
        result.messages.append(
            f"Order {number}: outcome still unknown, eBay did not return the order: left "
            "unconfirmed (check it on eBay, then mark it reported or send it again)."
        )
        return
    ours = _normal_tracking(report.tracking_number)
    on_ebay = {_normal_tracking(n) for n in ebay_order.tracking_numbers}
    if ours and ours in on_ebay:
        if _settle(
            report,
            status=ReportStatus.REPORTED,
            reported_at=timezone.now(),
            last_error="",
        ):
            result.confirmed += 1
            result.messages.append(
                f"Order {number}: eBay had recorded tracking {report.tracking_number} after "
                "all: marked reported, not sent again."
            )
    elif ebay_order.shipped_time is None and not on_ebay:
        if _settle(report, status=ReportStatus.PENDING):
            result.messages.append(
                f"Order {number}: eBay has not recorded the shipment: sent again this run."
            )
    else:
        result.messages.append(
            f"Order {number}: eBay shows it shipped, but not with tracking "
            f"{report.tracking_number}: left unconfirmed (check it on eBay, then mark it "
            "reported or send it again)."
        )


def _check_unconfirmed(
    client: TradingClient, reports: list[ShipmentReport], result: ShippingResult
) -> bool:
    """Ask eBay about reports whose outcome is unknown; False when the run must stop."""
    for start in range(0, len(reports), MAX_ORDER_IDS):
        batch = reports[start : start + MAX_ORDER_IDS]
        try:
            page = client.get_orders_by_id(order_ids=[r.order.ebay_order_id or "" for r in batch])
        except EbayError as exc:
            numbers = ", ".join(r.order.number for r in batch)
            message = sentence(
                f"Could not ask eBay about order(s) {numbers} (outcome unknown): left "
                f"unconfirmed, not sent: {exc}"
            )
            logger.warning("eBay shipping: %s", message)
            result.messages.append(message)
            if isinstance(exc, ACCOUNT_STOPPERS):
                result.errors.append(message)
                return False
            continue
        found = {o.order_id: o for o in page.orders}
        for report in batch:
            _settle_from_ebay(report, found.get(report.order.ebay_order_id or ""), result)
    return True


def _orders_to_send(connection: EbayConnection, result: ShippingResult) -> list[Order]:
    """The account's orders this run reports; counts and notes the ones it leaves out."""
    account = connection.ebay_account
    shipped = shipped_unreported(account.pk)
    # Fulfilled by eBay: counted with one query, never loaded, never sent.
    skipped = shipped.filter(marketplace_fulfillment_channel=FulfillmentChannel.EBAY).count()
    if skipped:
        result.ebay_fulfilled += skipped
        logger.info(
            "eBay shipping for %s: %s order(s) fulfilled by eBay skipped, none reported",
            account,
            skipped,
        )
    orders = list(shipped.exclude(marketplace_fulfillment_channel=FulfillmentChannel.EBAY))
    held = set(
        OrderIssue.objects.filter(order__in=orders, resolved=False).values_list(
            "order_id", flat=True
        )
    )
    to_send = []
    for order in orders:
        if order.pk in held:
            result.held += 1
            result.messages.append(f"Order {order.number} is held for review: not reported")
        elif result.dry_run:
            result.would_report.append(order.number)
        else:
            to_send.append(order)
    return to_send


def _ship_account(
    connection: EbayConnection, result: ShippingResult, progress: Progress | None
) -> None:
    unconfirmed = list(unconfirmed_reports(connection.ebay_account_id))
    if unconfirmed and result.dry_run:
        result.messages.append(
            f"{len(unconfirmed)} report(s) with unknown outcome would be checked with eBay first."
        )
        unconfirmed = []
    to_send: list[Order] = []
    if not unconfirmed:
        to_send = _orders_to_send(connection, result)
        if not to_send:
            return
    try:
        client = client_for(connection)
    except ConnectionNotReady as exc:
        result.errors.append(str(exc))
        return
    with client:
        if unconfirmed:
            # Before anything is sent: a report eBay never got goes back to pending here.
            if not _check_unconfirmed(client, unconfirmed, result):
                return
            to_send = _orders_to_send(connection, result)
        for order in to_send:
            if not _send(client, order, result):
                return
            if progress is not None:
                progress(1)


def _note_stale(result: ShippingResult, now: datetime) -> None:
    stale = ShipmentReport.objects.filter(
        status=ReportStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING
    ).select_related("order")
    for report in stale:
        since = f"{report.last_attempt_at:%Y-%m-%d %H:%M}" if report.last_attempt_at else "?"
        result.messages.append(
            f"Order {report.order.number} has been sending since {since} UTC (interrupted): "
            "check it on eBay, then mark the report for retry or as reported in the admin."
        )


def ship_orders(
    *, account_id: int | None = None, dry_run: bool = False, progress: Progress | None = None
) -> ShippingResult:
    """Report the seller's shipped eBay orders to eBay with CompleteSale, once each.

    Covers every enabled eBay connection, or only ``account_id``'s. Never raises for
    eBay problems: failed reports are recorded per order and retried by the next run;
    reports whose outcome is unknown are first checked with eBay (GetOrders), never
    simply sent again.
    """
    result = ShippingResult(dry_run=dry_run)
    connections = EbayConnection.objects.select_related("ebay_account").filter(enabled=True)
    if account_id is not None:
        connections = connections.filter(ebay_account_id=account_id)
        if not connections.exists():
            result.errors.append(f"eBay account {account_id} has no enabled eBay connection.")
    for connection in connections.order_by("ebay_account__name"):
        _ship_account(connection, result, progress)
    _note_stale(result, timezone.now())
    return result
