"""Planning and applying a staged snapshot in SQL (PostgreSQL).

The same rules as the Python planner (:func:`oc_integration.stock.plan.plan_stock_sync`,
which the SQLite demo uses), stated as queries over the staged rows:

* *resolved*: every staged row with its Hemi product (through the account's OC SKU
  catalogue, else by SKU), the eBay account its region serves (the account's region
  mapping) and the product's listing (item account) there, if any;
* *plan*: for each product and region, the first row that named them, compared with the
  stored stock row (``IS NOT DISTINCT FROM`` over listing, SKU and figures): create,
  update, unchanged, or refresh (unchanged but never given a time);
* the flips: rows of the account Created in OC that no staged row names.

The summary is one aggregate query over the join, so a sync in which nothing changed
asks one question after the COPY and writes nothing. Only the rows to write (or to
review) are kept, in ``oc_stock_plan``; nothing here holds the snapshot in Python, and
only a stored review (dry run, confirmation) reads the plan back into a
:class:`StockPlan`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection
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
from oc_integration.stock.staging import SnapshotStage
from oc_integration.stock.writer import Upsert, hold_account, hold_catalog

PLAN = "oc_stock_plan"
#: Lines of each kind of message read back for the run (the counts stay exact).
MESSAGE_LIMIT = 1000
#: Memory for each sort and hash of the planning queries (this transaction only), in
#: kB: the default 4 MB spills the hashes of a 200,000-row catalog to disk in several
#: batches. It grows with the snapshot, since the largest hash holds the account's stock
#: row for each staged row (about 230 bytes; PostgreSQL lets a hash take twice work_mem),
#: up to a cap on what one sync takes of the database server: at the cap, a million SKUs
#: in two regions still hash in memory (64 MB spilled a repeat sync's join in 4 batches).
WORK_MEM_KB = (64 * 1024, 256 * 1024)
WORK_MEM_PER_ROW = 128  # bytes


def work_mem_kb(staged_rows: int) -> int:
    """The work_mem (kB) of the planning queries for ``staged_rows`` rows."""
    low, high = WORK_MEM_KB
    return max(low, min(high, staged_rows * WORK_MEM_PER_ROW // 1024))


#: PostgreSQL's SQLSTATE for a duplicate key.
UNIQUE_VIOLATION = "23505"


class StockRowsAppeared(Exception):
    """A row the plan was to create exists already: the run fails and writes nothing."""


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


class StagedPlan:
    """A staged snapshot, planned for one account: its summary, then apply or review.

    The summary is one aggregate query over the staged rows joined to the catalog and the
    stock table; nothing is materialized. Only when something is to be written or
    reviewed are those rows (never the unchanged ones) kept in a temporary table.
    Must be built and used inside one transaction (that table is dropped at commit).
    """

    def __init__(self, account: AccountOrangeConnex, stage: SnapshotStage) -> None:
        self.account = account
        self.cursor = stage.cursor
        self.staged = stage.table
        self.others = stage.others
        self.stock = _table(ProductAccountOrangeConnex)
        self._planned = False
        self.has_duplicates = False
        self._prepare(stage.rows)
        self.summary = self._summarize(stage)

    def _run(self, sql: str, params: Any = ()) -> None:
        self.cursor.execute(sql, params)

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql, params)
        return list(self.cursor.fetchall())

    def _prepare(self, staged_rows: int) -> None:
        # Before anything is read: the account, the products and the item accounts
        # cannot be deleted while its rows are planned and written (nor can the plan
        # name one that is gone).
        hold_account(self.account.pk)
        hold_catalog()
        self._run("SET LOCAL work_mem = %s", [f"{work_mem_kb(staged_rows)}kB"])
        # Each query runs once per sync: compiling it (JIT) costs more than it saves.
        self._run("SET LOCAL jit = off")
        # Two workers join the staged rows to the catalog and the stock table a third
        # faster (measured at 200,000 and 2,000,000 staged rows), but the planner's
        # default costs for starting them and for handing each joined row to the leader
        # (the summary's aggregate is not split between workers) keep it from trying.
        self._run("SET LOCAL parallel_setup_cost = 10")
        self._run("SET LOCAL parallel_tuple_cost = 0.001")
        # The stock table right after a bulk load, before autovacuum came by, has no
        # statistics: the planner would guess nested loops over 200,000 rows. (The staged
        # rows need none: a table never analysed is estimated from its size.)
        self._run(
            "SELECT n_mod_since_analyze > 1000 + n_live_tup / 10 FROM pg_stat_user_tables"
            " WHERE relid = %s::regclass",
            [ProductAccountOrangeConnex._meta.db_table],
        )
        stale = self.cursor.fetchone()
        if stale and stale[0]:
            self._run(f"ANALYZE {self.stock}")
        # The kinds of other counts are few (a few dozen rows, rarely thousands) but a
        # table never analysed is guessed at a thousand or so: the planner would sort
        # every staged row to merge-join them. Analysing it takes a millisecond.
        self._run(f"ANALYZE {self.others}")
        targets = region_targets(self.account)
        if targets:
            values = ", ".join(["(%s::text, %s::bigint, %s::text)"] * len(targets))
            self._regions = (
                f"SELECT * FROM (VALUES {values})"  # noqa: S608 - placeholders only
                " v(region, ebay_account_id, ebay_account_name)"
            )
            self._region_params: list[Any] = [
                value for region, target in targets.items() for value in (region, *target)
            ]
        else:
            self._regions = (
                "SELECT NULL::text AS region, NULL::bigint AS ebay_account_id,"
                " NULL::text AS ebay_account_name WHERE false"
            )
            self._region_params = []

    # --- the queries, as subqueries ----------------------------------------------------

    def _resolved(self) -> tuple[str, list[Any]]:
        """Every staged row with its Hemi product (the one the account's OC SKU catalogue
        links to the OC SKU, else the one whose SKU is the seller SKU), the eBay account
        its region serves and the product's listing there, if any."""
        sql = (
            "SELECT s.ord, s.pos, s.seller_sku, s.oc_sku, s.region,"  # noqa: S608 - names only
            " s.available, s.intransit, COALESCE(o.other, s.other) AS other, s.snapshot_time,"
            " COALESCE(cp.id, p.id) AS product_id, COALESCE(cp.sku, p.sku) AS sku,"
            " m.region IS NOT NULL AS mapped, m.ebay_account_id, m.ebay_account_name,"
            " ia.id AS item_account_id"
            f" FROM {self.staged} s LEFT JOIN {self.others} o ON o.kind = s.other_kind"
            f" LEFT JOIN {_table(OCSku)} c ON c.account_id = %s AND c.oc_sku = s.oc_sku"
            f" LEFT JOIN {_table(Product)} cp ON cp.id = c.product_id"
            f" LEFT JOIN {_table(Product)} p ON p.sku = s.seller_sku"
            f" LEFT JOIN ({self._regions}) m ON m.region = upper(s.region)"
            f" LEFT JOIN {_table(ItemAccount)} ia"
            "  ON ia.product_id = COALESCE(cp.id, p.id) AND ia.ebay_account_id = m.ebay_account_id"
        )
        return sql, [self.account.pk, *self._region_params]

    #: A planned row whose stored row already holds what the snapshot says.
    _SAME = (
        "(e.created_in_oc AND NOT e.stale AND (e.item_account_id, e.sku, e.oc_sku,"
        " e.available_stock, e.intransit_stock, e.other_stock) IS NOT DISTINCT FROM"
        " (r.item_account_id, r.sku, r.oc_sku, r.available, r.intransit, r.other))"
    )
    #: A resolved row that names a product and a region (the rows that are planned).
    _NAMED = "r.product_id IS NOT NULL AND r.region IS NOT NULL"

    def _plan(self) -> tuple[str, list[Any]]:
        """For each product and region, the first row that named them, compared with the
        stored stock row: create, update, unchanged, or refresh (unchanged but never
        given a time). Without duplicates every named row is its own first row, and the
        sort that finds the first is left out."""
        resolved, params = self._resolved()
        named = f"SELECT * FROM ({resolved}) r WHERE {self._NAMED}"  # noqa: S608
        if self.has_duplicates:
            named = (
                f"SELECT DISTINCT ON (product_id, region) * FROM ({named}) d"  # noqa: S608
                " ORDER BY product_id, region, ord, pos"
            )
        sql = (
            "SELECT r.*, e.id AS existing_id, e.available_stock AS before_available,"  # noqa: S608
            " e.intransit_stock AS before_intransit, e.created_in_oc AS before_created_in_oc,"
            " e.other_stock AS before_other,"
            f" CASE WHEN e.id IS NULL THEN 'create' WHEN NOT {self._SAME} THEN 'update'"
            " WHEN e.stock_updated IS NULL THEN 'refresh' ELSE 'unchanged' END AS action"
            f" FROM ({named}) r"
            f" LEFT JOIN {self.stock} e ON e.account_id = %s"
            "  AND e.product_id = r.product_id AND e.region = r.region"
        )
        return sql, [*params, self.account.pk]

    def _gone(self) -> tuple[str, list[Any]]:
        """The account's rows Created in OC that no staged row names (alias ``e``)."""
        resolved, params = self._resolved()
        sql = (
            "e.account_id = %s AND e.created_in_oc AND NOT EXISTS"  # noqa: S608 - names only
            f" (SELECT 1 FROM ({resolved}) r"
            "  WHERE r.product_id = e.product_id AND r.region = e.region)"
        )
        return sql, [self.account.pk, *params]

    def _messages(self, condition: str, columns: str, order: str) -> list[tuple[Any, ...]]:
        resolved, params = self._resolved()
        return self._rows(
            f"SELECT {columns} FROM ({resolved}) r WHERE {condition}"  # noqa: S608
            f" ORDER BY {order} LIMIT %s",
            [*params, MESSAGE_LIMIT],
        )

    # --- what it would change -----------------------------------------------------------

    def _summarize(self, stage: SnapshotStage) -> PlanSummary:
        resolved, params = self._resolved()
        named, same = self._NAMED, self._SAME
        # One pass over the staged rows, the catalog and the stock table: what the rows
        # are, and what planning them would do if no product and region came twice. Two
        # rows for one stored row share its id; two for a new row share (product, region).
        (
            (
                unknown,
                missing,
                named_rows,
                unmapped,
                distinct_named,
                creates,
                updates,
                unchanged,
                refreshes,
                confirmed,
                before,
            ),
        ) = self._rows(
            "SELECT count(*) FILTER (WHERE product_id IS NULL AND pos = 0),"  # noqa: S608
            " count(*) FILTER (WHERE product_id IS NOT NULL AND ebay_account_id IS NOT NULL"
            "  AND item_account_id IS NULL),"
            " count(*) FILTER (WHERE named),"
            " count(DISTINCT region) FILTER (WHERE named AND NOT mapped),"
            " count(DISTINCT existing_id)"
            "  + count(DISTINCT (product_id, region)) FILTER (WHERE named AND existing_id IS NULL),"
            " count(*) FILTER (WHERE named AND existing_id IS NULL),"
            " count(*) FILTER (WHERE named AND existing_id IS NOT NULL AND NOT same),"
            " count(*) FILTER (WHERE named AND same AND timed),"
            " count(*) FILTER (WHERE named AND same AND NOT timed),"
            " count(*) FILTER (WHERE named AND created_in_oc),"
            f" (SELECT count(*) FROM {self.stock} e WHERE e.account_id = %s AND e.created_in_oc)"
            " FROM (SELECT r.product_id, r.pos, r.region, r.mapped, r.ebay_account_id,"
            f"  r.item_account_id, {named} AS named, e.id AS existing_id, e.created_in_oc,"
            f"  e.stock_updated IS NOT NULL AS timed, {same} AS same"
            f"  FROM ({resolved}) r LEFT JOIN {self.stock} e ON e.account_id = %s"
            # OFFSET 0 keeps the subquery whole, so "same" is worked out once per row,
            # not once for each count that reads it.
            "   AND e.product_id = r.product_id AND e.region = r.region OFFSET 0) x",
            # The count of rows Created in OC comes first in the text, then the join's.
            [self.account.pk, *params, self.account.pk],
        )
        duplicates = named_rows - distinct_named
        self.has_duplicates = duplicates > 0
        if self.has_duplicates:
            # Rare: only the first row of a product and region counts; plan again so.
            plan, plan_params = self._plan()
            ((creates, updates, unchanged, refreshes, confirmed),) = self._rows(
                "SELECT count(*) FILTER (WHERE action = 'create'),"  # noqa: S608
                " count(*) FILTER (WHERE action = 'update'),"
                " count(*) FILTER (WHERE action = 'unchanged'),"
                " count(*) FILTER (WHERE action = 'refresh'),"
                f" count(*) FILTER (WHERE before_created_in_oc) FROM ({plan}) p",
                plan_params,
            )
        # Every product and region the snapshot names is one planned row, and each of
        # them confirms at most one stored row: the rest of the rows Created in OC flip.
        flips = before - confirmed
        # The summary counts refreshes among the unchanged rows; applying needs them apart.
        self.refreshes = refreshes
        self.missing = (
            [
                missing_item_account_message(sku, site)
                for sku, site in self._messages(
                    "product_id IS NOT NULL AND ebay_account_id IS NOT NULL"
                    " AND item_account_id IS NULL",
                    "sku, ebay_account_name",
                    "ord, pos",
                )
            ]
            if missing
            else []
        )
        self.unknown = (
            [
                unknown_sku_message(sku)
                for (sku,) in self._messages("product_id IS NULL AND pos = 0", "seller_sku", "ord")
            ]
            if unknown
            else []
        )
        self.unmapped = (
            [
                unmapped_region_message(region)
                for (region,) in self._messages(
                    "product_id IS NOT NULL AND region IS NOT NULL AND NOT mapped GROUP BY region",
                    "region",
                    "region",
                )
            ]
            if unmapped
            else []
        )
        self.duplicates = (
            [
                duplicate_message(sku, region, oc_sku)
                for sku, region, oc_sku in self._duplicate_rows()
            ]
            if duplicates
            else []
        )
        return PlanSummary(
            skus_seen=stage.skus,
            snapshot_time=stage.latest.isoformat() if stage.latest else None,
            creates=creates,
            updates=updates,
            unchanged=unchanged + refreshes,
            flips=flips,
            created_in_oc_before=before,
            missing_item_accounts=missing,
            unknown_skus=unknown,
            messages=[*self.missing, *self.unknown, *self.unmapped, *self.duplicates],
            message_total=missing + unknown + unmapped + duplicates,
        )

    def _duplicate_rows(self) -> list[tuple[Any, ...]]:
        resolved, params = self._resolved()
        return self._rows(
            "SELECT sku, region, oc_sku FROM"  # noqa: S608
            " (SELECT *, row_number() OVER"
            "  (PARTITION BY product_id, region ORDER BY ord, pos) AS nth"
            f"  FROM ({resolved}) r WHERE product_id IS NOT NULL AND region IS NOT NULL) d"
            " WHERE nth > 1 ORDER BY ord, pos LIMIT %s",
            [*params, MESSAGE_LIMIT],
        )

    def _keep_writes(self) -> None:
        """Keep the planned rows that are not unchanged (once), for applying or review."""
        if self._planned:
            return
        plan, params = self._plan()
        self._run(f"DROP TABLE IF EXISTS {PLAN}")
        self._run(
            f"CREATE TEMP TABLE {PLAN} ON COMMIT DROP AS"  # noqa: S608 - names, not values
            f" SELECT * FROM ({plan}) p WHERE action <> 'unchanged'",
            params,
        )
        self._planned = True

    # --- applying ----------------------------------------------------------------------

    def apply(self, progress: Progress, *, run_id: int | None = None) -> None:
        """Write the plan: the flips, then the created and changed rows with their history
        lines (seen by run ``run_id``), then the times of unchanged rows that had none.
        Unchanged rows are not touched, and nothing is asked of the database when
        nothing is to be written."""
        now = timezone.now()
        stock = self.stock
        if self.summary.flips:
            gone, params = self._gone()
            self._run(
                f"UPDATE {stock} e SET created_in_oc = false, stale = true, updated = %s"  # noqa: S608
                f" WHERE {gone}",
                [now, *params],
            )
        progress("write", 1, 3)
        writes = self.summary.creates + self.summary.updates
        if writes and not (self.summary.updates or self.refreshes or self._planned):
            # Only new rows (a first sync): each gets a history line of the figures it was
            # written with, so the lines come from the insert's own RETURNING, and the
            # plan is read once, straight into the table, never kept aside. A plain
            # INSERT: no stored row has their key (the plan found none, and the run lock
            # keeps other syncs of the account out), so the speculative insertion of ON
            # CONFLICT (a tenth of a million-SKU first sync) buys nothing; a row that
            # appeared all the same fails the run, and nothing is written.
            plan, params = self._plan()
            try:
                self._write(
                    f"({plan}) p WHERE action = 'create'",
                    params,
                    "w",
                    "true",
                    run_id,
                    now,
                    upsert=False,
                )
            except IntegrityError as exc:
                if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
                    raise
                raise StockRowsAppeared(
                    "Stock rows of this account were written by someone else while the "
                    "sync was writing its new ones."
                ) from exc
        elif writes or self.refreshes:
            self._keep_writes()
            if writes:
                # A history line for each written row whose figures changed, in the same
                # statement: the ids come back from the upsert, not from a second look-up.
                self._write(
                    f"{PLAN} WHERE action IN ('create', 'update')",
                    [],
                    f"w JOIN {PLAN} p ON p.product_id = w.product_id AND p.region = w.region",
                    "p.action IN ('create', 'update') AND (p.before_available,"
                    " p.before_intransit, p.before_other) IS DISTINCT FROM"
                    " (p.available, p.intransit, p.other)",
                    run_id,
                    now,
                )
        progress("write", 2, 3)
        if self.refreshes:
            self._run(
                f"UPDATE {stock} e SET stock_updated = p.snapshot_time FROM {PLAN} p"  # noqa: S608
                " WHERE p.action = 'refresh' AND e.id = p.existing_id"
            )
        progress("write", 3, 3)

    def _write(
        self,
        source: str,
        params: list[Any],
        written: str,
        changed: str,
        run_id: int | None,
        now: datetime,
        *,
        upsert: bool = True,
    ) -> None:
        """Upsert (or, ``upsert=False``, insert) the planned rows of ``source`` (SQL with
        ``params``) and, in the same statement, append a history line for each written row
        where ``changed`` holds. ``written`` is the history's FROM: the RETURNING rows
        (alias ``w``), alone or joined to what decides ``changed``."""
        conflict = (
            " ON CONFLICT (account_id, product_id, region) DO UPDATE SET"
            " item_account_id = EXCLUDED.item_account_id, sku = EXCLUDED.sku,"
            " oc_sku = EXCLUDED.oc_sku, available_stock = EXCLUDED.available_stock,"
            " intransit_stock = EXCLUDED.intransit_stock, other_stock = EXCLUDED.other_stock,"
            " stock_updated = EXCLUDED.stock_updated, created_in_oc = true, stale = false,"
            " updated = EXCLUDED.updated"
            if upsert
            else ""
        )
        self._run(
            f"WITH w AS (INSERT INTO {self.stock} (account_id, product_id, region,"  # noqa: S608
            " item_account_id, sku, oc_sku, available_stock, intransit_stock, other_stock,"
            " stock_updated, created_in_oc, stale, created, updated)"
            " SELECT %s, product_id, region, item_account_id, sku, oc_sku, available,"
            f" intransit, other, snapshot_time, true, false, %s, %s FROM {source}{conflict}"
            " RETURNING id, product_id, region, stock_updated,"
            " available_stock, intransit_stock, other_stock)"
            f" INSERT INTO {_table(StockHistory)} (stock_id, run_id, recorded,"
            " available_stock, intransit_stock, other_stock)"
            " SELECT w.id, %s, w.stock_updated, w.available_stock, w.intransit_stock,"
            f" w.other_stock FROM {written} WHERE {changed}",
            [self.account.pk, now, now, *params, run_id],
        )

    # --- a review to store -------------------------------------------------------------

    def reviewable(self) -> StockPlan:
        """The plan as a :class:`StockPlan` (for a dry run or a run awaiting confirmation),
        read from the planned tables; applying it later writes exactly this."""
        summary = self.summary
        self._keep_writes()
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
        gone, params = self._gone()
        plan.flips = (
            [
                Flip(pk, sku, region)
                for pk, sku, region in self._rows(
                    f"SELECT e.id, p.sku, e.region FROM {self.stock} e"  # noqa: S608
                    f" JOIN {_table(Product)} p ON p.id = e.product_id"
                    f" WHERE {gone} ORDER BY e.id",
                    params,
                )
            ]
            if self.summary.flips
            else []
        )
        return plan


def _json(value: Any) -> Any:
    # Django reads jsonb as text on PostgreSQL (its JSONField decodes it), so a raw cursor
    # gets a string.
    return json.loads(value) if isinstance(value, str) else value
