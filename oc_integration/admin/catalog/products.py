"""What the OC integration adds to Hemi's Products admin: *Register at Orange Connex*, the
product's OC SKUs (links both ways) and its OC registration details.

Hemi's product admin knows nothing of OC; everything is attached from this side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.catalog.models import Product
from oc_integration.admin.catalog.skus import approval_badge
from oc_integration.auth.accounts import authorized_accounts
from oc_integration.catalog.registration import (
    RegistrationResult,
    check_products,
    register_products,
)
from oc_integration.client import OCError
from oc_integration.models import AccountOrangeConnex, OCSku, OCSkuRegistration, ProductOCDetails

REGISTER_PERMISSION = "oc_integration.register_ocsku"


def may_register(request: HttpRequest) -> bool:
    """Whether the user may register products at OC (asked before offering the action)."""
    return request.user.has_perm(REGISTER_PERMISSION)


class ChooseAccountForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=AccountOrangeConnex.objects.none(), label="Register at OC account"
    )

    def __init__(self, data: QueryDict | None, *, accounts: list[AccountOrangeConnex]) -> None:
        super().__init__(data)
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AccountOrangeConnex.objects.filter(pk__in=[a.pk for a in accounts])


def _report(request: HttpRequest, account: AccountOrangeConnex, result: RegistrationResult) -> None:
    made = {**result.created, **result.confirmed}
    if made:
        record_in_history(request, [account], "Registered at OC: " + ", ".join(sorted(made)) + ".")
        messages.success(
            request,
            f"{len(made)} product(s) registered at {account} — draft at OC until approved in "
            f"OC's portal; the next SKU sync brings the approval: "
            + ", ".join(f"{sku} → {oc}" for sku, oc in sorted(made.items())),
        )
    if result.confirmed:
        messages.info(
            request,
            "OC's answer was lost for "
            + ", ".join(sorted(result.confirmed))
            + "; SKU Query found them at OC, so nothing was sent twice.",
        )
    for sku, why in sorted(result.refused.items()):
        messages.error(request, f"{sku} was not registered. {why}")
    if result.unknown:
        messages.warning(
            request,
            "OC's answer did not arrive for "
            + ", ".join(sorted(result.unknown))
            + ". They are looked up at OC before anything is sent again; register them again "
            "in a few minutes.",
        )
    for sku, why in sorted(result.not_sent.items()):
        messages.warning(request, f"{sku}: {why}")
    if not (made or result.refused or result.unknown or result.not_sent):
        messages.warning(request, "Nothing was sent to OC.")


@admin.action(description="Register at Orange Connex", permissions=["register_ocsku"])
def register_at_orange_connex(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Product]
) -> HttpResponse | None:
    """A preview of what OC would be sent per product (and what is missing); confirming
    it creates the valid ones at OC."""
    # The preview is a page of its own: it checks too, not only the action list.
    if not may_register(request):
        raise PermissionDenied("You may not register products at Orange Connex.")
    accounts = authorized_accounts()
    if not accounts:
        messages.error(request, "No OC account is authorized yet: authorize one first.")
        return None
    form = ChooseAccountForm(request.POST if "account" in request.POST else None, accounts=accounts)
    account = accounts[0] if len(accounts) == 1 else None
    if account is None and form.is_bound and form.is_valid():
        account = form.cleaned_data["account"]
    ids = list(queryset.values_list("pk", flat=True))
    if account is not None and request.POST.get("confirm") == "yes":
        try:
            result = register_products(account, ids)
        except OCError as exc:
            messages.error(request, f"Nothing was registered: {exc.message}")
            return None
        _report(request, account, result)
        return None
    checks = check_products(account, ids) if account is not None else []
    return TemplateResponse(
        request,
        "admin/oc_integration/ocsku/register_preview.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Register at Orange Connex: check before sending",
            "account": account,
            "form": form if account is None or len(accounts) > 1 else None,
            "products": queryset,
            "checks": checks,
            "sendable": sum(1 for c in checks if c.will_be_sent),
            "opts": model_admin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


@admin.display(description="Orange Connex")
def orange_connex(product: Product) -> str:
    """The product's OC SKUs with their status (needs the prefetch of ``oc_skus``)."""
    skus = list(product.oc_skus.all())
    if not skus:
        return "-"
    return format_html_join(
        " ",
        '<a href="{}">{}</a> {}',
        (
            (
                reverse("admin:oc_integration_ocsku_change", args=[s.pk]),
                s.oc_sku,
                approval_badge(s.approval, s.get_approval_display(), s.status),
            )
            for s in skus
        ),
    )


class ProductOCDetailsInline(admin.StackedInline):
    model = ProductOCDetails
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name = "OC registration details"
    verbose_name_plural = "OC registration details (what OC needs to register the product)"
    fieldsets = [
        (None, {"fields": ["name", "description", "country_of_origin"]}),
        ("Size and weight", {"fields": ["length", "width", "height", "dimension_unit"]}),
        (None, {"fields": ["weight", "weight_unit", "declared_value", "declared_currency"]}),
        ("Barcode and batteries", {"fields": ["barcode", "barcode_type", "battery_type"]}),
        (None, {"fields": ["battery_form", "battery_number"]}),
    ]


class ProductOCSkuInline(admin.TabularInline):
    """The product's OC SKUs, each linked to its page in the OC SKU catalogue."""

    model = OCSku
    extra = 0
    can_delete = False
    verbose_name = "OC SKU"
    verbose_name_plural = "OC SKUs"
    fields = ("oc_sku_link", "account", "status_shown", "last_synced")
    readonly_fields = fields

    @admin.display(description="OC SKU")
    def oc_sku_link(self, obj: OCSku) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:oc_integration_ocsku_change", args=[obj.pk]), obj
        )

    @admin.display(description="status at OC")
    def status_shown(self, obj: OCSku) -> str:
        return approval_badge(obj.approval, obj.get_approval_display(), obj.status)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OCSku]:
        return super().get_queryset(request).select_related("account")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegistrationInline(admin.TabularInline):
    """The product's registrations at OC: created, refused, or waiting to be checked."""

    model = OCSkuRegistration
    extra = 0
    can_delete = False
    verbose_name_plural = "Registrations at OC"
    fields = ("account", "status", "oc_sku", "message", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def attach_to_product_admin(site: admin.AdminSite = admin.site) -> None:
    """Give Hemi's Products admin the register action, the Orange Connex column and
    the OC inlines."""
    product_admin = site.get_model_admin(Product)
    product_admin.has_register_ocsku_permission = may_register  # type: ignore[attr-defined]
    product_admin.actions = [*(product_admin.actions or []), register_at_orange_connex]
    product_admin.list_display = [*product_admin.list_display, orange_connex]
    product_admin.inlines = [  # type: ignore[misc]
        *product_admin.inlines,
        ProductOCDetailsInline,
        ProductOCSkuInline,
        RegistrationInline,
    ]
    original: Callable[[HttpRequest], QuerySet[Product]] = product_admin.get_queryset

    def get_queryset(request: HttpRequest) -> QuerySet[Product]:
        # The column reads every product's OC SKUs: one query per page, not per row.
        return original(request).prefetch_related(
            Prefetch("oc_skus", queryset=OCSku.objects.order_by("account_id", "oc_sku"))
        )

    product_admin.get_queryset = get_queryset  # type: ignore[method-assign]
