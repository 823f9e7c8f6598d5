"""Fault injection: make chosen calls fail the ways a real provider fails.

A rule names an endpoint (an exact path, or a glob such as ``*`` or ``/openapi/*``), a
kind, and how often: the next ``count`` matching calls (1 when neither is given), or a
``ratio`` of them decided by a seedable RNG. The first live rule that matches a call
applies to it. ``latency_ms`` (default 500 for ``latency``) also delays any other kind.
``after`` (default 0) skips the rule for the first N matching calls before it starts to
count: ``{"endpoint": ".../v2/snapshot", "kind": "http500", "after": 2}`` fails
the third page of a paged read. Control-API calls are never faulted.

``query_lag`` is applied by the endpoint, not by the router: each Query v2 call it takes
(one per ``count``) answers as if OC's query side lagged behind its creation API, leaving
out every order no query has returned yet ("not found"); later calls tell the truth.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FAULT_KINDS = (
    "http500",  # HTTP 500 with a small HTML body
    "timeout",  # hold the connection timeout_fault_seconds, then close it unanswered
    "malformed",  # HTTP 200, JSON content type, truncated JSON
    "token_rejected",  # reject the (valid) token in the client's rejection style
    "latency",  # wait latency_ms, then answer normally
    "accept_then_timeout",  # process the call fully, then hold and drop the answer
    "query_lag",  # Query v2 leaves out orders no query has returned yet (see above)
)
QUERY_V2 = "/openapi/3pp/outbound/v2/query"
#: Kinds the endpoint applies itself (``FaultBook.take``); the router never sees them.
ENDPOINT_KINDS = ("query_lag",)


@dataclass
class FaultRule:
    """One fault rule; ``count`` None means ratio-based (unlimited)."""

    id: int
    endpoint: str
    kind: str
    count: int | None
    ratio: float | None
    latency_ms: int
    hits: int = 0
    # Matching calls still to let through before the rule applies.
    after: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The rule as the control API shows it."""
        return {
            "id": self.id,
            "endpoint": self.endpoint,
            "kind": self.kind,
            "count": self.count,
            "ratio": self.ratio,
            "latency_ms": self.latency_ms,
            "hits": self.hits,
            "after": self.after,
        }


class FaultBook:
    """The live fault rules; not thread-safe (the sandbox lock guards it)."""

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._next_id = 1
        # Fault injection, not security: a seedable PRNG is exactly what is wanted here.
        self._rng = random.Random(seed)  # noqa: S311

    def seed(self, seed: int | None) -> None:
        """Restart the RNG of ratio-based rules."""
        self._rng = random.Random(seed)  # noqa: S311 - see __init__

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from the control API's JSON; ValueError when the spec is wrong."""
        endpoint = spec.get("endpoint", "*")
        kind = spec.get("kind")
        if not isinstance(endpoint, str) or not endpoint:
            raise ValueError("endpoint must be a path such as /oauth/token, or *")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        if kind == "query_lag" and not fnmatch.fnmatchcase(QUERY_V2, endpoint):
            raise ValueError(f"query_lag applies to {QUERY_V2} only")
        count, ratio = spec.get("count"), spec.get("ratio")
        if count is not None and ratio is not None:
            raise ValueError("give count or ratio, not both")
        if ratio is None and count is None:
            count = 1
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise ValueError("count must be a whole number")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        if ratio is not None and (
            isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1
        ):
            raise ValueError("ratio must be a number from 0.0 to 1.0")
        latency_ms = spec.get("latency_ms", 500 if kind == "latency" else 0)
        if not isinstance(latency_ms, int) or isinstance(latency_ms, bool) or latency_ms < 0:
            raise ValueError("latency_ms must be a whole number of milliseconds")
        after = spec.get("after", 0)
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ValueError("after must be a whole number of calls >= 0")
        rule = FaultRule(
            id=self._next_id,
            endpoint=endpoint,
            kind=kind,
            count=count,
            ratio=float(ratio) if ratio is not None else None,
            latency_ms=latency_ms,
            after=after,
        )
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def match(self, path: str) -> FaultRule | None:
        """The rule that applies to a call of ``path``, consuming one of its ``count``."""
        return self._first(path, lambda kind: kind not in ENDPOINT_KINDS)

    def take(self, kind: str, path: str) -> FaultRule | None:
        """The live rule of an endpoint-applied ``kind`` for this call of ``path``, if any."""
        return self._first(path, lambda candidate: candidate == kind)

    def _first(self, path: str, wanted: Callable[[str], bool]) -> FaultRule | None:
        for rule in self._rules:
            if not wanted(rule.kind) or not fnmatch.fnmatchcase(path, rule.endpoint):
                continue
            if rule.after > 0:
                rule.after -= 1
                continue
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
            elif rule.ratio is None or self._rng.random() >= rule.ratio:
                continue
            rule.hits += 1
            return rule
        return None

    def rules(self) -> list[dict[str, Any]]:
        """The live rules."""
        return [rule.to_dict() for rule in self._rules]

    def clear(self) -> int:
        """Remove every rule; returns how many there were."""
        cleared = len(self._rules)
        self._rules.clear()
        return cleared
