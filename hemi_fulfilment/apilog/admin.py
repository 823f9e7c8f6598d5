"""The API call log in the admin: read-only, JSON bodies shown formatted."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin

#: Bodies longer than this are shown as stored: indenting megabytes helps nobody.
FORMAT_UP_TO_CHARS = 200_000


def formatted(body: str) -> str:
    """A JSON body indented for reading; anything else (XML, text, cut JSON) as it is."""
    if not body or len(body) > FORMAT_UP_TO_CHARS:
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _pre(text: str) -> str:
    if not text:
        return "-"
    return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', text)


#: What a call's page shows: the stored fields, headers and bodies formatted for reading.
CALL_FIELDS = (
    "created",
    "provider",
    "account_id",
    "account_label",
    "operation",
    "method",
    "url",
    "http_status",
    "duration_ms",
    "outcome",
    "correlation_id",
    "error_message",
    "headers_sent",
    "request_sent",
    "response_received",
)


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
    # Filters with fixed choices only: a filter over distinct values would scan the log
    # on every page load. The date hierarchy walks the index on "created".
    list_filter = ["provider", "outcome"]
    date_hierarchy = "created"
    search_fields = ["correlation_id", "operation", "account_label"]
    fields = CALL_FIELDS
    readonly_fields = CALL_FIELDS
    show_full_result_count = False

    @admin.display(description="request headers")
    def headers_sent(self, obj: ApiCallLog) -> str:
        return _pre(json.dumps(obj.request_headers, indent=2) if obj.request_headers else "")

    @admin.display(description="request body")
    def request_sent(self, obj: ApiCallLog) -> str:
        return _pre(formatted(obj.request_body))

    @admin.display(description="response body")
    def response_received(self, obj: ApiCallLog) -> str:
        return _pre(formatted(obj.response_body))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
