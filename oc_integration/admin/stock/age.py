"""The aged stock report: which stock has been at OC long enough to cost storage."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.csv_export import csv_download
from oc_integration.admin.stock.movements import MovementRegionFilter
from oc_integration.models import StockAge
from oc_integration.stock.age import AGE_THRESHOLDS

#: The filter's choices: stock older than N days, and the column that holds it.
OLDER_THAN = {days: f"over_{days}_days" for days in AGE_THRESHOLDS}


class OlderThanFilter(admin.SimpleListFilter):
    title = "stock older than"
    parameter_name = "older_than"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(days), f"Over {days} days") for days in OLDER_THAN]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit() and int(value) in OLDER_THAN:
            return queryset.filter(**{f"{OLDER_THAN[int(value)]}__gt": 0})
        return queryset


class AgeRegionFilter(MovementRegionFilter):
    """The region filter, as on the movements list."""


@admin.register(StockAge)
class StockAgeAdmin(admin.ModelAdmin):
    """Read-only: the figures are OC's, replaced by each stock age import."""

    change_list_template = "admin/oc_integration/stockage/change_list.html"
    list_display = [
        "seller_sku",
        "oc_sku",
        "region",
        "total_quantity",
        "over_90_days",
        "over_180_days",
        "over_365_days",
        "bucket_list",
        "snapshot_date",
        "stock_row_link",
    ]
    list_filter = [OlderThanFilter, AgeRegionFilter, "account"]
    search_fields = ["seller_sku", "oc_sku"]
    search_help_text = "SKU or OC SKU"
    list_per_page = 100
    readonly_fields = [
        "account",
        "seller_sku",
        "oc_sku",
        "region",
        "total_quantity",
        "over_90_days",
        "over_180_days",
        "over_365_days",
        "bucket_list",
        "snapshot_date",
        "stock_row_link",
        "run",
        "updated",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description="age buckets (days: quantity)")
    def bucket_list(self, obj: StockAge) -> str:
        return format_html_join(
            ", ",
            "{}: {}",
            ((bucket.get("label", ""), bucket.get("quantity", 0)) for bucket in obj.buckets or []),
        )

    @admin.display(description="stock row")
    def stock_row_link(self, obj: StockAge) -> str:
        if obj.stock_row_id is None:
            return "-"
        return format_html(
            '<a href="{}">{} {}</a>',
            reverse(
                "admin:oc_integration_productaccountorangeconnex_change", args=[obj.stock_row_id]
            ),
            obj.seller_sku,
            obj.region,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Rows are replaced by the next import; deleting one by hand would only hide stock.
        return False

    # --- CSV ------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="oc_integration_stockage_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        context = {**(extra_context or {}), "export_query": request.GET.urlencode()}
        return super().changelist_view(request, context)

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The filtered report (same filters and search as the page) as CSV, streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = (
            self.get_changelist_instance(request)
            .get_queryset(request)
            .values_list(
                "seller_sku",
                "oc_sku",
                "region",
                "total_quantity",
                "over_90_days",
                "over_180_days",
                "over_365_days",
                "buckets",
                "snapshot_date",
            )
            .iterator(chunk_size=2000)
        )

        header = [
            "SKU",
            "OC SKU",
            "Region",
            "Quantity",
            "Over 90 days",
            "Over 180 days",
            "Over 365 days",
            "Age buckets (days: quantity)",
            "As of",
        ]
        return csv_download(
            "oc-aged-stock",
            header,
            (
                (
                    sku,
                    oc_sku,
                    region,
                    total,
                    d90,
                    d180,
                    d365,
                    "; ".join(f"{b.get('label')}: {b.get('quantity')}" for b in buckets or []),
                    day.isoformat() if day else "",
                )
                for sku, oc_sku, region, total, d90, d180, d365, buckets, day in rows
            ),
        )
