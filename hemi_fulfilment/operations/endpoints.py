"""Endpoints for monitoring systems: liveness, readiness and Prometheus metrics.

``/healthz`` and ``/readyz`` need no login and say nothing but ``ok`` / ``not ok``: no
version, no host, no reason (the health page in the admin gives the reasons).
Liveness answers as long as the process serves requests, deliberately without asking
the database: an orchestrator restarting every web process while the database is down
helps nobody. Readiness asks the database and the broker, each within
``READINESS_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from hemi_fulfilment.operations.machinery import is_ready
from hemi_fulfilment.operations.metrics import render_metrics


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def liveness(request: HttpRequest) -> HttpResponse:
    """The process is up and serving requests."""
    return _plain("ok", 200)


@never_cache
@require_safe
def readiness(request: HttpRequest) -> HttpResponse:
    """The database and the broker answer: this process can do its work."""
    return _plain("ok", 200) if is_ready() else _plain("not ok", 503)


def metrics_authorized(request: HttpRequest) -> bool:
    """No ``METRICS_TOKEN``: open. Otherwise the request must carry it as a bearer token
    (compared in constant time)."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format: jobs, machinery, alerts and every integration's figures."""
    if not metrics_authorized(request):
        response = _plain("not authorized", 401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
