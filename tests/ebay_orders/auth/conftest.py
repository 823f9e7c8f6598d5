"""Fixtures for consent and tokens: the eBay sandbox as the emulator environment, and a
connection that went through the sandbox's consent page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from pytest_django.fixtures import Settings

from ebay_orders.auth.consent import exchange_code
from ebay_orders.models import EbayConnection
from ebay_orders.sandbox import RunningSandbox
from hemi_fulfilment.demo.data import DEMO_EBAY_APP
from tests.ebay_orders.conftest import connection_of


@pytest.fixture
def emulator(connected: RunningSandbox, settings: Settings) -> RunningSandbox:
    """The demo connections, pointed at the sandbox for consent and tokens too."""
    settings.EBAY_SANDBOX_URL = connected.url
    settings.EBAY_TOKEN_RETRY_BACKOFF_SECONDS = 0.01
    settings.ADMINS = [("Ops", "ops@example.com")]
    return connected


def approve(sandbox: RunningSandbox, *, state: str = "s", scope: str = "") -> dict[str, str]:
    """Press Agree on the sandbox's consent page; the query eBay redirects back with."""
    scope = scope or "https://api.ebay.com/oauth/api_scope/sell.fulfillment"
    answer = requests.post(
        f"{sandbox.url}/oauth2/authorize",
        data=urlencode(
            {
                "client_id": DEMO_EBAY_APP.client_id,
                "redirect_uri": DEMO_EBAY_APP.ru_name,
                "response_type": "code",
                "scope": scope,
                "state": state,
                "decision": "approve",
            }
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    return {k: v[-1] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def token_requests(sandbox: RunningSandbox, grant_type: str = "") -> int:
    """How many token requests the sandbox got (of ``grant_type`` only, when given)."""
    with sandbox.state.oauth.lock:
        return sum(
            1
            for request in sandbox.state.oauth.token_requests
            if grant_type in ("", request["grant_type"])
        )


@pytest.fixture
def consented(emulator: RunningSandbox) -> EbayConnection:
    """eBay UK's connection, connected through the sandbox's consent."""
    connection = EbayConnection.objects.select_related("ebay_account").get(
        ebay_account__site_code="UK"
    )
    exchange_code(connection, approve(emulator)["code"])
    return connection_of(connection.ebay_account)
