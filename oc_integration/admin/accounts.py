"""Admin for Orange Connex accounts and their products.

Secrets (the secret key, the refresh token) are never rendered: the secret key is a
write-only field, the refresh token is not a form field at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex


def _https_url_fields(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # URLs typed without a scheme mean https (Django 6's default, adopted now).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class AccountOrangeConnexForm(forms.ModelForm):
    new_secret_key = forms.CharField(
        label="Secret key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="OC's SecretKey. Stored encrypted and never shown again; "
        "leave blank to keep the stored one.",
    )

    class Meta:
        model = AccountOrangeConnex
        formfield_callback = _https_url_fields
        fields = [
            "name",
            "environment",
            "api_base_url",
            "oauth_base_url",
            "client_key",
            "redirect_uri",
            "signature_mode",
            "token_client_auth",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("new_secret_key") and not self.instance.secret_key:
            self.add_error("new_secret_key", "Enter the secret key OC issued for this client key.")
        return cleaned

    def save(self, commit: bool = True) -> AccountOrangeConnex:
        if self.cleaned_data.get("new_secret_key"):
            self.instance.secret_key = self.cleaned_data["new_secret_key"]
        return super().save(commit=commit)


@admin.register(AccountOrangeConnex)
class AccountOrangeConnexAdmin(admin.ModelAdmin):
    form = AccountOrangeConnexForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "environment",
        "client_key",
        "authorization_status",
        "refresh_token_expires_at",
        "updated",
    ]
    list_filter = ["environment", "authorization_status"]
    search_fields = ["name", "client_key"]
    readonly_fields = [
        "secret_key_stored",
        "authorization_status",
        "authorized_at",
        "refresh_token_expires_at",
        "last_error",
        "created",
        "updated",
    ]
    fieldsets = [
        (None, {"fields": ["name", "environment"]}),
        (
            "Connection",
            {
                "fields": [
                    "api_base_url",
                    "oauth_base_url",
                    "client_key",
                    "new_secret_key",
                    "secret_key_stored",
                    "redirect_uri",
                    "signature_mode",
                    "token_client_auth",
                ]
            },
        ),
        (
            "Authorization",
            {
                "fields": [
                    "authorization_status",
                    "authorized_at",
                    "refresh_token_expires_at",
                    "last_error",
                ]
            },
        ),
        ("Record", {"fields": ["created", "updated"]}),
    ]

    @admin.display(description="Secret key stored")
    def secret_key_stored(self, obj: AccountOrangeConnex) -> str:
        # Says whether one is set; the value itself (or its ciphertext) never leaves the database.
        return "Yes" if obj.pk and obj.secret_key else "No"


@admin.register(ProductAccountOrangeConnex)
class ProductAccountOrangeConnexAdmin(admin.ModelAdmin):
    """Stock figures and OC SKUs come from OC: read-only here."""

    list_display = [
        "sku",
        "title",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "stock_updated",
        "created_in_oc",
    ]
    list_filter = ["region", "created_in_oc", "account"]
    search_fields = ["item_account__product__sku", "oc_sku"]
    list_select_related = ["item_account__product", "item_account__ebay_account"]
    readonly_fields = [
        "account",
        "item_account",
        "region",
        "oc_sku",
        "available_stock",
        "intransit_stock",
        "stock_updated",
        "created_in_oc",
        "created",
        "updated",
    ]

    @admin.display(description="SKU", ordering="item_account__product__sku")
    def sku(self, obj: ProductAccountOrangeConnex) -> str:
        return obj.item_account.product.sku

    @admin.display(description="title")
    def title(self, obj: ProductAccountOrangeConnex) -> str:
        return obj.item_account.product.title

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rows are created by the stock sync from what OC reports.
        return False
