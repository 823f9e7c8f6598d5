"""What cost estimation adds to Hemi's Products admin: *Estimate OC fulfilment costs*
(on demand, with its permission) and the stored estimates on the product's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from hemi_fulfilment.catalog.models import Product
from oc_integration.costs.products import (
    MAX_PRODUCTS_PER_REQUEST,
    estimate_products,
    latest_product_trials,
)
from oc_integration.models import CostTrial

ESTIMATE_PERMISSION = "oc_integration.estimate_costs"


def may_estimate(request: HttpRequest) -> bool:
    """Whether the user may ask OC for cost estimates of products."""
    return request.user.has_perm(ESTIMATE_PERMISSION)


@admin.action(description="Estimate OC fulfilment costs", permissions=["estimate_costs"])
def estimate_fulfilment_costs(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Product]
) -> None:
    """Ask OC what one unit of each selected product costs to ship in each region."""
    if not may_estimate(request):
        raise PermissionDenied("You may not ask OC for cost estimates.")
    ids = list(queryset.values_list("pk", flat=True)[: MAX_PRODUCTS_PER_REQUEST + 1])
    try:
        outcome = estimate_products(ids)
    except ValueError as exc:
        messages.error(request, f"Nothing was asked. {exc}")
        return
    if outcome.estimated:
        messages.success(
            request,
            f"{outcome.estimated} cost estimate(s) from OC stored: see each product's page "
            "(a standard single-unit order per region).",
        )
    if outcome.pending:
        messages.info(
            request,
            f"OC is still calculating {outcome.pending} estimate(s); run the action again in "
            "a moment to fetch them (they are not requested twice).",
        )
    for line in outcome.failed:
        messages.error(request, f"No estimate for {line}")
    if outcome.not_at_oc:
        messages.warning(
            request,
            "Not at OC in any region (no OC SKU or stock row): " + ", ".join(outcome.not_at_oc),
        )


def estimates_in_words(trial: CostTrial) -> str:
    """Each service's fee for a non-eBay and an eBay order, or why there is none."""
    if trial.status != "ready":
        return trial.error or trial.get_status_display()
    return format_html(
        "<ul style='margin:0;padding-left:1em'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            (
                (
                    e.service_code,
                    f"{e.other_fee} {e.currency} (eBay order: {e.ebay_fee} {e.currency})"
                    if e.ok
                    else e.error,
                )
                for e in trial.estimates.all()
            ),
        ),
    )


class ProductCostEstimateInline(admin.TabularInline):
    """The latest standard single-unit estimate per OC account and region."""

    model = CostTrial
    extra = 0
    can_delete = False
    verbose_name = "OC cost estimate"
    verbose_name_plural = (
        "OC cost estimates (one unit to a standard address in the region; "
        'ask again with "Estimate OC fulfilment costs" on the product list)'
    )
    fields = ("account", "region", "country_code", "estimates_shown", "requested_at")
    readonly_fields = fields

    @admin.display(description="estimated cost per shipping service")
    def estimates_shown(self, obj: CostTrial) -> str:
        return estimates_in_words(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CostTrial]:
        return latest_product_trials()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def attach_to_product_admin(site: admin.AdminSite = admin.site) -> None:
    """Give Hemi's Products admin the estimate action and the estimates inline."""
    product_admin = site.get_model_admin(Product)
    check: Callable[[HttpRequest], bool] = may_estimate
    product_admin.has_estimate_costs_permission = check  # type: ignore[attr-defined]
    product_admin.actions = [*(product_admin.actions or []), estimate_fulfilment_costs]
    product_admin.inlines = [*product_admin.inlines, ProductCostEstimateInline]  # type: ignore[misc]
