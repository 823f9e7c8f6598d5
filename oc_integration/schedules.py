"""Recurring jobs of the OC integration, registered after every migrate."""

from hemi_fulfilment.schedules import RecurringJob, recurring_job
from oc_integration.tasks import TOKEN_REFRESH_EVERY_MINUTES

recurring_job(
    RecurringJob(
        name="OC: refresh access tokens",
        task="oc.refresh_access_tokens",
        description="Renews every authorized OC account's access token before it expires.",
        every_minutes=TOKEN_REFRESH_EVERY_MINUTES,
    )
)
recurring_job(
    RecurringJob(
        name="OC: warn about expiring authorizations",
        task="oc.warn_expiring_refresh_tokens",
        description="Daily: emails ADMINS once when a refresh token expires within "
        "OC_REFRESH_TOKEN_WARNING_DAYS.",
        crontab="0 7 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: stock snapshot",
        task="oc.sync_stock_all_accounts",
        description="Every 30 minutes: one stock snapshot sync per authorized OC account.",
        every_minutes=30,
    )
)
