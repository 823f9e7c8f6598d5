"""Routing rules and what routing decided (the routing checks), in the admin.

Anyone who may view sees both; adding, changing or deleting a rule needs
``manage_routing``. Routing checks are evidence: nobody deletes them from the admin.
"""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.evidence_admin import EvidenceAdminMixin
from hemi_fulfilment.orders.models import Channel
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    RegionMapping,
    RoutingCheck,
    RoutingRule,
)
from oc_integration.outbound.routing.run import rules_changed

MANAGE_ROUTING = "oc_integration.manage_routing"


def may_manage_routing(request: HttpRequest) -> bool:
    """Whether the user may change routing rules, turn routing on or off, or run it."""
    return request.user.has_perm(MANAGE_ROUTING)


# --- the rules ---------------------------------------------------------------------------
class CodeListField(forms.CharField):
    """Codes typed with commas or spaces ("GB, IE"), stored upper-cased as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return sorted({code.strip().upper() for code in text.replace(",", " ").split()})


class RoutingRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label="Sales channels",
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every channel.",
    )
    ebay_sites = forms.MultipleChoiceField(
        label="eBay sites",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any. Ticked: only eBay orders of those sites match.",
    )
    countries = CodeListField(
        label="Destination countries",
        required=False,
        help_text="ISO codes separated by commas (GB, IE); empty: every country.",
    )

    class Meta:
        model = RoutingRule
        fields = [
            "account",
            "name",
            "priority",
            "enabled",
            "channels",
            "ebay_sites",
            "countries",
            "fallback_region",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = EbayAccount.objects.order_by("site_code").values_list("site_code", flat=True)
        field = self.fields["ebay_sites"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(site, f"eBay {site}") for site in dict.fromkeys(sites)]

    def clean_countries(self) -> list[str]:
        codes: list[str] = self.cleaned_data["countries"]
        unknown = [c for c in codes if len(c) != 2 or pycountry.countries.get(alpha_2=c) is None]
        if unknown:
            raise forms.ValidationError(
                f"Destination countries: {', '.join(unknown)} is not a two-letter ISO country "
                "code (GB, DE, IE, …)."
            )
        return codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account = cleaned.get("account")
        fallback = (cleaned.get("fallback_region") or "").strip()
        if account is not None and fallback:
            known = account_regions(account)
            spelled = {region.upper(): region for region in known}
            if fallback.upper() not in spelled:
                self.add_error(
                    "fallback_region",
                    f"Fallback region: {account} has no region {fallback} (it has "
                    f"{', '.join(known) or 'none yet: sync its stock first'}).",
                )
            else:
                cleaned["fallback_region"] = spelled[fallback.upper()]
        return cleaned


def account_regions(account: AccountOrangeConnex) -> list[str]:
    """The regions the account maps or holds stock in (two queries)."""
    regions = {
        *RegionMapping.objects.filter(account=account).values_list("region", flat=True),
        *ProductAccountOrangeConnex.objects.filter(account=account)
        .values_list("region", flat=True)
        .distinct(),
    }
    return sorted(regions)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = [
        "name",
        "account",
        "priority",
        "enabled",
        "filters",
        "fallback_region",
        "orders_routed",
    ]
    list_filter = ["account", "enabled"]
    list_select_related = ["account"]
    search_fields = ["name"]
    ordering = ["account__name", "priority", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingRule]:
        return super().get_queryset(request).annotate(routed=Count("checks"))

    @admin.display(description="matches")
    def filters(self, rule: RoutingRule) -> str:
        """The rule's filters, in words."""
        parts = [
            ", ".join(Channel(c).label for c in rule.channels if c in Channel.values)
            or "every channel",
            f"eBay {', '.join(rule.ebay_sites)}" if rule.ebay_sites else "",
            f"to {', '.join(rule.countries)}" if rule.countries else "to every country",
        ]
        return " · ".join(p for p in parts if p)

    @admin.display(description="orders routed", ordering="routed")
    def orders_routed(self, rule: RoutingRule) -> int:
        return int(getattr(rule, "routed", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage_routing(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage_routing(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage_routing(request)

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        rules_changed(obj.account)

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        super().delete_model(request, obj)
        rules_changed(obj.account)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoutingRule]) -> None:
        accounts = list(AccountOrangeConnex.objects.filter(routing_rules__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for account in accounts:
            rules_changed(account)


# --- what routing decided ---------------------------------------------------------------
class RoutedFilter(admin.SimpleListFilter):
    title = "routed"
    parameter_name = "routed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Routed"), ("no", "Not routed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(rule__isnull=self.value() == "no")
        return queryset


@admin.register(RoutingCheck)
class RoutingCheckAdmin(EvidenceAdminMixin, admin.ModelAdmin):
    list_display = ["checked_at", "hemi_order", "account", "rule", "region", "outbound", "outcome"]
    list_filter = [RoutedFilter, "account", "rule"]
    list_select_related = ["order", "account", "rule", "outbound_order"]
    search_fields = ["order__number", "outcome"]
    readonly_fields = [f.name for f in RoutingCheck._meta.fields]
    date_hierarchy = "checked_at"
    show_full_result_count = False

    @admin.display(description="Hemi order", ordering="order__number")
    def hemi_order(self, check: RoutingCheck) -> str:
        url = reverse("admin:orders_order_change", args=[check.order_id])
        return format_html('<a href="{}">{}</a>', url, check.order.number)

    @admin.display(description="outbound order")
    def outbound(self, check: RoutingCheck) -> str:
        if check.outbound_order is None:
            return "-"
        url = reverse("admin:oc_integration_outboundorder_change", args=[check.outbound_order_id])
        return format_html('<a href="{}">{}</a>', url, check.outbound_order)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
