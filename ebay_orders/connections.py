"""Building eBay clients for a connection: the one place models meet the client layer."""

from __future__ import annotations

from django.conf import settings

from ebay_orders.client import TradingClient, TradingConfig
from ebay_orders.endpoints import endpoints_for
from ebay_orders.models import EbayConnection
from hemi_fulfilment.apilog.recorder import record_call
from hemi_fulfilment.integration_errors import NoUsableToken


class ConnectionNotReady(NoUsableToken):
    """The connection cannot be used now: disabled, never connected, or its token is gone."""


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


def tokens_for(connection: EbayConnection) -> PastedToken:
    """The token provider for ``connection``.

    Raises :class:`ConnectionNotReady` when it holds no token at all.
    """
    if not connection.user_token:
        raise ConnectionNotReady(
            f"{connection.ebay_account}: not connected to eBay yet. Click Connect to eBay on "
            "the connection page."
        )
    return PastedToken(connection)


def client_for(connection: EbayConnection) -> TradingClient:
    """A Trading API client for ``connection`` that records every call in the API call log.

    Raises :class:`ConnectionNotReady` when no token can be had.
    """
    account = connection.ebay_account
    tokens = tokens_for(connection)
    config = TradingConfig(
        api_url=endpoints_for(connection).trading_url,
        site_id=account.site_id,
        compatibility_level=settings.EBAY_COMPATIBILITY_LEVEL,
        connect_timeout=settings.EBAY_CONNECT_TIMEOUT,
        read_timeout=settings.EBAY_READ_TIMEOUT,
    )
    return TradingClient(
        config=config,
        token=tokens.access_token(),
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
