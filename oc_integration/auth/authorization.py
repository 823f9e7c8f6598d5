"""Authorizing an OC account: the ``state`` of the OAuth code flow and the code exchange.

A state is at least 128 random bits (here 256), single use, bound to the admin's
session and to the account, and expires after ``OC_OAUTH_STATE_TTL_SECONDS``. Only
digests are stored, so a database reader cannot forge a callback.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from oc_integration.auth.connection import oauth_client
from oc_integration.auth.tokens import forget_access_token, store_authorization
from oc_integration.client import OAuthError, OCError
from oc_integration.models import AccountOrangeConnex, OAuthAuthorizationRequest

logger = logging.getLogger(__name__)


class AuthorizationRejected(Exception):
    """The callback or pasted code cannot be used; ``str()`` is a message for people."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def start_authorization(
    account: AccountOrangeConnex, *, session_key: str, user_id: int | None
) -> str:
    """Create a fresh state for ``account`` and return OC's authorize URL carrying it."""
    if not session_key:
        raise AuthorizationRejected("Your browser session has no key; sign in again.")
    state = secrets.token_urlsafe(32)
    OAuthAuthorizationRequest.objects.create(
        account=account,
        state_digest=_digest(state),
        session_digest=_digest(session_key),
        user_id=user_id,
        expires_at=timezone.now() + timedelta(seconds=settings.OC_OAUTH_STATE_TTL_SECONDS),
    )
    return oauth_client(account).authorization_url(state)


def consume_state(state: str, *, session_key: str) -> AccountOrangeConnex:
    """Check and use up ``state``; return its account. Committed before any token request,
    so a replayed callback finds it used."""
    if not state:
        raise AuthorizationRejected(
            "The answer from Orange Connex carries no state, so it cannot be matched to an "
            "authorization started here. Start again from the account page."
        )
    with transaction.atomic():
        request = (
            OAuthAuthorizationRequest.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(state_digest=_digest(state))
            .first()
        )
        if request is None:
            raise AuthorizationRejected(
                "This authorization answer is unknown here: it was not started from this "
                "installation. Start again from the account page."
            )
        if request.used_at is not None:
            raise AuthorizationRejected(
                "This authorization answer was already used. If the account is not "
                "authorized, start again from the account page."
            )
        if request.session_digest != _digest(session_key or ""):
            raise AuthorizationRejected(
                "This authorization was started in another browser session. Start again "
                "from the account page in this browser."
            )
        if request.expires_at <= timezone.now():
            request.used_at = timezone.now()
            request.outcome = "expired"
            request.save(update_fields=["used_at", "outcome"])
            raise AuthorizationRejected(
                "This authorization took longer than "
                f"{settings.OC_OAUTH_STATE_TTL_SECONDS // 60} minutes and expired. "
                "Start again from the account page."
            )
        request.used_at = timezone.now()
        request.outcome = "callback received"
        request.save(update_fields=["used_at", "outcome"])
    return request.account


@sensitive_variables("code", "grant")
def exchange_code(account: AccountOrangeConnex, code: str) -> AccountOrangeConnex:
    """Trade an authorization code for tokens and mark the account authorized.

    Raises :class:`AuthorizationRejected` with OC's reason when OC refuses.
    """
    if not code:
        raise AuthorizationRejected("No authorization code was received.")
    try:
        grant = oauth_client(account).exchange_code(code)
        forget_access_token(account.pk)
        authorized = store_authorization(account.pk, grant)
    except (OAuthError, OCError) as exc:
        AccountOrangeConnex.objects.filter(pk=account.pk).update(
            last_error=f"Authorization failed: {exc.message}", updated=timezone.now()
        )
        logger.warning("OC authorization of %s failed: %s", account, exc.message)
        raise AuthorizationRejected(
            f"Orange Connex did not accept the authorization code: {exc.message}. "
            "Codes are single use and short-lived: start again from the account page."
        ) from exc
    logger.info("OC account %s authorized", authorized)
    return authorized
