"""The consent part of the eBay connection admin: state, Connect button, banner.

No token is ever rendered: only whether one is stored and until when it is valid.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html

from ebay_orders.auth.consent import missing_settings, start_consent
from ebay_orders.models import ConnectionStatus, EbayConnection
from ebay_orders.views import CONNECT_PERMISSION, connection_admin_url
from hemi_fulfilment.admin_forms import WarningsAdminMixin
from hemi_fulfilment.oauth_state import AuthorizationRejected

PASTED_TOKEN_NOTE = (
    "Pasted token: stops working about two hours after it was issued unless you connect "
    "through eBay's consent."
)


def _local(moment: Any, fmt: str) -> str:
    return f"{timezone.localtime(moment):{fmt}}"


def connection_state(connection: EbayConnection) -> str:
    """The connection's state in words, for the list and the change page."""
    if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
        return f"Reconnect required ({connection.last_error or 'eBay refused the consent'})"
    if connection.refresh_token:
        access = (
            f"Connected until {_local(connection.access_token_expires_at, '%Y-%m-%d %H:%M')}"
            " (then renewed by itself)"
            if connection.access_token_expires_at
            else "Connected (access token renewed on next use)"
        )
        refresh = (
            f"refresh token valid until {_local(connection.refresh_token_expires_at, '%Y-%m-%d')}"
            if connection.refresh_token_expires_at
            else "refresh token expiry unknown"
        )
        return f"{access}, {refresh}"
    if connection.user_token:
        return PASTED_TOKEN_NOTE
    return "Not connected"


def connection_warnings(*, except_connection: int | None = None) -> list[str]:
    """Why any eBay connection needs attention now (one query): reconnect required, or a
    refresh token that expires within ``EBAY_REFRESH_TOKEN_WARNING_DAYS``."""
    horizon = timezone.now() + timedelta(days=settings.EBAY_REFRESH_TOKEN_WARNING_DAYS)
    connections = EbayConnection.objects.filter(
        Q(status=ConnectionStatus.RECONNECT_REQUIRED)
        | Q(status=ConnectionStatus.CONNECTED, refresh_token_expires_at__lte=horizon)
    ).select_related("ebay_account")
    if except_connection is not None:
        connections = connections.exclude(pk=except_connection)
    warnings = []
    for connection in connections:
        if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
            reason = f" {connection.last_error}" if connection.last_error else ""
            warnings.append(
                f"Reconnect required for {connection.ebay_account}.{reason} Open the eBay "
                'connection and click "Reconnect to eBay".'
            )
        elif connection.refresh_token_expires_at:
            warnings.append(
                f"The consent of {connection.ebay_account} expires on "
                f"{_local(connection.refresh_token_expires_at, '%Y-%m-%d')}. Reconnect to eBay "
                "before then."
            )
    return warnings


def show_connection_warnings(request: HttpRequest, *, except_connection: int | None = None) -> None:
    """Add :func:`connection_warnings` to the page's messages (on GET only)."""
    if request.method == "GET":
        for warning in connection_warnings(except_connection=except_connection):
            messages.warning(request, warning)


class ConnectionWarningsMixin(WarningsAdminMixin):
    """Shows :func:`connection_warnings` on an eBay admin's list and change pages."""

    def show_warnings(self, request: HttpRequest, *, on_list: bool, except_id: int | None) -> None:
        """The eBay connection warnings."""
        show_connection_warnings(request, except_connection=except_id)


class ConnectAdminMixin:
    """Adds "Connect to eBay" (or "Reconnect to eBay") to the connection admin."""

    admin_site: admin.AdminSite

    @admin.display(description="Connection", ordering="status")
    def connection_summary(self, obj: EbayConnection) -> str:
        state = connection_state(obj) if obj.pk else "Not connected"
        colour = {
            ConnectionStatus.RECONNECT_REQUIRED: "#ba2121",
            ConnectionStatus.CONNECTED: "#2f7d32",
        }.get(ConnectionStatus(obj.status), "#666")
        return format_html('<span style="color:{}">{}</span>', colour, state)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:connection_id>/connect/",
                wrap(self.connect_view),
                name="ebay_orders_ebayconnection_connect",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def connect_view(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        """POST: send the browser to eBay's consent page with a fresh state."""
        if not request.user.has_perm(CONNECT_PERMISSION):
            raise PermissionDenied("You may not connect eBay accounts.")
        connection = get_object_or_404(
            EbayConnection.objects.select_related("ebay_account"), pk=connection_id
        )
        if request.method != "POST":
            return HttpResponseRedirect(connection_admin_url(connection.pk))
        if not request.session.session_key:
            request.session.save()
        try:
            url = start_consent(
                connection,
                session_key=request.session.session_key or "",
                user_id=getattr(request.user, "pk", None),
            )
        except AuthorizationRejected as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(connection_admin_url(connection.pk))
        return HttpResponseRedirect(url)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        connection = EbayConnection.objects.filter(pk=object_id).first()
        extra = dict(extra_context or {})
        if connection is not None:
            extra["can_connect"] = request.user.has_perm(CONNECT_PERMISSION)
            extra["reconnect"] = connection.status != ConnectionStatus.NOT_CONNECTED
            extra["consent_missing"] = missing_settings(connection)
            if connection.status == ConnectionStatus.RECONNECT_REQUIRED or (
                connection.user_token and not connection.refresh_token
            ):
                extra["connection_notice"] = connection_state(connection)
        return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]
