"""Admin for Orange Connex accounts: connection settings and authorization.

Secrets (the secret key, the refresh token, access tokens) are never rendered: the secret
key is a write-only field, the tokens are not form fields at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

from oc_integration.admin.authorization import AuthorizationAdminMixin
from oc_integration.admin.stock_actions import StockActionsMixin
from oc_integration.admin.warnings import AccountWarningsMixin
from oc_integration.models import AccountOrangeConnex


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
class AccountOrangeConnexAdmin(
    AuthorizationAdminMixin, StockActionsMixin, AccountWarningsMixin, admin.ModelAdmin
):
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
                ]
            },
        ),
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
        ("Record", {"fields": ["created", "updated"]}),
    ]

    @admin.display(description="Secret key stored")
    def secret_key_stored(self, obj: AccountOrangeConnex) -> str:
        # Says whether one is set; the value itself (or its ciphertext) never leaves the database.
        return "Yes" if obj.pk and obj.secret_key else "No"
