"""OC API authentication: clientKey, Access-Token, vAuthorization, TimeStamp, JSON body."""

from __future__ import annotations

import json

import pytest
import requests

from oc_integration.sandbox import RunningSandbox

from .helpers import KEY, SERVICE_LIST, SNAPSHOT, TIMEOUT, api, control, sign

TOKEN_REJECTED = {"code": 401, "success": False, "message": "Access token is invalid or expired"}


def test_a_signed_call_with_a_valid_token_succeeds_in_ocs_envelope(
    oc: RunningSandbox, token: str
) -> None:
    body = api(oc.url, SNAPSHOT, [{"MFSKUID": None}], token).json()
    assert body["code"] == 0 and body["success"] is True
    assert body["message"] == "success" and body["messageId"] == "m-1"
    assert isinstance(body["data"], list) and body["data"]


def test_an_unknown_client_key_is_code_401002(oc: RunningSandbox, token: str) -> None:
    response = api(oc.url, SNAPSHOT, [], token, key="someone-else")
    assert response.status_code == 200
    assert response.json() == {"code": 401002, "success": False, "message": "Invalid clientKey"}


@pytest.mark.parametrize("sent", ["", "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"])
def test_bad_tokens_are_rejected_with_http_200_by_default(oc: RunningSandbox, sent: str) -> None:
    response = api(oc.url, SNAPSHOT, [], headers={"Access-Token": sent})
    assert response.status_code == 200
    assert response.json() == TOKEN_REJECTED


def test_bad_tokens_are_rejected_with_http_401_in_that_style(oc: RunningSandbox) -> None:
    control(oc.url, "POST", "config", {"token_rejection_style": "http401"})
    response = api(oc.url, SNAPSHOT, [], "not-a-jwt")
    assert response.status_code == 401
    assert response.json() == TOKEN_REJECTED


def test_a_missing_access_token_header_is_a_token_rejection(oc: RunningSandbox) -> None:
    assert api(oc.url, SNAPSHOT, []).json() == TOKEN_REJECTED


def test_the_access_token_is_accepted_bare_or_with_a_bearer_prefix(
    oc: RunningSandbox, token: str
) -> None:
    for header in (token, f"Bearer {token}", f"bearer {token}"):
        response = api(oc.url, SNAPSHOT, [], headers={"Access-Token": header})
        assert response.json()["success"] is True, header


def test_path_and_body_mode_checks_the_md5_of_path_body_key_and_secret(
    oc: RunningSandbox, token: str
) -> None:
    body = json.dumps({"messageId": "m-9", "timestamp": 1, "data": []})
    headers = {
        "clientKey": KEY,
        "Access-Token": token,
        "TimeStamp": "1700000000000",
        "Content-Type": "application/json",
    }
    # The path signed is the path only: no host, no query string.
    url = f"{oc.url}{SNAPSHOT}?lang=en"
    good = requests.post(
        url,
        data=body,
        headers={**headers, "vAuthorization": sign(SNAPSHOT, body)},
        timeout=TIMEOUT,
    )
    assert good.json()["success"] is True
    for wrong in (
        sign(SNAPSHOT, ""),
        sign(SNAPSHOT + "?lang=en", body),
        sign(SNAPSHOT, body + " "),
    ):
        response = requests.post(
            url, data=body, headers={**headers, "vAuthorization": wrong}, timeout=TIMEOUT
        )
        assert response.status_code == 200
        assert response.json() == {
            "code": 401003,
            "success": False,
            "message": "vAuthorization signature verification failed",
        }


def test_path_only_mode_signs_an_empty_body(oc: RunningSandbox, token: str) -> None:
    control(oc.url, "POST", "config", {"signature_mode": "path_only"})
    assert api(oc.url, SNAPSHOT, [], token, signed_body="").json()["success"] is True
    assert api(oc.url, SNAPSHOT, [], token).json()["code"] == 401003


def test_a_wrong_secret_fails_the_signature(oc: RunningSandbox, token: str) -> None:
    assert api(oc.url, SNAPSHOT, [], token, secret="guess").json()["code"] == 401003


def test_a_body_that_is_not_json_is_code_400001(oc: RunningSandbox, token: str) -> None:
    body = '{"messageId": "m", "data": ['
    response = requests.post(
        f"{oc.url}{SNAPSHOT}",
        data=body,
        headers={
            "clientKey": KEY,
            "Access-Token": token,
            "vAuthorization": sign(SNAPSHOT, body),
            "TimeStamp": "1700000000000",
            "Content-Type": "application/json",
        },
        timeout=TIMEOUT,
    )
    assert response.json() == {
        "code": 400001,
        "success": False,
        "message": "Request body is not valid JSON",
    }


def test_a_missing_timestamp_header_is_refused(oc: RunningSandbox, token: str) -> None:
    response = api(oc.url, SNAPSHOT, [], token, headers={"TimeStamp": ""})
    assert response.json()["code"] == 400003


def test_the_service_list_needs_a_client_key_but_no_token(oc: RunningSandbox) -> None:
    response = requests.get(f"{oc.url}{SERVICE_LIST}", headers={"clientKey": KEY}, timeout=TIMEOUT)
    body = response.json()
    assert body["success"] is True
    regions = {region["serviceRegion"]: region for region in body["data"]}
    uk_codes = {p["shippingServiceCode"] for p in regions["UK"]["productList"]}
    assert uk_codes == {
        "GBDomesticStandard",
        "GBDomesticExpress",
        "GBDomesticEconomy",
        "GBDomStd_RMOnly",
    }
    assert {"DEDomesticStandard", "DEInternationalStandard"} <= {
        p["shippingServiceCode"] for p in regions["DE"]["productList"]
    }
    first = regions["UK"]["productList"][0]["shippingServiceNameList"][0]
    assert set(first) == {"language", "shippingServiceName"}
    anonymous = requests.get(f"{oc.url}{SERVICE_LIST}", timeout=TIMEOUT).json()
    assert anonymous["code"] == 401002


def test_unknown_api_paths_are_404(oc: RunningSandbox, token: str) -> None:
    response = api(oc.url, "/openapi/3pp/nothing/v1/here", [], token)
    assert response.status_code == 404
