"""The OC SKU catalogue in the admin: the list, "Sync SKUs now", labels, EF services."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.pdf_download import pdf_download
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.catalog.ef_services import refresh_ef_services, set_up_services
from oc_integration.catalog.labels import TooManyLabels, sku_labels
from oc_integration.catalog.sync import queue_sku_sync
from oc_integration.client import OCError
from oc_integration.client.sku import DOMESTIC, INTERNATIONAL, EFService
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    OCSku,
    OCSkuEFService,
    ShippingService,
    SyncRun,
)
from oc_integration.tasks import sync_skus

RUN_SKU_SYNC_PERMISSION = "oc_integration.run_sku_sync"
LABELS_PERMISSION = "oc_integration.download_sku_labels"
EF_PERMISSION = "oc_integration.set_up_sku_ef_services"

APPROVAL_COLOURS = {
    Approval.DRAFT: "#b36b00",
    Approval.APPROVED: "#2e7d32",
    Approval.REJECTED: "#c62828",
    Approval.UNKNOWN: "#555",
}


def approval_badge(approval: str, label: str, status: str = "") -> str:
    """OC's approval of a SKU as a coloured word (OC's own status word in the tooltip)."""
    return format_html(
        '<span class="oc-sku-approval" data-approval="{}" title="OC status: {}" '
        'style="color:#fff;background:{};padding:1px 6px;border-radius:8px;white-space:nowrap">'
        "{}</span>",
        approval,
        status or "none",
        APPROVAL_COLOURS.get(Approval(approval), "#555") if approval else "#555",
        label,
    )


def queue_sku_syncs(request: HttpRequest, accounts: list[AccountOrangeConnex]) -> list[SyncRun]:
    """Queue a SKU sync per account and say so (the worker runs them)."""
    runs = []
    for account in accounts:
        run = queue_sku_sync(account, trigger=SyncRun.Trigger.ADMIN)
        transaction.on_commit(partial(sync_skus.delay, run.pk))
        runs.append(run)
        record_in_history(request, [account], f"Queued SKU sync run #{run.pk}.")
        messages.info(
            request,
            format_html(
                'SKU sync for {} queued as <a href="{}">run #{}</a>; the worker picks it up '
                "within seconds.",
                account,
                reverse("admin:oc_integration_syncrun_change", args=[run.pk]),
                run.pk,
            ),
        )
    return runs


class ApprovalFilter(admin.SimpleListFilter):
    title = "status at OC"
    parameter_name = "approval"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Approval.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(approval=self.value()) if self.value() else queryset


class RegionFilter(admin.SimpleListFilter):
    """SKUs set up for EF services in a region (one query for the choices)."""

    title = "EF region"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        regions = (
            OCSkuEFService.objects.order_by("region").values_list("region", flat=True).distinct()
        )
        return [(region, region) for region in regions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        return queryset.filter(
            pk__in=OCSkuEFService.objects.filter(region=self.value()).values("sku_id")
        )


class LinkedFilter(admin.SimpleListFilter):
    title = "Hemi product"
    parameter_name = "linked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Linked to a Hemi product"), ("no", "Not linked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(product__isnull=False)
        if self.value() == "no":
            return queryset.filter(product__isnull=True)
        return queryset


class EFServiceInline(admin.TabularInline):
    model = OCSkuEFService
    extra = 0
    can_delete = False
    fields = ("region", "fulfilment_centre", "service_type", "service_code", "last_synced")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EFServicesForm(forms.Form):
    """The EF services to set up for the chosen SKUs: services OC offers per region."""

    domestic = forms.MultipleChoiceField(
        label="Domestic services", required=False, widget=forms.CheckboxSelectMultiple
    )
    international = forms.MultipleChoiceField(
        label="International services", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [
            (f"{s.region}|{s.code}", f"{s.region}: {s.name or s.code} ({s.code})")
            for s in ShippingService.objects.order_by("region", "code")
        ]
        for name in ("domestic", "international"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = offered

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("domestic") and not data.get("international"):
            raise forms.ValidationError("Choose at least one service.")
        return data

    def services(self) -> list[EFService]:
        chosen = []
        for kind, name in ((DOMESTIC, "domestic"), (INTERNATIONAL, "international")):
            for value in self.cleaned_data[name]:
                region, code = value.split("|", 1)
                chosen.append(EFService(region, kind, code, region))
        return chosen


def _one_account(request: HttpRequest, queryset: QuerySet[OCSku]) -> AccountOrangeConnex | None:
    accounts = set(queryset.order_by().values_list("account_id", flat=True).distinct())
    if len(accounts) != 1:
        messages.error(request, "Choose OC SKUs of one OC account at a time.")
        return None
    return AccountOrangeConnex.objects.get(pk=accounts.pop())


@admin.register(OCSku)
class OCSkuAdmin(AccountWarningsMixin, admin.ModelAdmin):
    """OC's SKU catalogue, as the SKU sync last read it: read-only here."""

    change_list_template = "admin/oc_integration/ocsku/change_list.html"
    list_display = [
        "oc_sku",
        "seller_sku",
        "reference_sku",
        "name",
        "approval_badge",
        "hemi_product",
        "ef_services_shown",
        "account",
        "modified_at_oc",
        "last_synced",
    ]
    list_filter = [ApprovalFilter, RegionFilter, LinkedFilter, "account", "status"]
    search_fields = ["oc_sku", "seller_sku", "reference_sku"]
    list_select_related = ["account", "product"]
    inlines = [EFServiceInline]
    actions = ["download_labels", "refresh_ef_services_now", "set_up_ef_services"]
    show_full_result_count = False
    readonly_fields = (
        "account",
        "oc_sku",
        "seller_sku",
        "reference_sku",
        "hemi_product",
        "approval_badge",
        "status",
        "name",
        "names",
        "length",
        "width",
        "height",
        "dimension_unit",
        "weight",
        "weight_unit",
        "declared_value",
        "declared_currency",
        "barcodes",
        "country_of_origin",
        "modified_at_oc",
        "last_synced",
        "registered_from_hemi",
        "created",
        "updated",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OCSku]:
        return super().get_queryset(request).prefetch_related("ef_services")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- columns -------------------------------------------------------------------
    @admin.display(description="status at OC", ordering="approval")
    def approval_badge(self, obj: OCSku) -> str:
        return approval_badge(obj.approval, obj.get_approval_display(), obj.status)

    @admin.display(description="Hemi product", ordering="product__sku")
    def hemi_product(self, obj: OCSku) -> str:
        if obj.product is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalog_product_change", args=[obj.product.pk]),
            obj.product.sku,
        )

    @admin.display(description="EF services")
    def ef_services_shown(self, obj: OCSku) -> str:
        services = list(obj.ef_services.all())
        if not services:
            return "-"
        return format_html_join(", ", "{} {}", ((s.region, s.service_code) for s in services))

    # --- "Sync SKUs now" ------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        sync = self.admin_site.admin_view(require_POST(self.sync_now_view))
        return [
            path("sync/", sync, name="oc_integration_ocsku_sync"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra = {"may_sync_skus": request.user.has_perm(RUN_SKU_SYNC_PERMISSION)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def sync_now_view(self, request: HttpRequest) -> HttpResponse:
        """Queue a SKU sync for every authorized account (the list page's button)."""
        if not request.user.has_perm(RUN_SKU_SYNC_PERMISSION):
            raise PermissionDenied("You may not start a SKU sync.")
        accounts = authorized_accounts()
        if not accounts:
            messages.error(request, "No OC account is authorized yet: authorize one first.")
        queue_sku_syncs(request, accounts)
        return HttpResponseRedirect(reverse("admin:oc_integration_ocsku_changelist"))

    # --- labels ---------------------------------------------------------------------
    @admin.action(description="Download labels (PDF)", permissions=["download_sku_labels"])
    def download_labels(
        self, request: HttpRequest, queryset: QuerySet[OCSku]
    ) -> HttpResponse | None:
        if not request.user.has_perm(LABELS_PERMISSION):
            raise PermissionDenied("You may not download SKU labels.")
        account = _one_account(request, queryset)
        if account is None:
            return None
        oc_skus = sorted(queryset.values_list("oc_sku", flat=True))
        try:
            pdf = sku_labels(account, oc_skus)
        except TooManyLabels as exc:
            messages.error(request, str(exc))
            return None
        except OCError as exc:
            messages.error(request, f"OC returned no labels: {exc.message}")
            return None
        name = oc_skus[0] if len(oc_skus) == 1 else f"{len(oc_skus)}-skus"
        return pdf_download(pdf, f"oc-labels-{name}")

    def has_download_sku_labels_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(LABELS_PERMISSION)

    # --- EF services ----------------------------------------------------------------
    @admin.action(description="Refresh EF services from OC", permissions=["set_up_sku_ef_services"])
    def refresh_ef_services_now(self, request: HttpRequest, queryset: QuerySet[OCSku]) -> None:
        if not request.user.has_perm(EF_PERMISSION):
            raise PermissionDenied("You may not change the EF services of SKUs.")
        account = _one_account(request, queryset)
        if account is None:
            return
        try:
            found = refresh_ef_services(account, list(queryset.values_list("oc_sku", flat=True)))
        except OCError as exc:
            messages.error(request, f"OC did not answer the EF service query: {exc.message}")
            return
        messages.success(
            request,
            f"EF services refreshed: {found.services} service(s) for {found.skus} SKU(s).",
        )
        if found.not_reported:
            messages.warning(
                request, "OC reported nothing for: " + ", ".join(found.not_reported[:50])
            )

    @admin.action(description="Set up EF services at OC", permissions=["set_up_sku_ef_services"])
    def set_up_ef_services(
        self, request: HttpRequest, queryset: QuerySet[OCSku]
    ) -> HttpResponse | None:
        if not request.user.has_perm(EF_PERMISSION):
            raise PermissionDenied("You may not change the EF services of SKUs.")
        account = _one_account(request, queryset)
        if account is None:
            return None
        form = EFServicesForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            return TemplateResponse(
                request,
                "admin/oc_integration/ocsku/ef_services.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Set up EF services at OC",
                    "skus": queryset.select_related("product"),
                    "form": form,
                    "opts": self.model._meta,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                    "no_services": not ShippingService.objects.exists(),
                },
            )
        oc_skus = list(queryset.values_list("oc_sku", flat=True))
        try:
            found = set_up_services(account, oc_skus, form.services())
        except OCError as exc:
            messages.error(request, f"OC refused the EF service set-up: {exc.message}")
            return None
        record_in_history(request, queryset, "Set up EF services at OC.")
        messages.success(
            request,
            f"EF services set up at OC for {len(oc_skus)} SKU(s); OC now reports "
            f"{found.services} service(s).",
        )
        return None

    def has_set_up_sku_ef_services_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EF_PERMISSION)


def may_sync_skus(request: HttpRequest) -> bool:
    """Whether the user may start a SKU sync (asked by the account admin's action)."""
    return request.user.has_perm(RUN_SKU_SYNC_PERMISSION)


@admin.action(description="Sync SKUs now", permissions=["run_sku_sync"])
def sync_skus_now(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
) -> None:
    """The account admin's action: queue a SKU sync for each selected account."""
    if not may_sync_skus(request):
        raise PermissionDenied("You may not start a SKU sync.")
    queue_sku_syncs(request, list(queryset))


def attach_to_account_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the OC account admin "Sync SKUs now" (its permission check included)."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    account_admin.has_run_sku_sync_permission = may_sync_skus  # type: ignore[attr-defined]
    account_admin.actions = [*(account_admin.actions or []), sync_skus_now]
