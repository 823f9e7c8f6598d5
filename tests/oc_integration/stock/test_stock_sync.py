"""The stock snapshot sync through the OC sandbox over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hemi_fulfilment.demo.data import (
    DEMO_SKUS,
    SKUS_UNKNOWN_TO_HEMI,
    lacks_de_item_account,
)
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, SyncRun
from oc_integration.stock.runs import apply_reviewed_run, queue_stock_sync, run_stock_sync
from oc_integration.stock.sql_plan import PLAN
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.factories import hemi_catalog

pytestmark = pytest.mark.django_db


def _sync(account: AccountOrangeConnex, **options: Any) -> SyncRun:
    run = queue_stock_sync(
        account, trigger=SyncRun.Trigger.COMMAND, dry_run=options.pop("dry_run", False)
    )
    return run_stock_sync(run.pk, **options)


def _row(sku: str, region: str) -> ProductAccountOrangeConnex:
    return ProductAccountOrangeConnex.objects.get(item_account__product__sku=sku, region=region)


def test_the_seeds_example_row_lands_as_the_scope_says(demo_account: AccountOrangeConnex) -> None:
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    de, uk = _row("GY0005886", "DE"), _row("GY0005886", "UK")
    assert (de.oc_sku, de.available_stock, de.intransit_stock) == ("OC0000000400371", 300, 3)
    assert (uk.oc_sku, uk.available_stock, uk.intransit_stock) == ("OC0000000400371", 0, 0)
    assert de.stock_updated == datetime(2021, 10, 22, 1, 56, 41, tzinfo=UTC)  # +0800
    assert de.created_in_oc and uk.created_in_oc
    assert de.other_stock == {"RCVD": 0, "RSVALOC": 5, "RSVHO": 0, "RSVAS": 0, "UNF": 0}


def test_missing_item_accounts_and_unknown_skus_are_reported_in_the_seeds_words(
    demo_account: AccountOrangeConnex,
) -> None:
    run = _sync(demo_account)
    lacking = [sku for i, sku in enumerate(DEMO_SKUS) if lacks_de_item_account(i) and i % 10 != 9]
    expected_missing = [f"SKU {sku} item account for eBay DE is missing" for sku in lacking]
    assert [m for m in run.messages if "item account" in m] == expected_missing
    assert [m for m in run.messages if "not in Hemi" in m] == [
        f"SKU {sku} is not in Hemi" for sku in SKUS_UNKNOWN_TO_HEMI
    ]
    assert run.missing_item_accounts == len(lacking) and run.unknown_skus == 2
    # The region with an item account still lands.
    assert _row(lacking[0], "UK").created_in_oc


def test_a_second_run_updates_what_changed_and_creates_nothing(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first = _sync(demo_account)
    assert first.rows_created > 0 and first.rows_updated == 0
    rows = ProductAccountOrangeConnex.objects.count()
    second = _sync(demo_account)
    assert second.rows_created == 0
    assert ProductAccountOrangeConnex.objects.count() == rows
    # Rows whose snapshot time follows the clock change each run; fixed ones stay unchanged.
    assert second.rows_unchanged >= 2 and second.rows_updated + second.rows_unchanged == rows


def _catalog_without(oc_sandbox: Sandbox, share: float) -> list[str]:
    """Replace the sandbox catalog by the demo one minus ``share`` of its SKUs."""
    from oc_integration.sandbox import demo_catalog

    rows = [row.to_dict(0) for row in demo_catalog().rows.values()]
    cut = int(len(rows) * share)
    dropped = [r["sellerSkuId"] for r in rows[:cut] if r["sellerSkuId"] in DEMO_SKUS]
    oc_sandbox.control("PUT", "catalog", rows=rows[cut:])
    return dropped


def test_products_absent_from_a_complete_snapshot_turn_no_and_keep_stale_figures(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _sync(demo_account)
    dropped = _catalog_without(oc_sandbox, 0.1)
    before = _row(dropped[0], "UK")
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED and run.flipped_to_no > 0
    after = _row(dropped[0], "UK")
    assert not after.created_in_oc and after.stale
    assert (after.available_stock, after.oc_sku) == (before.available_stock, before.oc_sku)


@pytest.mark.parametrize("kind", ["http500", "timeout", "malformed"])
def test_a_failed_snapshot_changes_no_row_and_says_why(
    kind: str, demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _sync(demo_account)
    before = list(ProductAccountOrangeConnex.objects.order_by("pk").values())
    oc_sandbox.control("POST", "config", timeout_fault_seconds=4)
    oc_sandbox.fault("/openapi/3pp/inventory/v1/snapshot", kind, count=1)
    oc_sandbox.control("PUT", "catalog", rows=[])  # even an empty catalog must not be applied
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.FAILED
    assert "Nothing was changed" in run.error
    assert {"http500": "HTTP 500", "timeout": "did not answer", "malformed": "not valid JSON"}[
        kind
    ] in run.error
    assert list(ProductAccountOrangeConnex.objects.order_by("pk").values()) == before


def test_a_business_error_code_changes_nothing(demo_account: AccountOrangeConnex) -> None:
    demo_account.secret_key = "a-wrong-secret"  # OC answers code 401003: signature failed
    demo_account.save()
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.FAILED
    assert "401003" in run.error and ProductAccountOrangeConnex.objects.count() == 0


def test_a_rejected_token_is_refreshed_and_the_run_succeeds(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault("/openapi/3pp/inventory/v1/snapshot", "token_rejected", count=1)
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert oc_sandbox.token_requests("refresh_token") == 1


def test_an_empty_snapshot_waits_for_confirmation(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _sync(demo_account)
    oc_sandbox.control("PUT", "catalog", rows=[])
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.NEEDS_CONFIRMATION and "empty snapshot" in run.error
    assert ProductAccountOrangeConnex.objects.filter(created_in_oc=False).count() == 0


def test_many_products_leaving_oc_wait_for_confirmation_then_apply_as_reviewed(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    _sync(demo_account)
    _catalog_without(oc_sandbox, 0.5)
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.NEEDS_CONFIRMATION
    assert ProductAccountOrangeConnex.objects.filter(created_in_oc=False).count() == 0
    applied = apply_reviewed_run(run.pk)
    assert applied.status == SyncRun.Status.APPLIED
    assert (
        ProductAccountOrangeConnex.objects.filter(created_in_oc=False).count() == run.flipped_to_no
    )


def test_a_dry_run_changes_nothing_and_reports_the_diff_the_real_run_applies(
    demo_account: AccountOrangeConnex,
) -> None:
    dry = _sync(demo_account, dry_run=True)
    assert dry.status == SyncRun.Status.DRY_RUN
    assert ProductAccountOrangeConnex.objects.count() == 0
    real = _sync(demo_account)
    counts = (
        "skus_seen",
        "rows_created",
        "rows_updated",
        "flipped_to_no",
        "missing_item_accounts",
        "unknown_skus",
    )
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts]
    assert dry.messages == real.messages
    assert ProductAccountOrangeConnex.objects.count() == dry.rows_created


def test_two_runs_for_one_account_never_overlap(demo_account: AccountOrangeConnex) -> None:
    busy = queue_stock_sync(demo_account, trigger=SyncRun.Trigger.BEAT)
    SyncRun.objects.filter(pk=busy.pk).update(status=SyncRun.Status.RUNNING)
    from django.utils import timezone

    SyncRun.objects.filter(pk=busy.pk).update(started=timezone.now())
    second = _sync(demo_account)
    assert second.status == SyncRun.Status.SKIPPED
    assert f"Another stock sync for {demo_account} is running (run #{busy.pk}" in second.messages[0]
    assert ProductAccountOrangeConnex.objects.count() == 0


def test_a_run_left_running_by_a_dead_worker_is_failed_after_the_timeout(
    demo_account: AccountOrangeConnex, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    stuck = queue_stock_sync(demo_account, trigger=SyncRun.Trigger.BEAT)
    SyncRun.objects.filter(pk=stuck.pk).update(
        status=SyncRun.Status.RUNNING,
        started=timezone.now() - timedelta(minutes=settings.OC_SYNC_RUN_TIMEOUT_MINUTES + 1),
    )
    assert _sync(demo_account).status == SyncRun.Status.SUCCEEDED
    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED and "did not finish" in stuck.error


def test_the_command_prints_every_missing_item_account_and_a_summary(
    demo_account: AccountOrangeConnex,
) -> None:
    out = StringIO()
    call_command("oc_sync_stock", "--account", demo_account.name, stdout=out)
    text = out.getvalue()
    assert "item account for eBay DE is missing" in text
    assert "SKUs seen:" in text and "Done: changes applied." in text


def test_the_command_exits_non_zero_when_the_sync_fails(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    oc_sandbox.fault("/openapi/3pp/inventory/v1/snapshot", "http500", count=1)
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "oc_sync_stock", "--account", str(demo_account.pk), stdout=StringIO(), stderr=StringIO()
        )
    assert exit_info.value.code == 1


def _queries_for(account: AccountOrangeConnex, count: int, oc_sandbox: Sandbox) -> int:
    ProductAccountOrangeConnex.objects.all().delete()
    oc_sandbox.control("POST", "catalog/generate", count=count, sku_prefix="QC")
    hemi_catalog(count, "QC")
    with CaptureQueriesContext(connection) as queries:
        run = _sync(account)
    assert run.status == SyncRun.Status.SUCCEEDED and run.rows_created == 2 * count
    return len(queries)


@pytest.mark.postgres
def test_the_statements_of_a_sync_do_not_grow_with_the_catalog(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    small = _queries_for(demo_account, 100, oc_sandbox)
    # 15,000 SKUs: a 12 MB answer read in a dozen pieces, 30,000 staged lines.
    large = _queries_for(demo_account, 15_000, oc_sandbox)
    assert large == small


def _kept_plan(account: AccountOrangeConnex) -> tuple[SyncRun, bool]:
    """A sync, and whether it kept its planned rows aside in a table."""
    with CaptureQueriesContext(connection) as queries:
        run = _sync(account)
    return run, any(f"CREATE TEMP TABLE {PLAN}" in q["sql"] for q in queries)


@pytest.mark.postgres
def test_a_first_sync_writes_straight_from_the_plan_and_a_sync_with_changes_keeps_it(
    demo_account: AccountOrangeConnex,
) -> None:
    first, kept = _kept_plan(demo_account)
    assert first.rows_created > 0 and not kept
    changed = ProductAccountOrangeConnex.objects.order_by("pk")[0]
    ProductAccountOrangeConnex.objects.filter(pk=changed.pk).update(available_stock=-5)
    second, kept = _kept_plan(demo_account)
    assert second.rows_updated == 1 and kept


def test_a_listing_reported_twice_takes_the_first_row_and_says_so(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    from oc_integration.sandbox import demo_catalog

    rows = [row.to_dict(0) for row in demo_catalog().rows.values()]
    twin = {**rows[0], "MFSKUID": "OC9TWIN0000001"}
    oc_sandbox.control("PUT", "catalog", rows=[*rows, twin])
    run = _sync(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert any(
        f"SKU {rows[0]['sellerSkuId']} is in the snapshot more than once" in m for m in run.messages
    )
    assert _row(rows[0]["sellerSkuId"], "UK").oc_sku == rows[0]["MFSKUID"]
