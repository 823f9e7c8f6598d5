"""Project-wide tasks."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache


@shared_task(name="hemi_fulfilment.ping", acks_late=True)
def ping(nonce: str) -> str:
    """Health check: leave a mark in the shared cache and answer ``pong``.

    Used by ``manage.py check_worker`` and the tests to prove a worker is consuming.
    """
    cache.set(f"ping:{nonce}", "pong", timeout=300)
    return "pong"
