"""OC's shipping services per region (GetServiceList), and "Fetch from OC now"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.client import OCError
from oc_integration.models import ShippingService
from oc_integration.outbound.shipping_services import refresh_shipping_services

REFRESH_PERMISSION = "oc_integration.refresh_shippingservice"


@admin.register(ShippingService)
class ShippingServiceAdmin(admin.ModelAdmin):
    list_display = ["region", "code", "name", "fetched_at"]
    list_filter = ["region"]
    readonly_fields = ["region", "code", "name", "fetched_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        fetch = self.admin_site.admin_view(require_POST(self.fetch_now_view))
        return [
            path("fetch/", fetch, name="oc_integration_shippingservice_fetch"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra = {
            "may_fetch": request.user.has_perm(REFRESH_PERMISSION),
            # One cheap query: the empty page explains how the list is filled.
            "none_known": not ShippingService.objects.exists(),
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def fetch_now_view(self, request: HttpRequest) -> HttpResponse:
        """The list page's button: GetServiceList now, replacing the stored list."""
        if not request.user.has_perm(REFRESH_PERMISSION):
            raise PermissionDenied("You may not fetch OC's shipping services.")
        back = HttpResponseRedirect(reverse("admin:oc_integration_shippingservice_changelist"))
        accounts = authorized_accounts()
        if not accounts:
            messages.error(request, "No OC account is authorized yet: authorize one first.")
            return back
        try:
            count = refresh_shipping_services(accounts[0])
        except (OCError, NoUsableToken) as exc:
            messages.error(
                request,
                f"OC did not give its shipping services ({exc}); the stored list is unchanged. "
                "Try again later.",
            )
            return back
        record_in_history(request, [accounts[0]], f"Fetched {count} shipping service(s) from OC.")
        messages.success(request, f"Fetched {count} shipping service(s) from OC.")
        return back
