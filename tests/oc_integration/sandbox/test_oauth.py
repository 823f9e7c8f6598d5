"""The sandbox's OAuth endpoints behave like OC's (Spring Security OAuth2) server."""

from __future__ import annotations

import base64
import time
from urllib.parse import unquote, urlsplit

import jwt
import pytest
import requests

from oc_integration.sandbox import OcSandbox, RunningSandbox, SandboxConfig, running_sandbox

from .helpers import (
    KEY,
    REDIRECT_URI,
    SECRET,
    SNAPSHOT,
    TIMEOUT,
    api,
    approve,
    control,
    decode_fully,
    fresh_code,
    raw_params,
    token_request,
    tokens,
)


def _code_grant(url: str, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    return token_request(
        url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri, client_id=KEY
    )


def test_authorize_page_shows_the_client_the_redirect_uri_and_approve_deny_buttons(
    oc: RunningSandbox,
) -> None:
    response = requests.get(
        f"{oc.url}/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": KEY,
            "redirect_uri": REDIRECT_URI + "?a=1&b=2",
            "state": "xyz",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert "<title>Orange Connex (sandbox) — authorize</title>" in response.text
    assert KEY in response.text
    assert REDIRECT_URI + "?a=1&amp;b=2" in response.text
    assert 'id="approve"' in response.text and 'id="deny"' in response.text
    assert 'method="post" action="/oauth/authorize"' in response.text
    assert 'name="state" value="xyz"' in response.text


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"response_type": "code", "client_id": "nobody"}, "Unknown client_id"),
        ({"response_type": "token", "client_id": KEY}, "response_type must be code"),
        ({"response_type": "code", "client_id": KEY, "redirect_uri": "/relative"}, "absolute"),
    ],
)
def test_authorize_page_refuses_unknown_clients_and_wrong_requests_with_a_400_page(
    oc: RunningSandbox, params: dict[str, str], reason: str
) -> None:
    query = {"redirect_uri": REDIRECT_URI, "state": "s", **params}
    response = requests.get(f"{oc.url}/oauth/authorize", params=query, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert reason in response.text


def test_approval_redirects_with_act_state_and_a_twice_encoded_code_containing_plus(
    oc: RunningSandbox,
) -> None:
    state = "a b+c/d&e"
    location = approve(oc.url, state=state)
    assert location.startswith(REDIRECT_URI + "?act=getAuthorizationCode&code=")
    params = raw_params(urlsplit(location).query)
    assert "%252B" in params["code"]  # "+" encoded twice, like the seed's test code
    code = decode_fully(params["code"])
    assert "+" in code and "/" in code and " " not in code
    assert unquote(params["state"]) == state


def test_approval_appends_to_a_redirect_uri_that_already_has_a_query(oc: RunningSandbox) -> None:
    location = approve(oc.url, redirect_uri=REDIRECT_URI + "?account=7")
    assert location.startswith(REDIRECT_URI + "?account=7&act=getAuthorizationCode&code=")


def test_denial_redirects_with_access_denied_and_the_state(oc: RunningSandbox) -> None:
    location = approve(oc.url, state="s1", decision="deny")
    params = raw_params(urlsplit(location).query)
    assert params["error"] == "access_denied"
    assert params["state"] == "s1"
    assert "code" not in params


def test_code_grant_returns_oc_shaped_jwt_tokens(oc: RunningSandbox) -> None:
    result = tokens(oc.url)
    assert set(result) == {"access_token", "token_type", "refresh_token", "expires_in", "scope"}
    assert result["token_type"] == "bearer" and result["expires_in"] == 3600
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == KEY and claims["scope"] == ["all"]
    assert {"exp", "user_name", "jti"} <= set(claims)
    assert claims["exp"] == pytest.approx(time.time() + 3600, abs=5)
    refresh = jwt.decode(result["refresh_token"], options={"verify_signature": False})
    assert refresh["exp"] == pytest.approx(time.time() + 365 * 86400, abs=5)
    assert refresh["jti"] != claims["jti"]


def test_a_code_can_be_used_only_once(oc: RunningSandbox) -> None:
    code = fresh_code(oc.url)
    assert _code_grant(oc.url, code).status_code == 200
    again = _code_grant(oc.url, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_code_whose_plus_became_a_space_is_refused(oc: RunningSandbox) -> None:
    code = fresh_code(oc.url)
    assert _code_grant(oc.url, code.replace("+", " ")).json()["error"] == "invalid_grant"
    # The same bug on the wire: "+" left unescaped in a form body means a space.
    code = fresh_code(oc.url)
    body = f"grant_type=authorization_code&client_id={KEY}&redirect_uri={REDIRECT_URI}&code={code}"
    response = requests.post(
        f"{oc.url}/oauth/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "other_uri", [REDIRECT_URI.rstrip("/"), REDIRECT_URI.upper(), REDIRECT_URI + "?x=1", None]
)
def test_the_redirect_uri_must_be_byte_identical_to_the_authorize_one(
    oc: RunningSandbox, other_uri: str | None
) -> None:
    params = {"grant_type": "authorization_code", "code": fresh_code(oc.url), "client_id": KEY}
    if other_uri is not None:
        params["redirect_uri"] = other_uri
    response = token_request(oc.url, **params)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Redirect URI mismatch.",
    }


def test_a_code_is_refused_once_the_sandbox_clock_passes_its_ttl() -> None:
    with running_sandbox(OcSandbox(SandboxConfig(code_ttl=60))) as oc:
        still_valid, expired = fresh_code(oc.url), fresh_code(oc.url)
        control(oc.url, "POST", "clock", {"advance_seconds": 59})
        accepted = _code_grant(oc.url, still_valid)
        control(oc.url, "POST", "clock", {"advance_seconds": 2})
        refused = _code_grant(oc.url, expired)
    assert accepted.status_code == 200, accepted.text
    assert refused.status_code == 400
    assert refused.json()["error_description"] == "Authorization code has expired"


def test_token_parameters_are_also_accepted_in_the_query_string(oc: RunningSandbox) -> None:
    code = fresh_code(oc.url)
    response = requests.post(
        f"{oc.url}/oauth/token",
        params={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": KEY,
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text


def test_unknown_clients_get_401_invalid_client(oc: RunningSandbox) -> None:
    response = token_request(oc.url, grant_type="refresh_token", refresh_token="x", client_id="no")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unsupported_grant_types_get_400(oc: RunningSandbox) -> None:
    response = token_request(oc.url, grant_type="password", client_id=KEY)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("scheme", "secret", "status"),
    [("Bearer", SECRET, 200), ("Basic", SECRET, 200), ("Bearer", "wrong", 401)],
)
def test_client_authentication_headers_must_match_the_client(
    oc: RunningSandbox, scheme: str, secret: str, status: int
) -> None:
    credentials = base64.b64encode(f"{KEY}:{secret}".encode()).decode()
    response = requests.post(
        f"{oc.url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": fresh_code(oc.url),
            "redirect_uri": REDIRECT_URI,
            "client_id": KEY,
        },
        headers={"Authorization": f"{scheme} {credentials}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == status, response.text


def test_refresh_returns_a_new_access_token_but_no_refresh_token(oc: RunningSandbox) -> None:
    first = tokens(oc.url)
    response = token_request(
        oc.url, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id=KEY
    )
    assert response.status_code == 200
    result = response.json()
    assert set(result) == {"access_token", "token_type", "expires_in", "scope"}
    assert result["access_token"] != first["access_token"]
    assert api(oc.url, SNAPSHOT, [{"MFSKUID": None}], result["access_token"]).json()["success"]
    # Without rotation the refresh token keeps working.
    again = token_request(
        oc.url, grant_type="refresh_token", refresh_token=first["refresh_token"], client_id=KEY
    )
    assert again.status_code == 200


def test_rotating_refresh_returns_a_new_refresh_token_and_retires_the_old_one(
    oc: RunningSandbox,
) -> None:
    control(oc.url, "POST", "config", {"rotate_refresh_tokens": True})
    old = tokens(oc.url)["refresh_token"]
    result = token_request(
        oc.url, grant_type="refresh_token", refresh_token=old, client_id=KEY
    ).json()
    assert result["refresh_token"] != old
    reuse = token_request(oc.url, grant_type="refresh_token", refresh_token=old, client_id=KEY)
    assert reuse.json()["error"] == "invalid_grant"
    new = token_request(
        oc.url, grant_type="refresh_token", refresh_token=result["refresh_token"], client_id=KEY
    )
    assert new.status_code == 200


def test_revoked_tokens_fail_refresh_with_invalid_grant_and_api_calls(oc: RunningSandbox) -> None:
    result = tokens(oc.url)
    assert control(oc.url, "POST", "tokens/revoke", {"client_id": KEY}) == {"revoked": 2}
    response = token_request(
        oc.url, grant_type="refresh_token", refresh_token=result["refresh_token"], client_id=KEY
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    rejected = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], result["access_token"]).json()
    assert rejected["code"] == 401


def test_expiring_access_tokens_leaves_refresh_working(oc: RunningSandbox) -> None:
    result = tokens(oc.url)
    control(oc.url, "POST", "tokens/expire-access")
    assert api(oc.url, SNAPSHOT, [], result["access_token"]).json()["code"] == 401
    response = token_request(
        oc.url, grant_type="refresh_token", refresh_token=result["refresh_token"], client_id=KEY
    )
    assert response.status_code == 200


def test_access_tokens_expire_after_their_ttl_on_the_sandbox_clock(oc: RunningSandbox) -> None:
    access = tokens(oc.url)["access_token"]
    assert api(oc.url, SNAPSHOT, [], access).json()["success"] is True
    control(oc.url, "POST", "clock", {"advance_seconds": 3601})
    assert api(oc.url, SNAPSHOT, [], access).json()["code"] == 401


def test_bare_ip_redirect_uris_can_be_refused_like_production_oc() -> None:
    with running_sandbox(OcSandbox(SandboxConfig(reject_ip_redirect_uris=True))) as oc:
        query = {"response_type": "code", "client_id": KEY, "state": "s"}
        refused = requests.get(
            f"{oc.url}/oauth/authorize",
            params={**query, "redirect_uri": REDIRECT_URI},
            timeout=TIMEOUT,
        )
        accepted = requests.get(
            f"{oc.url}/oauth/authorize",
            params={**query, "redirect_uri": "https://hemi.example.com/oc/oauth/callback/"},
            timeout=TIMEOUT,
        )
    assert refused.status_code == 400 and "bare IPs" in refused.text
    assert accepted.status_code == 200
