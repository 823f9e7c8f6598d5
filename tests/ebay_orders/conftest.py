"""Fixtures for the eBay orders tests: a live sandbox and the demo accounts connected to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from ebay_orders.demo import seed_demo_connections
from ebay_orders.models import EbayConnection
from ebay_orders.sandbox import RunningSandbox, running_sandbox
from hemi_fulfilment.catalog.models import EbayAccount


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """The eBay sandbox on a free port: 8 seller-fulfilled and 4 eBay-fulfilled orders per site.

    Only generated orders, without the demo's own (``demo_sandbox`` has those), so that
    what an import finds is exactly this mix.
    """
    with running_sandbox(timeout_seconds=1.5, demo_orders=False) as running:
        yield running


@pytest.fixture
def connected(demo_data: None, sandbox: RunningSandbox, settings: Settings) -> RunningSandbox:
    """The demo data, with eBay UK and DE connected to the sandbox."""
    settings.EBAY_READ_TIMEOUT = 0.5  # the sandbox's timeout fault sleeps 1.5 s
    seed_demo_connections(sandbox.url)
    return sandbox


@pytest.fixture
def demo_sandbox(demo_data: None, settings: Settings) -> Iterator[RunningSandbox]:
    """The demo as ``make demo`` starts it: the demo data, and the eBay sandbox as
    ``manage.py ebay_sandbox`` runs it (the demo's own eBay orders among its orders),
    eBay UK and DE connected to it."""
    settings.EBAY_READ_TIMEOUT = 0.5
    with running_sandbox(timeout_seconds=1.5) as running:
        seed_demo_connections(running.url)
        yield running


@pytest.fixture
def uk(connected: RunningSandbox) -> EbayAccount:
    """The demo eBay UK account (site 3)."""
    return EbayAccount.objects.get(site_code="UK")


def connection_of(account: EbayAccount) -> EbayConnection:
    """The account's connection, fresh from the database."""
    return EbayConnection.objects.get(ebay_account=account)
