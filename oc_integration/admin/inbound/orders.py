"""Inbound orders in the admin: the list, the order page with its cartons and lines,
"Place at Orange Connex" (a confirmation page first), sent against received, the status
history; "Sync inbound now" on the account. The order's labels, tracking and customs
pages are in :mod:`oc_integration.admin.inbound.pages`."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.audit import record_in_history
from oc_integration.admin.inbound.forms import (
    ORDER_FIELDS,
    CartonInline,
    InboundOrderForm,
    LineInline,
    StatusHistoryInline,
)
from oc_integration.admin.inbound.pages import PLACE_PERMISSION, InboundPagesAdmin
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.inbound.placing import place_inbound_order
from oc_integration.inbound.validation import check_order, draft_of
from oc_integration.models import (
    AccountOrangeConnex,
    InboundCarton,
    InboundLine,
    InboundOrder,
    InboundStatus,
    ProductAccountOrangeConnex,
)
from oc_integration.tasks import sync_inbound

SYNC_PERMISSION = "oc_integration.sync_inboundorder"

STATUS_COLOURS = {
    InboundStatus.DRAFT: "#555",
    InboundStatus.SENDING: "#b36b00",
    InboundStatus.UNKNOWN: "#b36b00",
    InboundStatus.REFUSED: "#c62828",
    InboundStatus.RECEIVED: "#2e7d32",
    InboundStatus.CANCELLED: "#555",
}


def status_badge(order: InboundOrder) -> str:
    """The order's status as a coloured word (OC's own word in the tooltip)."""
    return format_html(
        '<span class="inbound-status" data-status="{}" title="OC status: {}" '
        'style="color:#fff;background:{};padding:1px 6px;border-radius:8px;white-space:nowrap">'
        "{}</span>",
        order.status,
        order.oc_status or "none",
        STATUS_COLOURS.get(InboundStatus(order.status), "#1565c0"),
        order.get_status_display(),
    )


@admin.register(InboundOrder)
class InboundOrderAdmin(AccountWarningsMixin, InboundPagesAdmin):
    form = InboundOrderForm
    change_form_template = "admin/oc_integration/inboundorder/change_form.html"
    inlines = [CartonInline, LineInline, StatusHistoryInline]
    actions = ["place_at_oc"]
    list_display = [
        "seller_inbound_number",
        "oc_inbound_number",
        "status_shown",
        "region",
        "shipping_method",
        "eta",
        "units",
        "account",
        "placed_at",
        "last_checked_at",
    ]
    list_filter = ["status", "region", "shipping_method", "account"]
    search_fields = ["seller_inbound_number", "oc_inbound_number", "lines__sku__oc_sku"]
    list_select_related = ["account"]
    date_hierarchy = "created"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ORDER_FIELDS}),
        (
            "At Orange Connex",
            {
                "fields": [
                    "status_shown",
                    "oc_inbound_number",
                    "oc_status",
                    "booking_number",
                    "placed_at",
                    "last_checked_at",
                    "last_error",
                ]
            },
        ),
        ("Sent and received", {"fields": ["sent_vs_received"]}),
        ("Tracking and customs papers", {"fields": ["tracking_shown", "documents_shown"]}),
    ]
    readonly_fields = [
        "status_shown",
        "oc_inbound_number",
        "oc_status",
        "booking_number",
        "placed_at",
        "last_checked_at",
        "last_error",
        "sent_vs_received",
        "tracking_shown",
        "documents_shown",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundOrder]:
        return super().get_queryset(request).annotate(total_units=Sum("lines__quantity"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and not obj.is_editable:
            fields = [*ORDER_FIELDS, *fields]  # placed: what OC has is not edited here
        elif obj is not None:
            fields = ["account", *fields]  # the SKUs chosen belong to this account
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only a draft OC never saw may go; anything sent is evidence.
        if obj is not None and (obj.oc_inbound_number or obj.status != InboundStatus.DRAFT):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # "Delete selected" would not ask each order whether OC has seen it.
        actions.pop("delete_selected", None)
        return actions

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not InboundLine:
            super().save_formset(request, form, formset, change)
            return
        order: InboundOrder = form.instance
        formset.save(commit=False)
        for line in formset.deleted_objects:
            line.delete()
        cartons = {c.seller_carton_number: c for c in InboundCarton.objects.filter(order=order)}
        for line_form in formset.forms:
            data = getattr(line_form, "cleaned_data", None)
            if not data or data.get("DELETE") or not line_form.has_changed():
                continue
            number = data["carton_number"].strip()
            if number not in cartons:  # a line naming a new carton adds it
                cartons[number] = InboundCarton.objects.create(
                    order=order, seller_carton_number=number
                )
            line = line_form.instance
            line.order = order
            line.carton = cartons[number]
            line.save()

    # --- columns and read-only fields -----------------------------------------------
    @admin.display(description="status", ordering="status")
    def status_shown(self, obj: InboundOrder) -> str:
        return status_badge(obj) if obj.pk else "-"

    @admin.display(description="units", ordering="total_units")
    def units(self, obj: InboundOrder) -> int:
        return getattr(obj, "total_units", None) or 0

    @admin.display(description="sent and received per SKU")
    def sent_vs_received(self, obj: InboundOrder) -> str:
        if not obj.pk:
            return "-"
        sent: dict[str, tuple[int, int]] = {}  # OC SKU -> (OCSku pk, units)
        for sku_pk, oc_sku, quantity in obj.lines.values_list("sku_id", "sku__oc_sku", "quantity"):
            sent[oc_sku] = (sku_pk, sent.get(oc_sku, (sku_pk, 0))[1] + quantity)
        if not sent:
            return "No lines yet."
        received = dict(obj.receipts.values_list("oc_sku", "received"))
        stock_rows = dict(
            ProductAccountOrangeConnex.objects.filter(
                account_id=obj.account_id, region=obj.region, oc_sku__in=list(sent)
            ).values_list("oc_sku", "pk")
        )
        rows = []
        for oc_sku, (sku_pk, units) in sorted(sent.items()):
            got = received.get(oc_sku)
            differs = got is not None and got != units
            stock = stock_rows.get(oc_sku)
            rows.append(
                (
                    reverse("admin:oc_integration_ocsku_change", args=[sku_pk]),
                    oc_sku,
                    format_html(
                        '<a href="{}">stock row</a>',
                        reverse(
                            "admin:oc_integration_productaccountorangeconnex_change", args=[stock]
                        ),
                    )
                    if stock
                    else "-",
                    units,
                    "-" if got is None else got,
                    "inbound-difference" if differs else "inbound-same",
                    "color:#c62828;font-weight:bold" if differs else "",
                    f"{got - units:+d}" if differs and got is not None else "",
                )
            )
        body = format_html_join(
            "",
            '<tr data-sku="{1}"><td><a href="{0}">{1}</a></td><td>{2}</td><td>{3}</td>'
            '<td class="{5}" style="{6}">{4}</td><td class="{5}" style="{6}">{7}</td></tr>',
            rows,
        )
        return format_html(
            '<table id="sent-vs-received"><thead><tr><th>OC SKU</th><th>Stock</th>'
            "<th>Sent</th><th>Received</th><th>Difference</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            body,
        )

    @admin.display(description="tracking numbers")
    def tracking_shown(self, obj: InboundOrder) -> str:
        if not obj.tracking:
            return "None uploaded."
        return format_html_join(
            ", ",
            "{} {} ({})",
            (
                (t.get("carrier", ""), t.get("number", ""), t.get("carton") or "whole order")
                for t in obj.tracking
            ),
        )

    @admin.display(description="customs papers")
    def documents_shown(self, obj: InboundOrder) -> str:
        documents = list(obj.documents.all()) if obj.pk else []
        if not documents:
            return "None uploaded."
        return format_html_join(
            ", ",
            "{}: {} ({} bytes, {})",
            (
                (d.get_file_type_display(), d.file_name, d.size, d.verify_status or "sent")
                for d in documents
            ),
        )

    # --- "Place at Orange Connex" ----------------------------------------------------
    @admin.action(description="Place at Orange Connex", permissions=["place_inboundorder"])
    def place_at_oc(
        self, request: HttpRequest, queryset: QuerySet[InboundOrder]
    ) -> HttpResponse | None:
        """A page with what OC would be sent (or what is wrong); confirming it places them."""
        if not request.user.has_perm(PLACE_PERMISSION):
            raise PermissionDenied("You may not place inbound orders at Orange Connex.")
        orders = list(queryset.select_related("account").order_by("pk"))
        if request.POST.get("confirm") == "yes":
            for order in orders:
                result = place_inbound_order(order.pk)
                level = messages.SUCCESS if result.ok else messages.ERROR
                if result.outcome in ("unknown", "not_sent"):
                    level = messages.WARNING
                messages.add_message(request, level, result.message)
                record_in_history(request, [order], f"Place at Orange Connex: {result.message}")
            return None
        checks = []
        for order in orders:
            problems: list[str] = []
            if order.oc_inbound_number:
                verdict, problems = (
                    f"Already at OC as {order.oc_inbound_number}; not sent again",
                    [],
                )
            elif order.status in (InboundStatus.SENDING, InboundStatus.UNKNOWN):
                verdict, problems = "Checked at OC first (the last answer was lost)", []
            else:
                problems = [text for _, text in check_order(order)]
                verdict = "Not sent: fix it first" if problems else "Will be placed"
            draft = draft_of(order)
            checks.append(
                {
                    "order": order,
                    "verdict": verdict,
                    "problems": problems,
                    "cartons": draft.cartons,
                    "sendable": not problems and not order.oc_inbound_number,
                }
            )
        return TemplateResponse(
            request,
            "admin/oc_integration/inboundorder/place_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Place at Orange Connex: check before placing",
                "checks": checks,
                "sendable": sum(1 for c in checks if c["sendable"]),
                "orders": orders,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def has_place_inboundorder_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PLACE_PERMISSION)


# --- "Sync inbound now" on the OC account --------------------------------------------------
def may_sync_inbound(request: HttpRequest) -> bool:
    """Whether the user may start an inbound sync (asked by the account admin's action)."""
    return request.user.has_perm(SYNC_PERMISSION)


@admin.action(description="Sync inbound now", permissions=["sync_inboundorder"])
def sync_inbound_now(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
) -> None:
    """Queue the inbound sync of each selected account (the worker runs it)."""
    if not may_sync_inbound(request):
        raise PermissionDenied("You may not start an inbound sync.")
    for account in queryset:
        transaction.on_commit(partial(sync_inbound.delay, account.pk))
        record_in_history(request, [account], "Queued an inbound sync.")
        messages.info(
            request,
            f"Inbound sync for {account} queued; the worker asks OC within seconds.",
        )


def attach_to_account_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the OC account admin "Sync inbound now" (its permission check included)."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    account_admin.has_sync_inboundorder_permission = may_sync_inbound  # type: ignore[attr-defined]
    account_admin.actions = [*(account_admin.actions or []), sync_inbound_now]
