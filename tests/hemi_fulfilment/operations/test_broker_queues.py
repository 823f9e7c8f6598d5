"""Queue depth and the oldest message's age on Redis, RabbitMQ and the filesystem broker."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from hemi_fulfilment.operations import broker
from hemi_fulfilment.operations.broker import amqp_queues, filesystem_queues, redis_queues

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _listening(url: str, default_port: int) -> bool:
    host_port = url.split("@")[-1].split("/")[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or default_port)), timeout=1):
            return True
    except OSError:
        return False


def _redis_url() -> str:
    url = django_settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        pytest.skip("needs the Redis broker (CELERY_BROKER_URL=redis://...)")
    return url


@pytest.fixture
def redis_queue() -> Any:
    """A queue of its own on the configured Redis broker, removed afterwards."""
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url)
    name = f"ops-test-{uuid.uuid4().hex[:8]}"
    yield client, url, name
    client.delete(name, *(f"{name}\x06\x16{step}" for step in (3, 6, 9)))
    client.close()


def _message(headers: dict[str, Any], tag: str) -> str:
    return json.dumps({"body": "", "headers": headers, "properties": {"delivery_tag": tag}})


def test_redis_depth_counts_every_priority_and_the_age_comes_from_the_sent_time(
    redis_queue: Any,
) -> None:
    client, url, name = redis_queue
    sent = time.time() - 120
    client.lpush(name, _message({"hemi_sent_at": sent, "id": "a"}, "t1"))  # oldest: right end
    client.lpush(name, _message({"hemi_sent_at": time.time(), "id": "b"}, "t2"))
    client.lpush(f"{name}\x06\x166", _message({"hemi_sent_at": time.time(), "id": "c"}, "t3"))
    [figure] = redis_queues(url, [name])
    assert figure.messages == 3
    assert figure.age_source == "sent time"
    assert figure.oldest_age_seconds is not None and 119 < figure.oldest_age_seconds < 130


def test_a_redis_message_without_a_sent_time_is_aged_from_when_it_was_first_seen(
    redis_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, url, name = redis_queue
    client.lpush(name, _message({"id": "x"}, f"tag-{uuid.uuid4().hex}"))
    [first] = redis_queues(url, [name])
    assert first.age_source == "first seen" and first.oldest_age_seconds is not None
    assert first.oldest_age_seconds < 5
    later = time.time() + 300
    monkeypatch.setattr(broker.time, "time", lambda: later)
    [second] = redis_queues(url, [name])
    assert second.oldest_age_seconds is not None and 295 < second.oldest_age_seconds < 310


def test_a_real_published_task_carries_its_sent_time(redis_queue: Any) -> None:
    from hemi_fulfilment.celery import app

    _, url, name = redis_queue
    app.send_task("tests.operations.flaky", args=[False], queue=name)
    [figure] = redis_queues(url, [name])
    assert figure.messages == 1 and figure.age_source == "sent time"


def test_filesystem_broker_counts_the_queue_files_and_ages_the_oldest(
    tmp_path: Path, settings: Any
) -> None:
    folder = tmp_path / "queue"
    folder.mkdir()
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(folder)}
    old = folder / f"1_{uuid.uuid4()}.celery.msg"
    old.write_text("{}")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    (folder / f"2_{uuid.uuid4()}.celery.msg").write_text("{}")
    (folder / f"3_{uuid.uuid4()}.other.msg").write_text("{}")  # another queue
    [celery, other, empty] = filesystem_queues(["celery", "other", "empty"])
    assert celery.messages == 2 and celery.age_source == "file time"
    assert celery.oldest_age_seconds is not None and 3590 < celery.oldest_age_seconds < 3700
    assert other.messages == 1
    assert empty.messages == 0 and empty.oldest_age_seconds is None


@pytest.mark.skipif(not _listening(AMQP_URL, 5672), reason="needs RabbitMQ (TEST_AMQP_URL)")
def test_rabbitmq_depth_by_passive_declare_and_age_since_seen_non_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kombu import Connection, Exchange, Queue

    name = f"ops-test-{uuid.uuid4().hex[:8]}"
    assert amqp_queues(AMQP_URL, [name])[0].messages == 0  # not declared: nothing sent
    with Connection(AMQP_URL, connect_timeout=2) as connection:
        queue = Queue(name, Exchange(name), routing_key=name, auto_delete=False)
        producer = connection.Producer()
        try:
            for n in range(3):
                producer.publish(
                    {"n": n}, exchange=queue.exchange, routing_key=name, declare=[queue]
                )
            # RabbitMQ counts a published message a moment after accepting it.
            deadline = time.monotonic() + 10
            while True:
                [first] = amqp_queues(AMQP_URL, [name])
                if first.messages == 3 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert first.messages == 3 and first.age_source == "non-empty since"
            later = time.time() + 600
            monkeypatch.setattr(broker.time, "time", lambda: later)
            [second] = amqp_queues(AMQP_URL, [name])
            assert second.oldest_age_seconds is not None and second.oldest_age_seconds >= 599
        finally:
            queue.bind(connection.default_channel).delete()
            Exchange(name).bind(connection.default_channel).delete()


def test_an_unreachable_broker_is_a_figure_with_a_reason_not_an_exception(settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    [figure] = broker.queue_figures()
    assert figure.messages is None and "did not answer" in figure.error
