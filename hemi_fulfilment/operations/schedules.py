"""The jobs of operations, registered after every migrate."""

from hemi_fulfilment.schedules import RecurringJob, recurring_job

recurring_job(
    RecurringJob(
        name="Operations: worker heartbeat",
        task="operations.heartbeat",
        description="Every minute: the worker writes its heartbeat (the health page and the "
        "'worker stopped' alert read it).",
        every_minutes=1,
    )
)
recurring_job(
    RecurringJob(
        name="Operations: evaluate alerts",
        task="operations.evaluate_alerts",
        description="Every minute: runs the alert checks, emails once when a problem starts "
        "and once when it clears.",
        every_minutes=1,
    )
)
