"""The OC API client: headers, signature, envelope, typed errors (HTTP mocked with responses)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import requests
import responses

from hemi_fulfilment.apilog.records import CallRecord, Outcome
from oc_integration.client import (
    OCApiClient,
    OCBusinessError,
    OCHttpError,
    OCMalformedResponse,
    OCServerError,
    OCTimeout,
    OCTokenRejected,
    OCTransportError,
)
from tests.oc_integration.client_fakes import unit_connection

API = "https://oc.test/openapi"
SNAPSHOT = f"{API}/3pp/inventory/v1/snapshot"


class FakeTokens:
    """Hands out token-1, then token-2 after a rejection; counts renewals."""

    def __init__(self) -> None:
        self.current = "token-1"
        self.renewals: list[str] = []

    def access_token(self) -> str:
        return self.current

    def renew_after_rejection(self, rejected_token: str) -> str:
        self.renewals.append(rejected_token)
        self.current = f"token-{len(self.renewals) + 1}"
        return self.current


def _client(
    mode: str = "path_and_body", **kwargs: Any
) -> tuple[OCApiClient, FakeTokens, list[CallRecord]]:
    records: list[CallRecord] = []
    tokens = FakeTokens()
    connection = unit_connection(
        API,
        account_id=7,
        client_key="ck-1",
        secret_key="sk-1",
        signature_mode=mode,
        read_timeout=kwargs.pop("read_timeout", 60.0),
    )
    return OCApiClient(connection, tokens, recorder=records.append), tokens, records


def _ok(data: Any = None) -> dict[str, Any]:
    return {"code": 0, "message": "success", "messageId": "m", "data": data or [], "success": True}


@responses.activate
@pytest.mark.parametrize("mode", ["path_and_body", "path_only"])
def test_request_is_signed_enveloped_and_sent_byte_for_byte(mode: str) -> None:
    responses.post(SNAPSHOT, json=_ok([{"MFSKUID": "OC1"}]))
    client, _, _ = _client(mode)
    result = client.call("snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}])

    assert result.data == [{"MFSKUID": "OC1"}]
    sent = responses.calls[0].request
    body = sent.body.decode() if isinstance(sent.body, bytes) else str(sent.body)
    envelope = json.loads(body)
    assert envelope["data"] == [{"MFSKUID": None}]
    assert len(envelope["messageId"]) >= 16
    assert sent.headers["TimeStamp"] == str(envelope["timestamp"])
    assert sent.headers["clientKey"] == "ck-1"
    assert sent.headers["Access-Token"] == "Bearer token-1"
    assert sent.headers["Content-Type"] == "application/json"
    assert "HemiFulfilment" in sent.headers["User-Agent"]
    middle = body if mode == "path_and_body" else ""
    expected = hashlib.md5(
        f"/openapi/3pp/inventory/v1/snapshot|{middle}|ck-1|sk-1".encode(), usedforsecurity=False
    ).hexdigest()
    assert sent.headers["vAuthorization"] == expected


@responses.activate
def test_each_call_has_its_own_message_id() -> None:
    responses.post(SNAPSHOT, json=_ok())
    client, _, records = _client()
    client.call("snapshot", "/3pp/inventory/v1/snapshot", [])
    client.call("snapshot", "/3pp/inventory/v1/snapshot", [])
    ids = [json.loads(c.request.body or "")["messageId"] for c in responses.calls]
    assert ids[0] != ids[1]
    assert [r.correlation_id for r in records] == ids


@responses.activate
def test_a_call_without_token_sends_no_access_token_header() -> None:
    responses.get(f"{API}/3pp/base/v1/service", json=_ok([]))
    client, _, _ = _client()
    client.call("service list", "/3pp/base/v1/service", method="GET", with_token=False)
    assert "Access-Token" not in responses.calls[0].request.headers


@responses.activate
@pytest.mark.parametrize(
    "rejection",
    [
        {"status": 401, "json": {"code": 401, "success": False, "message": "Unauthorized"}},
        {
            "status": 200,
            "json": {
                "code": 401,
                "success": False,
                "message": "Access token is invalid or expired",
            },
        },
    ],
    ids=["http-401", "http-200-success-false"],
)
def test_a_rejected_token_is_renewed_once_and_the_call_retried_once(
    rejection: dict[str, Any],
) -> None:
    responses.post(SNAPSHOT, **rejection)
    responses.post(SNAPSHOT, json=_ok(["after renewal"]))
    client, tokens, records = _client()
    assert client.call("snapshot", "/3pp/inventory/v1/snapshot", []).data == ["after renewal"]
    assert tokens.renewals == ["token-1"]
    assert responses.calls[1].request.headers["Access-Token"] == "Bearer token-2"
    assert [r.outcome for r in records] == [Outcome.TOKEN_REJECTED, Outcome.SUCCESS]


@responses.activate
def test_a_token_rejected_twice_is_raised_not_retried_forever() -> None:
    responses.post(SNAPSHOT, status=401, json={"code": 401, "success": False, "message": "token"})
    client, tokens, _ = _client()
    with pytest.raises(OCTokenRejected):
        client.call("snapshot", "/3pp/inventory/v1/snapshot", [])
    assert len(responses.calls) == 2 and len(tokens.renewals) == 1


@responses.activate
def test_a_business_error_carries_ocs_per_item_errors_and_accepted_data() -> None:
    responses.post(
        SNAPSHOT,
        json={
            "code": 4,
            "data": [{"referenceNumber": "OK-1", "orderNumber": "OCO1"}],
            "errors": [
                {
                    "code": "400448",
                    "id": "T1",
                    "message": "OC0000250276174 库存不足",
                    "referenceNumber": "T1",
                }
            ],
            "messageId": "m",
            "success": False,
        },
    )
    client, _, records = _client()
    with pytest.raises(OCBusinessError) as info:
        client.call("create", "/3pp/inventory/v1/snapshot", [])
    error = info.value
    assert error.code == "4" and error.errors[0].code == "400448"
    assert error.errors[0].reference_number == "T1"
    assert error.data == [{"referenceNumber": "OK-1", "orderNumber": "OCO1"}]
    assert records[0].outcome == Outcome.BUSINESS_ERROR


@responses.activate
@pytest.mark.parametrize(
    ("reply", "error", "outcome"),
    [
        ({"status": 500, "body": "<html>oops</html>"}, OCServerError, Outcome.HTTP_ERROR),
        ({"status": 503, "body": ""}, OCServerError, Outcome.HTTP_ERROR),
        ({"status": 429, "body": ""}, OCServerError, Outcome.HTTP_ERROR),
        ({"status": 404, "body": "not here"}, OCHttpError, Outcome.HTTP_ERROR),
        ({"status": 200, "body": '{"code": 0, "data": ['}, OCMalformedResponse, Outcome.MALFORMED),
        ({"status": 200, "body": '["no envelope"]'}, OCMalformedResponse, Outcome.MALFORMED),
        ({"body": requests.ConnectTimeout("slow")}, OCTimeout, Outcome.TRANSPORT_ERROR),
        ({"body": requests.ConnectionError("reset")}, OCTransportError, Outcome.TRANSPORT_ERROR),
    ],
    ids=["500", "503", "429", "404", "truncated-json", "no-envelope", "timeout", "reset"],
)
def test_each_failure_is_a_typed_error_and_is_recorded(
    reply: dict[str, Any], error: type[Exception], outcome: str
) -> None:
    responses.post(SNAPSHOT, **reply)
    client, _, records = _client()
    with pytest.raises(error):
        client.call("snapshot", "/3pp/inventory/v1/snapshot", [])
    assert len(records) == 1 and records[0].outcome == outcome
    assert records[0].account_id == 7


def test_retryable_errors_say_so() -> None:
    assert OCTimeout("x").retryable and OCServerError("x", status=500).retryable
    assert not OCBusinessError("x", code="4").retryable and not OCMalformedResponse("x").retryable


@responses.activate
def test_the_recorded_call_holds_the_raw_exchange_for_the_redacting_recorder() -> None:
    responses.post(SNAPSHOT, json=_ok())
    client, _, records = _client()
    client.call("snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}])
    record = records[0]
    assert record.method == "POST" and record.url == SNAPSHOT and record.http_status == 200
    assert record.provider == "oc" and record.operation == "snapshot"
    assert "secret" not in repr(client.connection) and "sk-1" not in repr(client.connection)
