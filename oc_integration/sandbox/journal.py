"""The call journal: every provider call the sandbox received, and every callback it sent.

Entries are recorded when a request arrives (so a call the sandbox is still holding, or
dropped, is already counted) and completed with the status when the answer is known.
Control-API calls (``/_sandbox/...``) are not journalled: they are not calls to OC.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from .timefmt import SandboxClock, iso_utc


class Journal:
    """A thread-safe, append-only list of call records."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []

    def start(self, method: str, path: str, **extra: Any) -> dict[str, Any]:
        """Record an arriving request; returns the entry to complete with ``finish``."""
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "status": None,
            "at": iso_utc(self._clock.now()),
            **extra,
        }
        with self._lock:
            self._calls.append(entry)
        return entry

    def finish(self, entry: dict[str, Any], status: int | None, **extra: Any) -> None:
        """Complete an entry: the HTTP status sent (None: no response was sent)."""
        with self._lock:
            entry["status"] = status
            entry.update(extra)

    def record_callback(
        self, url: str, delivery_id: str, status: int | None, error: str = ""
    ) -> None:
        """Record one callback delivery attempt (``method`` is ``CALLBACK``)."""
        entry: dict[str, Any] = {
            "method": "CALLBACK",
            "path": url,
            "status": status,
            "at": iso_utc(self._clock.now()),
            "deliveryId": delivery_id,
        }
        if error:
            entry["error"] = error
        with self._lock:
            self._calls.append(entry)

    def calls(self) -> list[dict[str, Any]]:
        """A copy of every entry, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._calls]

    def counts(self) -> dict[str, int]:
        """How many calls per ``"METHOD path"``."""
        with self._lock:
            return dict(Counter(f"{e['method']} {e['path']}" for e in self._calls))

    def count(self, method: str, path: str, **match: Any) -> int:
        """How many calls of ``method path`` whose fields equal ``match`` (e.g. grant_type)."""
        with self._lock:
            return sum(
                1
                for e in self._calls
                if e["method"] == method
                and e["path"] == path
                and all(e.get(k) == v for k, v in match.items())
            )

    def snapshot(self) -> dict[str, Any]:
        """The control API's ``GET /_sandbox/calls`` answer."""
        return {"calls": self.calls(), "counts": self.counts()}

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._calls.clear()
