"""API clients for an account, with tokens from the token service."""

from __future__ import annotations

from hemi_fulfilment.apilog.recorder import record_call
from oc_integration.auth.connection import connection_settings
from oc_integration.auth.tokens import AccountTokens
from oc_integration.client import OCApiClient, TokenProvider
from oc_integration.models import AccountOrangeConnex


def api_client(account: AccountOrangeConnex, tokens: TokenProvider | None = None) -> OCApiClient:
    """An API client for ``account``; tokens come from the token service unless given."""
    return OCApiClient(
        connection_settings(account), tokens or AccountTokens(account.pk), recorder=record_call
    )
