"""The API call log in the admin: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin


@admin.register(ApiCallLog)
class ApiCallLogAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    list_display = [
        "created",
        "provider",
        "account_label",
        "operation",
        "method",
        "http_status",
        "outcome",
        "duration_ms",
        "correlation_id",
    ]
    # Filters with fixed choices only: the log grows large, and a filter over distinct
    # values (or a date hierarchy) would scan it on every page load.
    list_filter = ["provider", "outcome", ("created", admin.DateFieldListFilter)]
    search_fields = ["correlation_id", "operation", "account_label"]
    readonly_fields = [f.name for f in ApiCallLog._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
