"""Building eBay clients for a connection: the one place models meet the client layer."""

from __future__ import annotations

from django.conf import settings

from ebay_orders.auth.errors import ConnectionNotReady
from ebay_orders.auth.tokens import ConsentTokens, reconnect_message
from ebay_orders.client import TradingClient, TradingConfig
from ebay_orders.client.fulfillment import FulfillmentClient, FulfillmentConfig, marketplace_id
from ebay_orders.client.tokens import TokenProvider
from ebay_orders.endpoints import endpoints_for
from ebay_orders.models import ConnectionStatus, EbayConnection
from hemi_fulfilment.apilog.recorder import record_call

__all__ = ["ConnectionNotReady", "PastedToken", "client_for", "enabled_account_ids", "tokens_for"]


class PastedToken:
    """The token provider of a connection whose user token was pasted by hand.

    Nothing can renew such a token: when eBay refuses it, the connection must be made
    through eBay's consent (Connect to eBay).
    """

    def __init__(self, connection: EbayConnection) -> None:
        self._label = str(connection.ebay_account)
        self._token = connection.user_token

    def access_token(self) -> str:
        """The pasted token."""
        return self._token

    def renew_after_rejection(self, rejected_token: str) -> str:
        """Never possible: say what to do instead."""
        raise ConnectionNotReady(
            f"{self._label}: eBay refused the pasted user token (such tokens live about two "
            "hours). Click Connect to eBay on the connection page, so that Hemi keeps the "
            "token fresh itself."
        )


def tokens_for(connection: EbayConnection) -> TokenProvider:
    """The token provider for ``connection``: its consent's tokens (kept fresh) when a
    refresh token is stored, the pasted token otherwise.

    Raises :class:`ConnectionNotReady` when it must be reconnected or holds no token.
    """
    if connection.status == ConnectionStatus.RECONNECT_REQUIRED:
        raise ConnectionNotReady(reconnect_message(connection))
    if connection.refresh_token:
        return ConsentTokens(connection.pk)
    if not connection.user_token:
        raise ConnectionNotReady(
            f"{connection.ebay_account}: not connected to eBay yet. Click Connect to eBay on "
            "the connection page."
        )
    return PastedToken(connection)


def client_for(connection: EbayConnection) -> TradingClient:
    """A Trading API client for ``connection`` that records every call in the API call log.

    Raises :class:`ConnectionNotReady` when no token can be had: the token is asked for
    here once, so that a run learns it before it claims any work.
    """
    account = connection.ebay_account
    tokens = tokens_for(connection)
    tokens.access_token()
    config = TradingConfig(
        api_url=endpoints_for(connection).trading_url,
        site_id=account.site_id,
        compatibility_level=settings.EBAY_COMPATIBILITY_LEVEL,
        connect_timeout=settings.EBAY_CONNECT_TIMEOUT,
        read_timeout=settings.EBAY_READ_TIMEOUT,
    )
    return TradingClient(
        config=config,
        tokens=tokens,
        recorder=record_call,
        account_id=account.pk,
        account_label=str(account),
    )


def fulfillment_client_for(connection: EbayConnection) -> FulfillmentClient:
    """A Sell Fulfillment API (REST) client for ``connection``, recording every call.

    Raises :class:`ConnectionNotReady` when no token can be had or the account's site has
    no eBay marketplace.
    """
    account = connection.ebay_account
    try:
        marketplace = marketplace_id(account.site_code)
    except ValueError as exc:
        raise ConnectionNotReady(f"{account}: {exc}.") from None
    tokens = tokens_for(connection)
    tokens.access_token()
    config = FulfillmentConfig(
        api_url=endpoints_for(connection).api_url,
        marketplace_id=marketplace,
        connect_timeout=settings.EBAY_CONNECT_TIMEOUT,
        read_timeout=settings.EBAY_READ_TIMEOUT,
    )
    return FulfillmentClient(
        config=config,
        tokens=tokens,
        recorder=record_call,
        account_id=account.pk,
        account_label=str(account),
    )


def enabled_account_ids() -> list[int]:
    """The eBay accounts whose connection takes part in the scheduled jobs."""
    return list(
        EbayConnection.objects.filter(enabled=True)
        .order_by("ebay_account__name")
        .values_list("ebay_account_id", flat=True)
    )
