"""Parcels and fees of outbound orders in the admin: the order page's parcels, the parcel
list (searchable by tracking and serial number) and the monthly fee report with CSV."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from hemi_fulfilment.csv_export import csv_download
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundParcel
from oc_integration.outbound.fee_report import CSV_HEADER, fee_report
from oc_integration.outbound.fees import alert_share, compare, money


def _skus_and_serials(parcel: OutboundParcel) -> str:
    items = list(parcel.items.all())  # prefetched by the pages that list parcels
    if not items:
        return "-"
    return format_html(
        "<ul class='parcel-skus' style='margin:0;padding-left:1em'>{}</ul>",
        format_html_join(
            "",
            "<li>{} x {}{}</li>",
            (
                (
                    item.oc_sku,
                    item.quantity,
                    f" (SN: {', '.join(item.serial_list())})" if item.serial_numbers else "",
                )
                for item in items
            ),
        ),
    )


class ParcelFigures:
    """Columns shared by the order page's parcels and the parcel list."""

    @admin.display(description="chargeable weight", ordering="chargeable_weight")
    def weight(self, obj: OutboundParcel) -> str:
        return obj.weight_text()

    @admin.display(description="estimated fee", ordering="estimated_fee")
    def estimate(self, obj: OutboundParcel) -> str:
        return money(obj.estimated_fee, obj.estimated_currency)

    @admin.display(description="charged fee", ordering="charged_fee")
    def charge(self, obj: OutboundParcel) -> str:
        return money(obj.charged_fee, obj.charged_currency)

    @admin.display(description="SKUs and serial numbers")
    def skus(self, obj: OutboundParcel) -> str:
        return _skus_and_serials(obj)


class OutboundParcelInline(ParcelFigures, admin.TabularInline):
    """The parcels on the outbound order page (read only: they are OC's word)."""

    model = OutboundParcel
    extra = 0
    can_delete = False
    verbose_name = "parcel"
    verbose_name_plural = "Parcels (weights, fees and serial numbers from OC's Query v2)"
    fields = ("tracking_number", "carrier_name", "weight", "estimate", "charge", "skus")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundParcel]:
        return super().get_queryset(request).prefetch_related("items")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def fee_summary(outbound: OutboundOrder) -> str:
    """The order's estimated and charged fees, per currency ("-" before OC gave any)."""
    comparisons = compare(outbound.parcels.all())
    if not comparisons:
        return "-"
    return format_html_join(
        mark_safe("<br>"),
        "estimated {}, charged {}",
        (
            (
                money(c.estimated, c.currency),
                money(c.charged, c.currency) if c.charged is not None else "not yet",
            )
            for c in comparisons
        ),
    )


def fee_alert(outbound: OutboundOrder) -> str:
    """The alert line when OC charged more than the alert share above its estimate."""
    share = alert_share()
    lines = [c.alert_line("Charge above estimate", share) for c in compare(outbound.parcels.all())]
    lines = [line for line in lines if line]
    if not lines:
        return "-"
    return format_html_join(
        mark_safe("<br>"),
        '<strong class="fee-alert" style="color:#ba2121">{}</strong>',
        ((line,) for line in lines),
    )


class FeeReportForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=AccountOrangeConnex.objects.order_by("name"), label="OC account"
    )
    month = forms.DateField(
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="Orders created at OC in this month (YYYY-MM).",
        error_messages={"invalid": "Month: give it as YYYY-MM, for example 2026-11."},
    )


@admin.register(OutboundParcel)
class OutboundParcelAdmin(ParcelFigures, EvidenceAdminMixin, admin.ModelAdmin):
    list_display = [
        "tracking_number",
        "order_link",
        "carrier_name",
        "weight",
        "estimate",
        "charge",
        "skus",
        "updated",
    ]
    list_filter = [
        "outbound_order__account",
        "outbound_order__service_region",
        "charged_currency",
    ]
    search_fields = [
        "tracking_number",
        "items__serial_numbers",
        "items__oc_sku",
        "outbound_order__reference_number",
        "outbound_order__oc_order_number",
    ]
    list_select_related = ["outbound_order"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundParcel]:
        return super().get_queryset(request).prefetch_related("items")

    @admin.display(description="outbound order", ordering="outbound_order__reference_number")
    def order_link(self, obj: OutboundParcel) -> str:
        url = reverse("admin:oc_integration_outboundorder_change", args=[obj.outbound_order_id])
        return format_html('<a href="{}">{}</a>', url, obj.outbound_order)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # parcels come from OC's Query v2 only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        report = self.admin_site.admin_view(self.fee_report_view)
        return [
            path("report/", report, name="oc_integration_outboundparcel_report"),
            *super().get_urls(),
        ]

    def fee_report_view(self, request: HttpRequest) -> HttpResponseBase:
        """The monthly report: estimated vs charged per region, service and currency."""
        # Reading is all it does: whoever may view parcels may see it.
        if not self.has_view_permission(request):
            raise PermissionDenied("You may not see OC's fees.")
        first_account = AccountOrangeConnex.objects.order_by("name").first()
        today = timezone.localdate()
        form = FeeReportForm(
            request.GET
            if "month" in request.GET
            else {
                "account": first_account.pk if first_account else None,
                "month": today.strftime("%Y-%m"),
            }
        )
        report, csv_query = None, ""
        if form.is_valid():
            month: date = form.cleaned_data["month"]
            report = fee_report(form.cleaned_data["account"], month)
            if request.GET.get("format") == "csv":
                return csv_download(
                    f"oc-fees-{month:%Y-%m}-{report.account.pk}", CSV_HEADER, report.csv_rows()
                )
            csv_query = urlencode(
                {"account": report.account.pk, "month": f"{month:%Y-%m}", "format": "csv"}
            )
        return TemplateResponse(
            request,
            "admin/oc_integration/outboundparcel/fee_report.html",
            {
                **self.admin_site.each_context(request),
                "title": "OC fees: estimated and charged",
                "opts": self.model._meta,
                "form": form,
                "report": report,
                "csv_query": csv_query,
            },
        )
