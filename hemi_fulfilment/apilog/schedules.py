"""Recurring jobs of the API call log."""

from hemi_fulfilment.schedules import RecurringJob, recurring_job

recurring_job(
    RecurringJob(
        name="API call log: purge old calls",
        task="apilog.purge_old_calls",
        description="Deletes successful calls after API_LOG_KEEP_SUCCESS_DAYS and failed ones "
        "after API_LOG_KEEP_FAILURE_DAYS.",
        crontab="17 3 * * *",
    )
)
