"""Fixtures for the Sell Fulfillment API tests: eBay UK connected to the sandbox's REST API."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from ebay_orders.models import EbayConnection, OrderSource
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount


def use_source(account: EbayAccount, source: str) -> None:
    """Switch the account's connection to ``source`` (the admin's one field)."""
    EbayConnection.objects.filter(ebay_account=account).update(order_source=source)


@pytest.fixture
def rest_uk(connected: RunningSandbox, uk: EbayAccount, settings: Settings) -> EbayAccount:
    """eBay UK reading orders and reporting shipments through the sandbox's REST API."""
    settings.EBAY_SANDBOX_URL = connected.url  # the emulator environment's REST base
    use_source(uk, OrderSource.FULFILLMENT)
    return uk
