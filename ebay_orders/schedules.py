"""Recurring jobs of the eBay orders app."""

from ebay_orders.auth.tokens import TOKEN_REFRESH_EVERY_MINUTES
from hemi_fulfilment.schedules import RecurringJob, recurring_job

recurring_job(
    RecurringJob(
        name="eBay: import orders",
        task="ebay_orders.import_orders",
        description="GetOrders for every enabled eBay connection, from its cursor "
        "(minus EBAY_IMPORT_OVERLAP_MINUTES) to two minutes ago.",
        every_minutes=15,
    )
)

recurring_job(
    RecurringJob(
        name="eBay: report shipped orders",
        task="ebay_orders.ship_orders",
        description="CompleteSale for seller-shipped eBay orders; orders fulfilled by eBay "
        "are skipped (OC ships them).",
        every_minutes=30,
    )
)

recurring_job(
    RecurringJob(
        name="eBay: refresh access tokens",
        task="ebay_orders.refresh_access_tokens",
        description="Renews the access token of every connection made through eBay's consent "
        "before it expires.",
        every_minutes=TOKEN_REFRESH_EVERY_MINUTES,
    )
)

recurring_job(
    RecurringJob(
        name="eBay: warn about expiring consents",
        task="ebay_orders.warn_expiring_refresh_tokens",
        description="Daily: emails ADMINS once when a connection's refresh token expires within "
        "EBAY_REFRESH_TOKEN_WARNING_DAYS.",
        crontab="10 7 * * *",
    )
)
