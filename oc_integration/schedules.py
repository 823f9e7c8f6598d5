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
recurring_job(
    RecurringJob(
        name="OC: purge old stock history",
        task="oc.purge_stock_history",
        description="Daily: deletes stock history lines older than OC_STOCK_HISTORY_DAYS.",
        crontab="15 3 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: push queued outbound orders",
        task="oc.push_outbound_all_accounts",
        description="Every 5 minutes: sends queued outbound orders, at most 50 per OC call.",
        every_minutes=5,
    )
)
recurring_job(
    RecurringJob(
        name="OC: automatic routing",
        task="oc.route_orders_all_accounts",
        description="Every 5 minutes: new paid orders go to OC by each account's routing rules "
        "(accounts whose routing a manager turned on), queued for the push.",
        every_minutes=5,
    )
)
recurring_job(
    RecurringJob(
        name="OC: outbound status and tracking",
        task="oc.refresh_outbound_status",
        description="Every 15 minutes: Query v2 for open outbound orders (status, tracking) and "
        "orders OC created itself.",
        every_minutes=15,
    )
)
recurring_job(
    RecurringJob(
        name="OC: shipping services",
        task="oc.refresh_shipping_services",
        description="Daily: GetServiceList, the shipping services offered per region.",
        crontab="30 4 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: SKU catalogue",
        task="oc.sync_skus_all_accounts",
        description="Daily: SKU Query v3 for every authorized OC account (status, names, "
        "sizes; linked to Hemi's products by seller SKU).",
        crontab="15 5 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: stock movements",
        task="oc.sync_movements_all_accounts",
        description="Every 3 hours: GetStockMovement for every authorized OC account, in "
        "windows of under 7 days from where the last complete window ended.",
        every_minutes=180,
    )
)
recurring_job(
    RecurringJob(
        name="OC: stock age",
        task="oc.sync_stock_age_all_accounts",
        description="Daily: GetStockAge for every authorized OC account (the aged stock report).",
        crontab="45 5 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: low-stock digest",
        task="oc.low_stock_digest",
        description="Daily: emails each OC account's recipients and ADMINS the stock rows that "
        "crossed into low stock since the last digest (once per crossing).",
        crontab="30 6 * * *",
    )
)
recurring_job(
    RecurringJob(
        name="OC: inbound orders",
        task="oc.sync_inbound_all_accounts",
        description="Every 2 hours: the detail query for every open inbound order (status, "
        "units received), in windows of under 7 days from where the last check ended.",
        every_minutes=120,
    )
)
recurring_job(
    RecurringJob(
        name="OC: returns",
        task="oc.sync_returns_all_accounts",
        description="Every hour: OC's return orders created or changed since the last import "
        "(linked to their outbound orders), then the returned-stock snapshot.",
        every_minutes=60,
    )
)
