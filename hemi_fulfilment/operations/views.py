"""The health page in the admin (any staff member may read it; nothing on it acts)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from hemi_fulfilment.operations.health import health_page


@require_safe
def health_view(request: HttpRequest) -> HttpResponse:
    """``/admin/health/``: machinery, scheduled jobs, open alerts, every account's lines."""
    context = {
        **admin.site.each_context(request),
        "title": "Health",
        "page": health_page(),
    }
    return TemplateResponse(request, "admin/operations/health.html", context)
