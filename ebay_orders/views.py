"""Where eBay sends the seller's browser back after consent: the OAuth callback."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET

from ebay_orders.auth.consent import consume_state, exchange_code
from hemi_fulfilment.audit import record_in_history
from hemi_fulfilment.oauth_state import AuthorizationRejected

CONNECT_PERMISSION = "ebay_orders.connect_ebayconnection"


def connection_admin_url(connection_id: int) -> str:
    """The connection's change page in the admin."""
    return reverse("admin:ebay_orders_ebayconnection_change", args=[connection_id])


def authorization_error(
    request: HttpRequest, message: str, *, status: int = 400, connection_id: int | None = None
) -> HttpResponse:
    """A clear page saying why connecting did not complete (never echoing the code)."""
    return render(
        request,
        "ebay_orders/authorization_error.html",
        {
            "title": "Connecting to eBay did not complete",
            "message": message,
            "connection_url": connection_admin_url(connection_id) if connection_id else None,
        },
        status=status,
    )


@never_cache
@require_GET
@sensitive_variables("state", "code")
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """``?code=…&state=…`` after Approve on eBay's consent page (or ``?error=access_denied``).

    eBay's codes contain ``^`` and ``#`` and arrive percent-encoded once, which Django's
    own query parsing decodes correctly.
    """
    user = request.user
    if not (user.is_active and user.is_staff):
        return authorization_error(
            request,
            "Sign in to the admin first, then start again from the eBay connection page.",
            status=403,
        )
    if not user.has_perm(CONNECT_PERMISSION):
        return authorization_error(
            request, "You do not have permission to connect eBay accounts.", status=403
        )
    state = request.GET.get("state", "")
    try:
        connection = consume_state(state, session_key=request.session.session_key or "")
    except AuthorizationRejected as exc:
        return authorization_error(request, str(exc))

    error = request.GET.get("error", "")
    if error:
        reason = (
            "the consent was declined at eBay"
            if error == "access_denied"
            else f"eBay reported an error ({error})"
        )
        messages.warning(
            request, f"The connection of {connection.ebay_account} was not changed: {reason}."
        )
        return HttpResponseRedirect(connection_admin_url(connection.pk))

    code = request.GET.get("code", "")
    try:
        connected = exchange_code(connection, code)
    except AuthorizationRejected as exc:
        return authorization_error(request, str(exc), connection_id=connection.pk)
    record_in_history(request, [connected], "Connected to eBay (consent given).")
    messages.success(
        request,
        f"Connected to eBay: Hemi now keeps the access token of {connected.ebay_account} "
        "fresh itself.",
    )
    # A redirect, so the code leaves the address bar and the history.
    return HttpResponseRedirect(connection_admin_url(connection.pk))
