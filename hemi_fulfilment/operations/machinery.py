"""Is the machinery alive: the worker's heartbeat, beat's tick, database and broker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections

from hemi_fulfilment.operations.broker import broker_reachable
from hemi_fulfilment.operations.models import Heartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pulse:
    """The last sign of life of the worker or of beat."""

    name: str
    last_seen: datetime | None
    detail: str = ""

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_seen is None else max(timedelta(0), now - self.last_seen)

    def is_stale(self, now: datetime) -> bool:
        """Silent longer than ``ALERT_HEARTBEAT_STALE_MINUTES`` (never seen is not stale:
        a new installation whose worker has not run yet is not an incident)."""
        age = self.age(now)
        return age is not None and age > stale_after()


def stale_after() -> timedelta:
    return timedelta(minutes=settings.ALERT_HEARTBEAT_STALE_MINUTES)


def pulses() -> dict[str, Pulse]:
    """The worker's and beat's pulses (one query)."""
    found = {h.name: h for h in Heartbeat.objects.all()}
    return {
        name: Pulse(name, found[name].beat_at, found[name].detail)
        if name in found
        else Pulse(name, None)
        for name in (Heartbeat.WORKER, Heartbeat.BEAT)
    }


def database_reachable(alias: str = "default") -> bool:
    """True when the database answers ``SELECT 1``."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def within_timeout(probe: Callable[[], bool], seconds: float) -> bool:
    """Run ``probe`` in a thread of its own; False when it raises or takes too long.

    The thread's database connection is its own and is closed when it ends, so a probe
    that hangs holds nothing the request needs.
    """
    outcome: list[bool] = []

    def run() -> None:
        try:
            outcome.append(bool(probe()))
        except Exception as exc:
            logger.warning("Readiness probe %s failed: %s", probe.__name__, type(exc).__name__)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=f"readiness-{probe.__name__}", daemon=True)
    thread.start()
    thread.join(seconds)
    return bool(outcome and outcome[0])


def is_ready() -> bool:
    """The database and the broker both answer within ``READINESS_TIMEOUT_SECONDS``."""
    seconds = float(settings.READINESS_TIMEOUT_SECONDS) + 0.5
    return within_timeout(database_reachable, seconds) and within_timeout(broker_reachable, seconds)
