"""What the stock charts draw, read from the stock history and movements in a constant
number of queries per chart (two for a stock row or a product, three for an account's
*Stock at a glance*), however many rows and history lines there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.safestring import SafeString

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockHistory,
    StockMovement,
)
from oc_integration.stock.charts import (
    PALETTE,
    Chart,
    Marker,
    Series,
    render_chart,
    render_sparkline,
    sum_lines,
)
from oc_integration.stock.low_stock import low_stock_rows

#: The periods a chart offers, in days; the first is shown unless another is asked for.
WINDOWS = (7, 30, 90)
#: The period of the trend per region on *Stock at a glance*.
GLANCE_DAYS = 30


def window_days(asked: Any) -> int:
    """The chart period from a ``?days=`` parameter: one of :data:`WINDOWS`, else the first."""
    try:
        days = int(str(asked))
    except (TypeError, ValueError):
        return WINDOWS[0]
    return days if days in WINDOWS else WINDOWS[0]


def _window(days: int, now: datetime | None) -> tuple[datetime, datetime]:
    end = timezone.localtime(now or timezone.now())
    return end - timedelta(days=days), end


def _with_line_before(
    history: QuerySet[StockHistory], rows: QuerySet[ProductAccountOrangeConnex], start: datetime
) -> QuerySet[StockHistory]:
    """``history``'s lines from ``start`` on, and for each of ``rows`` its last line
    before ``start`` (the value the chart starts with): one query."""
    before = StockHistory.objects.filter(stock=OuterRef("pk"), recorded__lt=start).order_by(
        "-recorded", "-id"
    )
    first_ids = rows.annotate(before=Subquery(before.values("id")[:1])).values("before")
    return history.filter(Q(recorded__gte=start) | Q(pk__in=first_ids))


def _marker(movement: dict[str, Any], series: str = "") -> Marker:
    return Marker(
        moment=timezone.localtime(movement["moved_at"]),
        quantity=movement["quantity"],
        reason=movement["reason"],
        order_number=movement["order_number"],
        status=movement["inventory_status"],
        series=series,
    )


_MOVEMENT_FIELDS = ("moved_at", "quantity", "reason", "order_number", "inventory_status")


def row_chart(
    row: ProductAccountOrangeConnex, days: int, *, now: datetime | None = None
) -> SafeString:
    """Available and in transit of one stock row over the last ``days`` days, with its
    movements marked: two queries."""
    start, end = _window(days, now)
    rows = ProductAccountOrangeConnex.objects.filter(pk=row.pk)
    lines = list(
        _with_line_before(
            StockHistory.objects.filter(stock_id=row.pk, recorded__lte=end), rows, start
        )
        .order_by("recorded", "id")
        .values_list("recorded", "available_stock", "intransit_stock")
    )
    movements = (
        StockMovement.objects.filter(stock_row_id=row.pk, moved_at__gte=start, moved_at__lte=end)
        .order_by("moved_at", "id")
        .values(*_MOVEMENT_FIELDS)
    )
    moments = [timezone.localtime(recorded) for recorded, _, _ in lines]
    what = f"{row.sku or row.oc_sku} in {row.region}"
    return render_chart(
        Chart(
            title=f"Stock of {what}, last {days} days",
            description=(
                f"Available and in-transit stock of {what} at OC from {start:%d %b %Y} to "
                f"{end:%d %b %Y}, each figure holding until the next snapshot changed it; "
                "triangles mark stock movements."
            ),
            start=start,
            end=end,
            series=[
                Series("Available", list(zip(moments, (a for _, a, _ in lines), strict=True))),
                Series(
                    "In transit",
                    list(zip(moments, (t for _, _, t in lines), strict=True)),
                    colour=PALETTE[1],
                    dashed=True,
                ),
            ],
            markers=[_marker(m, "Available") for m in movements],
            empty_text=f"No stock history for {what} in the last {days} days.",
        )
    )


def product_chart(product: Product, days: int, *, now: datetime | None = None) -> SafeString:
    """A product's available and in-transit stock per region (its rows of every OC
    account in a region added up) over the last ``days`` days, its movements marked on
    their region's line: two queries."""
    start, end = _window(days, now)
    rows = ProductAccountOrangeConnex.objects.filter(product_id=product.pk)
    lines = (
        _with_line_before(
            StockHistory.objects.filter(stock__product_id=product.pk, recorded__lte=end),
            rows,
            start,
        )
        .order_by("recorded", "id")
        .values_list("stock_id", "stock__region", "recorded", "available_stock", "intransit_stock")
    )
    per_row: dict[tuple[str, int], list[tuple[datetime, int, int]]] = defaultdict(list)
    for stock_id, region, recorded, available, intransit in lines:
        per_row[(region, stock_id)].append((timezone.localtime(recorded), available, intransit))
    regions = sorted({region for region, _ in per_row})
    series: list[Series] = []
    for index, region in enumerate(regions):
        of_region = [history for (r, _), history in per_row.items() if r == region]
        colour = PALETTE[index % len(PALETTE)]
        series.append(
            Series(
                f"{region} available",
                sum_lines([[(m, a) for m, a, _ in h] for h in of_region]),
                colour=colour,
            )
        )
        series.append(
            Series(
                f"{region} in transit",
                sum_lines([[(m, t) for m, _, t in h] for h in of_region]),
                colour=colour,
                dashed=True,
            )
        )
    movements = (
        StockMovement.objects.filter(
            stock_row__product_id=product.pk, moved_at__gte=start, moved_at__lte=end
        )
        .order_by("moved_at", "id")
        .values("region", *_MOVEMENT_FIELDS)
    )
    return render_chart(
        Chart(
            title=f"Stock of {product.sku} per region, last {days} days",
            description=(
                f"Available (solid) and in-transit (dashed) stock of {product.sku} at OC per "
                f"region from {start:%d %b %Y} to {end:%d %b %Y}, the OC accounts' rows of a "
                "region added up; triangles mark stock movements."
            ),
            start=start,
            end=end,
            series=series,
            markers=[_marker(m, f"{m['region']} available") for m in movements],
            empty_text=f"No OC stock history for {product.sku} in the last {days} days.",
        )
    )


@dataclass(frozen=True)
class RegionGlance:
    """One region's line on *Stock at a glance*."""

    region: str
    products: int
    available: int
    intransit: int
    out_of_stock: int
    low_stock: int
    trend: SafeString


@dataclass(frozen=True)
class Glance:
    """An OC account's stock at a glance: per region, and in all."""

    regions: list[RegionGlance]
    products: int
    available: int
    intransit: int
    out_of_stock: int
    low_stock: int
    days: int


def account_glance(account: AccountOrangeConnex, *, now: datetime | None = None) -> Glance:
    """Totals per region (stock rows, available, in transit, out of stock, low stock as
    :mod:`oc_integration.stock.low_stock` decides it) and a 30-day trend of available per
    region: four queries, added up in the database whatever the number of rows."""
    start, end = _window(GLANCE_DAYS, now)
    rows = ProductAccountOrangeConnex.objects.filter(account_id=account.pk)
    before = StockHistory.objects.filter(stock=OuterRef("pk"), recorded__lt=start).order_by(
        "-recorded", "-id"
    )
    per_region = list(
        rows.order_by()
        .values("region")
        .annotate(
            products=Count("pk"),
            available=Coalesce(Sum("available_stock"), 0),
            intransit=Coalesce(Sum("intransit_stock"), 0),
            out_of_stock=Count("pk", filter=Q(available_stock__lte=0)),
            # The trend's first value: each row's last line before the window, added up.
            at_start=Coalesce(
                Sum(Subquery(before.values("available_stock")[:1], output_field=IntegerField())),
                0,
            ),
            with_start=Count(Subquery(before.values("id")[:1], output_field=IntegerField())),
        )
        .order_by("region")
    )
    # The trend: what each line in the window changed (its value minus the row's line
    # before it), added up per region and day.
    previous = StockHistory.objects.filter(
        stock=OuterRef("stock"), recorded__lt=OuterRef("recorded")
    )
    previous_same_time = StockHistory.objects.filter(
        stock=OuterRef("stock"), recorded=OuterRef("recorded"), id__lt=OuterRef("id")
    )
    changes = (
        StockHistory.objects.filter(
            stock__account_id=account.pk, recorded__gte=start, recorded__lte=end
        )
        .annotate(
            prior=Coalesce(
                Subquery(
                    previous_same_time.order_by("-id").values("available_stock")[:1],
                    output_field=IntegerField(),
                ),
                Subquery(
                    previous.order_by("-recorded", "-id").values("available_stock")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            day=TruncDate("recorded"),
        )
        .order_by()
        .values("stock__region", "day")
        .annotate(change=Sum("available_stock") - Sum("prior"))
        .order_by("stock__region", "day")
    )
    days_by_region: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for day_line in changes:
        days_by_region[day_line["stock__region"]].append((day_line["day"], day_line["change"] or 0))
    regions = []
    # Low as the low-stock thresholds and days of cover say (one query).
    low_by_region = dict(
        low_stock_rows(rows)
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    for index, line in enumerate(per_region):
        region = line["region"]
        trend: list[tuple[datetime, int]] = []
        total: int = line["at_start"]
        if line["with_start"]:
            trend.append((start, total))
        for day, change in days_by_region.get(region, []):
            total += change
            # A day's changes are drawn at its end: the value it ended with.
            day_end = timezone.make_aware(datetime.combine(day, datetime.min.time()))
            trend.append((min(day_end + timedelta(days=1), end), total))
        regions.append(
            RegionGlance(
                region=region,
                products=line["products"],
                available=line["available"],
                intransit=line["intransit"],
                out_of_stock=line["out_of_stock"],
                low_stock=low_by_region.get(region, 0),
                trend=render_sparkline(
                    trend,
                    start,
                    end,
                    label=f"{region} available, last {GLANCE_DAYS} days",
                    element_id=f"trend-{index}",
                ),
            )
        )
    return Glance(
        regions=regions,
        # A product stocked in several regions counts once here.
        products=rows.aggregate(products=Count("product_id", distinct=True))["products"],
        available=sum(r.available for r in regions),
        intransit=sum(r.intransit for r in regions),
        out_of_stock=sum(r.out_of_stock for r in regions),
        low_stock=sum(r.low_stock for r in regions),
        days=GLANCE_DAYS,
    )
