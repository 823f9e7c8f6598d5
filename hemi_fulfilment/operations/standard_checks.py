"""The checks every installation has: failing jobs, and a worker or beat that stopped."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from hemi_fulfilment.operations.machinery import pulses
from hemi_fulfilment.operations.models import Heartbeat, JobOutcome
from hemi_fulfilment.operations.registry import IncidentCheck, Problem, Subject, register_check
from hemi_fulfilment.schedules import declared_jobs
from hemi_fulfilment.words import sentence

JOB_FAILING = "job_failing"
WORKER_STOPPED = "worker_stopped"
BEAT_STOPPED = "beat_stopped"


def plural(count: int, word: str) -> str:
    """``1 minute``, ``3 minutes``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def health_link(anchor: str) -> str:
    return f"{reverse('operations-health')}#{anchor}"


def failing_jobs(now: datetime) -> list[Problem]:
    """A task that failed ``ALERT_JOB_FAILURES`` times in a row or more."""
    threshold = settings.ALERT_JOB_FAILURES
    # People know a job by its schedule's name ("OC: shipping services"), not its task.
    named = {job.task: job.name for job in declared_jobs()}
    return [
        Problem(
            kind=JOB_FAILING,
            subject=Subject(
                key=f"job:{outcome.task_name}",
                label=f"Job {named.get(outcome.task_name, outcome.task_name)}",
            ),
            message=(
                f"The job {_job_words(outcome.task_name, named)} failed "
                f"{plural(outcome.consecutive_failures, 'time')} in a row. "
                f"Last reason: {sentence(outcome.last_failure_reason) or 'not given.'}"
            ),
            link=health_link("jobs"),
        )
        for outcome in JobOutcome.objects.filter(consecutive_failures__gte=threshold)
    ]


def _job_words(task_name: str, named: dict[str, str]) -> str:
    name = named.get(task_name)
    return f'"{name}" ({task_name})' if name else task_name


def stopped_machinery(now: datetime) -> list[Problem]:
    """The worker's heartbeat or beat's tick older than ``ALERT_HEARTBEAT_STALE_MINUTES``."""
    problems = []
    found = pulses()
    minutes = settings.ALERT_HEARTBEAT_STALE_MINUTES
    worker, beat = found[Heartbeat.WORKER], found[Heartbeat.BEAT]
    if worker.is_stale(now):
        problems.append(
            Problem(
                kind=WORKER_STOPPED,
                subject=Subject(key="machinery:worker", label="Celery worker"),
                message=(
                    f"No worker heartbeat since {worker.last_seen:%Y-%m-%d %H:%M:%S} UTC "
                    f"(more than {plural(minutes, 'minute')}): the worker is stopped or stuck, "
                    'or the job "Operations: worker heartbeat" is disabled.'
                ),
                link=health_link("machinery"),
            )
        )
    if beat.is_stale(now):
        problems.append(
            Problem(
                kind=BEAT_STOPPED,
                subject=Subject(key="machinery:beat", label="Celery beat"),
                message=(
                    f"Beat has sent no job since {beat.last_seen:%Y-%m-%d %H:%M:%S} UTC "
                    f"(more than {plural(minutes, 'minute')}): no scheduled job runs until "
                    "it is started again."
                ),
                link=health_link("machinery"),
            )
        )
    return problems


def register() -> None:
    """Register the standard checks (from the app's ``ready``)."""
    register_check(IncidentCheck("jobs", frozenset({JOB_FAILING}), failing_jobs))
    register_check(
        IncidentCheck("machinery", frozenset({WORKER_STOPPED, BEAT_STOPPED}), stopped_machinery)
    )
