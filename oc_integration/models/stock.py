"""What OC holds per product and region, and the runs that sync it."""

from __future__ import annotations

from django.db import models

from hemi_fulfilment.catalog.models import ItemAccount, Product
from oc_integration.models.auth import AccountOrangeConnex


class ProductAccountOrangeConnex(models.Model):
    """A product's stock in one OC account and one OC region (Hemi's "Product Account
    Orange Connex").

    One row per product and region, for every region OC reports, listed on eBay or not.
    The account's region mapping says which eBay account a region serves; the row links
    the product's listing there (its item account) when it has one. Stock figures come
    from OC's stock snapshot and are for reference.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name="OC account",
        # The region index starts with the account: an index of its own would only cost
        # every write of the sync.
        db_index=False,
        # No foreign-key constraint: its check at commit, once for each row a sync
        # inserts, always asks about the same account row (2,000,000 times in a first
        # sync of a million SKUs, a tenth of its time). The same promise is kept in two
        # other ways: a sync holds the account (``hold_account``, the lock such a check
        # takes) once, before it plans, and deleting an account in Hemi waits for that
        # (``AccountQuerySet.delete``) and then deletes all its rows (CASCADE); and the
        # database refuses to delete an account that stock rows still name (a trigger,
        # migration 0030).
        db_constraint=False,
    )
    # Nor on the product and its listing (item account): their checks at commit cost a
    # first sync of a million SKUs 4,000,000 look-ups, a fifth of its time. A sync holds
    # the catalog instead (``hold_catalog``: one lock, which deleting products, item
    # accounts or stock rows waits for), and triggers (migration 0031) refuse to delete a
    # product that stock rows still name and unlink the rows of a deleted item account.
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="oc_stock",
        # The unique constraint starts with the product: it serves every look-up by product
        # (a product's rows, and deleting a product), so no index of its own.
        db_index=False,
        db_constraint=False,
    )
    item_account = models.ForeignKey(
        ItemAccount,
        # The database unlinks the rows (SET NULL, by a trigger), after waiting for the
        # syncs under way: rows they wrote meanwhile are unlinked too.
        on_delete=models.DO_NOTHING,
        related_name="oc_products",
        null=True,
        blank=True,
        help_text="The product's listing on the eBay account this region serves, if any.",
        db_constraint=False,
    )
    # The product's Hemi SKU, copied by the sync, so the review can order this table
    # alone, through its own index (its search finds SKUs among the products).
    sku = models.CharField("SKU", max_length=64, default="", blank=True)
    region = models.CharField(
        "region", max_length=50, help_text="OC service region, e.g. UK, DE, AU-MEL, US-East."
    )
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
        # The row's own copy of the product's SKU: the review walks an index for it.
        ordering = ["sku", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "account", "region"], name="oc_product_one_per_region"
            )
        ]
        # Only what the review and the sync use: the figures a sync changes carry no
        # index, so their updates can stay on the page (HOT).
        indexes = [
            # Pattern operators (PostgreSQL; other databases ignore them): the one index
            # serves both a look-up of OC SKUs (=, IN) and the review's search for an OC
            # SKU from its start (LIKE 'OC9%'), under any collation.
            models.Index(
                fields=["oc_sku"], name="oc_product_oc_sku_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["account", "region", "created_in_oc"], name="oc_product_region_idx"
            ),
            # The review's default order as the admin completes it (SKU, region, -pk):
            # a deep page is an index walk, not a sort of the whole table.
            models.Index(fields=["sku", "region", "-id"], name="oc_product_review_order_idx"),
        ]
        # Any part of a SKU is found among the products (their trigram index, catalog
        # migration 0003), not here: a GIN index on these rows cost every row a first sync
        # writes fifteen entries.

    def __str__(self) -> str:
        return f"{self.oc_sku or '(no OC SKU)'} {self.region}"


class SyncRun(models.Model):
    """One run of a background sync (stock snapshot, …): what happened, for the admin."""

    class Kind(models.TextChoices):
        STOCK = "stock", "Stock snapshot"
        SKUS = "skus", "SKU catalogue"
        MOVEMENTS = "movements", "Stock movements"
        STOCK_AGE = "stock_age", "Stock age"

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
