"""Fault injection and the call journal."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from oc_integration.sandbox import OcSandbox, RunningSandbox, SandboxConfig, running_sandbox

from .helpers import CREATE, KEY, QUERY, SNAPSHOT, api, control, order, token_request, tokens

TOKEN_REJECTED = {"code": 401, "success": False, "message": "Access token is invalid or expired"}


def _fault(oc: RunningSandbox, endpoint: str, kind: str, **options: object) -> None:
    control(oc.url, "POST", "faults", {"endpoint": endpoint, "kind": kind, **options})


def test_http500_fault_answers_500_with_an_html_body(oc: RunningSandbox, token: str) -> None:
    _fault(oc, SNAPSHOT, "http500")
    response = api(oc.url, SNAPSHOT, [], token)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert api(oc.url, SNAPSHOT, [], token).status_code == 200  # count defaults to 1


def test_a_counted_fault_hits_exactly_the_next_n_matching_calls(
    oc: RunningSandbox, token: str
) -> None:
    _fault(oc, SNAPSHOT, "http500", count=2)
    assert api(oc.url, QUERY, {"orderNumberList": []}, token).status_code == 200  # other path
    statuses = [api(oc.url, SNAPSHOT, [], token).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_malformed_fault_answers_truncated_json_with_a_json_content_type(
    oc: RunningSandbox, token: str
) -> None:
    _fault(oc, "/openapi/*", "malformed")
    response = api(oc.url, SNAPSHOT, [], token)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.text == '{"code": 0, "data": ['
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize(("style", "status"), [("http200", 200), ("http401", 401)])
def test_token_rejected_fault_rejects_a_valid_token_in_the_clients_style(
    oc: RunningSandbox, token: str, style: str, status: int
) -> None:
    control(oc.url, "POST", "config", {"token_rejection_style": style})
    _fault(oc, SNAPSHOT, "token_rejected")
    response = api(oc.url, SNAPSHOT, [], token)
    assert (response.status_code, response.json()) == (status, TOKEN_REJECTED)
    assert api(oc.url, SNAPSHOT, [], token).json()["success"] is True


def test_token_rejected_fault_on_the_token_endpoint_is_invalid_grant(oc: RunningSandbox) -> None:
    refresh = tokens(oc.url)["refresh_token"]
    _fault(oc, "/oauth/token", "token_rejected")
    response = token_request(
        oc.url, grant_type="refresh_token", refresh_token=refresh, client_id=KEY
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_latency_fault_delays_then_answers_normally(oc: RunningSandbox, token: str) -> None:
    _fault(oc, SNAPSHOT, "latency", latency_ms=300)
    started = time.perf_counter()
    response = api(oc.url, SNAPSHOT, [], token)
    assert time.perf_counter() - started >= 0.3
    assert response.json()["success"] is True


def test_timeout_fault_holds_the_call_then_closes_it_unanswered(
    oc: RunningSandbox, token: str
) -> None:
    control(oc.url, "POST", "config", {"timeout_fault_seconds": 1})
    _fault(oc, SNAPSHOT, "timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api(oc.url, SNAPSHOT, [], token, timeout=0.3)
    # A patient client sees the connection closed without an answer.
    control(oc.url, "POST", "config", {"timeout_fault_seconds": 0.2})
    _fault(oc, SNAPSHOT, "timeout")
    with pytest.raises(requests.exceptions.ConnectionError):
        api(oc.url, SNAPSHOT, [], token, timeout=5)
    assert api(oc.url, SNAPSHOT, [], token).json()["success"] is True


def test_accept_then_timeout_creates_the_orders_but_loses_the_answer(
    oc: RunningSandbox, token: str
) -> None:
    control(oc.url, "POST", "config", {"timeout_fault_seconds": 1})
    _fault(oc, CREATE, "accept_then_timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api(oc.url, CREATE, [order("R-lost")], token, timeout=0.5)
    orders = control(oc.url, "GET", "outbound")["orders"]
    assert [o["referenceNumber"] for o in orders] == ["R-lost"]
    # A client that blindly retries is told it is a duplicate; there is still one order.
    retry = api(oc.url, CREATE, [order("R-lost")], token).json()
    assert retry["errors"][0]["code"] == "400409"
    assert len(control(oc.url, "GET", "outbound")["orders"]) == 1


def test_ratio_faults_follow_a_seedable_rng(oc: RunningSandbox, token: str) -> None:
    _fault(oc, SNAPSHOT, "http500", ratio=0.5)

    def pattern() -> list[int]:
        control(oc.url, "POST", "config", {"fault_seed": 42})
        return [api(oc.url, SNAPSHOT, [], token).status_code for _ in range(16)]

    first = pattern()
    assert first == pattern()
    assert set(first) == {200, 500}


def test_faults_can_be_listed_and_cleared(oc: RunningSandbox, token: str) -> None:
    _fault(oc, "*", "http500", count=5)
    assert control(oc.url, "GET", "faults")["faults"][0]["count"] == 5
    assert control(oc.url, "DELETE", "faults") == {"cleared": 1}
    assert api(oc.url, SNAPSHOT, [], token).status_code == 200


def _references(oc: RunningSandbox, token: str, **data: object) -> list[str]:
    body = api(oc.url, QUERY, data, token).json()
    assert body["success"] is True, body
    return [row["referenceNumber"] for row in body["data"]["orderList"]]


def test_query_lag_answers_not_found_for_a_just_created_order_once_then_the_truth(
    oc: RunningSandbox, token: str
) -> None:
    _fault(oc, QUERY, "query_lag")
    assert api(oc.url, CREATE, [order("R-lag")], token).json()["success"] is True
    by_reference = {"referenceNumberList": [{"referenceNumber": "R-lag"}]}

    assert _references(oc, token, **by_reference) == []
    assert _references(oc, token, **by_reference) == ["R-lag"]
    assert control(oc.url, "GET", "faults") == {"faults": []}  # count 1 is used up


def test_query_lag_leaves_orders_a_query_has_already_returned_in_the_answer(
    oc: RunningSandbox, token: str
) -> None:
    api(oc.url, CREATE, [order("R-old")], token)
    both = {"referenceNumberList": [{"referenceNumber": "R-old"}, {"referenceNumber": "R-new"}]}
    assert _references(oc, token, **both) == ["R-old"]
    _fault(oc, "*", "query_lag", count=2)
    api(oc.url, CREATE, [order("R-new")], token)

    lagging = [_references(oc, token, **both) for _ in range(3)]

    assert lagging == [["R-old"], ["R-old"], ["R-old", "R-new"]]


def test_query_lag_leaves_every_other_call_alone(oc: RunningSandbox, token: str) -> None:
    _fault(oc, QUERY, "query_lag")
    created = api(oc.url, CREATE, [order("R-other")], token).json()
    assert created["success"] is True
    assert api(oc.url, SNAPSHOT, [], token).status_code == 200
    assert control(oc.url, "GET", "faults")["faults"][0]["hits"] == 0  # still waiting
    entry = control(oc.url, "GET", "calls")["calls"][-1]
    assert "fault" not in entry


def test_the_journal_records_how_many_orders_each_creation_call_carried(
    oc: RunningSandbox, token: str
) -> None:
    api(oc.url, CREATE, [order("R-1"), order("R-2")], token)
    _fault(oc, CREATE, "http500")
    assert api(oc.url, CREATE, [order("R-3")] * 3, token).status_code == 500
    api(oc.url, CREATE, [order("R-3")], token)
    calls = [c for c in control(oc.url, "GET", "calls")["calls"] if c["path"] == CREATE]
    # Counted on arrival: a faulted call that never reached the API shows its size too.
    assert [c["orders"] for c in calls] == [2, 3, 1]


def test_bad_fault_specs_are_refused(oc: RunningSandbox) -> None:
    for spec in (
        {"kind": "explode"},
        {"kind": "http500", "count": 1, "ratio": 0.5},
        {"kind": "query_lag", "endpoint": CREATE},
    ):
        response = requests.post(f"{oc.url}/_sandbox/faults", json=spec, timeout=5)
        assert response.status_code == 400
        assert "error" in response.json()


def test_the_journal_counts_exactly_the_token_requests_that_reached_the_provider(
    oc: RunningSandbox,
) -> None:
    tokens(oc.url)
    journal = control(oc.url, "GET", "calls")
    assert journal["counts"]["POST /oauth/token"] == 1
    (call,) = [c for c in journal["calls"] if c["path"] == "/oauth/token"]
    assert call["method"] == "POST" and call["status"] == 200
    assert call["grant_type"] == "authorization_code" and call["client_id"] == KEY
    assert "at" in call
    assert not any(c["path"].startswith("/_sandbox") for c in journal["calls"])
    assert oc.sandbox.journal.count("POST", "/oauth/token", grant_type="authorization_code") == 1
    control(oc.url, "DELETE", "calls")
    assert control(oc.url, "GET", "calls") == {"calls": [], "counts": {}}


def test_a_timed_out_call_is_journalled_without_a_status(oc: RunningSandbox) -> None:
    control(oc.url, "POST", "config", {"timeout_fault_seconds": 0.1})
    _fault(oc, "/oauth/token", "timeout")
    with pytest.raises(requests.exceptions.ConnectionError):
        token_request(oc.url, grant_type="refresh_token", refresh_token="r", client_id=KEY)
    (call,) = control(oc.url, "GET", "calls")["calls"]
    assert call["status"] is None and call["fault"] == "timeout"
    assert call["grant_type"] == "refresh_token"


def test_reset_forgets_tokens_faults_orders_and_the_journal(oc: RunningSandbox, token: str) -> None:
    api(oc.url, CREATE, [order("R-1")], token)
    _fault(oc, "*", "http500", count=9)
    assert control(oc.url, "POST", "reset") == {"ok": True}
    assert control(oc.url, "GET", "faults") == {"faults": []}
    assert control(oc.url, "GET", "outbound") == {"orders": []}
    assert control(oc.url, "GET", "calls")["calls"] == []
    assert api(oc.url, SNAPSHOT, [], token).json() == TOKEN_REJECTED


def test_stopping_the_sandbox_does_not_wait_for_a_sleeping_timeout_fault() -> None:
    outcome: list[BaseException] = []

    def call(url: str) -> None:
        try:
            requests.get(f"{url}/oauth/authorize", timeout=20)
        except requests.RequestException as exc:
            outcome.append(exc)

    with running_sandbox(OcSandbox(SandboxConfig(timeout_fault_seconds=30))) as oc:
        _fault(oc, "*", "timeout")
        caller = threading.Thread(target=call, args=(oc.url,))
        caller.start()
        deadline = time.monotonic() + 5
        while not oc.sandbox.journal.calls() and time.monotonic() < deadline:
            time.sleep(0.01)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2
    caller.join(5)
    assert not caller.is_alive()
    assert isinstance(outcome[0], requests.ConnectionError)
