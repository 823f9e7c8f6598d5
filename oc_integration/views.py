"""Where OC comes back to us: the OAuth callback (a browser) and the outbound callback (OC)."""

from __future__ import annotations

import logging
import uuid
from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from hemi_fulfilment.audit import record_in_history
from oc_integration.auth.authorization import AuthorizationRejected, consume_state, exchange_code
from oc_integration.client.codes import decode_until_stable, raw_query_params
from oc_integration.models import AccountOrangeConnex
from oc_integration.outbound import callbacks

logger = logging.getLogger(__name__)

AUTHORIZE_PERMISSION = "oc_integration.authorize_accountorangeconnex"


def account_admin_url(account_id: int) -> str:
    """The account's change page in the admin."""
    return reverse("admin:oc_integration_accountorangeconnex_change", args=[account_id])


def authorization_error(
    request: HttpRequest, message: str, *, status: int = 400, account_id: int | None = None
) -> HttpResponse:
    """A clear page saying why the authorization did not complete (never echoing the code)."""
    return render(
        request,
        "oc_integration/authorization_error.html",
        {
            "title": "Orange Connex authorization did not complete",
            "message": message,
            "account_url": account_admin_url(account_id) if account_id else None,
        },
        status=status,
    )


@never_cache
@require_GET
@sensitive_variables("params", "state")
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """``?act=getAuthorizationCode&code=…&state=…`` (or ``?error=access_denied&state=…``).

    The query string is parsed by hand: Django's parser turns ``+`` into a space, and
    OC's codes contain ``+``.
    """
    user = request.user
    if not (user.is_active and user.is_staff):
        return authorization_error(
            request,
            "Sign in to the admin first, then start the authorization again from the account page.",
            status=403,
        )
    if not user.has_perm(AUTHORIZE_PERMISSION):
        return authorization_error(
            request, "You do not have permission to authorize Orange Connex accounts.", status=403
        )
    params = raw_query_params(request.META.get("QUERY_STRING", ""))
    state = decode_until_stable(params.get("state", ""))
    try:
        account = consume_state(state, session_key=request.session.session_key or "")
    except AuthorizationRejected as exc:
        return authorization_error(request, str(exc))

    error = decode_until_stable(params.get("error", ""))
    if error:
        reason = (
            "the authorization was declined at Orange Connex"
            if error == "access_denied"
            else f"Orange Connex reported an error ({error})"
        )
        messages.warning(request, f"{account}: {reason}. The account was not changed.")
        return HttpResponseRedirect(account_admin_url(account.pk))

    try:
        exchange_code(account, decode_until_stable(params.get("code", "")))
    except AuthorizationRejected as exc:
        return authorization_error(request, str(exc), account_id=account.pk)
    record_in_history(request, [account], "Authorized with Orange Connex.")
    messages.success(request, f"{account} is now authorized with Orange Connex.")
    # A redirect, so the code leaves the address bar and the history.
    return HttpResponseRedirect(account_admin_url(account.pk))


@csrf_exempt  # called by OC's servers, authenticated by a per-account secret instead
@require_POST
def outbound_callback(request: HttpRequest, webhook_id: uuid.UUID) -> HttpResponse:
    """OC's Outbound Callback for one account: authenticate, store, answer fast."""
    account = AccountOrangeConnex.objects.filter(webhook_id=webhook_id).first()
    if account is None:
        return JsonResponse({"error": "Unknown webhook."}, status=404)
    if not callbacks.is_authentic(account, callbacks.presented_secret(request.META)):
        logger.warning("Rejected an OC callback for %s: wrong or missing secret", account)
        response = JsonResponse({"error": "Wrong or missing credentials."}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="Hemi Fulfilment OC callbacks"'
        return response
    receipt = callbacks.receive(account, request.body)
    if receipt.process and receipt.delivery_id:
        from oc_integration.tasks import process_outbound_callback

        # The confirmation (an OC query) runs on a worker once the delivery is committed.
        transaction.on_commit(partial(process_outbound_callback.delay, receipt.delivery_id))
    return JsonResponse({"message": receipt.message}, status=receipt.status)
