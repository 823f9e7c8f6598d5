"""Building a Trading API client for an eBay connection, from the settings and the stored token."""

from __future__ import annotations

from django.conf import settings

from ebay_orders.client import TradingClient, TradingConfig
from ebay_orders.models import EbayConnection
from hemi_fulfilment.apilog.recorder import record_call


class ConnectionNotReady(Exception):
    """The connection cannot be used: disabled or without a token."""


def client_for(connection: EbayConnection) -> TradingClient:
    """A client for ``connection`` that records every call in the API call log.

    Raises :class:`ConnectionNotReady` when no OAuth user token is stored.
    """
    account = connection.ebay_account
    if not connection.user_token:
        raise ConnectionNotReady(
            f"{account}: no eBay OAuth user token is stored; enter one under eBay connections."
        )
    config = TradingConfig(
        api_url=connection.api_url or settings.EBAY_TRADING_API_URL,
        site_id=account.site_id,
        compatibility_level=settings.EBAY_COMPATIBILITY_LEVEL,
        connect_timeout=settings.EBAY_CONNECT_TIMEOUT,
        read_timeout=settings.EBAY_READ_TIMEOUT,
    )
    return TradingClient(
        config=config,
        token=connection.user_token,
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
