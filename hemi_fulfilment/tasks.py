"""Project-wide tasks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache


@shared_task(name="hemi_fulfilment.ping", acks_late=True)
def ping(nonce: str) -> str:
    """Health check: leave a mark in the shared cache and answer ``pong``.

    The tests use it to prove a worker consumes from the configured broker; operators can
    send it to check:
    ``celery -A hemi_fulfilment.celery call hemi_fulfilment.ping --args="[\"x\"]"``.
    """
    cache.set(f"ping:{nonce}", "pong", timeout=300)
    return "pong"
