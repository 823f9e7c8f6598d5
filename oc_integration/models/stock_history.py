"""What a stock row's figures were over time: one line per change a snapshot brought."""

from __future__ import annotations

from django.db import models

from oc_integration.models.stock import ProductAccountOrangeConnex, SyncRun


class StockHistory(models.Model):
    """The figures of one stock row (product x region) as an applied snapshot set them.

    A sync appends a line only where available, in transit or the other counts changed,
    so a repeat sync with the same figures appends nothing. Kept for
    ``OC_STOCK_HISTORY_DAYS`` (a daily job purges older lines).
    """

    stock = models.ForeignKey(
        ProductAccountOrangeConnex,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name="stock row",
        # oc_stock_history_row_idx (stock, recorded) serves every look-up by row.
        db_index=False,
        # No database constraint. Lines are written only by the sync, in the transaction
        # that writes (and so holds) their rows, on PostgreSQL in the same statement (from
        # the upsert's RETURNING), and by the demo's seed for the rows it just made: a
        # line cannot name a missing row, and lines go with their row through Django's
        # CASCADE. The constraint's only effect was one deferred check per line at
        # commit: 2,000,000 for a first sync of a million SKUs, about a tenth of its time.
        db_constraint=False,
    )
    # The run that saw the figures (runs are kept as evidence; SET_NULL only in case).
    run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_history",
        # Nothing looks lines up by run, and runs are never deleted: an index would only
        # cost every line a sync appends, and so would a constraint (one check per line at
        # commit) guarding a run that the sync itself holds and nobody can delete.
        db_index=False,
        db_constraint=False,
    )
    recorded = models.DateTimeField("snapshot time", help_text="OC's snapshot time of the figures.")
    available_stock = models.IntegerField("Available Stock")
    intransit_stock = models.IntegerField("Intransit Stock")
    other_stock = models.JSONField("other counts", default=dict, blank=True)

    class Meta:
        verbose_name = "stock history line"
        verbose_name_plural = "stock history"
        ordering = ["stock", "recorded", "id"]
        indexes = [
            models.Index(fields=["stock", "recorded"], name="oc_stock_history_row_idx"),
            # The purge job deletes by age.
            models.Index(fields=["recorded"], name="oc_stock_history_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stock} at {self.recorded:%Y-%m-%d %H:%M}: {self.available_stock} available"
