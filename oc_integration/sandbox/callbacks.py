"""Outbound status callbacks: the sandbox posting to the integrator's webhook.

OC's callback payload, signing and retry policy are not public; the sandbox sends
``{"eventType": "OUTBOUND_STATUS", "deliveryId", "orderNumber", "referenceNumber",
"status", "eventTime"}`` with HTTP Basic auth, from one background thread so deliveries
keep their order. A delivery can be re-sent as is (same deliveryId) to test de-duplication.
Only loopback URLs are accepted: the sandbox never talks to the network.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .config import CallbackTarget
from .journal import Journal

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SEND_TIMEOUT_SECONDS = 5.0


def check_callback_url(url: str) -> None:
    """ValueError unless ``url`` is an http(s) URL on this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError("callback url must be http(s)://127.0.0.1 or localhost")


@dataclass(frozen=True)
class Delivery:
    """One callback: where it goes and what it says."""

    delivery_id: str
    target: CallbackTarget
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The delivery as the control API shows it (no password)."""
        return {"deliveryId": self.delivery_id, "url": self.target.url, "payload": self.payload}


class CallbackDispatcher:
    """Queues deliveries and sends them from a daemon thread; thread-safe."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._deliveries: dict[str, Delivery] = {}
        self._lock = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def send(self, target: CallbackTarget, payload: dict[str, Any]) -> Delivery:
        """Queue a new delivery of ``payload`` (a deliveryId is added)."""
        delivery_id = str(uuid.uuid4())
        delivery = Delivery(delivery_id, target, {**payload, "deliveryId": delivery_id})
        with self._lock:
            self._deliveries[delivery_id] = delivery
        self._enqueue(delivery)
        return delivery

    def resend(self, delivery_id: str) -> Delivery:
        """Queue an earlier delivery again, unchanged; KeyError when unknown."""
        with self._lock:
            delivery = self._deliveries[delivery_id]
        self._enqueue(delivery)
        return delivery

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery made since the last reset."""
        with self._lock:
            return [d.to_dict() for d in self._deliveries.values()]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery was attempted; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def reset(self) -> None:
        """Forget deliveries and drop the ones not sent yet."""
        with self._lock:
            self._deliveries.clear()
            stop_requested = False
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop_requested = True
                else:
                    self._pending -= 1
            if stop_requested:  # a stop() in flight still needs its sentinel
                self._queue.put(None)
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop the sending thread (it is restarted by the next delivery)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=SEND_TIMEOUT_SECONDS + 1)

    def _enqueue(self, delivery: Delivery) -> None:
        with self._lock:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="oc-sandbox-callbacks", daemon=True
                )
                self._thread.start()
        self._queue.put(delivery)

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            try:
                self._post(delivery)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()

    def _post(self, delivery: Delivery) -> None:
        target = delivery.target
        credentials = f"{target.username}:{target.password}".encode()
        request = urllib.request.Request(  # noqa: S310 - loopback http(s) only (check_callback_url)
            target.url,
            data=json.dumps(delivery.payload).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                "User-Agent": "OrangeConnexSandbox/1.0",
            },
        )
        status: int | None = None
        error = ""
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310 - as above
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:  # connection refused, timeout...
            error = repr(exc)
        logger.debug("callback %s -> %s %s", delivery.delivery_id, status, error)
        self._journal.record_callback(target.url, delivery.delivery_id, status, error)
