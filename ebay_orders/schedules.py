"""Recurring jobs of the eBay orders app."""

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
