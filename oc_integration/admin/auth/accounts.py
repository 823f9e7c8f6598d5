"""Admin for Orange Connex accounts: connection settings and authorization.

Secrets (the secret key, the refresh token, access tokens) are never rendered: the secret
key is a write-only field, the tokens are not form fields at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse

from hemi_fulfilment.admin_forms import (
    SecretFieldsAdminMixin,
    https_url_fields,
    write_only_secret,
)
from oc_integration.admin.auth.authorization import AuthorizationAdminMixin
from oc_integration.admin.stock.actions import StockActionsMixin
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.models import AccountOrangeConnex, RegionMapping
from oc_integration.stock.regions import start_region_mappings


class AccountOrangeConnexForm(forms.ModelForm):
    new_secret_key = write_only_secret(
        "Secret key",
        "OC's SecretKey. Stored encrypted and never shown again; leave blank to keep the "
        "stored one.",
    )

    new_webhook_secret = write_only_secret(
        "New callback secret",
        "The password OC sends with its outbound callbacks (HTTP Basic, or the "
        "X-Hemi-Webhook-Secret header). Added in front of the stored ones, which keep "
        "working until you drop them below.",
        min_length=16,
    )
    drop_old_webhook_secrets = forms.BooleanField(
        label="Drop older callback secrets",
        required=False,
        help_text="Tick once OC uses the newest secret.",
    )

    class Meta:
        model = AccountOrangeConnex
        formfield_callback = https_url_fields
        fields = [
            "name",
            "environment",
            "api_base_url",
            "oauth_base_url",
            "client_key",
            "redirect_uri",
            "signature_mode",
            "token_client_auth",
            "access_token_bearer_prefix",
            "stock_snapshot_version",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("new_secret_key") and not self.instance.secret_key:
            self.add_error("new_secret_key", "Enter the secret key OC issued for this client key.")
        return cleaned

    def save(self, commit: bool = True) -> AccountOrangeConnex:
        if self.cleaned_data.get("new_secret_key"):
            self.instance.secret_key = self.cleaned_data["new_secret_key"]
        secrets = self.instance.webhook_secret_list
        if self.cleaned_data.get("new_webhook_secret"):
            secrets = [self.cleaned_data["new_webhook_secret"], *secrets]
        if self.cleaned_data.get("drop_old_webhook_secrets"):
            secrets = secrets[:1]
        self.instance.webhook_secrets = "\n".join(secrets)
        return super().save(commit=commit)


class RegionMappingFormSet(forms.BaseInlineFormSet):
    """Each region once per account, whatever its spelling (OC writes US-west and US-West)."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            region = (form.cleaned_data.get("region") or "").strip()
            if not region:
                continue
            if region.upper() in seen:
                raise forms.ValidationError(
                    f"OC region {region} is listed twice (also as {seen[region.upper()]}): "
                    "keep one line per region."
                )
            seen[region.upper()] = region


class RegionMappingInline(admin.TabularInline):
    """The account's OC regions and the eBay accounts whose listings they fill."""

    model = RegionMapping
    formset = RegionMappingFormSet
    extra = 0
    fields = ["region", "ebay_account"]
    verbose_name = "OC region → eBay account"
    verbose_name_plural = (
        "OC regions → eBay accounts (several regions may serve one eBay account; each keeps "
        "its own stock row. A region not listed here still has its stock shown, without a "
        "listing)"
    )


@admin.register(AccountOrangeConnex)
class AccountOrangeConnexAdmin(
    SecretFieldsAdminMixin,
    AuthorizationAdminMixin,
    StockActionsMixin,
    AccountWarningsMixin,
    admin.ModelAdmin,
):
    warns_about_itself = True
    form = AccountOrangeConnexForm
    change_form_template = "admin/oc_integration/accountorangeconnex/change_form.html"
    actions = ["sync_stock_now", "stock_dry_run", "refresh_access_token_now"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "environment",
        "client_key",
        "authorization_summary",
        "updated",
    ]
    list_filter = ["environment", "authorization_status"]
    search_fields = ["name", "client_key"]
    readonly_fields = [
        "webhook_url",
        "webhook_secrets_stored",
        "secret_key_stored",
        "authorization_summary",
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
                    "access_token_bearer_prefix",
                ]
            },
        ),
        ("Stock", {"fields": ["stock_snapshot_version"]}),
        (
            "Authorization",
            {
                "fields": [
                    "authorization_summary",
                    "authorized_at",
                    "refresh_token_expires_at",
                    "last_error",
                ]
            },
        ),
        (
            "Outbound callbacks from OC",
            {
                "fields": [
                    "webhook_url",
                    "webhook_secrets_stored",
                    "new_webhook_secret",
                    "drop_old_webhook_secrets",
                ]
            },
        ),
        ("Record", {"fields": ["created", "updated"]}),
    ]

    secret_fields = (
        "new_secret_key",
        "new_webhook_secret",
    )
    inlines = [RegionMappingInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change:
            # A new account left without a mapping starts with OC_REGION_EBAY_SITES'.
            start_region_mappings(form.instance)

    @admin.display(description="Callback URL for OC")
    def webhook_url(self, obj: AccountOrangeConnex) -> str:
        if not obj.pk:
            return "Shown once the account is saved."
        path = reverse("oc_integration:outbound-callback", args=[obj.webhook_id])
        return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"

    @admin.display(description="Callback secrets stored")
    def webhook_secrets_stored(self, obj: AccountOrangeConnex) -> str:
        return str(len(obj.webhook_secret_list)) if obj.pk else "0"

    @admin.display(description="Secret key stored")
    def secret_key_stored(self, obj: AccountOrangeConnex) -> str:
        # Says whether one is set; the value itself (or its ciphertext) never leaves the database.
        return "Yes" if obj.pk and obj.secret_key else "No"
