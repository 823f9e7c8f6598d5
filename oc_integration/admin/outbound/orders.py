"""Outbound orders, OC callbacks and shipping services in the admin."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.apilog.links import calls_url
from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from oc_integration.admin.costs.push_preview import confirmed, push_preview_page
from oc_integration.admin.outbound.fees import OutboundParcelInline, fee_alert, fee_summary
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.costs.preview import preview_outbound_orders
from oc_integration.models import (
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    WebhookDelivery,
)
from oc_integration.outbound.orders import queue_drafts
from oc_integration.outbound.shipping_services import service_choices
from oc_integration.outbound.status import cancel_outbound, refresh_open_orders
from oc_integration.tasks import push_outbound

PUSH_PERMISSION = "oc_integration.push_outboundorder"
CANCEL_PERMISSION = "oc_integration.cancel_outboundorder"
REFRESH_PERMISSION = "oc_integration.refresh_outboundorder"
BADGE_COLOURS = {
    OutboundStatus.DRAFT: "#666",
    OutboundStatus.QUEUED: "#205493",
    OutboundStatus.SENDING: "#205493",
    OutboundStatus.UNKNOWN: "#b26a00",
    OutboundStatus.SUBMITTED: "#205493",
    OutboundStatus.REJECTED: "#ba2121",
    OutboundStatus.PICKED: "#205493",
    OutboundStatus.PACKED: "#205493",
    OutboundStatus.OUTBOUND: "#2f7d32",
    OutboundStatus.DELIVERED: "#2f7d32",
    OutboundStatus.CANCELLED: "#666",
    OutboundStatus.EXCEPTION: "#ba2121",
}
EDITABLE_IN = {OutboundStatus.DRAFT, OutboundStatus.REJECTED}
ADDRESS_FIELDS = (
    "shipping_service_code",
    "consignee_name",
    "company_name",
    "house_number",
    "address1",
    "address2",
    "city",
    "province_or_state",
    "country_code",
    "zip_code",
    "phone",
    "email",
    "incoterms",
    "remarks",
)


def status_badge(status: str, label: str) -> str:
    """A coloured status word, the same on every OC page."""
    colour = BADGE_COLOURS.get(OutboundStatus(status), "#333") if status else "#333"
    return format_html(
        '<span class="oc-status" data-status="{}" style="color:#fff;background:{};'
        'padding:1px 6px;border-radius:8px;white-space:nowrap">{}</span>',
        status,
        colour,
        label,
    )


class OutboundOrderLineInline(admin.TabularInline):
    model = OutboundOrderLine
    extra = 0
    can_delete = False
    fields = ("sku", "oc_sku", "quantity", "declared_value", "currency", "ebay_item_id")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OutboundOrderForm(forms.ModelForm):
    class Meta:
        model = OutboundOrder
        fields = ADDRESS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("shipping_service_code")
        choices = service_choices(self.instance.service_region) if self.instance.pk else []
        if field is not None and choices:
            self.fields["shipping_service_code"] = forms.ChoiceField(
                choices=[("", "---------"), *choices],
                required=False,
                label=field.label,
                help_text="OC's shipping services in this region (GetServiceList).",
            )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Sent to OC with the cancellation.", initial="Customer request"
    )


@admin.register(OutboundOrder)
class OutboundOrderAdmin(EvidenceAdminMixin, AccountWarningsMixin, admin.ModelAdmin):
    form = OutboundOrderForm
    list_display = [
        "reference_number",
        "hemi_order",
        "badge",
        "oc_order_number",
        "service_region",
        "shipping_service_code",
        "tracking_number",
        "problem",
        "account",
        "updated",
    ]
    list_filter = ["status", "service_region", "account", "auto_fulfillment_ef"]
    search_fields = ["reference_number", "oc_order_number", "tracking_number", "order__number"]
    list_select_related = ["account", "order"]
    inlines = [OutboundOrderLineInline, OutboundParcelInline]
    actions = ["push_to_oc", "refresh_from_oc", "cancel_at_oc"]
    show_full_result_count = False
    date_hierarchy = "created"

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "badge",
                    "problem",
                    "errors_by_field",
                    "warnings",
                    "account",
                    "hemi_order",
                    "reference_number",
                    "order_platform",
                    "ebay_order_id",
                    "service_region",
                    "oc_order_number",
                    "auto_fulfillment_ef",
                ]
            },
        ),
        ("Shipping", {"fields": ADDRESS_FIELDS}),
        (
            "Tracking and fees",
            {
                "fields": [
                    "carrier_name",
                    "tracking_number",
                    # Each parcel's weight (with its unit), fees and serial numbers are
                    # in the parcels below.
                    "fees",
                    "fees_alert",
                ]
            },
        ),
        (
            "History",
            {
                "fields": [
                    "send_attempts",
                    "sent_at",
                    "oc_created_at",
                    "status_changed_at",
                    "last_checked_at",
                    "cancel_reason",
                    "created",
                    "updated",
                    "api_calls",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        every = [str(name) for _, options in self.fieldsets for name in options["fields"]]
        if obj is not None and obj.status in EDITABLE_IN:
            # Only the shipping details of an order OC has not accepted can be corrected.
            return [name for name in every if name not in ADDRESS_FIELDS]
        return every

    @admin.display(description="status", ordering="status")
    def badge(self, obj: OutboundOrder) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Hemi order", ordering="order__number")
    def hemi_order(self, obj: OutboundOrder) -> str:
        if not obj.order_id or obj.order is None:
            return "-"
        url = reverse("admin:orders_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order.number)

    @admin.display(description="API calls")
    def api_calls(self, obj: OutboundOrder) -> str:
        # The push and the queries by reference carry the reference; the status queries
        # and a cancellation carry OC's order number once OC has given one.
        if obj.pk is None:
            return "-"
        numbers = [obj.reference_number, obj.oc_order_number or ""]
        return format_html_join(
            " · ",
            '<a href="{}" class="order-calls">The calls to OC that carried {}</a>',
            (
                (calls_url("oc", obj.account_id, obj.created, mentioning=number), number)
                for number in numbers
                if number
            ),
        )

    @admin.display(description="fees (estimated / charged)")
    def fees(self, obj: OutboundOrder) -> str:
        return fee_summary(obj)

    @admin.display(description="fee alert")
    def fees_alert(self, obj: OutboundOrder) -> str:
        return fee_alert(obj)

    @admin.display(description="last error")
    def problem(self, obj: OutboundOrder) -> str:
        return obj.last_error or "-"

    @admin.display(description="errors by field")
    def errors_by_field(self, obj: OutboundOrder) -> str:
        if not obj.validation_errors:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                # Each message starts with its field's name ("Postcode: at most ...").
                "<li>{}</li>",
                ((message,) for msgs in obj.validation_errors.values() for message in msgs),
            ),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Outbound orders are made from Hemi orders ("Push to Orange Connex" on Orders).
        return False

    def save_model(self, request: HttpRequest, obj: OutboundOrder, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.status in EDITABLE_IN:
            messages.info(request, 'Saved. Use "Push to Orange Connex" to validate and send it.')

    # --- actions ------------------------------------------------------------------------
    def has_push_permission(self, request: HttpRequest) -> bool:
        """Whether the user may send outbound orders to OC."""
        return request.user.has_perm(PUSH_PERMISSION)

    def has_refresh_permission(self, request: HttpRequest) -> bool:
        """Whether the user may ask OC for the orders' status and tracking now."""
        return request.user.has_perm(REFRESH_PERMISSION)

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        """Whether the user may cancel orders at OC."""
        return request.user.has_perm(CANCEL_PERMISSION)

    @admin.action(description="Push to Orange Connex", permissions=["push"])
    def push_to_oc(
        self, request: HttpRequest, queryset: QuerySet[OutboundOrder]
    ) -> HttpResponse | None:
        """Show what will be sent, with OC's cost estimates; once confirmed, queue the
        Drafts that now validate and push every queued order of their accounts."""
        # The confirmation page is a view of its own: it checks too, not only the action list.
        if not self.has_push_permission(request):
            raise PermissionDenied("You may not push outbound orders to Orange Connex.")
        if not confirmed(request):
            chosen = list(queryset.select_related("account").order_by("reference_number"))
            return push_preview_page(
                self,
                request,
                preview=preview_outbound_orders(chosen),
                action="push_to_oc",
                selected=[o.pk for o in chosen],
            )
        queued, invalid = queue_drafts(queryset.values_list("pk", flat=True))
        accounts = set(
            queryset.filter(status=OutboundStatus.QUEUED).values_list("account_id", flat=True)
        )
        for account_id in accounts:
            transaction.on_commit(partial(push_outbound.delay, account_id))
        record_in_history(
            request,
            queryset.filter(status=OutboundStatus.QUEUED),
            "Pushed to Orange Connex (queued for the worker).",
        )
        messages.info(
            request,
            f"{len(accounts)} push(es) queued for the worker"
            + (f"; {queued} draft(s) queued after validation" if queued else "")
            + (f"; {invalid} still invalid (see their errors)" if invalid else "")
            + ".",
        )
        return None

    @admin.action(description="Refresh status and tracking from OC", permissions=["refresh"])
    def refresh_from_oc(self, request: HttpRequest, queryset: QuerySet[OutboundOrder]) -> None:
        for account in {o.account for o in queryset.select_related("account")}:
            try:
                counts = refresh_open_orders(account)
            except Exception as exc:
                messages.error(request, f"{account}: could not query OC ({exc}).")
            else:
                messages.success(
                    request,
                    f"{account}: checked {counts['checked']} open order(s), {counts['changed']} "
                    f"changed, {counts['created_by_oc']} created by OC pulled in.",
                )

    @admin.action(description="Cancel at OC…", permissions=["cancel"])
    def cancel_at_oc(
        self, request: HttpRequest, queryset: QuerySet[OutboundOrder]
    ) -> HttpResponse | None:
        # The confirmation page is a view of its own: it checks too, not only the action list.
        if not self.has_cancel_permission(request):
            raise PermissionDenied("You may not cancel outbound orders at Orange Connex.")
        form = CancelForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            for outbound in queryset:
                outcome = cancel_outbound(outbound.pk, form.cleaned_data["reason"])
                failed = "refused" in outcome or "could not" in outcome
                level = messages.ERROR if failed else messages.SUCCESS
                messages.add_message(request, level, outcome)
                record_in_history(request, [outbound], f"Cancel at OC: {outcome}")
            return None
        return TemplateResponse(
            request,
            "admin/oc_integration/outboundorder/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": "Cancel outbound orders at OC",
                "orders": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    list_display = [
        "received_at",
        "account",
        "delivery_id",
        "event_status",
        "order_number",
        "status",
        "outcome",
    ]
    list_filter = ["status", "account"]
    search_fields = ["delivery_id", "order_number", "reference_number"]
    list_select_related = ["account"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
