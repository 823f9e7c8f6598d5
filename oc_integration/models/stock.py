"""What OC holds per product and region, and the runs that sync it."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import ItemAccount
from oc_integration.models.auth import AccountOrangeConnex


class ProductAccountOrangeConnex(models.Model):
    """A product's place in one OC account for one region (Hemi's "Product Account Orange Connex").

    The item account fixes the region: the eBay UK listing is the UK row, the eBay DE
    listing the DE row. Stock figures come from OC's stock snapshot and are for reference.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name="OC account",
    )
    item_account = models.ForeignKey(
        ItemAccount, on_delete=models.CASCADE, related_name="oc_products"
    )
    region = models.CharField("region", max_length=16, help_text="OC service region, e.g. UK.")
    oc_sku = models.CharField("OC SKU", max_length=15, blank=True, help_text="OC's MFSKUID.")
    available_stock = models.IntegerField("Available Stock", default=0)
    intransit_stock = models.IntegerField("Intransit Stock", default=0)
    # The other counts of the snapshot (RCVD, RSVALOC, RSVHO, RSVAS, UNF, and any status
    # OC adds later), kept for reference: {"RCVD": 0, "RSVALOC": 5, ...}.
    other_stock = models.JSONField("other counts", default=dict, blank=True)
    # The snapshot time of the figures as last written. A row confirmed by a later
    # snapshot with the same figures is not rewritten: the review shows that run's
    # snapshot time (SyncRun.snapshot_time) for it instead.
    stock_updated = models.DateTimeField("Stock Updated", null=True, blank=True)
    created_in_oc = models.BooleanField("Created in OC", default=False)
    # True once the product left OC's snapshot: the figures are its last known ones.
    stale = models.BooleanField("stale figures", default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Product Account Orange Connex"
        verbose_name_plural = "Products Account Orange Connex"
        ordering = ["item_account__product__sku", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "item_account"], name="oc_product_one_per_account_listing"
            )
        ]
        # Only what the review and the sync use: the figures a sync changes carry no
        # index, so their updates can stay on the page (HOT).
        indexes = [
            models.Index(fields=["oc_sku"], name="oc_product_oc_sku_idx"),
            models.Index(
                fields=["account", "region", "created_in_oc"], name="oc_product_region_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.oc_sku or '(no OC SKU)'} {self.region}"


class SyncRun(models.Model):
    """One run of a background sync (stock snapshot, …): what happened, for the admin."""

    class Kind(models.TextChoices):
        STOCK = "stock", "Stock snapshot"

    class Trigger(models.TextChoices):
        BEAT = "beat", "Schedule"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        NEEDS_CONFIRMATION = "needs_confirmation", "Needs confirmation"
        DRY_RUN = "dry_run", "Dry run (nothing changed)"
        SKIPPED = "skipped", "Skipped (another run was in progress)"
        APPLIED = "applied", "Confirmed and applied"

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="sync_runs",
        verbose_name="OC account",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STOCK)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    skus_seen = models.PositiveIntegerField("SKUs seen", default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    flipped_to_no = models.PositiveIntegerField("flipped to No", default=0)
    missing_item_accounts = models.PositiveIntegerField(default=0)
    unknown_skus = models.PositiveIntegerField("unknown SKUs", default=0)
    # The latest snapshotTime OC reported: once the run is applied, the "Stock Updated"
    # of every row the snapshot confirmed.
    snapshot_time = models.DateTimeField("snapshot time", null=True, blank=True)
    messages = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # The computed changes, kept when a run waits for confirmation or is a dry run, so a
    # manager can review exactly what would be applied and apply exactly that.
    plan = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "Sync run"
        verbose_name_plural = "Sync runs"
        ordering = ["-created", "-id"]
        constraints = [
            # Two runs of one kind for one account never overlap.
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=models.Q(status="running"),
                name="sync_run_one_running_per_account_kind",
            )
        ]
        indexes = [models.Index(fields=["account", "kind", "-created"], name="sync_run_recent_idx")]
        permissions = [
            ("apply_syncrun", "Can apply reviewed stock changes"),
            ("run_stock_sync", "Can run a stock sync or dry run now"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"
