"""The returned-stock snapshot and each account's return import state, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from oc_integration.models import ReturnedStock, ReturnSyncState


class ReadOnlyAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    """Rows the return import writes: looked at here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReturnedStock)
class ReturnedStockAdmin(ReadOnlyAdmin):
    list_display = ["oc_sku", "region", "returned", "counts", "account", "fetched_at"]
    list_filter = ["region", "account"]
    search_fields = ["oc_sku"]
    list_select_related = ["account"]
    show_full_result_count = False


@admin.register(ReturnSyncState)
class ReturnSyncStateAdmin(ReadOnlyAdmin):
    list_display = ["account", "synced_until", "last_run_at", "last_outcome"]
    list_select_related = ["account"]
