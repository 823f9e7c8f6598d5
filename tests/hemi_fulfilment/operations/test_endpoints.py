"""/healthz, /readyz and /metrics: for monitoring systems, revealing nothing else."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hemi_fulfilment.operations.models import Heartbeat
from tests.hemi_fulfilment.operations.helpers import beat, run_flaky

pytestmark = pytest.mark.django_db

HEADERS_ALLOWED = {"Content-Type", "Content-Length", "Cache-Control", "Expires", "Vary"}


def closed_port() -> int:
    """A port nothing listens on (bound once to find it free, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _says(response: Any, text: str, status: int) -> None:
    assert response.status_code == status
    assert response.content == f"{text}\n".encode()
    assert response["Content-Type"].startswith("text/plain")
    # No version, host or framework in the headers either (the security middleware's own
    # headers aside).
    revealing = {h for h in response.headers if h.lower() in ("server", "x-powered-by")}
    assert revealing == set()


def test_liveness_and_readiness_say_ok_and_nothing_else() -> None:
    client = Client()  # anonymous
    _says(client.get("/healthz"), "ok", 200)
    _says(client.get("/readyz"), "ok", 200)
    assert client.post("/readyz").status_code == 405


@pytest.fixture
def database_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """New database connections (the probe's thread opens one) go nowhere."""
    settings_dict = connections.settings["default"]
    if settings_dict["ENGINE"].endswith("sqlite3"):
        monkeypatch.setitem(settings_dict, "NAME", "/nonexistent-folder/db.sqlite3")
        monkeypatch.setitem(settings_dict, "TEST", {**settings_dict.get("TEST", {}), "NAME": None})
    else:
        monkeypatch.setitem(settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(settings_dict, "PORT", str(closed_port()))


def test_readiness_fails_when_the_database_is_unreachable_and_liveness_does_not(
    database_unreachable: None,
) -> None:
    client = Client()
    _says(client.get("/readyz"), "not ok", 503)
    # Liveness never asks the database: a database outage must not restart the web tier.
    _says(client.get("/healthz"), "ok", 200)


def test_readiness_fails_when_the_broker_is_unreachable(settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    _says(Client().get("/readyz"), "not ok", 503)


def test_readiness_fails_when_the_amqp_broker_is_unreachable(settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{closed_port()}//"
    _says(Client().get("/readyz"), "not ok", 503)


def _families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(families: dict[str, Any], name: str, **labels: str) -> float:
    for family in families.values():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"no sample {name} {labels}")


def test_metrics_parse_and_carry_jobs_machinery_and_queue(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    run_flaky(fail=True)
    run_flaky(fail=True)
    run_flaky(fail=False)
    run_flaky(fail=True)
    beat(Heartbeat.WORKER, timezone.now() - timedelta(seconds=90))
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = _families(response.content.decode())
    task = "tests.operations.flaky"
    assert _value(families, "hemi_job_runs_total", task=task) == 4
    assert _value(families, "hemi_job_failures_total", task=task) == 3
    assert _value(families, "hemi_job_consecutive_failures", task=task) == 1
    assert _value(families, "hemi_job_last_success_timestamp_seconds", task=task) > 0
    assert 85 < _value(families, "hemi_heartbeat_age_seconds", process="worker") < 120
    assert _value(families, "hemi_broker_up") == 1
    assert _value(families, "hemi_queue_messages", queue="celery") >= 0
    assert "hemi_queue_oldest_message_age_seconds" in families
    assert "hemi_open_alerts" in families
    for integration_metric in (
        "hemi_oc_outbound_orders_stuck",
        "hemi_oc_outbound_orders_rejected",
        "hemi_oc_refresh_token_expiry_timestamp_seconds",
        "hemi_oc_stock_sync_duration_seconds",
        "hemi_ebay_refresh_token_expiry_timestamp_seconds",
        "hemi_ebay_import_duration_seconds",
    ):
        assert integration_metric in families, integration_metric
    assert all(s.value == 0 for s in families["hemi_metrics_source_failed"].samples), (
        "every source answered"
    )


def test_metrics_require_the_bearer_token_when_one_is_set(settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-secret-123"
    client = Client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic scrape-secret-123").status_code == 401
    refused = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-12")
    assert refused.status_code == 401 and b"hemi_" not in refused.content
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-123")
    assert allowed.status_code == 200 and b"hemi_job_runs" in allowed.content


def test_the_probes_are_not_redirected_to_https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/admin/").status_code == 301


def test_readiness_on_the_filesystem_broker_needs_its_queue_folder(
    settings: Any, tmp_path: Any
) -> None:
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    _says(Client().get("/readyz"), "ok", 200)
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}
    _says(Client().get("/readyz"), "not ok", 503)
