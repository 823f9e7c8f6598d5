"""Stock review: what OC holds per product and region, for staff."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Expression,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from oc_integration.admin.pagination import EstimatedCountPaginator
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.models import ProductAccountOrangeConnex
from oc_integration.stock.plan import FIGURES
from oc_integration.stock.runs import confirmed_snapshot_times

STALE_AFTER = timedelta(hours=24)
OTHER_COUNT_LABELS = {
    "RCVD": "Received",
    "RSVALOC": "Reserved (allocated)",
    "RSVHO": "Reserved (hold)",
    "RSVAS": "Reserved (VAS)",
    "UNF": "Unfulfillable",
}


class RegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from django.conf import settings

        return [(region, region) for region in settings.OC_REGION_EBAY_SITES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(region=self.value()) if self.value() else queryset


class OutOfStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("out", "Out of stock"), ("in", "In stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "out":
            return queryset.filter(available_stock__lte=0)
        if self.value() == "in":
            return queryset.filter(available_stock__gt=0)
        return queryset


class StaleFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "freshness"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("stale", "Stale (not updated for 24 h, or left OC)"), ("fresh", "Fresh")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        stale = (
            Q(stale=True)
            | Q(shown_stock_updated__lt=timezone.now() - STALE_AFTER)
            | Q(shown_stock_updated__isnull=True)
        )
        if self.value() == "stale":
            return queryset.filter(stale)
        if self.value() == "fresh":
            return queryset.exclude(stale)
        return queryset


def shown_stock_updated(confirmed: dict[int, datetime]) -> Expression | F:
    """ "Stock Updated" as staff read it: for a row the account's last applied snapshot
    confirmed (Created in OC, not stale), that snapshot's time; otherwise the row's own.

    A sync does not rewrite rows whose figures did not change, so the stored time is
    the one of the snapshot that last changed them.
    """
    field: DateTimeField[datetime, datetime] = DateTimeField()
    live = [
        When(
            Q(account_id=account_id, created_in_oc=True, stale=False),
            then=Greatest(Coalesce("stock_updated", Value(moment, field)), Value(moment, field)),
        )
        for account_id, moment in confirmed.items()
    ]
    if not live:
        return F("stock_updated")
    return Case(*live, default=F("stock_updated"), output_field=field)


@admin.register(ProductAccountOrangeConnex)
class ProductAccountOrangeConnexAdmin(AccountWarningsMixin, admin.ModelAdmin):
    """Stock figures and OC SKUs come from OC: read-only here."""

    change_list_template = "admin/oc_integration/productaccountorangeconnex/change_list.html"
    list_display = [
        "sku",
        "title",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "other_counts",
        "last_confirmed",
        "created_in_oc",
        "stale",
    ]
    list_filter = [RegionFilter, "created_in_oc", OutOfStockFilter, StaleFilter, "account"]
    search_fields = ["item_account__product__sku", "oc_sku"]
    search_help_text = "Hemi SKU or OC SKU"
    list_select_related = ["item_account__product"]
    sortable_by = [
        "sku",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "last_confirmed",
    ]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [
        "account",
        "item_account",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "other_counts",
        "last_confirmed",
        "created_in_oc",
        "stale",
        "created",
        "updated",
    ]
    exclude = ["other_stock", "stock_updated"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductAccountOrangeConnex]:
        # The accounts' confirmed snapshot times are read once per request.
        confirmed = getattr(request, "_oc_confirmed_snapshots", None)
        if confirmed is None:
            confirmed = confirmed_snapshot_times()
            setattr(request, "_oc_confirmed_snapshots", confirmed)  # noqa: B010
        return (
            super()
            .get_queryset(request)
            .annotate(shown_stock_updated=shown_stock_updated(confirmed))
        )

    @admin.display(description="Stock Updated", ordering="shown_stock_updated")
    def last_confirmed(self, obj: ProductAccountOrangeConnex) -> datetime | None:
        moment: datetime | None = getattr(obj, "shown_stock_updated", obj.stock_updated)
        return moment

    @admin.display(description="SKU", ordering="item_account__product__sku")
    def sku(self, obj: ProductAccountOrangeConnex) -> str:
        return obj.item_account.product.sku

    @admin.display(description="title")
    def title(self, obj: ProductAccountOrangeConnex) -> str:
        return obj.item_account.product.title

    @admin.display(description="other counts")
    def other_counts(self, obj: ProductAccountOrangeConnex) -> str:
        counts = obj.other_stock or {}
        return (
            ", ".join(
                f"{OTHER_COUNT_LABELS.get(status, status)} {count}"
                for status, count in counts.items()
                if count
            )
            or "-"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rows are created by the stock sync from what OC reports.
        return False

    # --- totals and CSV ---------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="oc_integration_productaccountorangeconnex_export",
            ),
            *super().get_urls(),
        ]

    def _filtered(self, request: HttpRequest) -> QuerySet[ProductAccountOrangeConnex]:
        return self.get_changelist_instance(request).get_queryset(request)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "cl" in context:
            # One GROUP BY over the filtered rows, whatever the page size.
            context["region_totals"] = list(
                context["cl"]
                .queryset.order_by()
                .values("region")
                .annotate(
                    products=Count("pk"),
                    available=Sum("available_stock"),
                    intransit=Sum("intransit_stock"),
                )
                .order_by("region")
            )
            context["export_query"] = request.GET.urlencode()
        return response

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The filtered list (same filters and search as the page) as CSV, streamed."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rows = (
            self._filtered(request)
            .values_list(
                "item_account__product__sku",
                "item_account__product__title",
                "region",
                *(f if f != "stock_updated" else "shown_stock_updated" for f in FIGURES),
            )
            .iterator(chunk_size=2000)
        )

        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(
                [
                    "SKU",
                    "Title",
                    "Region",
                    "OC SKU",
                    "Available",
                    "In transit",
                    *OTHER_COUNT_LABELS.values(),
                    "Stock updated (UTC)",
                    "Created in OC",
                    "Stale",
                ]
            )
            # Columns in the order of FIGURES.
            for sku, title, region, oc_sku, avl, intran, other, updated, created, stale in rows:
                other = other or {}
                yield writer.writerow(
                    [
                        sku,
                        title,
                        region,
                        oc_sku,
                        avl,
                        intran,
                        *(other.get(status, 0) for status in OTHER_COUNT_LABELS),
                        updated.isoformat() if updated else "",
                        "yes" if created else "no",
                        "yes" if stale else "no",
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="oc-stock-{stamp}.csv"'
        return response
