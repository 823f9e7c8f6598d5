"""Authorizing an OC account from the admin: button, callback, paste path, permissions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oc_integration.client.codes import decode_until_stable, raw_query_params
from oc_integration.models import (
    AccountOrangeConnex,
    AuthorizationStatus,
    OAuthAuthorizationRequest,
)
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db


def _start(client: Client, account: AccountOrangeConnex) -> str:
    response = client.post(
        reverse("admin:oc_integration_accountorangeconnex_authorize", args=[account.pk])
    )
    assert response.status_code == 302
    return response["Location"]


def _callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def test_authorize_button_sends_the_browser_to_oc_with_a_fresh_state(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    location = _start(manager_client, oc_account)
    assert location.startswith(f"{oc_sandbox.url}/oauth/authorize?")
    params = {
        k: decode_until_stable(v) for k, v in raw_query_params(urlsplit(location).query).items()
    }
    assert params["response_type"] == "code"
    assert params["client_id"] == oc_account.client_key
    assert params["redirect_uri"] == oc_account.redirect_uri
    assert len(params["state"]) >= 22  # >= 128 random bits, url-safe base64
    assert (
        params["state"]
        != raw_query_params(urlsplit(_start(manager_client, oc_account)).query)["state"]
    )


def test_the_happy_path_ends_authorized_with_the_code_out_of_the_address_bar(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    redirect = oc_sandbox.approve(_start(manager_client, oc_account))
    assert "%252B" in redirect or "%2B" in redirect  # OC's percent-encoded code

    response = manager_client.get(_callback_path(redirect), follow=True)

    assert response.redirect_chain[0][0] == reverse(
        "admin:oc_integration_accountorangeconnex_change", args=[oc_account.pk]
    )
    assert "is now authorized with Orange Connex" in response.content.decode()
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.AUTHORIZED
    assert oc_account.refresh_token and oc_account.refresh_token_expires_at
    # The JWT's exp: about a year ahead.
    assert 360 <= (oc_account.refresh_token_expires_at - timezone.now()).days <= 366
    assert oc_sandbox.token_requests("authorization_code") == 1


def test_replaying_a_used_callback_is_refused_without_a_token_request(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    path = _callback_path(oc_sandbox.approve(_start(manager_client, oc_account)))
    manager_client.get(path)
    response = manager_client.get(path)
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert oc_sandbox.token_requests() == 1


def _bad_state_cases() -> list[Any]:
    return ["missing", "unknown", "expired", "other-session"]


@pytest.mark.parametrize("case", _bad_state_cases())
def test_a_bad_state_gives_a_clear_400_and_no_token_request(
    case: str,
    manager_client: Client,
    account_manager: User,
    oc_account: AccountOrangeConnex,
    oc_sandbox: Sandbox,
) -> None:
    redirect = oc_sandbox.approve(_start(manager_client, oc_account))
    params = raw_query_params(urlsplit(redirect).query)
    client = manager_client
    if case == "missing":
        path = f"{CALLBACK}?act=getAuthorizationCode&code={params['code']}"
    elif case == "unknown":
        path = f"{CALLBACK}?act=getAuthorizationCode&code={params['code']}&state=forged-state-value"
    else:
        path = _callback_path(redirect)
        if case == "expired":
            OAuthAuthorizationRequest.objects.update(expires_at=timezone.now())
        else:
            client = Client()
            client.force_login(account_manager)  # same person, another browser session
    response = client.get(path)

    assert response.status_code == 400
    expected = {
        "missing": "carries no state",
        "unknown": "unknown here",
        "expired": "expired",
        "other-session": "another browser session",
    }[case]
    page = response.content.decode()
    assert expected in page
    assert decode_until_stable(params["code"]) not in page
    assert oc_sandbox.token_requests() == 0
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.NOT_AUTHORIZED


CALLBACK = "/oc/oauth/callback/"


def test_a_declined_authorization_says_so_and_changes_nothing(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    redirect = oc_sandbox.approve(_start(manager_client, oc_account), decision="deny")
    assert "error=access_denied" in redirect
    response = manager_client.get(_callback_path(redirect), follow=True)
    assert "authorization was declined" in response.content.decode()
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.NOT_AUTHORIZED
    assert oc_sandbox.token_requests() == 0


@pytest.mark.parametrize("encodings", [0, 1, 2])
def test_the_paste_path_accepts_a_code_encoded_zero_one_or_two_times(
    encodings: int, manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    code = decode_until_stable(oc_sandbox.fresh_code(oc_account))
    assert "+" in code
    for _ in range(encodings):
        code = quote(code, safe="")
    url = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[oc_account.pk])
    response = manager_client.post(url, {"pasted": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.AUTHORIZED


def test_the_paste_path_accepts_the_whole_redirected_address(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    redirect = oc_sandbox.approve(_start(manager_client, oc_account))
    url = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[oc_account.pk])
    assert manager_client.post(url, {"pasted": redirect}).status_code == 302
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.AUTHORIZED


def test_a_refused_pasted_code_is_shown_in_words(
    manager_client: Client, oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    url = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[oc_account.pk])
    response = manager_client.post(url, {"pasted": "not-a-real-code"})
    assert response.status_code == 200
    assert "did not accept the authorization code" in response.content.decode()
    oc_account.refresh_from_db()
    assert oc_account.authorization_status == AuthorizationStatus.NOT_AUTHORIZED


def test_staff_without_the_permission_can_neither_start_paste_nor_complete(
    oc_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    clerk = User.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
    client = Client()
    client.force_login(clerk)
    start = reverse("admin:oc_integration_accountorangeconnex_authorize", args=[oc_account.pk])
    paste = reverse("admin:oc_integration_accountorangeconnex_paste_code", args=[oc_account.pk])
    assert client.post(start).status_code == 403
    assert client.post(paste, {"pasted": "x"}).status_code == 403
    assert client.get(f"{CALLBACK}?act=getAuthorizationCode&code=x&state=y").status_code == 403
    assert OAuthAuthorizationRequest.objects.count() == 0
    assert oc_sandbox.token_requests() == 0


def test_the_account_page_warns_when_the_redirect_uri_does_not_reach_this_callback(
    manager_client: Client, oc_account: AccountOrangeConnex
) -> None:
    change = reverse("admin:oc_integration_accountorangeconnex_change", args=[oc_account.pk])
    assert 'id="redirect-uri-warning"' not in manager_client.get(change).content.decode()
    oc_account.redirect_uri = "https://elsewhere.example.com/callback"
    oc_account.save()
    assert 'id="redirect-uri-warning"' in manager_client.get(change).content.decode()
