"""Demo data for eBay orders: connections of the demo eBay accounts to the eBay sandbox."""

from __future__ import annotations

from ebay_orders.models import EbayConnection, EbayEnvironment
from ebay_orders.sandbox import API_PATH, DEFAULT_TOKEN
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.demo.data import DEMO_EBAY_APP

DEMO_SITE_CODES = ("UK", "DE")


def seed_demo_connections(sandbox_url: str) -> None:
    """Give the demo eBay UK and DE accounts a connection to the sandbox at ``sandbox_url``.

    Idempotent: an existing connection keeps its cursor and enabled flag; its URL is
    pointed at the sandbox and its token set to the sandbox's default token only when
    none is stored (a token someone entered by hand is kept). The connections use the
    emulator environment and the demo application the sandbox knows, so "Connect to
    eBay" works at once; until someone connects, the pasted default token serves.
    """
    api_url = sandbox_url.rstrip("/") + API_PATH
    for account in EbayAccount.objects.filter(site_code__in=DEMO_SITE_CODES):
        connection, _ = EbayConnection.objects.get_or_create(ebay_account=account)
        fields = []
        if connection.api_url != api_url:
            connection.api_url = api_url
            fields.append("api_url")
        if not connection.user_token and not connection.refresh_token:
            connection.user_token = DEFAULT_TOKEN
            fields.append("user_token")
        if connection.environment != EbayEnvironment.EMULATOR:
            connection.environment = EbayEnvironment.EMULATOR
            fields.append("environment")
        if not connection.client_id:
            connection.client_id = DEMO_EBAY_APP.client_id
            connection.ru_name = DEMO_EBAY_APP.ru_name
            connection.client_secret = DEMO_EBAY_APP.client_secret
            fields += ["client_id", "ru_name", "client_secret"]
        if fields:
            connection.save(update_fields=[*fields, "updated"])
