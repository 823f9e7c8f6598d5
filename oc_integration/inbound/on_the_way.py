"""What is on its way to a stock row: units in open inbound orders and the earliest ETA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Sum

from oc_integration.models import OPEN_INBOUND, InboundLine


@dataclass(frozen=True)
class OnTheWay:
    units: int
    orders: int
    earliest_eta: date | None


def on_the_way(account_id: int, region: str, oc_sku: str) -> OnTheWay:
    """Units of ``oc_sku`` in the account's open inbound orders to ``region`` (one query)."""
    totals = InboundLine.objects.filter(
        order__account_id=account_id,
        order__region__iexact=region,
        order__status__in=OPEN_INBOUND,
        sku__oc_sku=oc_sku,
    ).aggregate(units=Sum("quantity"), orders=Count("order", distinct=True), eta=Min("order__eta"))
    return OnTheWay(totals["units"] or 0, totals["orders"] or 0, totals["eta"])
