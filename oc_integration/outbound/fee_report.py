"""The monthly fee report of an OC account: estimated vs charged, by region and service.

An order counts in the month it was created at OC (the month Hemi created it when OC's
time is not known). Amounts are added up per currency only: a line is one region,
shipping service and currency, and the totals are one line per currency.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from oc_integration.models import AccountOrangeConnex, OutboundParcel
from oc_integration.outbound.fees import FeeComparison, alert_share, amount_text, compare

CSV_HEADER = [
    "month",
    "account",
    "region",
    "shipping service",
    "currency",
    "orders",
    "charged orders",
    "estimated",
    "charged",
    "estimate of charged parcels",
    "charge of estimated parcels",
    "difference",
    "orders above the alert share",
]


@dataclass
class FeeLine:
    """The fees of one region, shipping service and currency (or one currency's total)."""

    region: str
    service: str
    currency: str
    orders: int = 0
    charged_orders: int = 0
    estimated: Decimal = Decimal(0)
    charged: Decimal = Decimal(0)
    compared_estimate: Decimal = Decimal(0)
    compared_charge: Decimal = Decimal(0)
    alerts: int = 0

    @property
    def difference(self) -> Decimal:
        """Charged minus estimated, over the parcels that have both."""
        return self.compared_charge - self.compared_estimate

    def add(self, comparison: FeeComparison, *, alert: bool) -> None:
        """Count one order's figures in this currency."""
        self.orders += 1
        self.estimated += comparison.estimated or 0
        if comparison.charged is not None:
            self.charged_orders += 1
            self.charged += comparison.charged
        self.compared_estimate += comparison.compared_estimate or 0
        self.compared_charge += comparison.compared_charge or 0
        self.alerts += alert


@dataclass(frozen=True)
class FeeAlert:
    """An order OC charged more than the alert share above its estimate."""

    outbound_order_id: int
    label: str
    line: str


@dataclass
class FeeReport:
    """What :func:`fee_report` found for one account and month."""

    account: AccountOrangeConnex
    month: date
    share: Decimal
    lines: list[FeeLine] = field(default_factory=list)
    totals: list[FeeLine] = field(default_factory=list)
    alerts: list[FeeAlert] = field(default_factory=list)

    @property
    def share_percent(self) -> str:
        """The alert share in percent, as the page shows it ("10")."""
        return f"{(self.share * 100).normalize():f}"

    def csv_rows(self) -> Iterator[list[Any]]:
        """The lines, then one total per currency, for :func:`csv_download`."""
        month = self.month.strftime("%Y-%m")
        for line in [*self.lines, *self.totals]:
            yield [
                month,
                self.account.name,
                line.region,
                line.service,
                line.currency,
                line.orders,
                line.charged_orders,
                *(
                    amount_text(amount)
                    for amount in (
                        line.estimated,
                        line.charged,
                        line.compared_estimate,
                        line.compared_charge,
                        line.difference,
                    )
                ),
                line.alerts,
            ]


@dataclass(frozen=True)
class _Figures:
    estimated_fee: Decimal | None
    estimated_currency: str
    charged_fee: Decimal | None
    charged_currency: str


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the month after, in the site's time zone."""
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    zone = timezone.get_current_timezone()
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def fee_report(account: AccountOrangeConnex, month: date) -> FeeReport:
    """Estimated and charged fees of ``account``'s orders created in ``month``.

    One query however many orders: the month's parcels with their order's region and
    service, folded per order by :func:`~oc_integration.outbound.fees.compare` (the
    same figures as the order page).
    """
    start, end = month_bounds(month)
    share = alert_share()
    rows = (
        OutboundParcel.objects.annotate(
            placed=Coalesce("outbound_order__oc_created_at", "outbound_order__created"),
            region=F("outbound_order__service_region"),
            service=F("outbound_order__shipping_service_code"),
            reference=F("outbound_order__reference_number"),
            oc_number=F("outbound_order__oc_order_number"),
        )
        .filter(outbound_order__account=account, placed__gte=start, placed__lt=end)
        .order_by("outbound_order_id", "position")
        .values_list(
            "outbound_order_id",
            "region",
            "service",
            "reference",
            "oc_number",
            "estimated_fee",
            "estimated_currency",
            "charged_fee",
            "charged_currency",
        )
    )
    report = FeeReport(account, month.replace(day=1), share)
    lines: dict[tuple[str, str, str], FeeLine] = {}
    totals: dict[str, FeeLine] = {}
    for order_id, parcels in groupby(rows.iterator(), key=lambda row: row[0]):
        parcel_rows = list(parcels)
        _, region, service, reference, oc_number = parcel_rows[0][:5]
        for comparison in compare(_Figures(*row[5:]) for row in parcel_rows):
            currency = comparison.currency
            alert = comparison.is_alert(share)
            key = (region, service or "(none)", currency)
            lines.setdefault(key, FeeLine(*key)).add(comparison, alert=alert)
            totals.setdefault(currency, FeeLine("", "all", currency)).add(comparison, alert=alert)
            if alert:
                label = oc_number or reference
                report.alerts.append(FeeAlert(order_id, label, comparison.alert_line(label, share)))
    report.lines = [lines[key] for key in sorted(lines)]
    report.totals = [totals[currency] for currency in sorted(totals)]
    return report
