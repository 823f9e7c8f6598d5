"""The OAuth client of a connection: its application's keyset and its environment's URLs."""

from __future__ import annotations

from django.conf import settings

from ebay_orders.client.oauth import EbayOAuthClient, OAuthApp
from ebay_orders.endpoints import endpoints_for
from ebay_orders.models import EbayConnection
from hemi_fulfilment.apilog.recorder import record_call


def oauth_client_for(connection: EbayConnection) -> EbayOAuthClient:
    """An OAuth client for ``connection`` that records every token request."""
    endpoints = endpoints_for(connection)
    app = OAuthApp(
        client_id=connection.client_id,
        client_secret=connection.client_secret,
        ru_name=connection.ru_name,
        auth_url=endpoints.auth_url,
        api_url=endpoints.api_url,
        connect_timeout=settings.EBAY_CONNECT_TIMEOUT,
        read_timeout=settings.EBAY_READ_TIMEOUT,
    )
    return EbayOAuthClient(
        app,
        recorder=record_call,
        account_id=connection.ebay_account_id,
        account_label=str(connection.ebay_account),
    )
