"""The health panel on the admin home."""

from __future__ import annotations

from typing import Any

from django import template

from hemi_fulfilment.operations.health import health_page

register = template.Library()


@register.inclusion_tag("admin/operations/health_panel.html", takes_context=True)
def health_panel(context: dict[str, Any]) -> dict[str, Any]:
    """Machinery at a glance, how many things need attention, a link to the health page.

    The warnings themselves stay in the banners above and on the health page, so the
    home page never says one twice.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return {"page": None}
    return {"page": health_page()}
