"""What the eBay orders app tells operations: per connection, its consent and tokens,
orders held for review and failed shipment reports (the health page, the alerts and
``/metrics``). Recipients of a connection's alerts are its ``alert_recipients``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from ebay_orders.models import (
    ConnectionStatus,
    EbayConnection,
    EbayRun,
    OrderIssue,
    ReportStatus,
    RunKind,
    RunStatus,
    ShipmentReport,
)
from hemi_fulfilment.operations.registry import (
    IncidentCheck,
    Line,
    Problem,
    Section,
    Subject,
    parse_addresses,
    register_check,
    register_health_source,
    register_metrics,
)

REVOKED = "ebay_consent_revoked"
EXPIRING = "ebay_consent_expiring"
HELD = "ebay_orders_held"
KINDS = (REVOKED, EXPIRING, HELD)


@dataclass(frozen=True)
class ConnectionFigures:
    """One eBay connection as operations sees it."""

    connection: EbayConnection
    held_orders: int
    failed_reports: int
    last_import_started: datetime | None
    last_import_finished: datetime | None

    @property
    def name(self) -> str:
        return str(self.connection.ebay_account)

    @property
    def last_import_seconds(self) -> float | None:
        started, finished = self.last_import_started, self.last_import_finished
        if started is None or finished is None:
            return None
        return max(0.0, (finished - started).total_seconds())


def connection_figures() -> list[ConnectionFigures]:
    """Every eBay connection with its counts and latest finished import (one query)."""
    account = OuterRef("ebay_account_id")
    held = (
        OrderIssue.objects.filter(ebay_account=account, resolved=False)
        .order_by()
        .values("ebay_account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    failed = (
        ShipmentReport.objects.filter(order__ebay_account=account, status=ReportStatus.FAILED)
        .order_by()
        .values("order__ebay_account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest_import = (
        EbayRun.objects.filter(ebay_account=account, kind=RunKind.IMPORT)
        .exclude(status=RunStatus.RUNNING)
        .order_by("-started", "-id")
    )
    connections = (
        EbayConnection.objects.select_related("ebay_account")
        .only(
            "ebay_account__name",
            "ebay_account__site_code",
            "enabled",
            "status",
            "user_token",
            "refresh_token_expires_at",
            "last_error",
            "alert_recipients",
        )
        .annotate(
            held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
            failed=Coalesce(Subquery(failed, output_field=IntegerField()), Value(0)),
            import_started=Subquery(latest_import.values("started")[:1]),
            import_finished=Subquery(latest_import.values("finished")[:1]),
        )
        .order_by("ebay_account__name")
    )
    return [
        ConnectionFigures(
            connection=c,
            held_orders=c.held,
            failed_reports=c.failed,
            last_import_started=c.import_started,
            last_import_finished=c.import_finished,
        )
        for c in connections
    ]


# --- where each figure is dealt with ---------------------------------------------------------
def connection_page(connection_id: int) -> str:
    return reverse("admin:ebay_orders_ebayconnection_change", args=[connection_id])


def held_orders_page(ebay_account_id: int) -> str:
    query = urlencode({"ebay_account__id__exact": ebay_account_id, "resolved__exact": 0})
    return f"{reverse('admin:ebay_orders_orderissue_changelist')}?{query}"


def failed_reports_page() -> str:
    # The shipment reports' list filters by status only.
    query = urlencode({"status__exact": ReportStatus.FAILED})
    return f"{reverse('admin:ebay_orders_shipmentreport_changelist')}?{query}"


# --- the health page -------------------------------------------------------------------------
def consent_line(figures: ConnectionFigures, now: datetime) -> Line:
    """Connected until when, expiring soon, or not (with eBay's reason)."""
    connection = figures.connection
    link = connection_page(connection.pk)
    if not connection.enabled:
        return Line("Consent", "Connection disabled (left out of the jobs)", "info", link)
    if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
        reason = f" {connection.last_error}" if connection.last_error else ""
        return Line("Consent", f"Revoked by eBay: connect again.{reason}", "problem", link)
    if connection.status != ConnectionStatus.CONNECTED:
        if connection.user_token:
            return Line("Consent", "Pasted token only (lives about two hours)", "warning", link)
        return Line("Consent", "Not connected yet", "warning", link)
    expires = connection.refresh_token_expires_at
    if expires is None:
        return Line("Consent", "Connected (expiry not known)", "ok", link)
    text = f"Connected until {expires:%Y-%m-%d %H:%M} UTC"
    if expires <= now:
        return Line("Consent", f"Expired {expires:%Y-%m-%d}: connect again", "problem", link)
    if expires <= now + timedelta(days=settings.EBAY_REFRESH_TOKEN_WARNING_DAYS):
        return Line("Consent", f"{text}: connect again soon", "warning", link)
    return Line("Consent", text, "ok", link)


def connection_sections(now: datetime) -> list[Section]:
    """One section per eBay connection (one query for all of them)."""
    sections = []
    for figures in connection_figures():
        account_id = figures.connection.ebay_account_id
        sections.append(
            Section(
                title=f"eBay connection {figures.name}",
                link=connection_page(figures.connection.pk),
                lines=(
                    consent_line(figures, now),
                    Line(
                        "Orders held for review",
                        str(figures.held_orders),
                        "warning" if figures.held_orders else "ok",
                        held_orders_page(account_id),
                    ),
                    Line(
                        "Shipment reports that failed (retried next run)",
                        str(figures.failed_reports),
                        "warning" if figures.failed_reports else "ok",
                        failed_reports_page(),
                    ),
                ),
            )
        )
    return sections


# --- alerts ----------------------------------------------------------------------------------
def connection_problems(now: datetime) -> list[Problem]:
    """Consent revoked or expiring, orders held for review (one query)."""
    problems = []
    horizon = now + timedelta(days=settings.EBAY_REFRESH_TOKEN_WARNING_DAYS)
    for figures in connection_figures():
        connection = figures.connection
        if not connection.enabled:
            continue
        about = Subject.record(
            "ebay_orders", "ebayconnection", connection.pk, f"eBay connection {figures.name}"
        )
        recipients = parse_addresses(connection.alert_recipients)
        link = connection_page(connection.pk)
        expires = connection.refresh_token_expires_at
        if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
            reason = f" {connection.last_error}" if connection.last_error else ""
            problems.append(
                Problem(
                    REVOKED,
                    about,
                    f"eBay revoked the consent of {figures.name}: no order is imported or "
                    f'reported until someone connects it again ("Reconnect to eBay").{reason}',
                    link,
                    recipients,
                )
            )
        elif connection.status == ConnectionStatus.CONNECTED and expires and expires <= horizon:
            problems.append(
                Problem(
                    EXPIRING,
                    about,
                    f"The consent of {figures.name} expires on {expires:%Y-%m-%d}. Connect "
                    "to eBay again before then, or imports and shipment reports will stop.",
                    link,
                    recipients,
                )
            )
        if figures.held_orders:
            problems.append(
                Problem(
                    HELD,
                    about,
                    f"{figures.held_orders} eBay order(s) of {figures.name} are held for review: "
                    "the shipping job leaves them alone until a person resolves them.",
                    held_orders_page(connection.ebay_account_id),
                    recipients,
                )
            )
    return problems


# --- metrics ---------------------------------------------------------------------------------
def connection_metrics(now: datetime) -> Iterator[Metric]:
    """Per eBay connection (label ``account``: the eBay account's name). One query."""
    labels = ["account"]
    connected = GaugeMetricFamily(
        "hemi_ebay_connected", "1 when the eBay connection holds a live consent.", labels=labels
    )
    expiry = GaugeMetricFamily(
        "hemi_ebay_refresh_token_expiry_timestamp_seconds",
        "When the eBay connection's refresh token (its consent) expires.",
        labels=labels,
    )
    held = GaugeMetricFamily("hemi_ebay_orders_held", "eBay orders held for review.", labels=labels)
    failed = GaugeMetricFamily(
        "hemi_ebay_shipment_reports_failed", "Shipment reports that failed.", labels=labels
    )
    duration = GaugeMetricFamily(
        "hemi_ebay_import_duration_seconds",
        "How long the latest finished order import took.",
        labels=labels,
    )
    for figures in connection_figures():
        name = [figures.name]
        connection = figures.connection
        connected.add_metric(name, int(connection.status == ConnectionStatus.CONNECTED))
        if connection.refresh_token_expires_at:
            expiry.add_metric(name, connection.refresh_token_expires_at.timestamp())
        held.add_metric(name, figures.held_orders)
        failed.add_metric(name, figures.failed_reports)
        if figures.last_import_seconds is not None:
            duration.add_metric(name, figures.last_import_seconds)
    yield from (connected, expiry, held, failed, duration)


def register() -> None:
    """Fill operations' registry (called from the app's ``ready``)."""
    register_health_source("ebay_connections", connection_sections, order=20)
    register_check(IncidentCheck("ebay_connections", frozenset(KINDS), connection_problems))
    register_metrics("ebay_connections", connection_metrics)
