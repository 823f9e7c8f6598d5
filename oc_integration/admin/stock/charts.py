"""The stock charts in the admin: on a stock row's page, on Hemi's product page, and the
*Stock at a glance* page per OC account. They change nothing: view permission on the
stock rows is enough to see them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex
from oc_integration.stock.chart_data import WINDOWS, account_glance, product_chart, window_days

VIEW_STOCK_PERMISSION = "oc_integration.view_productaccountorangeconnex"
GLANCE_URL = "admin:oc_integration_stock_at_a_glance"
GLANCE_INDEX_URL = "admin:oc_integration_stock_at_a_glance_index"
STOCK_REVIEW_TEMPLATE = "admin/oc_integration/productaccountorangeconnex/change_list_glance.html"
PRODUCT_FORM_TEMPLATE = "admin/oc_integration/product_stock_change_form.html"


def may_view_stock(request: HttpRequest) -> bool:
    """Whether the user may see OC stock figures (the stock review's view permission)."""
    return request.user.has_perm(VIEW_STOCK_PERMISSION)


def chart_windows(request: HttpRequest, days: int) -> list[dict[str, Any]]:
    """The 7 / 30 / 90 day links of a chart, keeping the page's other parameters."""
    links = []
    for window in WINDOWS:
        query = request.GET.copy()
        query["days"] = str(window)
        links.append({"days": window, "url": f"?{query.urlencode()}", "current": window == days})
    return links


def chart_context(request: HttpRequest, chart: Callable[[int], SafeString]) -> dict[str, Any]:
    """The template context of a chart block: the chart for the asked period and its links."""
    days = window_days(request.GET.get("days"))
    return {
        "stock_chart": chart(days),
        "chart_days": days,
        "chart_windows": chart_windows(request, days),
    }


# --- Stock at a glance ------------------------------------------------------------------------
def stock_at_a_glance(
    model_admin: admin.ModelAdmin, request: HttpRequest, account_id: int
) -> HttpResponse:
    """One OC account's stock per region: totals, out of stock, low stock and a trend."""
    if not may_view_stock(request):
        raise PermissionDenied("You may not see OC stock.")
    account = get_object_or_404(AccountOrangeConnex, pk=account_id)
    glance = account_glance(account)
    review = reverse("admin:oc_integration_productaccountorangeconnex_changelist")

    def review_link(**filters: Any) -> str:
        return f"{review}?{urlencode({'account__id__exact': account.pk, **filters})}"

    regions = [
        {
            "line": line,
            "all_url": review_link(region=line.region),
            "out_url": review_link(region=line.region, stock="out"),
        }
        for line in glance.regions
    ]
    return TemplateResponse(
        request,
        "admin/oc_integration/stock_at_a_glance.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": f"Stock at a glance: {account}",
            "account": account,
            "glance": glance,
            "regions": regions,
            "review_url": review_link(),
            "out_url": review_link(stock="out"),
            "opts": model_admin.model._meta,
        },
    )


def stock_at_a_glance_index(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The accounts to look at (straight to the one asked for, or the only one)."""
    if not may_view_stock(request):
        raise PermissionDenied("You may not see OC stock.")
    asked = request.GET.get("account", "")
    accounts = list(AccountOrangeConnex.objects.order_by("name").only("pk", "name"))
    chosen = [a for a in accounts if str(a.pk) == asked] or (accounts if len(accounts) == 1 else [])
    if chosen:
        return HttpResponseRedirect(reverse(GLANCE_URL, args=[chosen[0].pk]))
    return TemplateResponse(
        request,
        "admin/oc_integration/stock_at_a_glance_index.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Stock at a glance",
            "accounts": [(a, reverse(GLANCE_URL, args=[a.pk])) for a in accounts],
            "opts": model_admin.model._meta,
        },
    )


@admin.display(description="Stock at a glance")
def glance_link(account: AccountOrangeConnex) -> str:
    """The account page's link to its *Stock at a glance*."""
    if not account.pk:
        return "Shown once the account is saved."
    return format_html(
        '<a href="{}" id="account-stock-at-a-glance">{}</a>',
        reverse(GLANCE_URL, args=[account.pk]),
        "Totals, out of stock, low stock and trend per region",
    )


# --- Hemi's product page ----------------------------------------------------------------------
def _product_form_template(product_admin: admin.ModelAdmin) -> Any:
    """The change form Hemi's product page would use without the chart (the chart's
    template extends it, so whatever else that page shows stays)."""
    opts = product_admin.model._meta
    return select_template(
        [
            f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
            f"admin/{opts.app_label}/change_form.html",
            "admin/change_form.html",
        ]
    )


def attach_to_product_admin(site: admin.AdminSite = admin.site) -> None:
    """Give Hemi's product page the product's OC stock chart (per region)."""
    product_admin = site.get_model_admin(Product)
    base = product_admin.change_form_template
    product_admin.change_form_template = PRODUCT_FORM_TEMPLATE  # type: ignore[misc]
    original = product_admin.render_change_form

    def render_change_form(
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        context["oc_base_change_form"] = base or _product_form_template(product_admin)
        if obj is not None and obj.pk and may_view_stock(request):
            context.update(chart_context(request, lambda days: product_chart(obj, days)))
        return original(request, context, add, change, form_url, obj)

    product_admin.render_change_form = render_change_form  # type: ignore[method-assign]


# --- the links and pages on the OC side -------------------------------------------------------
def attach_to_stock_admins(site: admin.AdminSite = admin.site) -> None:
    """The *Stock at a glance* pages (on the stock review's URLs), linked from the stock
    review and from each OC account's page."""
    row_admin = site.get_model_admin(ProductAccountOrangeConnex)
    original_urls = row_admin.get_urls

    def get_urls() -> list[URLPattern]:
        wrap = site.admin_view
        return [
            path(
                "at-a-glance/",
                wrap(lambda request: stock_at_a_glance_index(row_admin, request)),
                name=GLANCE_INDEX_URL.removeprefix("admin:"),
            ),
            path(
                "at-a-glance/<int:account_id>/",
                wrap(lambda request, account_id: stock_at_a_glance(row_admin, request, account_id)),
                name=GLANCE_URL.removeprefix("admin:"),
            ),
            *original_urls(),
        ]

    row_admin.get_urls = get_urls  # type: ignore[method-assign]
    # The review's own template, with the link added (it extends the review's template).
    row_admin.change_list_template = STOCK_REVIEW_TEMPLATE  # type: ignore[misc]

    account_admin = site.get_model_admin(AccountOrangeConnex)
    # A read-only field in the account's "Stock" section (Django takes callables there).
    readonly: list[Any] = [*account_admin.readonly_fields, glance_link]
    fieldsets: list[tuple[Any, dict[str, Any]]] = [
        (name, dict(options)) for name, options in account_admin.fieldsets or []
    ]
    stock = next((options for name, options in fieldsets if name == "Stock"), None)
    if stock is None:
        fieldsets.append(("Stock", {"fields": [glance_link]}))
    else:
        stock["fields"] = [*stock["fields"], glance_link]
    account_admin.readonly_fields = readonly  # type: ignore[misc]
    account_admin.fieldsets = fieldsets  # type: ignore[assignment,misc]
