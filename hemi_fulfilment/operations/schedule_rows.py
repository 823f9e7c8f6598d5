"""The scheduled jobs (beat's PeriodicTask rows) with what their task did lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django_celery_beat.models import PeriodicTask

from hemi_fulfilment.operations.models import JobOutcome


@dataclass(frozen=True)
class JobRow:
    """One scheduled job, or one task the jobs queue (then ``periodic_task_id`` is None)."""

    name: str
    task: str
    enabled: bool
    periodic_task_id: int | None
    next_run: datetime | None
    outcome: JobOutcome | None


def next_run(task: PeriodicTask, now: datetime) -> datetime | None:
    """When beat sends ``task`` next, as its schedule says (None: not scheduled)."""
    if not task.enabled:
        return None
    try:
        schedule = task.schedule
        remaining = schedule.remaining_estimate(task.last_run_at or now)
        # The schedule's own clock: the estimate is relative to it, not to ``now``.
        due = schedule.now() + remaining
    except Exception:  # a clocked job already run, a schedule beat itself cannot read
        return None
    return max(now, due)


def job_rows(now: datetime) -> list[JobRow]:
    """Every scheduled job, then every other task that ran (two queries)."""
    outcomes = {o.task_name: o for o in JobOutcome.objects.all()}
    tasks = PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").order_by(
        "name"
    )
    rows = [
        JobRow(
            name=task.name,
            task=task.task,
            enabled=task.enabled,
            periodic_task_id=task.pk,
            next_run=next_run(task, now),
            outcome=outcomes.get(task.task),
        )
        for task in tasks
    ]
    scheduled = {row.task for row in rows}
    rows += [
        JobRow(name=name, task=name, enabled=True, periodic_task_id=None, next_run=None, outcome=o)
        for name, o in sorted(outcomes.items())
        if name not in scheduled
    ]
    return rows
