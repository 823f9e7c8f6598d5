"""Return orders in the admin: the list, a return's page, its label, cancel and tracking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from hemi_fulfilment.integration_errors import NoUsableToken
from oc_integration.admin.record_pages import RecordPagesMixin
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.client import OCBusinessError, OCError
from oc_integration.client.returns import CANCEL_REASON_MAX_LENGTH, CARRIER_MAX_LENGTH
from oc_integration.models import (
    CANCELLABLE_RETURNS,
    TRACKABLE_RETURNS,
    ReturnOrder,
    ReturnOrderItem,
    ReturnStatus,
)
from oc_integration.returns.actions import (
    ActionOutcome,
    InvalidReturnInput,
    ReturnActionRefused,
    cancel_return,
    return_label,
    update_return_tracking,
)

LABEL_PERMISSION = "oc_integration.download_return_label"
CANCEL_PERMISSION = "oc_integration.cancel_returnorder"
TRACKING_PERMISSION = "oc_integration.update_return_tracking"
BADGE_COLOURS = {
    ReturnStatus.CREATED: "#205493",
    ReturnStatus.IN_TRANSIT: "#205493",
    ReturnStatus.RECEIVED: "#2f7d32",
    ReturnStatus.COMPLETED: "#2f7d32",
    ReturnStatus.CANCELLED: "#666",
    ReturnStatus.UNKNOWN: "#b26a00",
}


def return_badge(status: str, label: str) -> str:
    """A return's status as a coloured word."""
    return format_html(
        '<span class="oc-return-status" data-status="{}" style="color:#fff;background:{};'
        'padding:1px 6px;border-radius:8px;white-space:nowrap">{}</span>',
        status,
        BADGE_COLOURS.get(ReturnStatus(status), "#333") if status else "#333",
        label,
    )


class ReturnItemInline(admin.TabularInline):
    model = ReturnOrderItem
    extra = 0
    can_delete = False
    fields = ("oc_sku", "seller_sku", "quantity", "received_quantity", "condition")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CancelReturnForm(forms.Form):
    reason = forms.CharField(
        max_length=CANCEL_REASON_MAX_LENGTH,
        help_text="Sent to OC with the cancellation.",
        initial="Buyer kept the item",
    )


class TrackingForm(forms.Form):
    tracking_number = forms.CharField(
        label="tracking number", max_length=64, help_text="As the carrier prints it."
    )
    carrier_code = forms.CharField(
        label="carrier code", max_length=CARRIER_MAX_LENGTH, help_text="e.g. RM, DHL, DPD."
    )
    carrier_name = forms.CharField(label="carrier name", max_length=64, required=False)


@admin.register(ReturnOrder)
class ReturnOrderAdmin(
    RecordPagesMixin, EvidenceAdminMixin, AccountWarningsMixin, admin.ModelAdmin
):
    """Return orders come from OC: read-only here; changes go to OC from the buttons."""

    change_form_template = "admin/oc_integration/returnorder/change_form.html"
    list_display = [
        "oc_return_number",
        "badge",
        "outbound_link",
        "order",
        "reason",
        "region",
        "tracking_number",
        "account",
        "oc_updated_at",
    ]
    list_filter = ["status", "region", "account"]
    search_fields = [
        "oc_return_number",
        "outbound_order_number",
        "reference_number",
        "tracking_number",
        "order__number",
    ]
    list_select_related = ["account", "outbound_order", "order"]
    inlines = [ReturnItemInline]
    show_full_result_count = False
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "badge",
                    "oc_status",
                    "account",
                    "oc_return_number",
                    "outbound_link",
                    "order",
                    "outbound_order_number",
                    "reference_number",
                    "ebay_order_id",
                    "region",
                    "reason_code",
                    "reason",
                    "pending",
                    "last_error",
                ]
            },
        ),
        ("Return tracking", {"fields": ["carrier_code", "carrier_name", "tracking_number"]}),
        (
            "History",
            {
                "fields": [
                    "oc_created_at",
                    "oc_updated_at",
                    "cancel_reason",
                    "last_synced_at",
                    "created",
                    "updated",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for _, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # returns are created at OC and imported

    @admin.display(description="status", ordering="status")
    def badge(self, obj: ReturnOrder) -> str:
        return return_badge(obj.status, obj.get_status_display())

    @admin.display(description="outbound order", ordering="outbound_order__reference_number")
    def outbound_link(self, obj: ReturnOrder) -> str:
        if obj.outbound_order is None:
            return f"{obj.outbound_order_number or obj.reference_number or '-'} (not in Hemi)"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:oc_integration_outboundorder_change", args=[obj.outbound_order_id]),
            obj.outbound_order,
        )

    @admin.display(description="waiting for OC")
    def pending(self, obj: ReturnOrder) -> str:
        if not obj.pending_request:
            return "-"
        return (
            f"{obj.get_pending_request_display()} sent {obj.pending_since:%Y-%m-%d %H:%M} UTC; "
            "OC's answer was lost. It is checked with OC before anything is sent again."
        )

    # --- the buttons --------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/label/", view(self.label_view), name="oc_integration_returnorder_label"),
            path(
                "<int:pk>/cancel/", view(self.cancel_view), name="oc_integration_returnorder_cancel"
            ),
            path(
                "<int:pk>/tracking/",
                view(self.tracking_view),
                name="oc_integration_returnorder_tracking",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        user = request.user
        extra = {
            "may_download_label": user.has_perm(LABEL_PERMISSION),
            "may_cancel": user.has_perm(CANCEL_PERMISSION),
            "may_update_tracking": user.has_perm(TRACKING_PERMISSION),
            "cancellable": list(CANCELLABLE_RETURNS),
            "trackable": list(TRACKABLE_RETURNS),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def label_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The return's label as OC prints it (PDF)."""
        return_order = self.guarded_record(request, pk, LABEL_PERMISSION, "download return labels")
        return self.label_download(
            request,
            return_order,
            lambda: return_label(return_order),
            name=f"oc-return-label-{return_order.oc_return_number}",
            refused=(ReturnActionRefused,),
            missing="OC returned no label",
        )

    def _page(
        self, request: HttpRequest, return_order: ReturnOrder, title: str, form: Any, button: str
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/oc_integration/returnorder/action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "return_order": return_order,
                "form": form,
                "button": button,
                "opts": self.model._meta,
                "original": return_order,
            },
        )

    def _done(
        self, request: HttpRequest, return_order: ReturnOrder, outcome: ActionOutcome
    ) -> HttpResponseRedirect:
        level = messages.SUCCESS if outcome.done else messages.WARNING
        messages.add_message(request, level, outcome.message)
        record_in_history(request, [return_order], outcome.message)
        return self.back_to_record(return_order)

    def _refused(self, form: forms.Form, exc: Exception) -> None:
        if isinstance(exc, InvalidReturnInput):
            for name, message in exc.problems:
                form.add_error(name if name in form.fields else None, message)
        elif isinstance(exc, OCBusinessError):
            form.add_error(None, f"OC refused: {exc.message} Nothing was changed.")
        elif isinstance(exc, OCError):
            form.add_error(None, f"Could not ask OC: {exc.message} Try again later.")
        else:
            form.add_error(None, str(exc))

    def _action(
        self,
        request: HttpRequest,
        return_order: ReturnOrder,
        form: forms.Form,
        run: Callable[[dict[str, Any]], ActionOutcome],
        title: str,
        button: str,
    ) -> HttpResponse:
        """The action's page: its form, then OC's outcome (or the form with its errors)."""
        if form.is_bound and form.is_valid():
            try:
                outcome = run(form.cleaned_data)
            except (InvalidReturnInput, ReturnActionRefused, OCError, NoUsableToken) as exc:
                self._refused(form, exc)
            else:
                return self._done(request, return_order, outcome)
        return self._page(request, return_order, title, form, button)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Confirm, then cancel the RMA at OC."""
        return_order = self.guarded_record(request, pk, CANCEL_PERMISSION, "cancel return orders")
        return self._action(
            request,
            return_order,
            CancelReturnForm(request.POST if request.method == "POST" else None),
            lambda data: cancel_return(return_order.pk, reason=data["reason"]),
            f"Cancel return {return_order} at OC",
            "Cancel this return at OC",
        )

    def tracking_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Send OC the tracking number the return parcel travels under."""
        return_order = self.guarded_record(
            request, pk, TRACKING_PERMISSION, "update return tracking"
        )
        form = TrackingForm(
            request.POST if request.method == "POST" else None,
            initial={"carrier_code": return_order.carrier_code},
        )
        return self._action(
            request,
            return_order,
            form,
            lambda data: update_return_tracking(
                return_order.pk,
                tracking_number=data["tracking_number"],
                carrier_code=data["carrier_code"],
                carrier_name=data["carrier_name"],
            ),
            f"Update the return tracking of {return_order}",
            "Send to Orange Connex",
        )
