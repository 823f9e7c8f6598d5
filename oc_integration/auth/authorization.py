"""Authorizing an OC account: the ``state`` of the OAuth code flow and the code exchange.

The state rules are :mod:`hemi_fulfilment.oauth_state`'s; a state here expires after
``OC_OAUTH_STATE_TTL_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from hemi_fulfilment import oauth_state
from hemi_fulfilment.oauth_state import AuthorizationRejected, issue_state
from oc_integration.auth.connection import oauth_client
from oc_integration.auth.tokens import forget_access_token, store_authorization
from oc_integration.client import OAuthError, OCError
from oc_integration.models import AccountOrangeConnex, OAuthAuthorizationRequest

logger = logging.getLogger(__name__)


def _lifetime() -> timedelta:
    return timedelta(seconds=settings.OC_OAUTH_STATE_TTL_SECONDS)


def start_authorization(
    account: AccountOrangeConnex, *, session_key: str, user_id: int | None
) -> str:
    """Create a fresh state for ``account`` and return OC's authorize URL carrying it."""
    state = issue_state(
        OAuthAuthorizationRequest,
        session_key=session_key,
        user_id=user_id,
        lifetime=_lifetime(),
        account=account,
    )
    return oauth_client(account).authorization_url(state)


def consume_state(state: str, *, session_key: str) -> AccountOrangeConnex:
    """Check and use up ``state``; return its account (see :mod:`hemi_fulfilment.oauth_state`)."""
    request = oauth_state.consume_state(
        OAuthAuthorizationRequest,
        state,
        session_key=session_key,
        provider="Orange Connex",
        bound_to="account",
        start_again="the account page",
        lifetime=_lifetime(),
    )
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
