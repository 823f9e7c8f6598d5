"""What returns add to other admins: "Sync returns now" on the OC accounts, the returned
units beside each stock row, and an outbound order's returns on its page."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from hemi_fulfilment.audit import record_in_history
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    ProductAccountOrangeConnex,
    ReturnedStock,
    ReturnOrder,
)
from oc_integration.tasks import sync_returns

SYNC_PERMISSION = "oc_integration.sync_returns"


@admin.action(description="Sync returns now", permissions=["sync_returns"])
def sync_returns_now(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
) -> None:
    """Queue a return import (orders, then returned stock) per chosen account."""
    for account in queryset:
        transaction.on_commit(partial(sync_returns.delay, account.pk))
        record_in_history(request, [account], "Queued a return import.")
        messages.info(
            request,
            f"Return import for {account} queued; the worker picks it up within seconds. "
            "The returns appear under Return orders.",
        )


def returned_units_subquery() -> Subquery:
    """The returned units OC holds of the row's OC SKU in its region (one subquery).

    Regions are compared case-insensitively: OC spells them differently per endpoint."""
    return Subquery(
        ReturnedStock.objects.filter(
            account=OuterRef("account"),
            oc_sku=OuterRef("oc_sku"),
            region__iexact=OuterRef("region"),
        ).values("returned")[:1]
    )


@admin.display(description="returned", ordering="returned_units")
def returned_units(obj: ProductAccountOrangeConnex) -> str:
    """Returned units (the returned-stock snapshot), "-" when OC reports none."""
    units: int | None = getattr(obj, "returned_units", None)
    return str(units) if units else "-"


class ReturnsOfOutboundInline(admin.TabularInline):
    """The returns of an outbound order, read-only, each linked to its page."""

    model = ReturnOrder
    fk_name = "outbound_order"
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "Return"
    verbose_name_plural = "Returns"
    fields = ("oc_return_number", "status", "reason", "tracking_number", "oc_updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def attach_to_account_admin(site: admin.AdminSite = admin.site) -> None:
    """Give the OC account admin "Sync returns now" (its permission check included)."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    # Django asks the model admin for has_<permission>_permission; this answers it.
    setattr(  # noqa: B010
        account_admin,
        "has_sync_returns_permission",
        lambda request: request.user.has_perm(SYNC_PERMISSION),
    )
    account_admin.actions = [*(account_admin.actions or []), sync_returns_now]


def attach_to_stock_admin(site: admin.AdminSite = admin.site) -> None:
    """Show the returned units beside each stock row (list and page), one subquery."""
    row_admin = site.get_model_admin(ProductAccountOrangeConnex)
    queryset_of = row_admin.get_queryset

    def with_returned_units(request: HttpRequest) -> QuerySet[ProductAccountOrangeConnex]:
        return queryset_of(request).annotate(returned_units=returned_units_subquery())

    setattr(row_admin, "get_queryset", with_returned_units)  # noqa: B010
    # By name, as the admin's own columns are: the stock list's fast row rendering
    # (review_results) renders named admin methods, not bare callables.
    setattr(row_admin, "returned_units", returned_units)  # noqa: B010
    columns = list(row_admin.list_display)
    at = columns.index("intransit_stock") + 1 if "intransit_stock" in columns else len(columns)
    row_admin.list_display = [*columns[:at], "returned_units", *columns[at:]]
    setattr(row_admin, "readonly_fields", [*row_admin.readonly_fields, "returned_units"])  # noqa: B010


def attach_to_outbound_admin(site: admin.AdminSite = admin.site) -> None:
    """List an outbound order's returns on its page."""
    outbound_admin = site.get_model_admin(OutboundOrder)
    outbound_admin.inlines = [*outbound_admin.inlines, ReturnsOfOutboundInline]  # type: ignore[misc]
