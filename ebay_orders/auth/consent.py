"""Connect to eBay: the ``state`` of the consent flow, the consent URL and the code exchange.

The state rules are :mod:`hemi_fulfilment.oauth_state`'s (single use, bound to the
browser session and the connection, short-lived); a state here expires after
``EBAY_OAUTH_STATE_TTL_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from ebay_orders.auth.oauth_client import oauth_client_for
from ebay_orders.auth.tokens import store_consent
from ebay_orders.client.oauth import EbayOAuthError
from ebay_orders.models import EbayAuthorizationRequest, EbayConnection
from hemi_fulfilment import oauth_state
from hemi_fulfilment.oauth_state import AuthorizationRejected, issue_state
from hemi_fulfilment.words import sentence

logger = logging.getLogger(__name__)

START_AGAIN = "the eBay connection page"


def _lifetime() -> timedelta:
    return timedelta(seconds=settings.EBAY_OAUTH_STATE_TTL_SECONDS)


def missing_settings(connection: EbayConnection) -> list[str]:
    """The application settings the consent needs and the connection lacks, in words."""
    missing = []
    if not connection.client_id:
        missing.append("the App ID (client id)")
    if not connection.client_secret:
        missing.append("the Cert ID (client secret)")
    if not connection.ru_name:
        missing.append("the RuName")
    if not connection.scopes.split():
        missing.append("the scopes")
    return missing


def start_consent(connection: EbayConnection, *, session_key: str, user_id: int | None) -> str:
    """A fresh state for ``connection`` and eBay's consent URL carrying it.

    Raises :class:`AuthorizationRejected` when the connection lacks application settings.
    """
    missing = missing_settings(connection)
    if missing:
        raise AuthorizationRejected(
            f"Enter {', '.join(missing)} of the eBay application on the connection page first."
        )
    state = issue_state(
        EbayAuthorizationRequest,
        session_key=session_key,
        user_id=user_id,
        lifetime=_lifetime(),
        connection=connection,
    )
    return oauth_client_for(connection).consent_url(scopes=connection.scopes, state=state)


@sensitive_variables("state")
def consume_state(state: str, *, session_key: str) -> EbayConnection:
    """Check and use up ``state``; return its connection.

    The rules are :mod:`hemi_fulfilment.oauth_state`'s.
    """
    request = oauth_state.consume_state(
        EbayAuthorizationRequest,
        state,
        session_key=session_key,
        provider="eBay",
        bound_to="connection",
        start_again=START_AGAIN,
        lifetime=_lifetime(),
    )
    return request.connection


@sensitive_variables("code", "grant")
def exchange_code(connection: EbayConnection, code: str) -> EbayConnection:
    """Trade the authorization code for tokens and mark the connection connected.

    Raises :class:`AuthorizationRejected` with eBay's reason when eBay refuses.
    """
    if not code:
        raise AuthorizationRejected(
            f"eBay sent no authorization code. Start again from {START_AGAIN}."
        )
    try:
        grant = oauth_client_for(connection).exchange_code(code)
        connected = store_consent(connection.pk, grant)
    except EbayOAuthError as exc:
        EbayConnection.objects.filter(pk=connection.pk).update(
            last_error=sentence(f"Connecting to eBay failed: {exc.message}"),
            updated=timezone.now(),
        )
        logger.warning("eBay consent for %s failed: %s", connection, exc.message)
        raise AuthorizationRejected(
            f"eBay did not accept the authorization code: {exc.message} Codes are single "
            f"use and short-lived: start again from {START_AGAIN}."
        ) from exc
    logger.info("eBay connection %s connected through consent", connected)
    return connected
