"""Where a connection reaches eBay: consent pages, the REST and identity API, Trading."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from ebay_orders.models import EbayConnection, EbayEnvironment


@dataclass(frozen=True)
class Endpoints:
    """The base URLs of one connection's environment."""

    #: eBay's consent pages (``/oauth2/authorize``).
    auth_url: str
    #: The REST APIs (``/sell/fulfillment/v1/...``) and the token endpoint
    #: (``/identity/v1/oauth2/token``).
    api_url: str
    #: The Trading API endpoint (``.../ws/api.dll``).
    trading_url: str


def endpoints_for(connection: EbayConnection) -> Endpoints:
    """The URLs of ``connection``'s environment; its own Trading API URL wins when set."""
    if connection.environment == EbayEnvironment.EMULATOR:
        auth = api = settings.EBAY_SANDBOX_URL
        trading = settings.EBAY_TRADING_API_URL
    elif connection.environment == EbayEnvironment.EBAY_SANDBOX:
        auth, api = settings.EBAY_TEST_AUTH_URL, settings.EBAY_TEST_API_URL
        trading = f"{api.rstrip('/')}/ws/api.dll"
    else:
        auth, api = settings.EBAY_PRODUCTION_AUTH_URL, settings.EBAY_PRODUCTION_API_URL
        trading = f"{api.rstrip('/')}/ws/api.dll"
    return Endpoints(
        auth_url=auth.rstrip("/"),
        api_url=api.rstrip("/"),
        trading_url=connection.api_url or trading,
    )
