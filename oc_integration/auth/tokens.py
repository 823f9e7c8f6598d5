"""The access-token lifecycle: cached, refreshed under a lock, and re-authorization alerts.

The access token lives in the Django cache (shared by every web and worker process),
encrypted, until shortly before OC says it expires. Refreshing happens under a row lock
on the account (``select_for_update``): however many processes find the token expired
at once, exactly one asks OC, and the others wait and take its result.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from hemi_fulfilment import crypto
from hemi_fulfilment.integration_errors import NoUsableToken
from hemi_fulfilment.words import sentence
from oc_integration.auth.connection import oauth_client
from oc_integration.client import OAuthError, OAuthGrantRevoked, OCError, TokenGrant
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus

logger = logging.getLogger(__name__)

REFRESH_TOKEN_DEFAULT_LIFETIME = timedelta(days=365)


class ReauthorizationRequired(NoUsableToken):
    """The account's grant is gone: a person must authorize it again in the admin."""


class NotAuthorized(NoUsableToken):
    """The account was never authorized (no refresh token)."""


class TokenRefreshFailed(NoUsableToken):
    """OC could not refresh the token now (after retries); the next run tries again."""


def _cache_key(account_id: int) -> str:
    return f"oc:access-token:{account_id}"


@dataclass(frozen=True)
class CachedToken:
    token: str
    usable_until: datetime


def cached_access_token(account_id: int) -> CachedToken | None:
    """The cached access token of an account, if any (decrypted in memory)."""
    sealed = cache.get(_cache_key(account_id))
    if not sealed:
        return None
    try:
        payload = json.loads(crypto.decrypt(sealed))
        return CachedToken(payload["token"], datetime.fromisoformat(payload["usable_until"]))
    except (crypto.SecretDecryptionError, ValueError, KeyError):
        cache.delete(_cache_key(account_id))
        return None


@sensitive_variables("grant", "entry", "sealed")
def _cache_access_token(account_id: int, grant: TokenGrant) -> CachedToken:
    lifetime = max(30, grant.expires_in - settings.OC_ACCESS_TOKEN_MARGIN_SECONDS)
    entry = CachedToken(grant.access_token, timezone.now() + timedelta(seconds=lifetime))
    sealed = crypto.encrypt(
        json.dumps({"token": entry.token, "usable_until": entry.usable_until.isoformat()})
    )
    cache.set(_cache_key(account_id), sealed, timeout=lifetime)
    return entry


def forget_access_token(account_id: int) -> None:
    """Drop the cached access token (e.g. after re-authorization)."""
    cache.delete(_cache_key(account_id))


@sensitive_variables("cached")
def get_access_token(account_id: int, *, min_validity: timedelta = timedelta(0)) -> str:
    """A valid access token for the account, refreshing it if it is missing or expires
    within ``min_validity``.

    Raises a :class:`NoUsableToken`: :class:`ReauthorizationRequired`,
    :class:`NotAuthorized` or :class:`TokenRefreshFailed`.
    """
    cached = cached_access_token(account_id)
    if cached and cached.usable_until - timezone.now() > min_validity:
        return cached.token
    return _refresh_under_lock(account_id, min_validity=min_validity, rejected=None)


class AccountTokens:
    """The token provider the OC API client uses for one account."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id

    def access_token(self) -> str:
        return get_access_token(self.account_id)

    def renew_after_rejection(self, rejected_token: str) -> str:
        return _refresh_under_lock(
            self.account_id, min_validity=timedelta(0), rejected=rejected_token
        )


@sensitive_variables("cached", "rejected", "refresh_token", "grant")
def _refresh_under_lock(account_id: int, *, min_validity: timedelta, rejected: str | None) -> str:
    newly_revoked = False
    failure: Exception
    with transaction.atomic():
        account = AccountOrangeConnex.objects.select_for_update().get(pk=account_id)
        # Someone else may have refreshed while this process waited for the lock.
        cached = cached_access_token(account_id)
        if (
            cached
            and cached.token != rejected
            and cached.usable_until - timezone.now() > min_validity
        ):
            return cached.token
        if account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED:
            raise ReauthorizationRequired(
                account.last_error or f"{account} needs re-authorization."
            )
        refresh_token = account.refresh_token
        if not refresh_token:
            raise NotAuthorized(f"{account} is not authorized with Orange Connex yet.")
        try:
            grant = _refresh_with_retries(account, refresh_token)
        except OAuthGrantRevoked as exc:
            newly_revoked = _require_reauthorization(account, exc.message)
            failure = ReauthorizationRequired(exc.message)
        except (OAuthError, OCError) as exc:
            account.last_error = sentence(f"Token refresh failed: {exc.message}")
            account.save(update_fields=["last_error", "updated"])
            failure = TokenRefreshFailed(exc.message)
        else:
            _store_grant(account, grant, refreshed=True)
            return grant.access_token
    # Outside the transaction: the account's new status is committed before anyone hears.
    if newly_revoked:
        _alert_reauthorization_required(account)
    raise failure


@sensitive_variables("refresh_token")
def _refresh_with_retries(account: AccountOrangeConnex, refresh_token: str) -> TokenGrant:
    client = oauth_client(account)
    attempts = settings.OC_TOKEN_REFRESH_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return client.refresh(refresh_token)
        except OCError as exc:
            if not exc.retryable or attempt == attempts:
                raise
            delay = settings.OC_TOKEN_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1)
            logger.warning(
                "OC token refresh for %s failed (%s); retry %s of %s in %.1f s",
                account,
                exc.message,
                attempt,
                attempts - 1,
                delay,
            )
            time.sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")


@sensitive_variables("grant")
def _store_grant(account: AccountOrangeConnex, grant: TokenGrant, *, refreshed: bool) -> None:
    """Persist what OC granted; the caller holds the account's row lock."""
    fields = ["last_error", "updated"]
    account.last_error = ""
    if grant.refresh_token:
        # A refresh that returns a new refresh token invalidates the old one.
        account.refresh_token = grant.refresh_token
        # OC does not always say how long a refresh token lives: a year is assumed then,
        # and shown as an estimate.
        account.refresh_token_expiry_estimated = grant.refresh_token_expires_at is None
        account.refresh_token_expires_at = grant.refresh_token_expires_at or (
            timezone.now() + REFRESH_TOKEN_DEFAULT_LIFETIME
        )
        account.expiry_warning_sent_at = None
        fields += [
            "refresh_token",
            "refresh_token_expires_at",
            "refresh_token_expiry_estimated",
            "expiry_warning_sent_at",
        ]
    if not refreshed:
        account.authorization_status = AuthorizationStatus.AUTHORIZED
        account.authorized_at = timezone.now()
        fields += ["authorization_status", "authorized_at"]
    account.save(update_fields=fields)
    _cache_access_token(account.pk, grant)


def _require_reauthorization(account: AccountOrangeConnex, reason: str) -> bool:
    """Mark the account; True when this call changed it (so alerts go out once)."""
    changed = account.authorization_status != AuthorizationStatus.REAUTHORIZATION_REQUIRED
    account.authorization_status = AuthorizationStatus.REAUTHORIZATION_REQUIRED
    # The status says "re-authorization required"; the error says only why.
    account.last_error = sentence(f"OC refused to refresh the access token: {reason}")
    account.save(update_fields=["authorization_status", "last_error", "updated"])
    forget_access_token(account.pk)
    return changed


def _alert_reauthorization_required(account: AccountOrangeConnex) -> None:
    logger.error("OC account %s needs re-authorization: %s", account, account.last_error)
    mail_admins(
        f"Orange Connex account {account.name} needs re-authorization",
        f"Orange Connex refused to refresh the access token of {account.name}.\n\n"
        f"{account.last_error}\n\n"
        "Until someone authorizes the account again, Hemi Fulfilment makes no calls to OC "
        "for it (stock sync and outbound orders wait). Open the account in the admin and "
        'click "Authorize with Orange Connex".\n\n'
        f"{settings.PUBLIC_BASE_URL.rstrip('/')}/admin/oc_integration/accountorangeconnex/"
        f"{account.pk}/change/",
        fail_silently=True,
    )


@sensitive_variables("grant")
def store_authorization(account_id: int, grant: TokenGrant) -> AccountOrangeConnex:
    """Record a fresh authorization (after a code exchange): tokens, status, expiry."""
    if not grant.refresh_token:
        raise OAuthError(
            "OC granted an access token but no refresh token; the account cannot stay "
            "authorized. Try again, or ask OC to check the client's grant types.",
            error="no_refresh_token",
        )
    with transaction.atomic():
        account = AccountOrangeConnex.objects.select_for_update().get(pk=account_id)
        _store_grant(account, grant, refreshed=False)
    return account


def refresh_expiring_tokens(*, ahead: timedelta) -> dict[str, list[str]]:
    """Refresh every authorized account whose access token would expire within ``ahead``.

    Returns account names by outcome: ``refreshed`` (or still valid), ``reauthorization``,
    ``failed``.
    """
    outcome: dict[str, list[str]] = {"ok": [], "reauthorization": [], "failed": []}
    accounts = AccountOrangeConnex.objects.filter(
        authorization_status=AuthorizationStatus.AUTHORIZED
    ).only("pk", "name")
    for account in accounts:
        try:
            get_access_token(account.pk, min_validity=ahead)
            outcome["ok"].append(account.name)
        except ReauthorizationRequired:
            outcome["reauthorization"].append(account.name)
        except (NotAuthorized, TokenRefreshFailed) as exc:
            logger.warning("Could not refresh the OC token of %s: %s", account.name, exc)
            outcome["failed"].append(account.name)
    return outcome


def warn_expiring_refresh_tokens() -> list[str]:
    """Email (once per account) about refresh tokens expiring within the warning window."""
    horizon = timezone.now() + timedelta(days=settings.OC_REFRESH_TOKEN_WARNING_DAYS)
    expiring = AccountOrangeConnex.objects.filter(
        authorization_status=AuthorizationStatus.AUTHORIZED,
        refresh_token_expires_at__lte=horizon,
        expiry_warning_sent_at__isnull=True,
    )
    warned = []
    for account in expiring:
        expiry = account.refresh_token_expires_at
        logger.warning("OC account %s: refresh token expires %s", account, expiry)
        about = "about " if account.refresh_token_expiry_estimated else ""
        estimate = (
            " This date is an estimate: OC did not say how long the refresh token lives, "
            f"so {REFRESH_TOKEN_DEFAULT_LIFETIME.days} days from the authorization are assumed."
            if account.refresh_token_expiry_estimated
            else ""
        )
        mail_admins(
            f"Orange Connex account {account.name}: authorization expires {about}{expiry:%Y-%m-%d}",
            f"The refresh token of {account.name} expires on {about}{expiry:%Y-%m-%d %H:%M} UTC."
            f"{estimate} Authorize the account again before then, or OC calls will stop.",
            fail_silently=True,
        )
        warned.append(account.name)
    expiring.filter(name__in=warned).update(expiry_warning_sent_at=timezone.now())
    return warned
