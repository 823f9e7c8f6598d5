"""An account manager connects an eBay account through eBay's consent, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from ebay_orders.demo import seed_demo_connections
from ebay_orders.models import ConnectionStatus, EbayConnection
from ebay_orders.sandbox import RunningSandbox, running_sandbox
from hemi_fulfilment.demo.data import DEMO_EBAY_APP
from tests.e2e.conftest import Screenshots, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ebay_emulator(demo_data: None, live_server: Any, settings: Any) -> Iterator[RunningSandbox]:
    """The eBay sandbox with the demo connections, sending consent back to this server."""
    with running_sandbox(demo_orders=False) as sandbox:
        settings.EBAY_SANDBOX_URL = sandbox.url
        settings.PUBLIC_BASE_URL = live_server.url
        seed_demo_connections(sandbox.url)
        sandbox.state.oauth.set_redirect(
            DEMO_EBAY_APP.client_id,
            DEMO_EBAY_APP.ru_name,
            f"{live_server.url}/ebay/oauth/callback/",
        )
        yield sandbox


def test_an_account_manager_connects_an_ebay_account_through_consent(
    page: Any,
    live_server: Any,
    manager: User,
    ebay_emulator: RunningSandbox,
    screenshot: Screenshots,
) -> None:
    connection = EbayConnection.objects.get(ebay_account__site_code="UK")
    log_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/admin/ebay_orders/ebayconnection/{connection.pk}/change/")
    assert "stops working about two hours" in page.inner_text("#connection-notice")
    page.click("#connect-to-ebay")
    page.wait_for_selector("#approve")
    assert page.url.startswith(f"{ebay_emulator.url}/oauth2/authorize?")
    assert DEMO_EBAY_APP.name in page.content() and "sell.fulfillment" in page.content()
    screenshot(page, "ebay-consent")
    page.click("#approve")
    page.wait_for_selector(".messagelist .success")
    assert "Connected to eBay" in page.inner_text(".messagelist")
    assert "code=" not in page.url and page.url.endswith(f"/{connection.pk}/change/")
    assert "Reconnect to eBay" in page.inner_text("#connect-to-ebay")
    page.goto(f"{live_server.url}/admin/ebay_orders/ebayconnection/")
    listed = page.inner_text("#result_list")
    assert "Connected until" in listed and "refresh token valid until" in listed
    screenshot(page, "ebay-connected")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.access_token not in page.content()
