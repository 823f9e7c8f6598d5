"""The confirmation page of both *Push to Orange Connex* actions: what will be sent, with
OC's cost estimates. Nothing is queued until it is confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest
from django.template.response import TemplateResponse

from oc_integration.costs.preview import PushPreview
from oc_integration.models import AccountOrangeConnex

#: The field the confirmation page posts: without it, the push actions only preview.
CONFIRM_FIELD = "confirm_push"


def confirmed(request: HttpRequest) -> bool:
    """Whether the push was confirmed on the preview page."""
    return request.POST.get(CONFIRM_FIELD) == "yes"


def push_preview_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    preview: PushPreview,
    action: str,
    selected: Sequence[Any],
    account: AccountOrangeConnex | None = None,
    send_account_choice: bool = False,
) -> TemplateResponse:
    """The page listing what the push will send and what OC estimates it costs."""
    return TemplateResponse(
        request,
        "admin/oc_integration/push_preview.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Push to Orange Connex: check before sending",
            "preview": preview,
            "account": account,
            "send_account_choice": send_account_choice,
            "selected": list(selected),
            "action": action,
            "confirm_field": CONFIRM_FIELD,
            "opts": model_admin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )
