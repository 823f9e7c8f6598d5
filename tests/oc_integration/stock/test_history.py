"""The stock history: each applied snapshot appends only the figures it changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockHistory,
    SyncRun,
)
from oc_integration.stock.history import purge_history
from oc_integration.stock.runs import apply_reviewed_run, queue_stock_sync, run_stock_sync
from oc_integration.tasks import purge_stock_history
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db


def _sync(account: AccountOrangeConnex, **options: Any) -> SyncRun:
    run = queue_stock_sync(
        account, trigger=SyncRun.Trigger.COMMAND, dry_run=options.pop("dry_run", False)
    )
    return run_stock_sync(run.pk, **options)


def test_a_first_sync_records_every_row_and_a_repeat_sync_records_nothing(
    demo_account: AccountOrangeConnex,
) -> None:
    first = _sync(demo_account)
    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    rows = ProductAccountOrangeConnex.objects.all()
    lines = StockHistory.objects.all()
    assert lines.count() == rows.count() > 0
    assert set(lines.values_list("run_id", flat=True)) == {first.pk}
    # Each row's one line holds the figures and the time the row was written with.
    assert sorted(
        lines.values_list(
            "stock_id", "available_stock", "intransit_stock", "other_stock", "recorded"
        )
    ) == sorted(
        rows.values_list("pk", "available_stock", "intransit_stock", "other_stock", "stock_updated")
    )

    assert _sync(demo_account).status == SyncRun.Status.SUCCEEDED
    assert StockHistory.objects.count() == rows.count()


def test_only_rows_whose_figures_changed_get_a_line(demo_account: AccountOrangeConnex) -> None:
    _sync(demo_account)
    changed, marked_stale = ProductAccountOrangeConnex.objects.order_by("pk")[:2]
    ProductAccountOrangeConnex.objects.filter(pk=changed.pk).update(available_stock=-5)
    # Stale, same figures: the row is rewritten (no longer stale) but nothing changed.
    ProductAccountOrangeConnex.objects.filter(pk=marked_stale.pk).update(stale=True)
    before = StockHistory.objects.count()

    second = _sync(demo_account)

    assert second.rows_updated == 2
    new = StockHistory.objects.filter(run=second)
    assert StockHistory.objects.count() == before + 1
    assert list(new.values_list("stock_id", "available_stock")) == [
        (changed.pk, changed.available_stock)
    ]


def test_a_sync_that_creates_and_updates_rows_records_both(
    demo_account: AccountOrangeConnex,
) -> None:
    _sync(demo_account)
    gone, changed = ProductAccountOrangeConnex.objects.order_by("pk")[:2]
    gone.delete()  # its history lines with it
    ProductAccountOrangeConnex.objects.filter(pk=changed.pk).update(available_stock=-5)

    second = _sync(demo_account)

    assert (second.rows_created, second.rows_updated) == (1, 1)
    made = ProductAccountOrangeConnex.objects.get(
        account=gone.account, product=gone.product, region=gone.region
    )
    assert sorted(
        StockHistory.objects.filter(run=second).values_list("stock_id", "available_stock")
    ) == sorted([(made.pk, gone.available_stock), (changed.pk, changed.available_stock)])


@pytest.mark.parametrize("kind", ["http500", "malformed"])
def test_a_failed_run_records_nothing(
    kind: str, demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault("/openapi/3pp/inventory/v1/snapshot", kind, count=1)
    assert _sync(demo_account).status == SyncRun.Status.FAILED
    assert not StockHistory.objects.exists()


def test_a_dry_run_records_nothing_and_an_applied_review_records_under_its_run(
    demo_account: AccountOrangeConnex,
) -> None:
    dry = _sync(demo_account, dry_run=True)
    assert dry.status == SyncRun.Status.DRY_RUN
    assert not StockHistory.objects.exists()

    apply_reviewed_run(dry.pk)

    lines = StockHistory.objects.all()
    assert lines.count() == ProductAccountOrangeConnex.objects.count() > 0
    assert set(lines.values_list("run_id", flat=True)) == {dry.pk}


def test_the_purge_keeps_what_is_younger_than_the_limit(
    demo_account: AccountOrangeConnex, settings: Any
) -> None:
    settings.OC_STOCK_HISTORY_DAYS = 30
    _sync(demo_account)
    now = timezone.now()
    # (The seed's example row carries a snapshot time from 2018.)
    StockHistory.objects.update(recorded=now - timedelta(days=1))
    old, young = StockHistory.objects.order_by("pk")[:2]
    StockHistory.objects.filter(pk=old.pk).update(recorded=now - timedelta(days=31))
    StockHistory.objects.filter(pk=young.pk).update(recorded=now - timedelta(days=29))
    total = StockHistory.objects.count()

    assert purge_history(now=now) == 1
    assert purge_stock_history() == 0  # the task, as beat runs it: nothing else is old

    assert StockHistory.objects.count() == total - 1
    assert not StockHistory.objects.filter(pk=old.pk).exists()
    assert StockHistory.objects.filter(pk=young.pk).exists()


def test_lines_go_with_their_row_and_their_product_and_outlive_a_deleted_run(
    demo_account: AccountOrangeConnex,
) -> None:
    # The lines' links carry no database constraint (one check per line at commit): what
    # keeps them right is Django's CASCADE and SET_NULL, proved here.
    first = _sync(demo_account)
    row, other = ProductAccountOrangeConnex.objects.order_by("pk")[:2]
    assert StockHistory.objects.filter(stock=row).exists()

    row.delete()
    assert not StockHistory.objects.filter(stock_id=row.pk).exists()

    product = other.product
    product_rows = list(product.oc_stock.values_list("pk", flat=True))
    product.delete()
    assert not StockHistory.objects.filter(stock_id__in=product_rows).exists()

    left = StockHistory.objects.count()
    assert left > 0
    SyncRun.objects.filter(pk=first.pk).delete()
    assert StockHistory.objects.count() == left
    assert not StockHistory.objects.filter(run__isnull=False).exists()
