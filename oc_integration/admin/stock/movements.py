"""Stock movements in the admin: the list, the stock row's latest movements, and the
"Sync movements now" / "Sync stock age now" actions on the OC accounts."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from oc_integration.admin.pagination import WindowedPaginator
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockMovement,
    SyncRun,
)
from oc_integration.stock.age import queue_stock_age_sync
from oc_integration.stock.movements import queue_movement_sync
from oc_integration.tasks import sync_movements, sync_stock_age

RUN_MOVEMENT_SYNC_PERMISSION = "oc_integration.run_movement_sync"
RUN_STOCK_AGE_SYNC_PERMISSION = "oc_integration.run_stock_age_sync"
#: Movements shown on a stock row's page (the list has them all).
MOVEMENTS_ON_STOCK_ROW = 50


class MovementRegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from django.conf import settings

        return [(region, region) for region in settings.OC_REGION_EBAY_SITES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(region=self.value()) if self.value() else queryset


class DirectionFilter(admin.SimpleListFilter):
    title = "direction"
    parameter_name = "direction"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("in", "Stock in (+)"), ("out", "Stock out (-)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "in":
            return queryset.filter(quantity__gt=0)
        if self.value() == "out":
            return queryset.filter(quantity__lt=0)
        return queryset


class LinkedFilter(admin.SimpleListFilter):
    title = "linked to"
    parameter_name = "linked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("order", "An outbound order"),
            ("no_order", "No outbound order"),
            ("no_stock_row", "No stock row in Hemi"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "order":
            return queryset.filter(outbound_order__isnull=False)
        if self.value() == "no_order":
            return queryset.filter(outbound_order__isnull=True)
        if self.value() == "no_stock_row":
            return queryset.filter(stock_row__isnull=True)
        return queryset


def order_link(movement: StockMovement) -> str:
    """The movement's OC order number, linked to its outbound order when there is one."""
    if movement.outbound_order_id is None:
        return movement.order_number or "-"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:oc_integration_outboundorder_change", args=[movement.outbound_order_id]),
        movement.order_number,
    )


@admin.register(StockMovement)
class StockMovementAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    """Read-only: movements are what OC reported, kept as evidence."""

    list_display = [
        "moved_at",
        "seller_sku",
        "oc_sku",
        "region",
        "inventory_status",
        "signed_quantity",
        "count_after",
        "reason",
        "order",
        "stock_row_link",
    ]
    list_filter = [MovementRegionFilter, "reason", DirectionFilter, LinkedFilter, "account"]
    search_fields = ["seller_sku", "oc_sku", "order_number"]
    search_help_text = "Exact SKU, OC SKU or OC order number"
    date_hierarchy = "moved_at"
    paginator = WindowedPaginator
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = [
        "account",
        "moved_at",
        "seller_sku",
        "oc_sku",
        "region",
        "inventory_status",
        "movement_id",
        "quantity",
        "count_after",
        "reason",
        "order",
        "stock_row_link",
        "run",
        "imported",
    ]
    fields = tuple(readonly_fields)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[StockMovement], search_term: str
    ) -> tuple[QuerySet[StockMovement], bool]:
        # Exact matches on indexed columns: a year of movements is a large table, and
        # staff search for a SKU or order number they have in front of them.
        term = search_term.strip()
        if not term:
            return queryset, False
        terms = {term, term.upper()}
        return (
            queryset.filter(
                Q(seller_sku__in=terms) | Q(oc_sku__in=terms) | Q(order_number__in=terms)
            ),
            False,
        )

    @admin.display(description="quantity", ordering="quantity")
    def signed_quantity(self, obj: StockMovement) -> str:
        return f"{obj.quantity:+d}"

    @admin.display(description="order")
    def order(self, obj: StockMovement) -> str:
        return order_link(obj)

    @admin.display(description="stock row")
    def stock_row_link(self, obj: StockMovement) -> str:
        if obj.stock_row_id is None:
            return "-"
        return format_html(
            '<a href="{}">{} {}</a>',
            reverse(
                "admin:oc_integration_productaccountorangeconnex_change", args=[obj.stock_row_id]
            ),
            obj.seller_sku,
            obj.region,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _LatestMovements(BaseInlineFormSet):
    """Only the latest movements: a stock row may have a year of them."""

    def get_queryset(self) -> QuerySet[StockMovement]:
        if not hasattr(self, "_latest"):
            self._latest = (
                super().get_queryset().order_by("-moved_at", "-id")[:MOVEMENTS_ON_STOCK_ROW]
            )
        return self._latest


class StockMovementInline(admin.TabularInline):
    """The stock row's latest movements, so a drop in its figures is explained."""

    model = StockMovement
    fk_name = "stock_row"
    formset = _LatestMovements
    verbose_name_plural = f"Stock movements (latest {MOVEMENTS_ON_STOCK_ROW})"
    fields = (
        "moved_at",
        "inventory_status",
        "signed_quantity",
        "count_after",
        "reason",
        "order",
    )
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="quantity")
    def signed_quantity(self, obj: StockMovement) -> str:
        return f"{obj.quantity:+d}"

    @admin.display(description="order")
    def order(self, obj: StockMovement) -> str:
        return order_link(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the actions on the OC accounts ---------------------------------------------------------
def _queued(request: HttpRequest, what: str, account: AccountOrangeConnex, run: SyncRun) -> None:
    record_in_history(request, [account], f"Queued {what.lower()} run #{run.pk}.")
    messages.info(
        request,
        format_html(
            '{} for {} queued as <a href="{}">run #{}</a>; the worker picks it up within seconds.',
            what,
            account,
            reverse("admin:oc_integration_syncrun_change", args=[run.pk]),
            run.pk,
        ),
    )


@admin.action(description="Sync stock movements now", permissions=["run_movement_sync"])
def sync_movements_now(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
) -> None:
    """Queue a movement import per selected account (from where its last one ended)."""
    if not request.user.has_perm(RUN_MOVEMENT_SYNC_PERMISSION):
        raise PermissionDenied("You may not import stock movements.")
    for account in queryset:
        run = queue_movement_sync(account, trigger=SyncRun.Trigger.ADMIN)
        transaction.on_commit(partial(sync_movements.delay, run.pk))
        _queued(request, "Stock movement import", account, run)


@admin.action(description="Sync stock age now", permissions=["run_stock_age_sync"])
def sync_stock_age_now(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[AccountOrangeConnex]
) -> None:
    """Queue a stock age import per selected account."""
    if not request.user.has_perm(RUN_STOCK_AGE_SYNC_PERMISSION):
        raise PermissionDenied("You may not import stock age.")
    for account in queryset:
        run = queue_stock_age_sync(account, trigger=SyncRun.Trigger.ADMIN)
        transaction.on_commit(partial(sync_stock_age.delay, run.pk))
        _queued(request, "Stock age import", account, run)


def attach_to_stock_admins(site: admin.AdminSite = admin.site) -> None:
    """Give the OC accounts the two sync actions and the stock rows their movements."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    account_admin.actions = [
        *(account_admin.actions or []),
        sync_movements_now,
        sync_stock_age_now,
    ]
    # Django asks the model admin for has_<permission>_permission; these answer it.
    setattr(  # noqa: B010
        account_admin,
        "has_run_movement_sync_permission",
        lambda request: request.user.has_perm(RUN_MOVEMENT_SYNC_PERMISSION),
    )
    setattr(  # noqa: B010
        account_admin,
        "has_run_stock_age_sync_permission",
        lambda request: request.user.has_perm(RUN_STOCK_AGE_SYNC_PERMISSION),
    )
    row_admin = site.get_model_admin(ProductAccountOrangeConnex)
    row_admin.inlines = [*row_admin.inlines, StockMovementInline]  # type: ignore[misc]
