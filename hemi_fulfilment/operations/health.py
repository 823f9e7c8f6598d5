"""The health page's content: the machinery, the scheduled jobs, open alerts and what
every integration registered. A constant number of queries, whatever the data."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.operations.broker import QueueFigure, broker_kind, queue_figures
from hemi_fulfilment.operations.machinery import Pulse, pulses, stale_after
from hemi_fulfilment.operations.models import Heartbeat, Incident
from hemi_fulfilment.operations.registry import Line, Section, State, registry
from hemi_fulfilment.operations.schedule_rows import JobRow, job_rows

logger = logging.getLogger(__name__)

#: A queue whose oldest message waited longer than this is worth a look.
QUEUE_AGE_WARNING = timedelta(minutes=5)


def ago(delta: timedelta | None) -> str:
    """``42 s ago``, ``7 min ago``, ``3 h ago``, ``2 days ago``."""
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{int(seconds)} s" if seconds < 120 else f"{int(seconds // 60)} min"


def _pulse_line(label: str, pulse: Pulse, now: datetime, what: str) -> Line:
    age = pulse.age(now)
    if age is None:
        return Line(label, f"no {what} yet", "warning")
    stale = age > stale_after()
    value = f"{what} {ago(age)} ({pulse.last_seen:%Y-%m-%d %H:%M:%S})"
    if pulse.detail:
        value += f", {pulse.detail}"
    return Line(label, ("stopped? " if stale else "") + value, "problem" if stale else "ok")


def _queue_line(figure: QueueFigure) -> Line:
    label = f"Queue {figure.queue}"
    if figure.error:
        return Line(label, figure.error, "problem")
    if not figure.messages:
        return Line(label, "0 waiting", "ok")
    age = timedelta(seconds=figure.oldest_age_seconds or 0)
    state: State = "warning" if age > QUEUE_AGE_WARNING else "ok"
    how = f" ({figure.age_source})" if figure.age_source else ""
    return Line(label, f"{figure.messages} waiting, oldest {ago(age)}{how}", state)


def machinery_section(now: datetime) -> Section:
    """Worker heartbeat, beat's last tick, and the broker's queues."""
    found = pulses()
    lines = [
        _pulse_line("Worker", found[Heartbeat.WORKER], now, "heartbeat"),
        _pulse_line("Beat", found[Heartbeat.BEAT], now, "last tick"),
        Line("Broker", broker_kind(), "info"),
        *(_queue_line(figure) for figure in queue_figures()),
    ]
    return Section("Machinery", tuple(lines))


@dataclass(frozen=True)
class JobLine:
    """A row of the jobs table."""

    row: JobRow
    state: str
    link: str
    last_success: datetime | None
    last_failure: datetime | None
    reason: str
    failures_in_a_row: int
    last_duration: str


def job_lines(now: datetime) -> list[JobLine]:
    lines = []
    threshold = settings.ALERT_JOB_FAILURES
    for row in job_rows(now):
        outcome = row.outcome
        in_a_row = outcome.consecutive_failures if outcome else 0
        state = "problem" if in_a_row >= threshold else "warning" if in_a_row else "ok"
        if not row.enabled:
            state = "info"
        link = (
            reverse("admin:django_celery_beat_periodictask_change", args=[row.periodic_task_id])
            if row.periodic_task_id
            else ""
        )
        lines.append(
            JobLine(
                row=row,
                state=state,
                link=link,
                last_success=outcome.last_success_at if outcome else None,
                last_failure=outcome.last_failure_at if outcome else None,
                reason=outcome.last_failure_reason if outcome else "",
                failures_in_a_row=in_a_row,
                last_duration=duration(outcome.last_duration_seconds if outcome else None),
            )
        )
    return lines


@dataclass(frozen=True)
class HealthPage:
    """Everything the page and the admin home's panel show."""

    now: datetime
    machinery: Section
    jobs: list[JobLine]
    open_incidents: list[Incident]
    sections: list[Section]
    failed_sources: list[str]

    @property
    def attention(self) -> int:
        """Lines and jobs that are not fine."""
        return (
            self.machinery.attention
            + sum(s.attention for s in self.sections)
            + sum(1 for j in self.jobs if j.state in ("warning", "problem"))
        )


def health_page(now: datetime | None = None) -> HealthPage:
    """Build the page: each registered source in turn; a source that fails is named, and
    the rest of the page still shows."""
    now = now or timezone.now()
    sections: list[Section] = []
    failed = []
    for name, (_, source) in sorted(registry.health_sources.items(), key=lambda kv: kv[1][0]):
        try:
            sections.extend(source(now))
        except Exception:
            logger.exception("Health source %s failed", name)
            failed.append(name)
    return HealthPage(
        now=now,
        machinery=machinery_section(now),
        jobs=job_lines(now),
        open_incidents=list(Incident.objects.filter(resolved_at=None).order_by("-opened_at")),
        sections=sections,
        failed_sources=failed,
    )
