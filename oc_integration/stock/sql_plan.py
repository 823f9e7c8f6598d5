"""Planning and applying a staged snapshot in SQL (PostgreSQL).

The same rules as the Python planner (:func:`oc_integration.stock.plan.plan_stock_sync`,
which the SQLite demo uses), stated as queries over the staged rows:

* ``oc_stock_resolved``: every staged row with its Hemi product (through the account's OC
  SKU catalogue, else by SKU), the eBay account its region serves (the account's region
  mapping) and the product's listing (item account) there, if any;
* ``oc_stock_plan``: for each product and region, the first row that named them, compared
  with the stored stock row (``IS NOT DISTINCT FROM`` over listing, SKU and figures):
  create, update, unchanged, or refresh (unchanged but never given a time);
* the flips are an anti-join: rows of the account Created in OC that no staged row names.

Applying writes only the created and changed rows, so a repeat sync with the same figures
writes nothing. Nothing here holds the snapshot in Python; only a stored review (dry run,
confirmation) reads the plan back into a :class:`StockPlan`.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone

from hemi_fulfilment.catalog.models import ItemAccount, Product
from oc_integration.models import (
    AccountOrangeConnex,
    OCSku,
    ProductAccountOrangeConnex,
    StockHistory,
)
from oc_integration.stock.plan import (
    Flip,
    PlanSummary,
    Progress,
    Refresh,
    StockPlan,
    duplicate_message,
    missing_item_account_message,
    unknown_sku_message,
    unmapped_region_message,
)
from oc_integration.stock.regions import region_targets
from oc_integration.stock.staging import STAGED, SnapshotStage
from oc_integration.stock.writer import Upsert

REGIONS, RESOLVED, PLAN = "oc_stock_regions", "oc_stock_resolved", "oc_stock_plan"
#: Lines of each kind of message read back for the run (the counts stay exact).
MESSAGE_LIMIT = 1000


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


class StagedPlan:
    """A staged snapshot, planned for one account: its summary, then apply or review.

    Must be built and used inside one transaction (its tables are dropped at commit).
    """

    def __init__(self, account: AccountOrangeConnex, stage: SnapshotStage) -> None:
        self.account = account
        self.cursor = stage.cursor
        self.stock = _table(ProductAccountOrangeConnex)
        self._resolve()
        self.summary = self._summarize(stage)

    def _run(self, sql: str, params: Any = ()) -> None:
        self.cursor.execute(sql, params)

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql, params)
        return list(self.cursor.fetchall())

    def _resolve(self) -> None:
        for name in (REGIONS, RESOLVED, PLAN):
            self._run(f"DROP TABLE IF EXISTS {name}")
        self._run(
            f"CREATE TEMP TABLE {REGIONS} (region text PRIMARY KEY, ebay_account_id bigint,"
            " ebay_account_name text) ON COMMIT DROP"
        )
        mapped = [(region, *target) for region, target in region_targets(self.account).items()]
        if mapped:
            self.cursor.executemany(f"INSERT INTO {REGIONS} VALUES (%s, %s, %s)", mapped)  # noqa: S608
        # Temporary tables are never analysed by autovacuum: without statistics the
        # planner would guess nested loops over 200,000 rows. The same for the stock
        # table itself right after a bulk load, before autovacuum came by.
        self._run(f"ANALYZE {STAGED}")
        self._run(
            "SELECT n_mod_since_analyze > 1000 + n_live_tup / 10 FROM pg_stat_user_tables"
            " WHERE relid = %s::regclass",
            [ProductAccountOrangeConnex._meta.db_table],
        )
        stale = self.cursor.fetchone()
        if stale and stale[0]:
            self._run(f"ANALYZE {self.stock}")
        # The product: the one the account's OC SKU catalogue links to the OC SKU, else
        # the one whose Hemi SKU is the seller SKU.
        self._run(
            f"CREATE TEMP TABLE {RESOLVED} ON COMMIT DROP AS "  # noqa: S608 - names, not values
            "SELECT s.*, COALESCE(cp.id, p.id) AS product_id, COALESCE(cp.sku, p.sku) AS sku,"
            " m.region IS NOT NULL AS mapped, m.ebay_account_id, m.ebay_account_name,"
            " ia.id AS item_account_id"
            f" FROM {STAGED} s"
            f" LEFT JOIN {_table(OCSku)} c ON c.account_id = %s AND c.oc_sku = s.oc_sku"
            f" LEFT JOIN {_table(Product)} cp ON cp.id = c.product_id"
            f" LEFT JOIN {_table(Product)} p ON p.sku = s.seller_sku"
            f" LEFT JOIN {REGIONS} m ON m.region = upper(s.region)"
            f" LEFT JOIN {_table(ItemAccount)} ia"
            "  ON ia.product_id = COALESCE(cp.id, p.id) AND ia.ebay_account_id = m.ebay_account_id",
            [self.account.pk],
        )
        self._run(f"ANALYZE {RESOLVED}")
        # One product and region take one set of figures: the first row naming them.
        same = (
            "(e.created_in_oc AND NOT e.stale AND (e.item_account_id, e.sku, e.oc_sku,"
            " e.available_stock, e.intransit_stock, e.other_stock) IS NOT DISTINCT FROM"
            " (r.item_account_id, r.sku, r.oc_sku, r.available, r.intransit, r.other))"
        )
        self._run(
            f"CREATE TEMP TABLE {PLAN} ON COMMIT DROP AS "  # noqa: S608 - names, not values
            "SELECT r.*, e.id AS existing_id, e.available_stock AS before_available,"
            " e.intransit_stock AS before_intransit, e.created_in_oc AS before_created_in_oc,"
            " e.other_stock AS before_other,"
            f" CASE WHEN e.id IS NULL THEN 'create' WHEN NOT {same} THEN 'update'"
            " WHEN e.stock_updated IS NULL THEN 'refresh' ELSE 'unchanged' END AS action"
            f" FROM (SELECT DISTINCT ON (product_id, region) * FROM {RESOLVED}"
            "  WHERE product_id IS NOT NULL AND region IS NOT NULL"
            "  ORDER BY product_id, region, ord, pos) r"
            f" LEFT JOIN {self.stock} e ON e.account_id = %s"
            "  AND e.product_id = r.product_id AND e.region = r.region",
            [self.account.pk],
        )
        self._run(f"ANALYZE {PLAN}")

    # --- what it would change -----------------------------------------------------------

    def _gone(self) -> str:
        """The account's rows Created in OC that no staged row names (alias ``e``)."""
        return (
            "e.account_id = %s AND e.created_in_oc AND NOT EXISTS"  # noqa: S608 - names only
            f" (SELECT 1 FROM {RESOLVED} r"
            "  WHERE r.product_id = e.product_id AND r.region = e.region)"
        )

    def _summarize(self, stage: SnapshotStage) -> PlanSummary:
        actions = dict(self._rows(f"SELECT action, count(*) FROM {PLAN} GROUP BY action"))  # noqa: S608
        ((before, flips),) = self._rows(
            f"SELECT (SELECT count(*) FROM {self.stock} e"  # noqa: S608
            " WHERE e.account_id = %s AND e.created_in_oc),"
            f" (SELECT count(*) FROM {self.stock} e WHERE {self._gone()})",
            [self.account.pk, self.account.pk],
        )
        ((unknown, missing, duplicates, unmapped),) = self._rows(
            "SELECT count(*) FILTER (WHERE product_id IS NULL AND pos = 0),"  # noqa: S608
            " count(*) FILTER (WHERE product_id IS NOT NULL AND ebay_account_id IS NOT NULL"
            "  AND item_account_id IS NULL),"
            f" (SELECT count(*) FROM {RESOLVED} WHERE product_id IS NOT NULL"
            f"  AND region IS NOT NULL) - (SELECT count(*) FROM {PLAN}),"
            " count(DISTINCT region) FILTER (WHERE product_id IS NOT NULL"
            "  AND region IS NOT NULL AND NOT mapped)"
            f" FROM {RESOLVED}"
        )
        self.missing = [
            missing_item_account_message(sku, site)
            for sku, site in self._rows(
                f"SELECT sku, ebay_account_name FROM {RESOLVED}"  # noqa: S608
                " WHERE product_id IS NOT NULL AND ebay_account_id IS NOT NULL"
                " AND item_account_id IS NULL ORDER BY ord, pos LIMIT %s",
                [MESSAGE_LIMIT],
            )
        ]
        self.unknown = [
            unknown_sku_message(sku)
            for (sku,) in self._rows(
                f"SELECT seller_sku FROM {RESOLVED}"  # noqa: S608
                " WHERE product_id IS NULL AND pos = 0 ORDER BY ord LIMIT %s",
                [MESSAGE_LIMIT],
            )
        ]
        self.unmapped = [
            unmapped_region_message(region)
            for (region,) in self._rows(
                f"SELECT DISTINCT region FROM {RESOLVED}"  # noqa: S608
                " WHERE product_id IS NOT NULL AND region IS NOT NULL"
                " AND NOT mapped ORDER BY region"
            )
        ]
        self.duplicates = [
            duplicate_message(sku, region, oc_sku)
            for sku, region, oc_sku in self._rows(
                "SELECT sku, region, oc_sku FROM"  # noqa: S608
                " (SELECT *, row_number() OVER"
                "  (PARTITION BY product_id, region ORDER BY ord, pos) AS nth"
                f"  FROM {RESOLVED} WHERE product_id IS NOT NULL AND region IS NOT NULL) d"
                " WHERE nth > 1 ORDER BY ord, pos LIMIT %s",
                [MESSAGE_LIMIT],
            )
        ]
        return PlanSummary(
            skus_seen=stage.skus,
            snapshot_time=stage.latest.isoformat() if stage.latest else None,
            creates=actions.get("create", 0),
            updates=actions.get("update", 0),
            unchanged=actions.get("unchanged", 0) + actions.get("refresh", 0),
            flips=flips,
            created_in_oc_before=before,
            missing_item_accounts=missing,
            unknown_skus=unknown,
            messages=[*self.missing, *self.unknown, *self.unmapped, *self.duplicates],
            message_total=missing + unknown + unmapped + duplicates,
        )

    # --- applying ----------------------------------------------------------------------

    def apply(self, progress: Progress, *, run_id: int | None = None) -> None:
        """Write the plan: the flips, then the created and changed rows with their history
        lines (seen by run ``run_id``), then the times of unchanged rows that had none.
        Unchanged rows are not touched."""
        now = timezone.now()
        stock = self.stock
        self._run(
            f"UPDATE {stock} e SET created_in_oc = false, stale = true, updated = %s"  # noqa: S608
            f" WHERE {self._gone()}",
            [now, self.account.pk],
        )
        progress("write", 1, 3)
        self._run(
            f"INSERT INTO {stock} (account_id, product_id, region, item_account_id, sku,"  # noqa: S608
            " oc_sku, available_stock, intransit_stock, other_stock, stock_updated,"
            " created_in_oc, stale, created, updated)"
            " SELECT %s, product_id, region, item_account_id, sku, oc_sku, available,"
            f" intransit, other, snapshot_time, true, false, %s, %s FROM {PLAN}"
            " WHERE action IN ('create', 'update')"
            " ON CONFLICT (account_id, product_id, region) DO UPDATE SET"
            " item_account_id = EXCLUDED.item_account_id, sku = EXCLUDED.sku,"
            " oc_sku = EXCLUDED.oc_sku, available_stock = EXCLUDED.available_stock,"
            " intransit_stock = EXCLUDED.intransit_stock, other_stock = EXCLUDED.other_stock,"
            " stock_updated = EXCLUDED.stock_updated, created_in_oc = true, stale = false,"
            " updated = EXCLUDED.updated",
            [self.account.pk, now, now],
        )
        self._run(
            f"INSERT INTO {_table(StockHistory)} (stock_id, run_id, recorded,"  # noqa: S608
            " available_stock, intransit_stock, other_stock)"
            " SELECT e.id, %s, p.snapshot_time, p.available, p.intransit, p.other"
            f" FROM {PLAN} p JOIN {stock} e ON e.account_id = %s"
            "  AND e.product_id = p.product_id AND e.region = p.region"
            " WHERE p.action IN ('create', 'update')"
            "  AND (p.before_available, p.before_intransit, p.before_other)"
            "  IS DISTINCT FROM (p.available, p.intransit, p.other)",
            [run_id, self.account.pk],
        )
        progress("write", 2, 3)
        self._run(
            f"UPDATE {stock} e SET stock_updated = p.snapshot_time FROM {PLAN} p"  # noqa: S608
            " WHERE p.action = 'refresh' AND e.id = p.existing_id"
        )
        progress("write", 3, 3)

    # --- a review to store -------------------------------------------------------------

    def reviewable(self) -> StockPlan:
        """The plan as a :class:`StockPlan` (for a dry run or a run awaiting confirmation),
        read from the planned tables; applying it later writes exactly this."""
        summary = self.summary
        plan = StockPlan(
            skus_seen=summary.skus_seen,
            snapshot_time=summary.snapshot_time,
            unchanged=summary.unchanged,
            created_in_oc_before=summary.created_in_oc_before,
            missing_item_accounts=self.missing,
            unknown_skus=self.unknown,
            unmapped_regions=self.unmapped,
            duplicates=self.duplicates,
        )
        plan.upserts = [
            Upsert(
                existing_id=existing_id,
                product_id=product_id,
                item_account_id=item_account_id,
                sku=sku,
                region=region,
                oc_sku=oc_sku,
                available=available,
                intransit=intransit,
                other=_json(other),
                stock_updated=when.isoformat(),
                before_available=before_available,
                before_intransit=before_intransit,
                before_created_in_oc=before_created_in_oc,
                before_other=_json(before_other),
            )
            for (
                existing_id,
                product_id,
                item_account_id,
                sku,
                region,
                oc_sku,
                available,
                intransit,
                other,
                when,
                before_available,
                before_intransit,
                before_created_in_oc,
                before_other,
            ) in self._rows(
                "SELECT existing_id, product_id, item_account_id, sku, region, oc_sku,"  # noqa: S608
                " available,"
                " intransit, other, snapshot_time, before_available, before_intransit,"
                f" before_created_in_oc, before_other FROM {PLAN}"
                " WHERE action IN ('create', 'update')"
                " ORDER BY ord, pos"
            )
        ]
        plan.refreshes = [
            Refresh(pk, when.isoformat())
            for pk, when in self._rows(
                f"SELECT existing_id, snapshot_time FROM {PLAN}"  # noqa: S608
                " WHERE action = 'refresh' ORDER BY ord, pos"
            )
        ]
        plan.flips = [
            Flip(pk, sku, region)
            for pk, sku, region in self._rows(
                f"SELECT e.id, p.sku, e.region FROM {self.stock} e"  # noqa: S608
                f" JOIN {_table(Product)} p ON p.id = e.product_id"
                f" WHERE {self._gone()} ORDER BY e.id",
                [self.account.pk],
            )
        ]
        return plan


def _json(value: Any) -> Any:
    # Django reads jsonb as text on PostgreSQL (its JSONField decodes it), so a raw cursor
    # gets a string.
    return json.loads(value) if isinstance(value, str) else value
