"""A sync writes only the stock rows whose figures changed; "Stock Updated" stays right."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from oc_integration.admin.stock.products import shown_stock_updated
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, SyncRun
from oc_integration.stock.runs import confirmed_snapshot_times, queue_stock_sync, run_stock_sync

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _sync(account: AccountOrangeConnex, *, dry_run: bool = False) -> SyncRun:
    run = run_stock_sync(
        queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND, dry_run=dry_run).pk
    )
    assert run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.DRY_RUN), run.error
    return run


def _tuple_versions() -> dict[int, str]:
    """Row id -> physical place of its current version: any write, HOT or not, moves it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, ctid::text FROM {ProductAccountOrangeConnex._meta.db_table}"  # noqa: S608
        )
        return dict(cursor.fetchall())


def _written_since(before: dict[int, str]) -> set[int]:
    return {pk for pk, place in _tuple_versions().items() if before.get(pk) != place}


def test_a_repeat_sync_with_unchanged_figures_writes_no_stock_row(
    demo_account: AccountOrangeConnex, admin_client: Client
) -> None:
    first = _sync(demo_account)
    assert first.rows_created > 0 and first.snapshot_time is not None
    before = _tuple_versions()

    second = _sync(demo_account)

    assert (second.rows_created, second.rows_updated, second.flipped_to_no) == (0, 0, 0)
    assert second.rows_unchanged == len(before)
    assert _written_since(before) == set()
    # Unwritten rows still show the time of the snapshot that confirmed them.
    assert second.snapshot_time is not None and second.snapshot_time >= first.snapshot_time
    shown = set(
        ProductAccountOrangeConnex.objects.annotate(
            shown=shown_stock_updated(confirmed_snapshot_times())
        ).values_list("shown", flat=True)
    )
    assert shown == {second.snapshot_time}
    export = admin_client.get(reverse("admin:oc_integration_productaccountorangeconnex_export"))
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    column = lines[0].index("Stock updated (UTC)")
    assert {line[column] for line in lines[1:]} == {second.snapshot_time.isoformat()}


def test_a_sync_after_a_tenth_of_the_figures_changed_writes_only_those_rows(
    demo_account: AccountOrangeConnex,
) -> None:
    _sync(demo_account)
    ids = sorted(ProductAccountOrangeConnex.objects.values_list("pk", flat=True))
    drifted = set(ids[::10])
    for pk in drifted:
        ProductAccountOrangeConnex.objects.filter(pk=pk).update(available_stock=-1)
    before = _tuple_versions()

    dry = _sync(demo_account, dry_run=True)
    assert _written_since(before) == set()
    run = _sync(demo_account)

    assert dry.rows_updated == run.rows_updated == len(drifted)
    assert run.rows_unchanged == len(ids) - len(drifted)
    assert _written_since(before) == drifted
    assert not ProductAccountOrangeConnex.objects.filter(available_stock=-1).exists()
