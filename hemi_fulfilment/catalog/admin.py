"""Admin for Hemi's catalog stand-ins."""

from __future__ import annotations

from django.contrib import admin

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product


class ItemAccountInline(admin.TabularInline):
    model = ItemAccount
    extra = 0
    fields = ["ebay_account", "ebay_item_id"]
    autocomplete_fields = ["ebay_account"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "title", "updated"]
    search_fields = ["sku", "title"]
    list_filter = ["item_accounts__ebay_account"]
    inlines = [ItemAccountInline]
    readonly_fields = ["created", "updated"]


@admin.register(EbayAccount)
class EbayAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "site_code", "site_id"]
    search_fields = ["name", "site_code"]
    readonly_fields = ["created", "updated"]


@admin.register(ItemAccount)
class ItemAccountAdmin(admin.ModelAdmin):
    list_display = ["product_sku", "product_title", "ebay_account", "ebay_item_id"]
    list_filter = ["ebay_account"]
    search_fields = ["product__sku", "product__title", "ebay_item_id"]
    list_select_related = ["product", "ebay_account"]
    autocomplete_fields = ["product", "ebay_account"]
    readonly_fields = ["created", "updated"]

    @admin.display(description="SKU", ordering="product__sku")
    def product_sku(self, obj: ItemAccount) -> str:
        return obj.product.sku

    @admin.display(description="title", ordering="product__title")
    def product_title(self, obj: ItemAccount) -> str:
        return obj.product.title
