"""Outbound status callbacks from the sandbox to a webhook on this machine."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from oc_integration.sandbox import RunningSandbox

from .helpers import CREATE, api, control, order


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, dict[str, Any]]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_status_changes_are_posted_with_basic_auth_and_can_be_resent(
    oc: RunningSandbox, token: str, receiver: _Receiver
) -> None:
    url = f"http://127.0.0.1:{receiver.server_address[1]}/oc/webhooks/1/"
    control(oc.url, "POST", "callbacks/config", {"url": url, "username": "oc", "password": "pw"})
    number = api(oc.url, CREATE, [order("R-cb")], token).json()["data"][0]["orderNumber"]
    control(oc.url, "POST", "outbound/advance", {"orderNumber": number, "to": "Picked"})
    assert oc.sandbox.callbacks.wait_idle(5)
    expected_auth = "Basic " + base64.b64encode(b"oc:pw").decode()
    assert [auth for auth, _ in receiver.received] == [expected_auth, expected_auth]
    payloads = [payload for _, payload in receiver.received]
    assert [p["status"] for p in payloads] == ["Submitted", "Picked"]
    picked = payloads[1]
    assert picked["eventType"] == "OUTBOUND_STATUS"
    assert picked["orderNumber"] == number and picked["referenceNumber"] == "R-cb"
    assert set(picked) == {
        "eventType",
        "deliveryId",
        "orderNumber",
        "referenceNumber",
        "status",
        "eventTime",
    }
    control(oc.url, "POST", "callbacks/resend", {"deliveryId": picked["deliveryId"]})
    assert oc.sandbox.callbacks.wait_idle(5)
    assert receiver.received[-1][1] == picked  # the very same delivery, twice
    journal = control(oc.url, "GET", "calls")["calls"]
    callbacks = [c for c in journal if c["method"] == "CALLBACK"]
    assert [c["status"] for c in callbacks] == [204, 204, 204]
    assert callbacks[-1]["deliveryId"] == picked["deliveryId"]


def test_an_unreachable_webhook_is_journalled_as_an_error(oc: RunningSandbox, token: str) -> None:
    control(oc.url, "POST", "callbacks/config", {"url": "http://127.0.0.1:9/nowhere/"})
    api(oc.url, CREATE, [order("R-x")], token)
    assert oc.sandbox.callbacks.wait_idle(10)
    (call,) = [c for c in control(oc.url, "GET", "calls")["calls"] if c["method"] == "CALLBACK"]
    assert call["status"] is None and call["error"]


def test_callbacks_only_go_to_this_machine(oc: RunningSandbox) -> None:
    response = requests.post(
        f"{oc.url}/_sandbox/callbacks/config", json={"url": "https://example.com/hook"}, timeout=5
    )
    assert response.status_code == 400
