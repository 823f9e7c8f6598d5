"""The sandbox's consent page and token endpoint over real HTTP, without Hemi's client."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ebay_orders.sandbox import DEFAULT_TOKEN, RunningSandbox, running_sandbox
from hemi_fulfilment.demo.data import DEMO_EBAY_APP
from tests.ebay_orders.auth.conftest import approve

BASIC = base64.b64encode(f"{DEMO_EBAY_APP.client_id}:{DEMO_EBAY_APP.client_secret}".encode())


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(demo_orders=False) as running:
        yield running


def token(sandbox: RunningSandbox, auth: bytes = BASIC, **form: str) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/identity/v1/oauth2/token",
        data=form,
        headers={"Authorization": f"Basic {auth.decode()}"},
        timeout=5,
    )


def exchange(sandbox: RunningSandbox, code: str) -> requests.Response:
    return token(
        sandbox, grant_type="authorization_code", code=code, redirect_uri=DEMO_EBAY_APP.ru_name
    )


def trading_ack(sandbox: RunningSandbox, access_token: str) -> str:
    body = (
        '<?xml version="1.0"?><GetOrdersRequest xmlns="urn:ebay:apis:eBLBaseComponents">'
        "<OrderIDArray><OrderID>none</OrderID></OrderIDArray></GetOrdersRequest>"
    )
    answer = requests.post(
        sandbox.api_url,
        data=body,
        headers={
            "X-EBAY-API-CALL-NAME": "GetOrders",
            "X-EBAY-API-SITEID": "3",
            "X-EBAY-API-COMPATIBILITY-LEVEL": "1349",
            "X-EBAY-API-IAF-TOKEN": access_token,
        },
        timeout=5,
    )
    return answer.text


def test_the_consent_page_shows_the_app_and_scopes_with_agree_and_decline(
    sandbox: RunningSandbox,
) -> None:
    page = requests.get(
        f"{sandbox.url}/oauth2/authorize",
        params={
            "client_id": DEMO_EBAY_APP.client_id,
            "redirect_uri": DEMO_EBAY_APP.ru_name,
            "response_type": "code",
            "scope": "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
            "state": "s1",
        },
        timeout=5,
    )
    assert page.status_code == 200
    assert DEMO_EBAY_APP.name in page.text and "sell.fulfillment" in page.text
    assert 'id="approve"' in page.text and 'id="decline"' in page.text


def test_an_unknown_runame_gets_no_consent_page(sandbox: RunningSandbox) -> None:
    page = requests.get(
        f"{sandbox.url}/oauth2/authorize",
        params={
            "client_id": DEMO_EBAY_APP.client_id,
            "redirect_uri": "Nope",
            "response_type": "code",
        },
        timeout=5,
    )
    assert page.status_code == 400 and "RuName" in page.text


def test_agree_redirects_to_the_runames_address_with_code_and_state(
    sandbox: RunningSandbox,
) -> None:
    requests.post(
        f"{sandbox.url}/_sandbox/oauth/redirect",
        json={
            "client_id": DEMO_EBAY_APP.client_id,
            "ru_name": DEMO_EBAY_APP.ru_name,
            "redirect_url": "http://hemi.test/ebay/oauth/callback/",
        },
        timeout=5,
    ).raise_for_status()
    back = approve(sandbox, state="s-9")
    assert back["state"] == "s-9" and back["code"]


def test_decline_redirects_with_access_denied(sandbox: RunningSandbox) -> None:
    answer = requests.post(
        f"{sandbox.url}/oauth2/authorize",
        data={
            "client_id": DEMO_EBAY_APP.client_id,
            "redirect_uri": DEMO_EBAY_APP.ru_name,
            "response_type": "code",
            "state": "s-2",
            "decision": "decline",
        },
        allow_redirects=False,
        timeout=5,
    )
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query == {"state": ["s-2"], "error": ["access_denied"]}
    assert answer.headers["Location"].startswith(DEMO_EBAY_APP.redirect_url)


def test_codes_are_single_use_and_need_the_client_credentials(sandbox: RunningSandbox) -> None:
    code = approve(sandbox)["code"]
    wrong = base64.b64encode(f"{DEMO_EBAY_APP.client_id}:wrong".encode())
    refused = token(
        sandbox,
        wrong,
        grant_type="authorization_code",
        code=code,
        redirect_uri=DEMO_EBAY_APP.ru_name,
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    first = exchange(sandbox, code)
    assert first.status_code == 200
    granted = first.json()
    assert granted["expires_in"] == 7200 and granted["refresh_token_expires_in"] == 47304000
    again = exchange(sandbox, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_codes_expire_after_five_minutes_on_the_sandbox_clock(sandbox: RunningSandbox) -> None:
    code = approve(sandbox)["code"]
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 300}, timeout=5)
    assert exchange(sandbox, code).json()["error"] == "invalid_grant"


def test_access_tokens_expire_on_the_clock_and_are_refreshed_until_revoked(
    sandbox: RunningSandbox,
) -> None:
    granted = exchange(sandbox, approve(sandbox)["code"]).json()
    assert "<Ack>Success</Ack>" in trading_ack(sandbox, granted["access_token"])
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 7201}, timeout=5)
    expired = trading_ack(sandbox, granted["access_token"])
    assert "<ErrorCode>21916984</ErrorCode>" in expired
    assert sandbox.state.token_is_valid(granted["access_token"]) is False
    refreshed = token(sandbox, grant_type="refresh_token", refresh_token=granted["refresh_token"])
    assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
    assert "<Ack>Success</Ack>" in trading_ack(sandbox, refreshed.json()["access_token"])
    revoked = requests.post(f"{sandbox.url}/_sandbox/oauth/revoke", json={}, timeout=5).json()
    assert revoked == {"revoked": 1}
    again = token(sandbox, grant_type="refresh_token", refresh_token=granted["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "<ErrorCode>931</ErrorCode>" in trading_ack(sandbox, refreshed.json()["access_token"])


def test_the_pasted_default_token_is_accepted_whatever_the_clock_says(
    sandbox: RunningSandbox,
) -> None:
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 10**8}, timeout=5)
    assert sandbox.state.token_is_valid(DEFAULT_TOKEN)
    assert "<Ack>Success</Ack>" in trading_ack(sandbox, DEFAULT_TOKEN)
    assert not sandbox.state.token_is_valid("") and not sandbox.state.token_is_valid("made-up")
