"""eBay's OAuth client and the Trading client's token renewal, against canned answers."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from ebay_orders.client import (
    EbayHttpError,
    EbayTokenNotRenewed,
    TradingClient,
    TradingConfig,
)
from ebay_orders.client.oauth import (
    EbayGrantRevoked,
    EbayOAuthClient,
    EbayOAuthError,
    EbayOAuthUnavailable,
    OAuthApp,
)
from hemi_fulfilment.apilog.recorder import _row
from hemi_fulfilment.apilog.records import CallRecord, Outcome
from hemi_fulfilment.integration_errors import NoUsableToken
from tests.ebay_orders.test_client import EMPTY_PAGE, END, START, envelope, error

API = "https://api.ebay.invalid"
TOKEN_URL = f"{API}/identity/v1/oauth2/token"
TRADING_URL = f"{API}/ws/api.dll"
SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"
CODE = "v^1.1#i^1#f^0#r^1#I^3#p^3#t^Ul41XzEwOjFBQkM0NTY3ODkwcodecode"
REFRESH = "v^1.1#i^1#r^1#f^0#p^3#I^3#t^Ul4xMF81OjI0MjJGNThrefreshrefresh"
ACCESS = "v^1.1#i^1#p^3#r^0#f^0#I^3#t^H4sIAAAAAAAAAOVYa2wUVRTutaccess"


@pytest.fixture
def records() -> list[CallRecord]:
    return []


@pytest.fixture
def oauth(records: list[CallRecord]) -> EbayOAuthClient:
    app = OAuthApp(
        client_id="Hemi-App-PRD-1",
        client_secret="PRD-cert-secret-1",
        ru_name="Hemi-Hemi-App-PRD-abc",
        auth_url="https://auth.ebay.invalid/",
        api_url=API,
    )
    return EbayOAuthClient(app, recorder=records.append, account_id=3, account_label="eBay UK")


def form_of(call: responses.Call) -> dict[str, str]:
    body = call.request.body
    text = body.decode() if isinstance(body, bytes) else str(body)
    return {k: v[-1] for k, v in parse_qs(text).items()}


def test_the_consent_url_names_the_app_the_runame_the_scopes_and_the_state(
    oauth: EbayOAuthClient,
) -> None:
    url = oauth.consent_url(scopes=f"{SCOPE}  https://api.ebay.com/oauth/api_scope", state="st-1")
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == "https://auth.ebay.invalid/oauth2/authorize"
    )
    assert query == {
        "client_id": "Hemi-App-PRD-1",
        "redirect_uri": "Hemi-Hemi-App-PRD-abc",
        "response_type": "code",
        "scope": f"{SCOPE} https://api.ebay.com/oauth/api_scope",
        "state": "st-1",
    }
    assert "%20" in parts.query  # spaces, not plus signs, between the scopes


@responses.activate
def test_the_code_exchange_uses_basic_auth_and_the_runame_and_returns_both_tokens(
    oauth: EbayOAuthClient, records: list[CallRecord]
) -> None:
    responses.post(
        TOKEN_URL,
        json={
            "access_token": ACCESS,
            "expires_in": 7200,
            "refresh_token": REFRESH,
            "refresh_token_expires_in": 47304000,
            "token_type": "User Access Token",
        },
    )
    grant = oauth.exchange_code(CODE)
    assert (grant.access_token, grant.expires_in) == (ACCESS, 7200)
    assert (grant.refresh_token, grant.refresh_token_expires_in) == (REFRESH, 47304000)
    call = responses.calls[0]
    expected = base64.b64encode(b"Hemi-App-PRD-1:PRD-cert-secret-1").decode()
    assert call.request.headers["Authorization"] == f"Basic {expected}"
    assert form_of(call) == {
        "grant_type": "authorization_code",
        "code": CODE,
        "redirect_uri": "Hemi-Hemi-App-PRD-abc",
    }
    assert ACCESS not in repr(grant) and REFRESH not in repr(grant)
    assert [r.operation for r in records] == ["oauth.authorization_code"]


@responses.activate
def test_a_refresh_sends_the_refresh_token_and_scopes_and_keeps_no_new_refresh_token(
    oauth: EbayOAuthClient,
) -> None:
    responses.post(TOKEN_URL, json={"access_token": ACCESS, "expires_in": 7200})
    grant = oauth.refresh(REFRESH, scopes=SCOPE)
    assert grant.access_token == ACCESS and grant.refresh_token == ""
    assert form_of(responses.calls[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "scope": SCOPE,
    }


@responses.activate
def test_invalid_grant_is_a_revoked_grant_with_ebays_reason(oauth: EbayOAuthClient) -> None:
    responses.post(
        TOKEN_URL,
        status=400,
        json={
            "error": "invalid_grant",
            "error_description": "the provided authorization refresh token is invalid or was "
            "issued to another client",
        },
    )
    with pytest.raises(EbayGrantRevoked) as caught:
        oauth.refresh(REFRESH, scopes=SCOPE)
    assert not caught.value.retryable and caught.value.error == "invalid_grant"
    assert str(caught.value) == (
        "eBay refused the token request: invalid_grant (the provided authorization refresh "
        "token is invalid or was issued to another client)."
    )


@responses.activate
def test_a_wrong_client_secret_is_refused_but_not_a_revoked_grant(oauth: EbayOAuthClient) -> None:
    responses.post(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": "client authentication failed"},
    )
    with pytest.raises(EbayOAuthError) as caught:
        oauth.exchange_code(CODE)
    assert not isinstance(caught.value, EbayGrantRevoked)
    assert caught.value.error == "invalid_client" and not caught.value.retryable


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "body": "<html>busy</html>"},
        {"status": 429, "json": {"errors": []}},
        {"body": requests.ConnectTimeout("slow")},
        {"body": requests.ConnectionError("refused")},
    ],
    ids=["http_503", "http_429", "timeout", "refused"],
)
@responses.activate
def test_server_errors_and_transport_failures_are_retryable(
    oauth: EbayOAuthClient, records: list[CallRecord], answer: dict[str, object]
) -> None:
    responses.post(TOKEN_URL, **answer)
    with pytest.raises(EbayOAuthUnavailable) as caught:
        oauth.refresh(REFRESH, scopes=SCOPE)
    assert caught.value.retryable
    assert len(records) == 1 and records[0].error_message


@responses.activate
def test_every_token_request_is_recorded_once_without_secrets(
    oauth: EbayOAuthClient, records: list[CallRecord]
) -> None:
    responses.post(
        TOKEN_URL,
        json={"access_token": ACCESS, "expires_in": 7200, "refresh_token": REFRESH},
    )
    oauth.exchange_code(CODE)
    (record,) = records
    assert record.outcome == Outcome.SUCCESS and record.http_status == 200
    row = _row(record)
    stored = json.dumps(
        [row.request_headers, row.request_body, row.response_body, row.url, row.error_message]
    )
    for secret in (ACCESS, REFRESH, CODE, "PRD-cert-secret-1", "UFJELWNlcnQtc2VjcmV0LTE"):
        assert secret not in stored
    assert "authorization_code" in stored and "Hemi-Hemi-App-PRD-abc" in stored


# --- the Trading client renews a refused token once ---------------------------------------
class CountingTokens:
    """A provider that hands out ``first``, then ``fresh`` when asked to renew."""

    def __init__(self, first: str, fresh: str = "", fail: str = "") -> None:
        self.current = first
        self.fresh = fresh
        self.fail = fail
        self.renewals: list[str] = []

    def access_token(self) -> str:
        return self.current

    def renew_after_rejection(self, rejected_token: str) -> str:
        self.renewals.append(rejected_token)
        if self.fail:
            raise NoUsableToken(self.fail)
        self.current = self.fresh
        return self.fresh


def trading(tokens: CountingTokens, records: list[CallRecord]) -> TradingClient:
    config = TradingConfig(
        api_url=TRADING_URL, site_id=3, compatibility_level=1349, connect_timeout=3, read_timeout=7
    )
    return TradingClient(config=config, tokens=tokens, recorder=records.append)


def get_orders(client: TradingClient) -> object:
    return client.get_orders(mod_time_from=START, mod_time_to=END, page_number=1)


@pytest.mark.parametrize(
    "refusal",
    [
        {
            "body": envelope(
                "GetOrders", "Failure", error("21916984", "IAF token supplied is expired")
            )
        },
        {"body": envelope("GetOrders", "Failure", error("931", "Auth token is invalid"))},
        {"status": 401, "body": "Unauthorized"},
    ],
    ids=["iaf_expired", "auth_token_invalid", "http_401"],
)
@responses.activate
def test_a_refused_token_is_renewed_once_and_the_call_sent_once_more(
    records: list[CallRecord], refusal: dict[str, object]
) -> None:
    responses.post(TRADING_URL, **refusal)
    responses.post(TRADING_URL, body=envelope("GetOrders", "Success", content=EMPTY_PAGE))
    tokens = CountingTokens("old-token", fresh="new-token")
    get_orders(trading(tokens, records))
    assert tokens.renewals == ["old-token"]
    sent = [call.request.headers["X-EBAY-API-IAF-TOKEN"] for call in responses.calls]
    assert sent == ["old-token", "new-token"]
    assert [r.outcome for r in records] == [Outcome.TOKEN_REJECTED, Outcome.SUCCESS]


@responses.activate
def test_a_token_refused_again_after_renewal_is_not_renewed_a_second_time(
    records: list[CallRecord],
) -> None:
    responses.post(TRADING_URL, status=401, body="Unauthorized")
    tokens = CountingTokens("old-token", fresh="new-token")
    with pytest.raises(EbayHttpError):
        get_orders(trading(tokens, records))
    assert tokens.renewals == ["old-token"] and len(responses.calls) == 2


@responses.activate
def test_when_no_fresh_token_can_be_had_the_error_says_why(records: list[CallRecord]) -> None:
    responses.post(
        TRADING_URL, body=envelope("GetOrders", "Failure", error("931", "Auth token is invalid"))
    )
    tokens = CountingTokens("old-token", fail="eBay UK: Reconnect required.")
    with pytest.raises(EbayTokenNotRenewed) as caught:
        get_orders(trading(tokens, records))
    assert str(caught.value) == "eBay UK: Reconnect required."
    assert caught.value.codes == ["931"] and len(responses.calls) == 1


@responses.activate
def test_other_errors_do_not_renew_the_token(records: list[CallRecord]) -> None:
    responses.post(TRADING_URL, status=500, body="oops")
    tokens = CountingTokens("old-token", fresh="new-token")
    with pytest.raises(EbayHttpError):
        get_orders(trading(tokens, records))
    assert tokens.renewals == [] and len(responses.calls) == 1
