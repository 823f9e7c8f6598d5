"""The broker's queues: how many messages wait and how old the oldest is.

One probe per broker the settings allow:

- **Redis**: ``LLEN`` of the queue's lists (kombu keeps one per priority step); the oldest
  message is the right end of the list (kombu pushes left, pops right). Its age comes
  from the ``hemi_sent_at`` header every message of this project carries
  (:mod:`.jobs`); a message without it is aged from when a probe first saw it.
- **RabbitMQ**: a passive ``queue_declare`` gives the depth without touching a message.
  AMQP has no way to read the oldest message without taking it, so the age is how long
  the queue has been seen non-empty (since a probe last found it empty): a lower bound
  that grows while the backlog stays.
- **Filesystem** (the demo's broker): the ``*.<queue>.msg`` files of the queue folder;
  the oldest file's modification time gives the age.

Every network call has a short timeout; a broker that does not answer gives a
:class:`QueueFigure` with ``error`` set, never an exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from hemi_fulfilment.operations.jobs import SENT_AT_HEADER

#: kombu's Redis transport: one list per priority step, named queue + separator + step.
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (0, 3, 6, 9)
FIRST_SEEN_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class QueueFigure:
    """One queue of the broker as a probe found it."""

    queue: str
    messages: int | None
    oldest_age_seconds: float | None
    age_source: str = ""  # "sent time", "first seen", "file time", "non-empty since"
    error: str = ""


def broker_kind(url: str | None = None) -> str:
    """``redis``, ``amqp``, ``filesystem``, ``memory`` (or the URL's scheme)."""
    scheme = (url or settings.CELERY_BROKER_URL).split("://", 1)[0].lower()
    return {"rediss": "redis", "amqps": "amqp", "pyamqp": "amqp"}.get(scheme, scheme)


def queue_names() -> list[str]:
    """The queues the workers consume: Celery's default queue and any configured ones."""
    from hemi_fulfilment.celery import app

    names = [app.conf.task_default_queue or "celery"]
    for queue in app.conf.task_queues or ():
        name = getattr(queue, "name", None) or str(queue)
        if name not in names:
            names.append(name)
    return names


def _timeout() -> float:
    return float(settings.READINESS_TIMEOUT_SECONDS)


def _first_seen(key: str, now: float) -> float:
    cache_key = f"operations:queue-first-seen:{key}"
    cache.add(cache_key, now, timeout=FIRST_SEEN_TTL_SECONDS)
    seen = cache.get(cache_key)
    return float(seen) if seen is not None else now


# --- Redis ---------------------------------------------------------------------------------
def _redis_client(url: str) -> Any:
    import redis

    timeout = _timeout()
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def _redis_message_age(raw: bytes | str, now: float) -> tuple[float, str]:
    try:
        message = json.loads(raw)
        headers = message.get("headers") or {}
        sent_at = headers.get(SENT_AT_HEADER)
        if isinstance(sent_at, int | float):
            return max(0.0, now - float(sent_at)), "sent time"
        key = (message.get("properties") or {}).get("delivery_tag") or headers.get("id")
    except (ValueError, AttributeError, TypeError):
        key = None
    if not key:  # no id at all: the message itself names it
        key = hashlib.sha256(raw if isinstance(raw, bytes) else raw.encode()).hexdigest()
    return max(0.0, now - _first_seen(f"redis:{key}", now)), "first seen"


def redis_queues(url: str, names: Iterable[str]) -> list[QueueFigure]:
    """Depth and oldest age of each queue on the Redis broker at ``url``."""
    figures = []
    client = _redis_client(url)
    try:
        for name in names:
            keys = [
                name if step == 0 else f"{name}{REDIS_PRIORITY_SEPARATOR}{step}"
                for step in REDIS_PRIORITY_STEPS
            ]
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.llen(key)
                pipe.lindex(key, -1)
            answers = pipe.execute()
            now = time.time()
            depth = sum(int(n) for n in answers[0::2])
            ages = [_redis_message_age(raw, now) for raw in answers[1::2] if raw is not None]
            oldest = max(ages, default=None)
            figures.append(
                QueueFigure(
                    name,
                    depth,
                    oldest[0] if oldest else None,
                    oldest[1] if oldest else "",
                )
            )
    finally:
        client.close()
    return figures


# --- RabbitMQ ------------------------------------------------------------------------------
def amqp_queues(url: str, names: Iterable[str]) -> list[QueueFigure]:
    """Depth (passive declare) and non-empty-since age of each queue on RabbitMQ."""
    from amqp.exceptions import NotFound
    from kombu import Connection

    figures = []
    with Connection(url, connect_timeout=_timeout()) as connection:
        connection.ensure_connection(max_retries=1, timeout=math.ceil(_timeout()))
        for name in names:
            channel: Any = connection.channel()  # an amqp channel (kombu types it generically)
            try:
                _, depth, _consumers = channel.queue_declare(queue=name, passive=True)
            except NotFound:
                depth = 0  # not declared yet: nothing was ever sent to it
            finally:
                # A channel the broker closed with its 404 is already gone.
                with contextlib.suppress(Exception):
                    channel.close()
            now = time.time()
            key = f"operations:queue-first-seen:amqp:{name}"
            if depth:
                cache.add(key, now, timeout=FIRST_SEEN_TTL_SECONDS)
                since = cache.get(key)
                age = max(0.0, now - float(since)) if since is not None else 0.0
                figures.append(QueueFigure(name, int(depth), age, "non-empty since"))
            else:
                cache.delete(key)
                figures.append(QueueFigure(name, 0, None))
    return figures


# --- Filesystem ----------------------------------------------------------------------------
def _queue_folder() -> Path | None:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    folder = options.get("data_folder_in")
    return Path(folder) if folder else None


def filesystem_queues(names: Iterable[str]) -> list[QueueFigure]:
    """Message files per queue in the filesystem broker's folder, and the oldest one's age."""
    folder = _queue_folder()
    if folder is None:
        return [QueueFigure(n, None, None, error="No queue folder is configured.") for n in names]
    now = time.time()
    figures = []
    for name in names:
        suffix = f"{name}.msg"
        times = []
        for entry in folder.iterdir() if folder.is_dir() else ():
            if entry.name.partition(".")[2] == suffix:
                try:
                    times.append(entry.stat().st_mtime)
                except FileNotFoundError:  # taken by a worker meanwhile
                    continue
        oldest = max(0.0, now - min(times)) if times else None
        figures.append(QueueFigure(name, len(times), oldest, "file time" if times else ""))
    return figures


# --- Any broker -------------------------------------------------------------------------------
def queue_figures() -> list[QueueFigure]:
    """The configured broker's queues; a broker that cannot be asked says why."""
    url = settings.CELERY_BROKER_URL
    kind = broker_kind(url)
    names = queue_names()
    try:
        if kind == "redis":
            return redis_queues(url, names)
        if kind == "amqp":
            return amqp_queues(url, names)
        if kind == "filesystem":
            return filesystem_queues(names)
    except Exception as exc:
        reason = f"The {kind} broker did not answer ({type(exc).__name__})."
        return [QueueFigure(name, None, None, error=reason) for name in names]
    return [
        QueueFigure(n, None, None, error=f"Queues of the {kind} broker cannot be measured.")
        for n in names
    ]


def broker_reachable() -> bool:
    """True when the broker answers within the readiness timeout."""
    url = settings.CELERY_BROKER_URL
    kind = broker_kind(url)
    if kind == "redis":
        client = _redis_client(url)
        try:
            return bool(client.ping())
        finally:
            client.close()
    if kind == "amqp":
        from kombu import Connection

        with Connection(url, connect_timeout=_timeout()) as connection:
            connection.ensure_connection(max_retries=1, timeout=math.ceil(_timeout()))
            return True
    if kind == "filesystem":
        folder = _queue_folder()
        return folder is not None and folder.is_dir()
    return kind == "memory"
