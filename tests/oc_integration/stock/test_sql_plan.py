"""The SQL planner (PostgreSQL) decides exactly what the Python planner (SQLite) decides."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from django.db import connection, transaction

from oc_integration.auth.api_client import api_client
from oc_integration.client.stock import (
    RegionStock,
    SnapshotRow,
    fetch_stock_snapshot,
    stream_stock_snapshot,
)
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockHistory,
    SyncRun,
)
from oc_integration.stock import staging
from oc_integration.stock.plan import apply_stock_plan, plan_stock_sync
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from oc_integration.stock.sql_plan import StagedPlan
from oc_integration.stock.staging import SnapshotStage, snapshot_stage
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.stock.totals import counted_totals, kept_totals

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _a_snapshot_with_every_case(account: AccountOrangeConnex) -> list[SnapshotRow]:
    """After a first sync: a snapshot that updates, confirms, refreshes, flips, repeats a
    listing, names an unmapped region and SKUs Hemi does not know."""
    run = run_stock_sync(queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    rows = fetch_stock_snapshot(api_client(account))
    known = [r for r in rows if ProductAccountOrangeConnex.objects.filter(sku=r.seller_sku)]
    assert len(known) >= 8
    stored = ProductAccountOrangeConnex.objects.filter(account=account)
    stored.filter(sku=known[2].seller_sku).update(stock_updated=None)  # a refresh
    stored.filter(sku=known[3].seller_sku, region="UK").update(stale=True)  # an update
    changed = [
        msgspec.structs.replace(
            row,
            regions=tuple(RegionStock(s.region, {**s.counts, "AVL": 999}) for s in row.regions),
        )
        for row in known[:2]
    ]
    twin = msgspec.structs.replace(known[4], oc_sku="OC9TWIN0000001")
    unmapped = msgspec.structs.replace(
        known[5], regions=(*known[5].regions, RegionStock("AU", {"AVL": 3}))
    )
    no_regions = msgspec.structs.replace(known[6], regions=())
    stranger = msgspec.structs.replace(known[0], seller_sku="NOT-IN-HEMI-1", oc_sku="OC9STRANGER01")
    # known[-1] is left out: its rows flip to Created in OC = No.
    return [*changed, *known[2:4], known[4], twin, unmapped, no_regions, stranger, *known[7:-1]]


def _stored(account: AccountOrangeConnex) -> list[tuple[Any, ...]]:
    return [*_stock_rows(account), *_history(account)]


def _history(account: AccountOrangeConnex) -> list[tuple[Any, ...]]:
    return list(
        StockHistory.objects.filter(stock__account=account)
        .order_by("stock__product_id", "stock__region", "recorded", "pk")
        .values_list(
            "stock__product_id",
            "stock__region",
            "run_id",
            "recorded",
            "available_stock",
            "intransit_stock",
            "other_stock",
        )
    )


def _stock_rows(account: AccountOrangeConnex) -> list[tuple[Any, ...]]:
    return list(
        ProductAccountOrangeConnex.objects.filter(account=account)
        .order_by("product_id", "region")
        .values_list(
            "product_id",
            "item_account_id",
            "sku",
            "region",
            "oc_sku",
            "available_stock",
            "intransit_stock",
            "other_stock",
            "stock_updated",
            "created_in_oc",
            "stale",
        )
    )


# The stage names each distinct set of other counts by a kind, up to a limit, past which
# rows carry their counts themselves: the default, none named, and the two mixed.
KIND_LIMITS = pytest.mark.parametrize(
    "kind_limit", [None, 0, 3], ids=["kinds named", "counts inline", "mixed"]
)


def _limit_kinds(monkeypatch: pytest.MonkeyPatch, kind_limit: int | None) -> None:
    if kind_limit is not None:
        monkeypatch.setattr(staging, "OTHER_KINDS", kind_limit)


@KIND_LIMITS
def test_the_sql_plan_and_the_python_plan_agree_on_every_case(
    demo_account: AccountOrangeConnex, monkeypatch: pytest.MonkeyPatch, kind_limit: int | None
) -> None:
    rows = _a_snapshot_with_every_case(demo_account)
    _limit_kinds(monkeypatch, kind_limit)

    python_plan = plan_stock_sync(demo_account, rows)
    with snapshot_stage() as stage, transaction.atomic():
        stage.add(rows)
        stage.flush()
        staged = StagedPlan(demo_account, stage)
        sql_plan = staged.reviewable()
        summary = staged.summary
        transaction.set_rollback(True)

    assert summary == python_plan.summary()
    assert sql_plan.to_json() == python_plan.to_json()
    # Every case is present, so the comparison above compared something.
    assert python_plan.updates >= 3 and python_plan.refreshes and python_plan.flips
    assert python_plan.duplicates and python_plan.unmapped_regions and python_plan.unknown_skus


@KIND_LIMITS
def test_applying_in_sql_leaves_the_rows_the_python_planner_leaves(
    demo_account: AccountOrangeConnex, monkeypatch: pytest.MonkeyPatch, kind_limit: int | None
) -> None:
    rows = _a_snapshot_with_every_case(demo_account)
    _limit_kinds(monkeypatch, kind_limit)

    with transaction.atomic():
        apply_stock_plan(demo_account, plan_stock_sync(demo_account, rows), run_id=None)
        by_python = _stored(demo_account)
        transaction.set_rollback(True)
    with snapshot_stage() as stage, transaction.atomic():
        stage.add(rows)
        stage.flush()
        StagedPlan(demo_account, stage).apply(lambda *_: None, run_id=None)
    by_sql = _stored(demo_account)

    assert by_sql == by_python
    assert _stock_rows(demo_account) and _history(demo_account), "both were compared"


def test_a_sync_applied_in_sql_leaves_region_totals_that_match_its_rows(
    demo_account: AccountOrangeConnex,
) -> None:
    # Creates, updates, refreshes and flips, each statement keeping the totals on its way.
    rows = _a_snapshot_with_every_case(demo_account)
    with snapshot_stage() as stage, transaction.atomic():
        stage.add(rows)
        stage.flush()
        StagedPlan(demo_account, stage).apply(lambda *_: None, run_id=None)

    kept = kept_totals()
    assert kept == counted_totals()
    assert any(account == demo_account.pk for account, _ in kept)


def test_the_snapshot_reaches_the_stage_in_pieces_and_the_stage_is_dropped_after(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from oc_integration.sandbox import demo_catalog

    template = next(iter(demo_catalog().rows.values())).to_dict(0)
    oc_sandbox.control(
        "PUT",
        "catalog",
        rows=[
            {**template, "MFSKUID": f"OC{n:013d}", "sellerSkuId": f"PIECE-{n}"}
            for n in range(12_000)
        ],
    )
    pieces: list[int] = []
    with snapshot_stage() as stage:

        def sink(rows: list[SnapshotRow]) -> None:
            pieces.append(len(rows))
            stage.add(rows)

        assert stream_stock_snapshot(api_client(demo_account), sink) == 12_000
        stage.flush()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT ord) FROM {stage.table}")  # noqa: S608
            assert cursor.fetchone() == (12_000,)
    # The answer (several MiB) was handed over piece by piece, never as one list.
    assert len(pieces) > 1 and max(pieces) < 12_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [stage.table])
        assert cursor.fetchone() == (None,)


@pytest.mark.django_db(transaction=True)
def test_a_streamed_snapshot_is_staged_frozen_and_kinds_of_other_counts_once_each() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_visibility'")
        if cursor.fetchone() is None:
            pytest.skip("PostgreSQL's pg_visibility extension (contrib) is not installed")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_visibility")
    from datetime import UTC, datetime

    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    rows = [
        SnapshotRow(f"OC{n}", f"SKU-{n}", when, (RegionStock("UK", {"AVL": n, "RCVD": n % 2}),))
        for n in range(500)
    ]
    with snapshot_stage() as stage:
        stage.take_pieces(iter([rows[:250], rows[250:]]))
        with connection.cursor() as cursor:
            # Frozen as written (every page all-frozen in the visibility map): the first
            # read of the rows sets no hint bits, so no page of the stage is written twice.
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE all_frozen)"
                " FROM pg_visibility_map(%s::regclass)",
                [stage.table],
            )
            pages, frozen = cursor.fetchone()
            assert pages > 1 and frozen == pages
            cursor.execute(f"SELECT other FROM {stage.others} ORDER BY kind")  # noqa: S608
            kinds = [_as_json(other) for (other,) in cursor.fetchall()]
        assert kinds == [{}, {"RCVD": 0}, {"RCVD": 1}]
        assert len(_staged(stage)) == 500


def _staged(stage: SnapshotStage) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ord, pos, seller_sku, oc_sku, region, available, intransit,"  # noqa: S608
            f" COALESCE(o.other, s.other) FROM {stage.table} s"
            f" LEFT JOIN {stage.others} o ON o.kind = s.other_kind ORDER BY ord, pos"
        )
        return [(*row[:7], _as_json(row[7])) for row in cursor.fetchall()]


def _as_json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


def test_skus_and_counts_with_tabs_backslashes_and_line_ends_are_staged_as_they_are() -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    odd = 'A\tB\\C\nD\r"E",F'
    rows = [
        SnapshotRow(
            "OC1", odd, when, (RegionStock("UK\\1", {"AVL": 3, "INTRAN": 1, "X\\Y\t": 2}),)
        ),
        SnapshotRow("OC2", "", when, ()),
    ]
    with snapshot_stage() as stage:
        stage.take_pieces(iter([rows]))
        assert _staged(stage) == [
            (1, 0, odd, "OC1", "UK\\1", 3, 1, {"X\\Y\t": 2}),
            (2, 0, "", "OC2", None, 0, 0, {}),
        ]
        assert (stage.skus, stage.latest) == (2, when)


def test_a_snapshot_that_fails_half_way_through_the_copy_raises_its_own_error_and_stages_nothing() -> (
    None
):
    from datetime import UTC, datetime

    from oc_integration.client.errors import OCMalformedResponse

    row = SnapshotRow("OC1", "SKU-1", datetime.now(UTC), (RegionStock("UK", {"AVL": 1}),))
    broken = OCMalformedResponse("Stock snapshot row 2: sellerSkuId is missing.")

    def pieces() -> Any:
        yield [row]
        raise broken

    with transaction.atomic(), snapshot_stage() as stage:
        with pytest.raises(OCMalformedResponse) as raised:
            stage.take_pieces(pieces())
        assert raised.value is broken
        # The COPY ran in a savepoint: the enclosing transaction goes on.
        assert _staged(stage) == []


@pytest.mark.django_db(transaction=True)
def test_a_first_sync_whose_new_row_another_process_writes_meanwhile_fails_and_writes_nothing(
    demo_account: AccountOrangeConnex,
) -> None:
    # The rows of a first sync are inserted, not upserted: a row another process writes
    # after the plan was made fails the run (nothing written), instead of being
    # overwritten unseen. The other process holds its row uncommitted until the sync's
    # insert waits for it, then commits.
    import threading
    import time

    import psycopg2  # type: ignore[import-untyped]

    from hemi_fulfilment.catalog.models import Product

    product = Product.objects.get(sku=fetch_stock_snapshot(api_client(demo_account))[0].seller_sku)
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"],
    )
    cursor = other.cursor()
    cursor.execute(
        f"INSERT INTO {ProductAccountOrangeConnex._meta.db_table} (account_id, product_id,"  # noqa: S608
        " region, sku, oc_sku, available_stock, intransit_stock, other_stock, created_in_oc,"
        " stale, created, updated) VALUES (%s, %s, 'UK', %s, '', 0, 0, '{}', true, false,"
        " now(), now())",
        [demo_account.pk, product.pk, product.sku],
    )

    def commit_once_the_sync_waits() -> None:
        watcher = psycopg2.connect(dsn=other.dsn)
        watcher.autocommit = True
        with watcher.cursor() as look:
            for _ in range(600):
                look.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'WITH w AS (INSERT%%'"
                )
                if look.fetchone()[0]:
                    break
                time.sleep(0.05)
        watcher.close()
        other.commit()

    committer = threading.Thread(target=commit_once_the_sync_waits)
    committer.start()
    try:
        run = run_stock_sync(queue_stock_sync(demo_account, trigger=SyncRun.Trigger.COMMAND).pk)
    finally:
        committer.join()
        other.close()

    assert run.status == SyncRun.Status.FAILED
    assert run.error == (
        "Stock rows of this account were written by someone else while the sync was "
        "writing its new ones. Nothing was changed; the next run will try again."
    )
    # Only the other process's row: none of the sync's, and no history line.
    assert list(
        ProductAccountOrangeConnex.objects.filter(account=demo_account).values_list(
            "sku", flat=True
        )
    ) == [product.sku]
    assert not StockHistory.objects.exists()


def test_the_planning_memory_grows_with_the_snapshot_between_a_floor_and_a_cap(
    demo_account: AccountOrangeConnex,
) -> None:
    from oc_integration.stock.sql_plan import work_mem_kb

    # Enough for the hashes of the account's stock rows, one per staged row, never less
    # than 64 MB nor more than 256 MB of the database server's memory.
    assert work_mem_kb(0) == work_mem_kb(200_000) == 64 * 1024
    assert work_mem_kb(2_000_000) == 250_000
    assert work_mem_kb(100_000_000) == 256 * 1024
    rows = fetch_stock_snapshot(api_client(demo_account))
    with snapshot_stage() as stage, transaction.atomic():
        stage.add(rows)
        stage.flush()
        assert stage.rows == sum(max(1, len(row.regions)) for row in rows)
        StagedPlan(demo_account, stage)
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            assert cursor.fetchone() == ("64MB",)


def test_the_stage_is_an_unlogged_table_of_its_connection_and_drops_those_of_dead_workers() -> None:
    with connection.cursor() as cursor:
        # A stage left by a worker that died mid-run (no backend has that process id).
        cursor.execute("CREATE UNLOGGED TABLE oc_stock_staged_2147483647 (ord integer)")
        cursor.execute("CREATE UNLOGGED TABLE oc_stock_others_2147483647 (kind integer)")
        with snapshot_stage() as stage:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            assert (stage.table, stage.others) == (
                f"oc_stock_staged_{pid}",
                f"oc_stock_others_{pid}",
            )
            cursor.execute(
                "SELECT relname, relpersistence FROM pg_class"
                " WHERE relname LIKE 'oc\\_stock\\_staged\\_%%'"
                " OR relname LIKE 'oc\\_stock\\_others\\_%%' ORDER BY relname"
            )
            # Unlogged (no WAL; PostgreSQL may read it in parallel), and the dead ones gone.
            assert cursor.fetchall() == [(stage.others, "u"), (stage.table, "u")]
        cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", [stage.table, stage.others])
        assert cursor.fetchone() == (None, None)


def test_a_database_role_that_may_not_create_tables_stages_in_a_temporary_table(
    demo_account: AccountOrangeConnex,
) -> None:
    rows = fetch_stock_snapshot(api_client(demo_account))
    with connection.cursor() as cursor:
        # PostgreSQL 15 lets only the database's owner create tables in "public".
        cursor.execute("CREATE ROLE hemi_stage_without_create NOLOGIN")
        cursor.execute("SET ROLE hemi_stage_without_create")
        try:
            with snapshot_stage() as stage:
                stage.add(rows)
                stage.flush()
                cursor.execute(
                    "SELECT relpersistence FROM pg_class WHERE oid = %s::regclass", [stage.table]
                )
                assert cursor.fetchone() == ("t",)
                cursor.execute(f"SELECT count(DISTINCT ord) FROM {stage.table}")  # noqa: S608
                assert cursor.fetchone() == (len(rows),)
        finally:
            cursor.execute("RESET ROLE")
