"""Recurring jobs, registered by the project itself.

Each app declares its jobs with :func:`recurring_job` (in its ``schedules`` module,
imported from ``AppConfig.ready``). After every ``migrate`` the jobs are written to
django-celery-beat's tables, so they show up (and can be edited or disabled) in the
admin's *Periodic tasks*. Registering is idempotent and never overwrites what staff
changed: an existing job keeps its schedule and its enabled flag.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecurringJob:
    """One beat entry: a named task on an interval or a crontab."""

    name: str
    task: str
    description: str
    every_minutes: int | None = None
    crontab: str | None = None  # "minute hour day_of_month month day_of_week"
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.crontab is None):
            raise ValueError(f"{self.name}: give exactly one of every_minutes or crontab")


_JOBS: dict[str, RecurringJob] = {}


def recurring_job(job: RecurringJob) -> RecurringJob:
    """Declare ``job``; it is written to the beat tables after the next ``migrate``."""
    _JOBS[job.name] = job
    return job


def declared_jobs() -> list[RecurringJob]:
    """Every job the apps declared, in declaration order."""
    return list(_JOBS.values())


def register_recurring_jobs(using: str = "default", **_: Any) -> list[str]:
    """Create the missing beat entries; return the names of those created."""
    from django.db import connections
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    # A partial migrate (one app, or back to an old state) may leave beat's tables absent.
    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return []

    created = []
    existing = set(PeriodicTask.objects.filter(name__in=_JOBS).values_list("name", flat=True))
    for job in declared_jobs():
        if job.name in existing:
            continue
        schedule: dict[str, Any]
        if job.every_minutes is not None:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=job.every_minutes, period=IntervalSchedule.MINUTES
            )
            schedule = {"interval": interval}
        else:
            minute, hour, day_of_month, month, day_of_week = (job.crontab or "").split()
            cron, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month,
                day_of_week=day_of_week,
                timezone="UTC",
            )
            schedule = {"crontab": cron}
        PeriodicTask.objects.create(
            name=job.name,
            task=job.task,
            description=job.description,
            kwargs=json.dumps(job.kwargs),
            **schedule,
        )
        created.append(job.name)
        logger.info("Registered recurring job %r", job.name)
    return created
