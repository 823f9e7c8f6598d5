"""A minimal, independent OC client for testing the sandbox (no project client code)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT

KEY = DEMO_OC_ACCOUNT.client_key
SECRET = DEMO_OC_ACCOUNT.secret_key
REDIRECT_URI = "http://127.0.0.1:8000/oc/oauth/callback/"
TIMEOUT = 10

SNAPSHOT = "/openapi/3pp/inventory/v1/snapshot"
SERVICE_LIST = "/openapi/3pp/base/v1/service"
CREATE = "/openapi/3pp/outbound/v1/creation"
QUERY = "/openapi/3pp/outbound/v2/query"
CANCEL = "/openapi/3pp/outbound/v1/cancel"


def raw_params(query: str) -> dict[str, str]:
    """Query parameters still percent-encoded (no "+" -> space, no decoding)."""
    return dict(part.split("=", 1) for part in query.split("&") if "=" in part)


def decode_fully(value: str) -> str:
    """Percent-decode until stable; ``unquote`` never turns "+" into a space."""
    while (decoded := unquote(value)) != value:
        value = decoded
    return value


def approve(url: str, redirect_uri: str = REDIRECT_URI, state: str = "st-1", **extra: str) -> str:
    """Press Approve on the consent page; returns the redirect's Location."""
    form = {"client_id": KEY, "redirect_uri": redirect_uri, "state": state, "decision": "approve"}
    response = requests.post(
        f"{url}/oauth/authorize", data={**form, **extra}, allow_redirects=False, timeout=TIMEOUT
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def fresh_code(url: str, redirect_uri: str = REDIRECT_URI) -> str:
    """A raw (decoded) authorization code."""
    location = approve(url, redirect_uri)
    return decode_fully(raw_params(urlsplit(location).query)["code"])


def token_request(url: str, **params: str) -> requests.Response:
    """POST /oauth/token with a form body (requests encodes "+" as %2B)."""
    return requests.post(f"{url}/oauth/token", data=params, timeout=TIMEOUT)


def tokens(url: str, redirect_uri: str = REDIRECT_URI) -> dict[str, Any]:
    """Run the whole code flow; returns the token response."""
    response = token_request(
        url,
        grant_type="authorization_code",
        code=fresh_code(url, redirect_uri),
        redirect_uri=redirect_uri,
        client_id=KEY,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def sign(path: str, body: str, key: str = KEY, secret: str = SECRET) -> str:
    """vAuthorization as OC documents it, computed independently of the sandbox."""
    raw = f"{path}|{body}|{key}|{secret}".encode()
    return hashlib.md5(raw).hexdigest()  # noqa: S324 - md5 is OC's signature scheme


def api(
    url: str,
    path: str,
    data: Any = None,
    token: str | None = None,
    *,
    key: str = KEY,
    secret: str = SECRET,
    signed_body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    method: str = "POST",
) -> requests.Response:
    """Call the OC API the way OC documents it; ``signed_body`` overrides what is signed."""
    body = "" if method == "GET" else json.dumps({"messageId": "m-1", "timestamp": 1, "data": data})
    sent = {
        "clientKey": key,
        "vAuthorization": sign(path, body if signed_body is None else signed_body, key, secret),
        "TimeStamp": "1700000000000",
        "Content-Type": "application/json",
    }
    if token is not None:
        sent["Access-Token"] = f"Bearer {token}"
    sent.update(headers or {})
    return requests.request(
        method, f"{url}{path}", data=body.encode() if body else None, headers=sent, timeout=timeout
    )


def control(url: str, method: str, path: str, payload: Any = None) -> Any:
    """Call the sandbox's control API; returns the JSON answer."""
    response = requests.request(method, f"{url}/_sandbox/{path}", json=payload, timeout=TIMEOUT)
    assert response.status_code < 300, response.text
    return response.json()


def order(reference: str, **overrides: Any) -> dict[str, Any]:
    """A valid DE outbound order of the seed SKU (300 available in DE)."""
    base: dict[str, Any] = {
        "referenceNumber": reference,
        "orderPlatform": "OTHERS",
        "serviceRegion": "DE",
        "shippingServiceCode": "DEDomesticStandard",
        "consigneeName": "Andrea Jakab",
        "houseNumber": "93",
        "consigneeAddress1": "Maresfield Road",
        "consigneeCity": "Berlin",
        "consigneeCountryCode": "DE",
        "consigneeZipCode": "10115",
        "currency": "EUR",
        "productList": [{"MFSKUID": "OC0000000400371", "declaredValue": 12, "SKUQuantity": 1}],
    }
    base.update(overrides)
    return base


def stock(url: str, token: str, mfskuid: str, region: str) -> dict[str, int]:
    """{status: count} of one SKU in one region, from the snapshot."""
    rows = api(url, SNAPSHOT, [{"MFSKUID": mfskuid}], token).json()["data"]
    (regions,) = [r["serviceRegionList"] for r in rows]
    (inventory,) = [r["inventoryList"] for r in regions if r["serviceRegion"] == region]
    return {item["inventoryStatus"]: item["actualCount"] for item in inventory}
