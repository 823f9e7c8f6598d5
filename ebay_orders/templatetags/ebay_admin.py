"""Template tags the project's admin templates use to show eBay connection state."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ebay_orders.admin_connect import connection_warnings

register = template.Library()


@register.simple_tag
def ebay_connection_warnings() -> SafeString | str:
    """The eBay connection warnings as the admin's message list (one query), or nothing."""
    warnings = connection_warnings()
    if not warnings:
        return ""
    items = format_html_join("", '<li class="warning">{}</li>', ((w,) for w in warnings))
    return format_html('<ul class="messagelist">{}</ul>', items)
