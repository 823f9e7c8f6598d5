"""The access token of a connection made through eBay's consent: kept fresh, under a lock.

The access token is stored on the connection, encrypted, with the time eBay said it
expires. It is refreshed ``EBAY_ACCESS_TOKEN_MARGIN_SECONDS`` before then, under a row
lock on the connection (``select_for_update``): however many workers find it expiring at
once, exactly one asks eBay and the others take its result. When eBay refuses the
refresh token (``invalid_grant``), the connection turns *Reconnect required*, ADMINS get
one email, and no token request is made for it until someone connects again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from ebay_orders.auth.errors import ConnectionNotReady, ReconnectRequired, TokenRefreshFailed
from ebay_orders.auth.oauth_client import oauth_client_for
from ebay_orders.client.oauth import (
    DEFAULT_REFRESH_TOKEN_SECONDS,
    EbayGrantRevoked,
    EbayOAuthError,
    TokenGrant,
)
from ebay_orders.models import ConnectionStatus, EbayConnection
from hemi_fulfilment.words import sentence, sentences

logger = logging.getLogger(__name__)

#: How the beat job is spaced; it refreshes what would expire before its next run.
TOKEN_REFRESH_EVERY_MINUTES = 50


def _margin() -> timedelta:
    return timedelta(seconds=settings.EBAY_ACCESS_TOKEN_MARGIN_SECONDS)


def usable_until(connection: EbayConnection) -> datetime | None:
    """Until when the stored access token is handed out (its expiry minus the margin)."""
    if not connection.access_token or connection.access_token_expires_at is None:
        return None
    return connection.access_token_expires_at - _margin()


def reconnect_message(connection: EbayConnection) -> str:
    """What runs and pages say about a connection that must be connected again."""
    return sentences(
        f"{connection.ebay_account}: Reconnect required",
        connection.last_error,
        "Open the eBay connection in the admin and click Reconnect to eBay",
    )


def _fresh_enough(connection: EbayConnection, min_validity: timedelta, rejected: str) -> bool:
    until = usable_until(connection)
    return (
        until is not None
        and connection.access_token != rejected
        and until - timezone.now() > min_validity
    )


@sensitive_variables("connection")
def get_access_token(connection_id: int, *, min_validity: timedelta = timedelta(0)) -> str:
    """A valid access token for the connection, refreshed first if it is missing or
    expires within the margin plus ``min_validity``.

    Raises :class:`ReconnectRequired`, :class:`TokenRefreshFailed` or
    :class:`ConnectionNotReady` (never connected).
    """
    connection = EbayConnection.objects.select_related("ebay_account").get(pk=connection_id)
    if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
        raise ReconnectRequired(reconnect_message(connection))
    if _fresh_enough(connection, min_validity, rejected=""):
        return connection.access_token
    return _refresh_under_lock(connection_id, min_validity=min_validity, rejected="")


class ConsentTokens:
    """The token provider of a connection made through eBay's consent."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id

    def access_token(self) -> str:
        """A token valid for at least the margin."""
        return get_access_token(self.connection_id)

    def renew_after_rejection(self, rejected_token: str) -> str:
        """eBay refused ``rejected_token``: a refreshed one (or another worker's newer one)."""
        return _refresh_under_lock(
            self.connection_id, min_validity=timedelta(0), rejected=rejected_token
        )


@sensitive_variables("connection", "grant", "rejected")
def _refresh_under_lock(connection_id: int, *, min_validity: timedelta, rejected: str) -> str:
    newly_revoked = False
    failure: ConnectionNotReady
    with transaction.atomic():
        connection = (
            EbayConnection.objects.select_for_update(of=("self",))
            .select_related("ebay_account")
            .get(pk=connection_id)
        )
        # Another worker may have refreshed while this one waited for the lock.
        if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
            raise ReconnectRequired(reconnect_message(connection))
        if _fresh_enough(connection, min_validity, rejected):
            return connection.access_token
        if not connection.refresh_token:
            raise ConnectionNotReady(
                f"{connection.ebay_account}: not connected through eBay's consent yet. "
                "Click Connect to eBay on the connection page."
            )
        try:
            grant = _refresh_with_retries(connection)
        except EbayGrantRevoked as exc:
            newly_revoked = _require_reconnect(connection, exc.message)
            failure = ReconnectRequired(reconnect_message(connection))
        except EbayOAuthError as exc:
            connection.last_error = sentence(f"Token refresh failed: {exc.message}")
            connection.save(update_fields=["last_error", "updated"])
            failure = TokenRefreshFailed(
                sentences(
                    f"{connection.ebay_account}: eBay could not refresh the access token now",
                    exc.message,
                    "The next run tries again",
                )
            )
        else:
            _store_grant(connection, grant, consented=False)
            return grant.access_token
    # Outside the transaction: the new status is committed before anyone hears of it.
    if newly_revoked:
        _alert_reconnect_required(connection)
    raise failure


@sensitive_variables("connection")
def _refresh_with_retries(connection: EbayConnection) -> TokenGrant:
    client = oauth_client_for(connection)
    attempts = settings.EBAY_TOKEN_REFRESH_ATTEMPTS
    backoff = settings.EBAY_TOKEN_RETRY_BACKOFF_SECONDS
    for attempt in range(1, attempts + 1):
        try:
            return client.refresh(connection.refresh_token, scopes=connection.scopes)
        except EbayOAuthError as exc:
            if not exc.retryable or attempt == attempts:
                raise
            delay = backoff * 2 ** (attempt - 1)
            logger.warning(
                "eBay token refresh for %s failed (%s); retry %s of %s in %.1f s",
                connection,
                exc.message,
                attempt,
                attempts - 1,
                delay,
            )
            time.sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


@sensitive_variables("grant")
def _store_grant(connection: EbayConnection, grant: TokenGrant, *, consented: bool) -> None:
    """Persist what eBay granted; the caller holds the connection's row lock."""
    now = timezone.now()
    connection.access_token = grant.access_token
    connection.access_token_expires_at = now + timedelta(seconds=grant.expires_in)
    connection.last_error = ""
    fields = ["access_token", "access_token_expires_at", "last_error", "updated"]
    if grant.refresh_token:
        connection.refresh_token = grant.refresh_token
        lifetime = grant.refresh_token_expires_in or DEFAULT_REFRESH_TOKEN_SECONDS
        connection.refresh_token_expires_at = now + timedelta(seconds=lifetime)
        connection.expiry_warning_sent_at = None
        fields += ["refresh_token", "refresh_token_expires_at", "expiry_warning_sent_at"]
    if consented:
        connection.status = ConnectionStatus.CONNECTED
        connection.connected_at = now
        # The pasted quick-start token is superseded: nothing uses it any more.
        connection.user_token = ""
        fields += ["status", "connected_at", "user_token"]
    connection.save(update_fields=fields)


@sensitive_variables("grant")
def store_consent(connection_id: int, grant: TokenGrant) -> EbayConnection:
    """Record a fresh consent (after the code exchange): tokens, expiry times, connected."""
    if not grant.refresh_token:
        raise EbayOAuthError(
            "eBay granted an access token but no refresh token, so the connection could not "
            "stay connected. Connect again.",
            error="no_refresh_token",
        )
    with transaction.atomic():
        connection = (
            EbayConnection.objects.select_for_update(of=("self",))
            .select_related("ebay_account")
            .get(pk=connection_id)
        )
        _store_grant(connection, grant, consented=True)
    return connection


def _require_reconnect(connection: EbayConnection, reason: str) -> bool:
    """Mark the connection; True when this call changed it (so the alert goes out once)."""
    changed = connection.status != ConnectionStatus.RECONNECT_REQUIRED
    connection.status = ConnectionStatus.RECONNECT_REQUIRED
    # The status says "reconnect required"; the error says only why.
    connection.last_error = sentence(f"eBay refused to refresh the access token: {reason}")
    connection.access_token = ""
    connection.access_token_expires_at = None
    connection.save(
        update_fields=["status", "last_error", "access_token", "access_token_expires_at", "updated"]
    )
    return changed


def connection_admin_url(connection_id: int) -> str:
    """The connection's page in the admin, as an absolute address for emails."""
    path = reverse("admin:ebay_orders_ebayconnection_change", args=[connection_id])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def _alert_reconnect_required(connection: EbayConnection) -> None:
    account = connection.ebay_account
    logger.error("eBay connection %s needs reconnecting: %s", connection, connection.last_error)
    mail_admins(
        f"eBay connection {account} needs reconnecting",
        f"eBay refused to refresh the access token of {account}.\n\n"
        f"{connection.last_error}\n\n"
        "Until someone connects it again, Hemi Fulfilment makes no calls to eBay for it "
        "(the order import and the shipping reports wait). Open the connection in the admin "
        'and click "Reconnect to eBay".\n\n'
        f"{connection_admin_url(connection.pk)}",
        fail_silently=True,
    )


def refresh_expiring_tokens(*, ahead: timedelta) -> dict[str, list[str]]:
    """Refresh every connected connection whose access token would expire within
    ``ahead``; connection names by outcome: ``ok``, ``reconnect``, ``failed``."""
    outcome: dict[str, list[str]] = {"ok": [], "reconnect": [], "failed": []}
    connections = (
        EbayConnection.objects.filter(status=ConnectionStatus.CONNECTED, enabled=True)
        .exclude(refresh_token="")
        .select_related("ebay_account")
    )
    for connection in connections:
        name = str(connection.ebay_account)
        try:
            get_access_token(connection.pk, min_validity=ahead)
            outcome["ok"].append(name)
        except ReconnectRequired:
            outcome["reconnect"].append(name)
        except ConnectionNotReady as exc:
            logger.warning("Could not refresh the eBay token of %s: %s", name, exc)
            outcome["failed"].append(name)
    return outcome


def warn_expiring_refresh_tokens() -> list[str]:
    """Email ADMINS (once per connection) about refresh tokens expiring within
    ``EBAY_REFRESH_TOKEN_WARNING_DAYS``; returns the connections warned about."""
    horizon = timezone.now() + timedelta(days=settings.EBAY_REFRESH_TOKEN_WARNING_DAYS)
    expiring = EbayConnection.objects.filter(
        status=ConnectionStatus.CONNECTED,
        refresh_token_expires_at__lte=horizon,
        expiry_warning_sent_at__isnull=True,
    ).select_related("ebay_account")
    warned: list[str] = []
    for connection in expiring:
        expiry = connection.refresh_token_expires_at
        assert expiry is not None
        account = connection.ebay_account
        logger.warning("eBay connection %s: refresh token expires %s", connection, expiry)
        mail_admins(
            f"eBay connection {account}: consent expires {expiry:%Y-%m-%d}",
            f"The refresh token of {account} expires on {expiry:%Y-%m-%d %H:%M} UTC. "
            "Connect it to eBay again before then (Reconnect to eBay on its page), or the "
            "order import and the shipping reports stop.\n\n"
            f"{connection_admin_url(connection.pk)}",
            fail_silently=True,
        )
        # One by one: a crash half-way does not warn the others twice.
        EbayConnection.objects.filter(pk=connection.pk).update(
            expiry_warning_sent_at=timezone.now()
        )
        warned.append(str(account))
    return warned
