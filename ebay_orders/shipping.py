"""The shipping job, Hemi's ``cron_ebay_007_shipped_orders_update``: one report per order.

Orders the seller shipped (carrier and tracking number set) are reported to eBay once:
with CompleteSale on Trading connections, with createShippingFulfillment (every line item
of the order) on Sell Fulfillment API connections. Orders whose Marketplace Fulfillment
Channel is "Fulfilled by eBay" (every line Fulfilled by eBay or in eBay's Vault) are
eBay's: they are counted and logged, and no eBay call is ever made for them.
Orders held for review (a mixed order) wait until a person resolves the issue.

"Never twice": a report is claimed (``sending``, committed) before the HTTP call, under
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere.
A call that ends without a trustworthy answer (timeout, connection reset, HTTP 5xx,
unreadable answer) may still have reached eBay: the report becomes ``unconfirmed``, and
the next run asks eBay before anything is sent again: GetOrders by OrderID on Trading,
the order's shipping fulfillments (``GET .../shipping_fulfillment``) on REST.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ebay_orders.client import (
    MAX_ORDER_IDS,
    EbayError,
    EbayHttpError,
    EbayMalformedResponse,
    EbayTokenRejected,
    EbayTransportError,
    FulfillmentClient,
    TradingClient,
)
from ebay_orders.connections import ConnectionNotReady, client_for, fulfillment_client_for
from ebay_orders.models import (
    EbayConnection,
    OrderIssue,
    OrderSource,
    ReportStatus,
    ShipmentReport,
)
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderStatus,
)
from hemi_fulfilment.words import sentence, sentences

logger = logging.getLogger(__name__)

RETRYABLE = [ReportStatus.PENDING, ReportStatus.FAILED]
# A report still "sending" after this long was interrupted mid-call: a person decides.
STALE_SENDING = timedelta(hours=1)
# Errors that say eBay (or the token) is unusable right now: stop this account's run.
ACCOUNT_STOPPERS = (EbayTokenRejected, EbayTransportError, EbayHttpError)

#: Called after each order handled.
Progress = Callable[[int], None]


class NothingToReport(EbayError):
    """The order has no eBay line items to name in a shipping fulfillment."""


@dataclass(frozen=True)
class OnEbay:
    """What eBay shows about an order's shipment: the tracking numbers it holds and
    whether it counts the order as shipped."""

    tracking_numbers: tuple[str, ...]
    shipped: bool


class Reporter(Protocol):
    """Reports shipments through one API, and asks it what it already holds."""

    #: How many orders one question covers.
    batch_size: int

    def send(self, order: Order) -> list[str]:
        """Report ``order`` shipped; what eBay warned about besides. Raises EbayError."""
        ...

    def ask(self, order_ids: Sequence[str]) -> dict[str, OnEbay]:
        """What eBay shows for these orders (an order it did not return is absent)."""
        ...


class TradingReporter:
    """CompleteSale, and GetOrders by OrderID to check."""

    batch_size = MAX_ORDER_IDS

    def __init__(self, client: TradingClient) -> None:
        self.client = client

    def send(self, order: Order) -> list[str]:
        """CompleteSale with the carrier, tracking number and shipped time."""
        answer = self.client.complete_sale(
            order_id=order.ebay_order_id or "",
            carrier=order.shipping_carrier,
            tracking_number=order.tracking_number,
            shipped_time=order.shipped_at,
        )
        return [str(warning) for warning in answer.warnings]

    def ask(self, order_ids: Sequence[str]) -> dict[str, OnEbay]:
        """One GetOrders call for the batch."""
        page = self.client.get_orders_by_id(order_ids=order_ids)
        return {
            o.order_id: OnEbay(o.tracking_numbers, o.shipped_time is not None) for o in page.orders
        }


class FulfillmentReporter:
    """createShippingFulfillment, and the order's shipping fulfillments to check."""

    batch_size = 1

    def __init__(self, client: FulfillmentClient) -> None:
        self.client = client

    def send(self, order: Order) -> list[str]:
        """One shipping fulfillment holding every line item of the order."""
        # The REST lineItemId is what Hemi stores as the line's transaction id.
        items = [(item.transaction_id, item.quantity) for item in order.ebay_items.all()]
        if not items or not all(line_id for line_id, _ in items):
            raise NothingToReport(
                f"order {order.number} has no eBay line item ids to report: check its lines"
            )
        self.client.create_shipping_fulfillment(
            order_id=order.ebay_order_id or "",
            line_items=items,
            carrier=order.shipping_carrier,
            tracking_number=order.tracking_number,
            shipped_date=order.shipped_at,
        )
        return []

    def ask(self, order_ids: Sequence[str]) -> dict[str, OnEbay]:
        """The shipping fulfillments of each order (one call per order)."""
        answers = {}
        for order_id in order_ids:
            found = self.client.get_shipping_fulfillments(order_id)
            answers[order_id] = OnEbay(
                tuple(f.tracking_number for f in found if f.tracking_number), bool(found)
            )
        return answers


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


def _send(reporter: Reporter, order: Order, result: ShippingResult) -> bool:
    """Report one order; False when the account's run must stop."""
    report = _claim(order)
    if report is None:
        result.busy += 1
        return True
    try:
        warnings = reporter.send(order)
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
    result.messages.extend(sentence(f"Order {order.number}: eBay warned: {w}") for w in warnings)
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
    report: ShipmentReport, ebay_order: OnEbay | None, result: ShippingResult
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
    elif not ebay_order.shipped and not on_ebay:
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
    reporter: Reporter, reports: list[ShipmentReport], result: ShippingResult
) -> bool:
    """Ask eBay about reports whose outcome is unknown; False when the run must stop."""
    for start in range(0, len(reports), reporter.batch_size):
        batch = reports[start : start + reporter.batch_size]
        try:
            found = reporter.ask([r.order.ebay_order_id or "" for r in batch])
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
        for report in batch:
            _settle_from_ebay(report, found.get(report.order.ebay_order_id or ""), result)
    return True


def _orders_to_send(connection: EbayConnection, result: ShippingResult) -> list[Order]:
    """The account's orders this run reports; counts and notes the ones it leaves out."""
    account = connection.ebay_account
    shipped = shipped_unreported(account.pk)
    # eBay's to ship: every line Fulfilled by eBay or in eBay's Vault makes the order's
    # channel eBay's. Counted with one query, never loaded, never sent. (An order mixing
    # both kinds is held for review below, as it always was: a person decides.)
    ebay_ships = Q(marketplace_fulfillment_channel=FulfillmentChannel.EBAY)
    skipped = shipped.filter(ebay_ships).count()
    if skipped:
        result.ebay_fulfilled += skipped
        logger.info(
            "eBay shipping for %s: %s order(s) fulfilled by eBay skipped, none reported",
            account,
            skipped,
        )
    orders = list(shipped.exclude(ebay_ships).prefetch_related("ebay_items"))
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


def _client(connection: EbayConnection) -> TradingClient | FulfillmentClient:
    if connection.order_source == OrderSource.FULFILLMENT:
        return fulfillment_client_for(connection)
    return client_for(connection)


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
        client = _client(connection)
    except ConnectionNotReady as exc:
        result.errors.append(str(exc))
        return
    with client:
        reporter: Reporter = (
            FulfillmentReporter(client)
            if isinstance(client, FulfillmentClient)
            else TradingReporter(client)
        )
        if unconfirmed:
            # Before anything is sent: a report eBay never got goes back to pending here.
            if not _check_unconfirmed(reporter, unconfirmed, result):
                return
            to_send = _orders_to_send(connection, result)
        for order in to_send:
            if not _send(reporter, order, result):
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
    """Report the seller's shipped eBay orders to eBay once each (CompleteSale, or
    createShippingFulfillment on Sell Fulfillment API connections).

    Covers every enabled eBay connection, or only ``account_id``'s. Never raises for
    eBay problems: failed reports are recorded per order and retried by the next run;
    reports whose outcome is unknown are first checked with eBay, never simply sent again.
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
