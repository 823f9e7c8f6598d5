"""OC test fixtures: the OC sandbox over real HTTP and accounts pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.models import Permission, User
from django.test import Client

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT
from oc_integration.auth.authorization import exchange_code
from oc_integration.client.codes import decode_until_stable, raw_query_params
from oc_integration.models import AccountOrangeConnex, Environment
from oc_integration.sandbox import running_sandbox
from oc_integration.stock.regions import start_region_mappings
from tests.oc_integration.factories import ebay_sites

CALLBACK_PATH = "/oc/oauth/callback/"


class Sandbox:
    """The running OC sandbox and its control API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, method: str, path: str, **payload: Any) -> Any:
        response = requests.request(
            method, f"{self.url}/_sandbox/{path}", json=payload or None, timeout=10
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def fault(self, endpoint: str, kind: str, **options: Any) -> None:
        self.control("POST", "faults", endpoint=endpoint, kind=kind, **options)

    def token_requests(self, grant_type: str | None = None) -> int:
        calls = self.control("GET", "calls")["calls"]
        return sum(
            1
            for c in calls
            if c["path"] == "/oauth/token"
            and (grant_type is None or c.get("grant_type") == grant_type)
        )

    def count(self, method: str, path: str) -> int:
        """How many calls of ``method path`` reached the sandbox."""
        return int(self.control("GET", "calls")["counts"].get(f"{method} {path}", 0))

    def orders(self) -> list[dict[str, Any]]:
        """Every outbound order the sandbox holds."""
        return list(self.control("GET", "outbound")["orders"])

    def approve(self, authorize_url: str, *, decision: str = "approve") -> str:
        """Press Approve (or Deny) on the sandbox's consent page; return where OC redirects."""
        params = raw_query_params(urlsplit(authorize_url).query)
        form = {
            k: decode_until_stable(v)
            for k, v in params.items()
            if k in {"client_id", "redirect_uri", "state"}
        }
        response = requests.post(
            f"{self.url}/oauth/authorize",
            data={**form, "decision": decision},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def fresh_code(self, account: AccountOrangeConnex, state: str = "direct") -> str:
        """An authorization code as it appears in the redirect (still percent-encoded)."""
        location = self.approve(
            f"{self.url}/oauth/authorize?response_type=code&client_id={account.client_key}"
            f"&redirect_uri={account.redirect_uri}&state={state}"
        )
        return raw_query_params(urlsplit(location).query)["code"]


@pytest.fixture
def oc_sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as running:
        yield Sandbox(running.url)


@pytest.fixture
def oc_account(db: None, oc_sandbox: Sandbox, settings: Any) -> AccountOrangeConnex:
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.OC_TOKEN_RETRY_BACKOFF_SECONDS = 0.01
    account = AccountOrangeConnex(
        name="OC UK (test)",
        environment=Environment.SANDBOX,
        api_base_url=f"{oc_sandbox.url}/openapi",
        oauth_base_url=oc_sandbox.url,
        client_key=DEMO_OC_ACCOUNT.client_key,
        redirect_uri=f"http://testserver{CALLBACK_PATH}",
    )
    account.secret_key = DEMO_OC_ACCOUNT.secret_key
    account.save()
    ebay_sites()  # the eBay accounts its regions serve (OC_REGION_EBAY_SITES)
    start_region_mappings(account)
    return account


@pytest.fixture
def authorized_account(oc_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    exchange_code(oc_account, decode_until_stable(oc_sandbox.fresh_code(oc_account)))
    oc_account.refresh_from_db()
    return oc_account


@pytest.fixture
def account_manager(db: None) -> User:
    """Staff with the OC permissions an account manager has."""
    user = User.objects.create_user("manager", password="pw-manager-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="oc_integration"))
    return user


@pytest.fixture
def manager_client(account_manager: User) -> Client:
    client = Client()
    client.force_login(account_manager)
    return client


@pytest.fixture
def demo_account(demo_data: None, oc_sandbox: Sandbox, settings: Any) -> AccountOrangeConnex:
    """The seeded demo OC account, pointed at this test's sandbox and authorized."""
    settings.OC_TOKEN_RETRY_BACKOFF_SECONDS = 0.01
    settings.OC_READ_TIMEOUT = 2
    account = AccountOrangeConnex.objects.get(name=DEMO_OC_ACCOUNT.name)
    account.api_base_url = f"{oc_sandbox.url}/openapi"
    account.oauth_base_url = oc_sandbox.url
    account.save()
    exchange_code(account, decode_until_stable(oc_sandbox.fresh_code(account)))
    return account
