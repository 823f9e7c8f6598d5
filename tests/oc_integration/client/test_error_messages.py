"""What OC's refusals say to people: whole sentences, every detail kept, no tokens.

HTTP is mocked with ``responses``.
"""

from __future__ import annotations

from typing import Any

import pytest
import responses

from hemi_fulfilment.apilog.records import CallRecord
from hemi_fulfilment.apilog.redaction import REDACTED
from oc_integration.client import (
    ConnectionSettings,
    OAuthError,
    OAuthGrantRevoked,
    OCApiClient,
    OCBusinessError,
    OCOAuthClient,
)
from oc_integration.client.errors import DUPLICATE_REFERENCE, OC_ERROR_WORDS, in_words
from tests.oc_integration.client_fakes import unit_connection

API = "https://oc.test/openapi"
SNAPSHOT = f"{API}/3pp/inventory/v1/snapshot"
TOKEN_URL = "https://oc.test/oauth/token"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjay0xIiwiZXhwIjoxOTAwMDAwMDAwfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


class StaticTokens:
    """Always the same access token; a rejection is not expected in these tests."""

    def access_token(self) -> str:
        return "access-1"

    def renew_after_rejection(self, rejected_token: str) -> str:
        raise AssertionError("no token should be rejected here")


def _connection(**overrides: Any) -> ConnectionSettings:
    return unit_connection(API, account_id=7, client_key="ck-1", secret_key="sk-1", **overrides)


def _call(records: list[CallRecord] | None = None) -> OCBusinessError:
    recorded = records if records is not None else []
    client = OCApiClient(_connection(), StaticTokens(), recorder=recorded.append)
    with pytest.raises(OCBusinessError) as raised:
        client.call("stock snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}])
    return raised.value


@responses.activate
def test_ocs_errors_details_are_kept_when_oc_also_sends_a_message() -> None:
    responses.post(
        SNAPSHOT,
        json={
            "code": 1,
            "message": "Internal error",
            "errors": [{"code": 500001, "message": "system busy"}],
            "success": False,
        },
    )
    error = _call()
    assert error.code == "1" and error.errors[0].code == "500001"
    assert error.message == "OC answered code 1: Internal error. Details: 500001 (system busy)."


@responses.activate
def test_a_message_without_a_full_stop_ends_before_the_next_sentence() -> None:
    responses.post(SNAPSHOT, json={"code": 1, "message": "system busy", "success": False})
    assert _call().message == "OC answered code 1: system busy."


@responses.activate
def test_errors_alone_become_the_message() -> None:
    responses.post(
        SNAPSHOT, json={"code": 4, "errors": [{"code": "400448", "message": "库存不足"}]}
    )
    assert _call().message == "OC answered code 4: 400448 (库存不足)."


@responses.activate
def test_a_jwt_in_ocs_message_and_errors_never_reaches_the_exception_or_the_log() -> None:
    responses.post(
        SNAPSHOT,
        json={
            "code": 500001,
            "message": f"signature check failed for {JWT}",
            "errors": [{"code": "500001", "message": f"bad credential {JWT}"}],
        },
    )
    records: list[CallRecord] = []
    error = _call(records)
    assert JWT not in str(error) and JWT not in error.errors[0].message
    assert REDACTED in error.message and "500001" in error.message
    assert JWT not in records[0].error_message


@responses.activate
def test_an_oauth_refusal_is_a_sentence_without_the_token_oc_quoted() -> None:
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": f"Refresh token {JWT} expired"},
    )
    with pytest.raises(OAuthGrantRevoked) as raised:
        OCOAuthClient(_connection()).refresh("refresh-1")
    assert (
        raised.value.message
        == f"OC refused the token request: invalid_grant (Refresh token {REDACTED} expired)."
    )


@responses.activate
def test_an_oauth_refusal_without_description_is_a_sentence() -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request"})
    with pytest.raises(OAuthError) as raised:
        OCOAuthClient(_connection()).refresh("refresh-1")
    assert raised.value.message == "OC refused the token request: invalid_request."


def test_ocs_error_codes_are_named_in_the_clients_catalogue() -> None:
    assert DUPLICATE_REFERENCE == "400409" and DUPLICATE_REFERENCE in OC_ERROR_WORDS
    assert (
        in_words("400448", "商品:OC1 库存不足")
        == "Insufficient stock at OC (400448: 商品:OC1 库存不足)"
    )
    # OC's full stop stays out of the parentheses so that the caller can end the sentence.
    assert in_words("400521", "already cancelled.") == (
        "The order is already cancelled (400521: already cancelled)"
    )
    assert in_words("999", "odd") == "OC error 999: odd"


@responses.activate
@pytest.mark.parametrize(
    ("bearer_prefix", "sent"), [(True, "Bearer access-1"), (False, "access-1")]
)
def test_the_access_token_header_has_the_bearer_prefix_only_when_the_account_wants_it(
    bearer_prefix: bool, sent: str
) -> None:
    responses.post(SNAPSHOT, json={"code": 0, "message": "success", "data": []})
    client = OCApiClient(_connection(bearer_prefix=bearer_prefix), StaticTokens())
    client.call("stock snapshot", "/3pp/inventory/v1/snapshot", [{"MFSKUID": None}])
    assert responses.calls[0].request.headers["Access-Token"] == sent
