"""Admin for Hemi's orders. What eBay sent is read-only; the seller's shipping is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from hemi_fulfilment.orders.models import Order, OrderItem, OrderItemEbay, OrderItemType

# Fields that come from eBay's GetOrders and must not be edited by hand.
EBAY_ORDER_FIELDS = [
    "number",
    "channel",
    "ebay_account",
    "ebay_order_id",
    "buyer_name",
    "buyer_email",
    "buyer_username",
    "subtotal",
    "shipping_cost",
    "total",
    "currency",
    "marketplace_fulfillment_channel",
    "ordered_at",
]


EBAY_ITEM_FIELDS = (
    "sku",
    "title",
    "quantity",
    "price",
    "currency",
    "ebay_item_id",
    "transaction_id",
    "order_line_item_id",
    "type",
)

#: What the order page says of an eBay-fulfilled line whose warehouse eBay did not name.
REF_ID_UNKNOWN = "unknown: eBay did not say which warehouse ships it (the next import asks again)"


class OrderItemEbayInline(admin.TabularInline):
    model = OrderItemEbay
    extra = 0
    can_delete = False
    fields = (*EBAY_ITEM_FIELDS, "warehouse")
    readonly_fields = fields

    @admin.display(description="Fulfillment Ref ID")
    def warehouse(self, item: OrderItemEbay) -> str:
        """The line's Fulfillment Ref ID, or why an eBay-fulfilled line has none: eBay's
        Sell Fulfillment API names no warehouse, and when the Trading API could not be
        asked the line is stored without one."""
        if item.fulfillment_ref_id:
            return item.fulfillment_ref_id
        if item.type == OrderItemType.FULFILLED_BY_EBAY:
            return REF_ID_UNKNOWN
        return "-"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ["product", "sku", "title", "quantity", "price", "currency"]
    autocomplete_fields = ["product"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Hemi's orders. Integrations add their actions and columns from their own side
    (see :meth:`extend`), so this admin knows none of them."""

    actions: list[Any] = []
    list_display = [
        "number",
        "channel",
        "ebay_account",
        "buyer_name",
        "total",
        "currency",
        "status",
        "shipped",
        "marketplace_fulfillment_channel",
        "ordered_at",
    ]
    list_filter = [
        "marketplace_fulfillment_channel",
        "channel",
        "status",
        "shipped",
        "ebay_account",
    ]
    search_fields = ["number", "ebay_order_id", "buyer_name", "buyer_email", "tracking_number"]
    list_select_related = ["ebay_account"]
    date_hierarchy = "ordered_at"
    inlines = [OrderItemEbayInline, OrderItemInline]
    fieldsets = [
        (None, {"fields": ["number", "channel", "ebay_account", "ebay_order_id", "ordered_at"]}),
        ("Buyer", {"fields": ["buyer_name", "buyer_email", "buyer_username"]}),
        ("Totals", {"fields": ["subtotal", "shipping_cost", "total", "currency"]}),
        (
            "Shipping address",
            {
                "fields": [
                    "ship_name",
                    "ship_company",
                    "ship_house_number",
                    "ship_address1",
                    "ship_address2",
                    "ship_city",
                    "ship_state",
                    "ship_postcode",
                    "ship_country_code",
                    "ship_phone",
                ]
            },
        ),
        (
            "Fulfilment",
            {
                "fields": [
                    "marketplace_fulfillment_channel",
                    "status",
                    "shipped",
                    "shipped_at",
                    "shipping_carrier",
                    "tracking_number",
                ]
            },
        ),
        ("Record", {"fields": ["created", "updated"]}),
    ]

    #: Relations the integrations' columns read, fetched once per page, not once per row.
    prefetch_related: list[str] = []
    #: Read-only fields the integrations add (names of attributes set by :meth:`extend`).
    extra_readonly_fields: list[str] = []
    #: Calls that add notices to the list page (e.g. an integration's account warnings).
    notices: list[Callable[[HttpRequest], None]] = []

    def extend(
        self,
        *,
        action: Callable[..., Any],
        column: Callable[[Order], str],
        prefetch: str,
        notice: Callable[[HttpRequest], None] | None = None,
        permission_checks: dict[str, Callable[[HttpRequest], bool]] | None = None,
    ) -> None:
        """Add an integration's action, its column before "Ordered at" (also shown on the
        order page under Fulfilment), the relation it reads, and its notices.

        ``permission_checks`` answer the action's ``permissions`` (Django asks
        ``has_<name>_permission``), so users without them are never offered the action."""
        for permission, check in (permission_checks or {}).items():
            setattr(self, f"has_{permission}_permission", check)
        name = column.__name__
        setattr(self, name, column)
        self.actions = [*self.actions, action]
        at = self.list_display.index("ordered_at")
        self.list_display = [*self.list_display[:at], name, *self.list_display[at:]]
        self.prefetch_related = [*self.prefetch_related, prefetch]
        self.extra_readonly_fields = [*self.extra_readonly_fields, name]
        fulfilment = next(options for title, options in self.fieldsets if title == "Fulfilment")
        fulfilment["fields"] = [*fulfilment["fields"], name]
        if notice is not None:
            self.add_notice(notice)

    def add_notice(self, notice: Callable[[HttpRequest], None]) -> None:
        """Add an integration's notice to the list page alone (no action, no column)."""
        self.notices = [*self.notices, notice]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return super().get_queryset(request).prefetch_related(*self.prefetch_related)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        if request.method == "GET":
            for notice in self.notices:
                notice(request)
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        readonly = ["created", "updated", *self.extra_readonly_fields]
        if obj is not None and obj.ebay_order_id:
            readonly += EBAY_ORDER_FIELDS
        return readonly


@admin.register(OrderItemEbay)
class OrderItemEbayAdmin(admin.ModelAdmin):
    """eBay order lines as eBay sent them: read-only."""

    list_display = [
        "order_line_item_id",
        "order",
        "sku",
        "quantity",
        "price",
        "type",
        "fulfillment_ref_id",
    ]
    list_filter = ["type"]
    search_fields = ["order__number", "sku", "ebay_item_id", "order_line_item_id"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in OrderItemEbay._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
