"""The region totals of the stock rows, counted from the rows and as the database keeps
them (migration 0032), for tests that compare the two."""

from __future__ import annotations

from django.db.models import Count, Sum

from oc_integration.models import ProductAccountOrangeConnex, RegionStockTotals

#: (account id, region) -> (rows, available, in transit)
Figures = dict[tuple[int, str], tuple[int, int, int]]


def counted_totals() -> Figures:
    """Rows, available and in transit per account and region, totalled from the rows."""
    return {
        (row["account_id"], row["region"]): (row["rows"], row["available"], row["intransit"])
        for row in ProductAccountOrangeConnex.objects.order_by()
        .values("account_id", "region")
        .annotate(
            rows=Count("pk"), available=Sum("available_stock"), intransit=Sum("intransit_stock")
        )
    }


def kept_totals() -> Figures:
    """The same, as the database keeps them."""
    return {
        (line.account_id, line.region): (line.products, line.available, line.intransit)
        for line in RegionStockTotals.objects.all()
    }
