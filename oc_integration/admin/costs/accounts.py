"""The account's cost option on the OC account page, attached from this side."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from oc_integration.models import AccountOrangeConnex

COSTS_FIELDSET: tuple[str, dict[str, Any]] = (
    "Costs",
    {
        "fields": ["choose_cheapest_service"],
        "description": "Off: orders are sent with the region's default service "
        "(OC_DEFAULT_SHIPPING_SERVICES) unless edited.",
    },
)


def attach_to_account_admin(site: admin.AdminSite = admin.site) -> None:
    """Show "choose the cheapest shipping service" on the account page, after Stock."""
    account_admin = site.get_model_admin(AccountOrangeConnex)
    fieldsets = list(account_admin.fieldsets or [])
    titles = [title for title, _ in fieldsets]
    at = titles.index("Stock") + 1 if "Stock" in titles else len(fieldsets)
    account_admin.fieldsets = [  # type: ignore[misc]
        *fieldsets[:at],
        COSTS_FIELDSET,  # type: ignore[list-item]
        *fieldsets[at:],
    ]
