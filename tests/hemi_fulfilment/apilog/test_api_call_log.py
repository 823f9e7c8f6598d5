"""The API call log keeps every call, without secrets, even when the caller rolls back."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from hemi_fulfilment.apilog.models import ApiCallLog
from hemi_fulfilment.apilog.recorder import purge_old_calls, record_call
from hemi_fulfilment.apilog.records import CallRecord, Outcome
from hemi_fulfilment.apilog.redaction import REDACTED, redact_body, redact_headers, truncate

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE1ODc4OTg4OTR9.c2lnbmF0dXJlLWJ5dGVz"


def _record(**changes: object) -> CallRecord:
    record = CallRecord(
        provider="oc",
        operation="snapshot",
        method="POST",
        url="http://127.0.0.1:1/openapi/3pp/inventory/v1/snapshot",
        correlation_id=uuid.uuid4().hex,
        account_id=1,
        account_label="OC UK",
        http_status=200,
        request_headers={
            "Access-Token": f"Bearer {JWT}",
            "vAuthorization": "abc",
            "clientKey": "ck",
        },
        request_body=json.dumps({"data": [{"MFSKUID": None}]}),
        response_body=json.dumps({"code": 0, "data": []}),
    )
    for key, value in changes.items():
        setattr(record, key, value)
    return record


def test_tokens_codes_keys_and_signatures_are_redacted() -> None:
    headers = redact_headers({"Access-Token": JWT, "vAuthorization": "sig", "Content-Type": "x"})
    assert headers == {"Access-Token": REDACTED, "vAuthorization": REDACTED, "Content-Type": "x"}
    form = redact_body("grant_type=refresh_token&refresh_token=abc%2Bdef&client_id=ck")
    assert "abc" not in form and "grant_type=refresh_token" in form and "client_id=ck" in form
    body = redact_body(json.dumps({"access_token": "t", "nested": [{"code": "c", "note": JWT}]}))
    assert 't"' not in body.replace(REDACTED, "") and JWT not in body
    xml = redact_body(
        "<R><RequesterCredentials><eBayAuthToken>v^1.1#x</eBayAuthToken></RequesterCredentials></R>"
    )
    assert "v^1.1#x" not in xml


def test_ocs_business_codes_stay_but_an_oauth_code_in_a_form_is_redacted() -> None:
    body = redact_body(json.dumps({"code": 4, "errors": [{"code": "400448", "message": "x"}]}))
    assert '"code": 4' in body and '"code": "400448"' in body
    form = redact_body("grant_type=authorization_code&code=abc%2Bdef&client_id=ck")
    assert "abc" not in form and "code=%5Bredacted%5D" in form


def test_files_in_a_body_are_left_out_with_their_size_and_short_values_stay() -> None:
    label = base64.b64encode(b"%PDF-1.4 Buyer 5, 5 Maresfield Road, Brighton" * 20).decode()
    body = redact_body(json.dumps({"data": [{"labelFile": label, "referenceNumber": "H-1"}]}))
    assert label not in body and f"[a file of {len(label)} characters, not kept]" in body
    assert '"referenceNumber": "H-1"' in body
    pdf = "%PDF-1.4\n" + "x" * 500
    assert redact_body(pdf) == f"[a file of {len(pdf)} characters, not kept]"
    assert (
        redact_body(json.dumps({"MFSKUID": "OC0000000400300"})) == '{"MFSKUID": "OC0000000400300"}'
    )


def test_long_bodies_are_truncated_with_a_note() -> None:
    assert truncate("x" * 50, 10) == "x" * 10 + "… [40 more characters]"


@pytest.mark.django_db
def test_a_call_is_stored_redacted() -> None:
    record = _record()
    record_call(record)
    row = ApiCallLog.objects.get(correlation_id=record.correlation_id)
    assert row.request_headers["Access-Token"] == REDACTED
    assert JWT not in json.dumps(row.request_headers) and row.outcome == Outcome.SUCCESS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_record_survives_a_rollback_of_the_business_transaction() -> None:
    record = _record(outcome=Outcome.BUSINESS_ERROR)

    class BusinessFailure(Exception):
        pass

    with pytest.raises(BusinessFailure), transaction.atomic():
        record_call(record)
        raise BusinessFailure

    assert ApiCallLog.objects.filter(correlation_id=record.correlation_id).exists()


@pytest.mark.django_db
def test_purge_keeps_failures_longer_than_successes(settings: Any) -> None:
    settings.API_LOG_KEEP_SUCCESS_DAYS = 7
    settings.API_LOG_KEEP_FAILURE_DAYS = 30
    for outcome, age in [
        (Outcome.SUCCESS, 3),
        (Outcome.SUCCESS, 10),
        (Outcome.HTTP_ERROR, 10),
        (Outcome.HTTP_ERROR, 40),
    ]:
        record = _record(outcome=outcome)
        record_call(record)
        ApiCallLog.objects.filter(correlation_id=record.correlation_id).update(
            created=timezone.now() - timedelta(days=age)
        )
    before = ApiCallLog.objects.count()
    assert purge_old_calls() == (1, 1)
    assert ApiCallLog.objects.count() == before - 2
