"""The SQL planner (PostgreSQL) decides exactly what the Python planner (SQLite) decides."""

from __future__ import annotations

import dataclasses
from typing import Any

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
from oc_integration.stock.plan import apply_stock_plan, plan_stock_sync
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from oc_integration.stock.sql_plan import StagedPlan
from oc_integration.stock.staging import STAGED, snapshot_stage
from tests.oc_integration.conftest import Sandbox

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
        dataclasses.replace(
            row,
            regions=tuple(RegionStock(s.region, {**s.counts, "AVL": 999}) for s in row.regions),
        )
        for row in known[:2]
    ]
    twin = dataclasses.replace(known[4], oc_sku="OC9TWIN0000001")
    unmapped = dataclasses.replace(
        known[5], regions=(*known[5].regions, RegionStock("AU", {"AVL": 3}))
    )
    no_regions = dataclasses.replace(known[6], regions=())
    stranger = dataclasses.replace(known[0], seller_sku="NOT-IN-HEMI-1", oc_sku="OC9STRANGER01")
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


def test_the_sql_plan_and_the_python_plan_agree_on_every_case(
    demo_account: AccountOrangeConnex,
) -> None:
    rows = _a_snapshot_with_every_case(demo_account)

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


def test_applying_in_sql_leaves_the_rows_the_python_planner_leaves(
    demo_account: AccountOrangeConnex,
) -> None:
    rows = _a_snapshot_with_every_case(demo_account)

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
            cursor.execute(f"SELECT count(DISTINCT ord) FROM {STAGED}")  # noqa: S608
            assert cursor.fetchone() == (12_000,)
    # The answer (several MiB) was handed over piece by piece, never as one list.
    assert len(pieces) > 1 and max(pieces) < 12_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [STAGED])
        assert cursor.fetchone() == (None,)
