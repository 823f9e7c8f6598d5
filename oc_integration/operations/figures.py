"""Every OC account's figures for operations, in one query whatever the number of accounts.

Each count is a correlated subquery (joining the orders, runs and callbacks at once would
multiply the rows and the counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundStatus,
    SyncRun,
    WebhookDelivery,
)

#: A stock run still in one of these has not finished: the latest *finished* run counts.
UNFINISHED = [SyncRun.Status.QUEUED, SyncRun.Status.RUNNING, SyncRun.Status.SKIPPED]


@dataclass(frozen=True)
class AccountFigures:
    """One OC account as operations sees it."""

    account: AccountOrangeConnex
    stuck_orders: int
    rejected_orders: int
    failed_callbacks: int
    last_stock_run_id: int | None
    last_stock_run_status: str | None
    last_stock_run_started: datetime | None
    last_stock_run_finished: datetime | None

    @property
    def stock_needs_confirmation(self) -> bool:
        return self.last_stock_run_status == SyncRun.Status.NEEDS_CONFIRMATION

    @property
    def last_sync_seconds(self) -> float | None:
        started, finished = self.last_stock_run_started, self.last_stock_run_finished
        if started is None or finished is None:
            return None
        return max(0.0, (finished - started).total_seconds())


def stuck_since(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.OC_STUCK_ORDER_MINUTES)


def stuck_orders(now: datetime) -> Q:
    """Sending or Unknown (OC never confirmed) since longer than ``OC_STUCK_ORDER_MINUTES``."""
    cutoff = stuck_since(now)
    return Q(status__in=[OutboundStatus.SENDING, OutboundStatus.UNKNOWN]) & (
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created__lt=cutoff)
    )


def _count(queryset: QuerySet[OutboundOrder] | QuerySet[WebhookDelivery]) -> Coalesce:
    counted = (
        queryset.filter(account=OuterRef("pk")).order_by().values("account").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def account_figures(now: datetime) -> list[AccountFigures]:
    """Every OC account with its counts and latest finished stock run (one query)."""
    latest_run = (
        SyncRun.objects.filter(account=OuterRef("pk"), kind=SyncRun.Kind.STOCK, dry_run=False)
        .exclude(status__in=UNFINISHED)
        .order_by("-created", "-id")
    )
    accounts = AccountOrangeConnex.objects.only(
        "name",
        "authorization_status",
        "refresh_token_expires_at",
        "refresh_token_expiry_estimated",
        "last_error",
    ).annotate(
        stuck=_count(OutboundOrder.objects.filter(stuck_orders(now))),
        rejected=_count(OutboundOrder.objects.filter(status=OutboundStatus.REJECTED)),
        failed_callbacks=_count(
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED)
        ),
        run_id=Subquery(latest_run.values("pk")[:1]),
        run_status=Subquery(latest_run.values("status")[:1]),
        run_started=Subquery(latest_run.values("started")[:1]),
        run_finished=Subquery(latest_run.values("finished")[:1]),
    )
    return [
        AccountFigures(
            account=account,
            stuck_orders=account.stuck,
            rejected_orders=account.rejected,
            failed_callbacks=account.failed_callbacks,
            last_stock_run_id=account.run_id,
            last_stock_run_status=account.run_status,
            last_stock_run_started=account.run_started,
            last_stock_run_finished=account.run_finished,
        )
        for account in accounts.order_by("name")
    ]


def account_choices() -> list[tuple[str, str]]:
    """(primary key, name) of every OC account, for choosing alert recipients."""
    return [(str(pk), name) for pk, name in AccountOrangeConnex.objects.values_list("pk", "name")]
