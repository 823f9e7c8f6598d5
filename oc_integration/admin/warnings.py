"""The warning banner on every Orange Connex admin page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from oc_integration.models import AccountOrangeConnex, AuthorizationStatus


def account_warnings() -> list[str]:
    """Why any OC account needs attention now (one query)."""
    horizon = timezone.now() + timedelta(days=settings.OC_REFRESH_TOKEN_WARNING_DAYS)
    accounts = AccountOrangeConnex.objects.filter(
        Q(authorization_status=AuthorizationStatus.REAUTHORIZATION_REQUIRED)
        | Q(
            authorization_status=AuthorizationStatus.AUTHORIZED,
            refresh_token_expires_at__lte=horizon,
        )
    ).only("name", "authorization_status", "last_error", "refresh_token_expires_at")
    warnings = []
    for account in accounts:
        if account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
            warnings.append(
                f"{account.name}: re-authorization required. {account.last_error} "
                'Open the account and click "Authorize with Orange Connex".'
            )
        elif account.refresh_token_expires_at:
            warnings.append(
                f"{account.name}: the authorization expires on "
                f"{account.refresh_token_expires_at:%Y-%m-%d}. Authorize it again before then."
            )
    return warnings


class AccountWarningsMixin:
    """Shows :func:`account_warnings` on the changelist and change pages."""

    def _warn(self, request: HttpRequest) -> None:
        if request.method == "GET":
            for warning in account_warnings():
                messages.warning(request, warning)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        self._warn(request)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        self._warn(request)
        return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
