"""The OC accounts' figures on ``/metrics``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from oc_integration.models import AuthorizationStatus
from oc_integration.operations.figures import account_figures


def account_metrics(now: datetime) -> Iterator[Metric]:
    """Per OC account (label ``account``: its name). One query."""
    labels = ["account"]
    authorized = GaugeMetricFamily(
        "hemi_oc_authorized", "1 when the OC account is authorized.", labels=labels
    )
    expiry = GaugeMetricFamily(
        "hemi_oc_refresh_token_expiry_timestamp_seconds",
        "When the OC account's refresh token (its authorization) expires.",
        labels=labels,
    )
    stuck = GaugeMetricFamily(
        "hemi_oc_outbound_orders_stuck",
        "Outbound orders Sending or Unknown longer than OC_STUCK_ORDER_MINUTES.",
        labels=labels,
    )
    rejected = GaugeMetricFamily(
        "hemi_oc_outbound_orders_rejected", "Outbound orders rejected by OC.", labels=labels
    )
    confirmation = GaugeMetricFamily(
        "hemi_oc_stock_run_needs_confirmation",
        "1 when the latest stock run waits for a person to confirm it.",
        labels=labels,
    )
    failed_callbacks = GaugeMetricFamily(
        "hemi_oc_callbacks_failed", "OC callbacks that failed for good.", labels=labels
    )
    duration = GaugeMetricFamily(
        "hemi_oc_stock_sync_duration_seconds",
        "How long the latest finished stock sync run took.",
        labels=labels,
    )
    for figures in account_figures(now):
        account = figures.account
        name = [account.name]
        authorized.add_metric(
            name, int(account.authorization_status == AuthorizationStatus.AUTHORIZED)
        )
        if account.refresh_token_expires_at:
            expiry.add_metric(name, account.refresh_token_expires_at.timestamp())
        stuck.add_metric(name, figures.stuck_orders)
        rejected.add_metric(name, figures.rejected_orders)
        confirmation.add_metric(name, int(figures.stock_needs_confirmation))
        failed_callbacks.add_metric(name, figures.failed_callbacks)
        if figures.last_sync_seconds is not None:
            duration.add_metric(name, figures.last_sync_seconds)
    yield from (authorized, expiry, stuck, rejected, confirmation, failed_callbacks, duration)
