"""Every cost estimate asked of OC, read-only: when, for what, and OC's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from oc_integration.admin.costs.products import estimates_in_words
from oc_integration.models import CostTrial

#: What the list and the page show of a trial (the page adds OC's reference and answer).
SHOWN = (
    "requested_at",
    "account",
    "order_reference",
    "product",
    "region",
    "country_code",
    "ebay_order",
    "method",
    "status",
)


@admin.register(CostTrial)
class CostTrialAdmin(admin.ModelAdmin):
    list_display = [*SHOWN, "estimates_shown"]
    list_filter = ["status", "method", "region", "account"]
    search_fields = ["reference_id", "order_reference", "product__sku"]
    list_select_related = ["account", "product"]
    date_hierarchy = "requested_at"
    show_full_result_count = False
    readonly_fields = [*SHOWN, "reference_id", "error", "answered_at", "estimates_shown"]
    exclude = ["parcel_key"]

    @admin.display(description="estimated cost per shipping service")
    def estimates_shown(self, obj: CostTrial) -> str:
        return estimates_in_words(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CostTrial]:
        # The estimates of a whole page in one query.
        return super().get_queryset(request).prefetch_related("estimates")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
