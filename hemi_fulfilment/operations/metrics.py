"""``/metrics``: figures read from the database at scrape time.

Web, worker and beat are separate processes (and gunicorn forks several web workers), so
in-process counters would each see a part. Every figure is therefore read from what the
signals and runs recorded, on each scrape, into a registry of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial

from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from hemi_fulfilment.operations.broker import queue_figures
from hemi_fulfilment.operations.machinery import pulses
from hemi_fulfilment.operations.models import Incident, JobOutcome
from hemi_fulfilment.operations.registry import registry

logger = logging.getLogger(__name__)


def timestamp(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def job_metrics() -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "hemi_job_runs", "Task runs recorded (success or failure).", labels=["task"]
    )
    failures = CounterMetricFamily("hemi_job_failures", "Task runs that failed.", labels=["task"])
    in_a_row = GaugeMetricFamily(
        "hemi_job_consecutive_failures",
        "Failures of the task since its last success.",
        labels=["task"],
    )
    last_success = GaugeMetricFamily(
        "hemi_job_last_success_timestamp_seconds", "When the task last succeeded.", labels=["task"]
    )
    last_duration = GaugeMetricFamily(
        "hemi_job_last_duration_seconds", "How long the task's last run took.", labels=["task"]
    )
    for outcome in JobOutcome.objects.all():
        task = [outcome.task_name]
        runs.add_metric(task, outcome.runs)
        failures.add_metric(task, outcome.failures)
        in_a_row.add_metric(task, outcome.consecutive_failures)
        if outcome.last_success_at:
            last_success.add_metric(task, outcome.last_success_at.timestamp())
        if outcome.last_duration_seconds is not None:
            last_duration.add_metric(task, outcome.last_duration_seconds)
    yield from (runs, failures, in_a_row, last_success, last_duration)


def machinery_metrics(now: datetime) -> Iterator[Metric]:
    age = GaugeMetricFamily(
        "hemi_heartbeat_age_seconds",
        "Seconds since the worker's heartbeat job ran or beat sent a job.",
        labels=["process"],
    )
    for name, pulse in pulses().items():
        pulse_age = pulse.age(now)
        if pulse_age is not None:
            age.add_metric([name], pulse_age.total_seconds())
    yield age
    depth = GaugeMetricFamily(
        "hemi_queue_messages", "Messages waiting in the queue.", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "hemi_queue_oldest_message_age_seconds",
        "Age of the oldest waiting message (0 when the queue is empty).",
        labels=["queue"],
    )
    up = GaugeMetricFamily("hemi_broker_up", "1 when the broker answered the probe.")
    answered = 1
    for figure in queue_figures():
        if figure.error:
            answered = 0
            continue
        depth.add_metric([figure.queue], figure.messages or 0)
        oldest.add_metric([figure.queue], figure.oldest_age_seconds or 0.0)
    up.add_metric([], answered)
    yield from (depth, oldest, up)


def incident_metrics() -> Iterator[Metric]:
    open_alerts = GaugeMetricFamily("hemi_open_alerts", "Open alerts by kind.", labels=["kind"])
    counts: dict[str, int] = {}
    for kind in Incident.objects.filter(resolved_at=None).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    for kind, count in sorted(counts.items()):
        open_alerts.add_metric([kind], count)
    yield open_alerts


class OperationsCollector(Collector):
    """Collects everything once per scrape; a failing source is logged and left out."""

    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        sources: dict[str, Callable[[], Iterable[Metric]]] = {
            "jobs": job_metrics,
            "machinery": partial(machinery_metrics, now),
            "alerts": incident_metrics,
            **{name: partial(source, now) for name, source in registry.metrics_sources.items()},
        }
        failed = GaugeMetricFamily(
            "hemi_metrics_source_failed",
            "1 when a metrics source failed this scrape.",
            labels=["source"],
        )
        for name, produce in sources.items():
            try:
                families = list(produce())
            except Exception:
                logger.exception("Metrics source %s failed", name)
                failed.add_metric([name], 1)
                continue
            failed.add_metric([name], 0)
            yield from families
        yield failed


def render_metrics() -> bytes:
    """The whole exposition, in Prometheus' text format."""
    collectors = CollectorRegistry(auto_describe=False)
    collectors.register(OperationsCollector())
    return generate_latest(collectors)
