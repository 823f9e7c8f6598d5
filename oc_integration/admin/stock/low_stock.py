"""Low-stock thresholds in the admin: per OC account, product and region."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from oc_integration.models import LowStockThreshold


class LowStockThresholdForm(forms.ModelForm):
    class Meta:
        model = LowStockThreshold
        fields = ["account", "product", "region", "minimum_available", "minimum_days_of_cover"]

    def clean_region(self) -> str:
        region = str(self.cleaned_data.get("region") or "").strip()
        if not region:
            raise forms.ValidationError("Name the OC region, as OC names it (UK, DE, US-East).")
        return region


@admin.register(LowStockThreshold)
class LowStockThresholdAdmin(admin.ModelAdmin):
    """Staff with the model's change permission set thresholds; others only read them.

    A product and region without a threshold uses ``OC_LOW_STOCK_MINIMUM`` and
    ``OC_LOW_STOCK_MIN_DAYS_OF_COVER``.
    """

    form = LowStockThresholdForm
    list_display = [
        "product",
        "region",
        "account",
        "minimum_available",
        "minimum_days_of_cover",
        "updated",
    ]
    list_filter = ["account", "region"]
    list_select_related = ["product", "account"]
    search_fields = ["product__sku", "product__title"]
    search_help_text = "Hemi SKU or title"
    raw_id_fields = ["product"]
    list_per_page = 100
