"""Building OC clients for an account: the one place models meet the client layer."""

from __future__ import annotations

from django.conf import settings

from hemi_fulfilment.apilog.recorder import record_call
from oc_integration.client import ConnectionSettings, OCOAuthClient
from oc_integration.models import AccountOrangeConnex


def connection_settings(account: AccountOrangeConnex) -> ConnectionSettings:
    """The client's view of ``account`` (decrypts the secret key in memory only)."""
    return ConnectionSettings(
        account_id=account.pk,
        account_label=account.name,
        api_base_url=account.api_base_url,
        oauth_base_url=account.oauth_base_url,
        client_key=account.client_key,
        secret_key=account.secret_key,
        redirect_uri=account.redirect_uri,
        signature_mode=account.signature_mode,  # type: ignore[arg-type]
        token_client_auth=account.token_client_auth,  # type: ignore[arg-type]
        bearer_prefix=account.access_token_bearer_prefix,
        connect_timeout=settings.OC_CONNECT_TIMEOUT,
        read_timeout=settings.OC_READ_TIMEOUT,
    )


def oauth_client(account: AccountOrangeConnex) -> OCOAuthClient:
    """An OAuth client for ``account`` that records its calls in the API call log."""
    return OCOAuthClient(connection_settings(account), recorder=record_call)
