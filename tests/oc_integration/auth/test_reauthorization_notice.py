"""An account whose refresh OC refused says "re-authorization required" once per page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from oc_integration.auth import tokens
from oc_integration.models import AccountOrangeConnex, AuthorizationStatus
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db
WORDS = re.compile("re-authorization required", re.IGNORECASE)


@pytest.fixture
def refused(authorized_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> AccountOrangeConnex:
    """An account OC refused to refresh, the way it happens in production."""
    oc_sandbox.control("POST", "tokens/revoke", client_id=authorized_account.client_key)
    tokens.forget_access_token(authorized_account.pk)
    with pytest.raises(tokens.ReauthorizationRequired):
        tokens.get_access_token(authorized_account.pk)
    authorized_account.refresh_from_db()
    assert authorized_account.authorization_status == AuthorizationStatus.REAUTHORIZATION_REQUIRED
    return authorized_account


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _without_filters(page: str) -> str:
    """The page minus the list filter, whose choices name every status (not an account's)."""
    return re.sub(r'<nav id="changelist-filter".*?</nav>', "", page, flags=re.S)


def _banner(page: str) -> list[str]:
    return re.findall(r'<li class="warning">(.*?)</li>', page, re.S)


@pytest.mark.parametrize(
    "page_name",
    [
        "admin:oc_integration_accountorangeconnex_change",
        "admin:oc_integration_accountorangeconnex_changelist",
        "admin:index",
        "admin:orders_order_changelist",
    ],
)
def test_re_authorization_required_appears_exactly_once(
    page_name: str, refused: AccountOrangeConnex, admin_client: Client
) -> None:
    args = [refused.pk] if page_name.endswith("_change") else []
    page = _without_filters(_page(admin_client, reverse(page_name, args=args)))
    assert len(WORDS.findall(page)) == 1
    assert "invalid_grant" in page  # the reason is there too, said once with it


@pytest.mark.parametrize("page_name", ["admin:index", "admin:orders_order_changelist"])
def test_the_home_and_orders_pages_show_the_banner(
    page_name: str, refused: AccountOrangeConnex, admin_client: Client
) -> None:
    banner = _banner(_page(admin_client, reverse(page_name)))
    assert len(banner) == 1
    assert banner[0].startswith(f"{refused.name}: re-authorization required.")
    assert "Authorize with Orange Connex" in banner[0]


def test_the_accounts_own_page_shows_its_state_but_not_the_banner(
    refused: AccountOrangeConnex, admin_client: Client
) -> None:
    url = reverse("admin:oc_integration_accountorangeconnex_change", args=[refused.pk])
    page = _page(admin_client, url)
    assert _banner(page) == []
    assert "Re-authorization required</strong>" in page
