"""What the stock review totals: per OC account and region, kept by the database."""

from __future__ import annotations

from django.db import models

from oc_integration.models.auth import AccountOrangeConnex


class RegionStockTotals(models.Model):
    """How many stock rows an OC account has in one region, and their available and in
    transit stock, as the stock rows hold them right now.

    On PostgreSQL, statement triggers on the stock table (migration 0032) keep these up to
    date in the transaction of every statement that inserts, updates, deletes or truncates
    stock rows, whoever runs it: the stock review's totals over hundreds of thousands of
    rows are then a look-up of a few lines instead of an aggregate over all of them. Other
    databases (SQLite, the demo) have no such triggers and leave this table empty; the
    review totals the rows there.
    """

    account = models.ForeignKey(
        AccountOrangeConnex,
        on_delete=models.DO_NOTHING,
        related_name="+",
        # Kept by the triggers, which take an account's lines away with its last row;
        # the unique constraint below starts with the account and serves its look-ups.
        db_constraint=False,
        db_index=False,
    )
    region = models.CharField(max_length=50)
    products = models.BigIntegerField("stock rows")
    available = models.BigIntegerField("available stock")
    intransit = models.BigIntegerField("intransit stock")

    class Meta:
        verbose_name = "region stock totals"
        verbose_name_plural = "region stock totals"
        constraints = [
            models.UniqueConstraint(fields=["account", "region"], name="oc_stock_totals_one")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.region}: {self.products} rows"
