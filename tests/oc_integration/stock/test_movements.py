"""Importing OC's stock movements through the OC sandbox over HTTP, and their admin."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oc_integration.auth.api_client import api_client
from oc_integration.client import OCBusinessError
from oc_integration.client.stock_movement import Window, fetch_movements
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    ProductAccountOrangeConnex,
    StockMovement,
    StockMovementCursor,
    SyncRun,
)
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.sandbox import demo_catalog
from oc_integration.sandbox.catalog import SEED_ROW
from oc_integration.stock.movements import queue_movement_sync, run_movement_sync
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db

MOVEMENT = "/openapi/3pp/inventory/v1/movement"


def _import(account: AccountOrangeConnex, **options: Any) -> SyncRun:
    run = queue_movement_sync(account, trigger=SyncRun.Trigger.COMMAND)
    return run_movement_sync(run.pk, **options)


def _synced(account: AccountOrangeConnex) -> None:
    run = run_stock_sync(queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def test_movements_add_up_to_the_stock_rows_and_are_linked_to_them(
    demo_account: AccountOrangeConnex,
) -> None:
    _synced(demo_account)
    run = _import(demo_account, since=timezone.now() - timedelta(days=100))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.rows_created == StockMovement.objects.count() > 20
    assert "15 of 15 windows" in run.messages[0]
    rows = ProductAccountOrangeConnex.objects.filter(account=demo_account)
    checked = 0
    for row in rows.exclude(stock_movements=None):
        latest = row.stock_movements.filter(inventory_status="AVL").order_by("moved_at").last()
        assert latest is not None
        assert latest.count_after == row.available_stock, row
        # Every AVL movement of the row, added up, is its available stock now.
        assert sum(m.quantity for m in row.stock_movements.filter(inventory_status="AVL")) == (
            row.available_stock
        )
        checked += 1
    assert checked > 10
    unlinked = StockMovement.objects.filter(stock_row=None).values_list("seller_sku", "region")
    for sku, region in unlinked:  # only SKUs and regions Hemi has no stock row for
        assert not rows.filter(sku=sku, region=region).exists()


def test_a_reimport_of_the_same_period_stores_no_movement_twice(
    demo_account: AccountOrangeConnex,
) -> None:
    since = timezone.now() - timedelta(days=40)
    first = _import(demo_account, since=since)
    stored = StockMovement.objects.count()
    again = _import(demo_account, since=since)
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    assert StockMovement.objects.count() == stored > 0
    assert (again.rows_created, again.rows_unchanged) == (0, first.rows_created)


def test_a_fault_on_window_k_leaves_the_cursor_at_the_last_complete_window(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    ends: list[str] = []

    def fail_after_the_second_window(what: str, done: int, total: int) -> None:
        if done == 2:
            ends.append(what)
            oc_sandbox.fault(MOVEMENT, "http500")

    since = timezone.now() - timedelta(days=30)
    failed = _import(demo_account, since=since, progress=fail_after_the_second_window)
    assert failed.status == SyncRun.Status.FAILED
    assert "500" in failed.error and "the next run continues from there" in failed.error
    cursor = StockMovementCursor.objects.get(account=demo_account).complete_until
    assert cursor == since.replace(microsecond=0) + 2 * (timedelta(days=7, seconds=-1))
    assert "2 of 5 windows" in failed.messages[0]
    assert not StockMovement.objects.filter(moved_at__gte=cursor).exists()
    kept = StockMovement.objects.count()
    assert kept > 0

    # The scheduled run goes on from the cursor (less the late-arrival hour) to now.
    resumed = _import(demo_account)
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert StockMovement.objects.count() > kept
    complete = StockMovementCursor.objects.get(account=demo_account).complete_until
    assert timezone.now() - complete < timedelta(minutes=1)
    # Nothing older than the cursor was asked for again but the late-arrival hour.
    assert "from " + f"{cursor - timedelta(hours=1):%Y-%m-%d %H:%M}" in resumed.messages[0]


def test_a_backfill_older_than_a_year_is_refused_and_imports_nothing(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    run = _import(demo_account, since=timezone.now() - timedelta(days=400))
    assert run.status == SyncRun.Status.FAILED
    assert "365 days only" in run.error and "Nothing was imported" in run.error
    assert oc_sandbox.count("POST", MOVEMENT) == 0
    assert not StockMovement.objects.exists()
    assert not StockMovementCursor.objects.exists()


def test_the_sandbox_refuses_a_window_of_7_days_or_more_than_a_year_back_as_oc_does(
    demo_account: AccountOrangeConnex,
) -> None:
    client = api_client(demo_account)
    now = timezone.now()
    with pytest.raises(OCBusinessError, match="shorter than 7 days"):
        fetch_movements(client, Window(now - timedelta(days=7), now))
    with pytest.raises(OCBusinessError, match="only valid for the last 12 months"):
        old = now - timedelta(days=366)
        fetch_movements(client, Window(old, old + timedelta(days=1)))


def test_movements_of_an_outbound_order_link_to_it(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    stock_everything(oc_sandbox, demo_account)
    order = web_orders(1, prefix="MOVE")[0]
    prepare_outbound_orders(demo_account, [order.pk])
    push_queued(demo_account.pk)
    outbound = OutboundOrder.objects.get(order=order)
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=outbound.oc_order_number, to="Outbound"
    )
    time.sleep(1.1)  # OC's times have whole seconds: let the last one pass
    run = _import(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    moves = StockMovement.objects.filter(order_number=outbound.oc_order_number).order_by(
        "moved_at", "inventory_status"
    )
    assert sorted((m.inventory_status, m.quantity) for m in moves) == [
        ("AVL", -1),
        ("RSVALOC", -1),
        ("RSVALOC", 1),
    ]
    assert all(m.outbound_order_id == outbound.pk for m in moves)
    assert all(m.stock_row is not None and m.stock_row.region == "UK" for m in moves)
    assert run.rows_updated == 3  # linked to outbound orders
    assert moves.get(inventory_status="AVL").count_after == 999


def test_the_command_imports_a_backfill_and_says_what_it_stored(
    demo_account: AccountOrangeConnex,
) -> None:
    out = StringIO()
    since = (timezone.now() - timedelta(days=20)).strftime("%Y-%m-%d")
    call_command("oc_sync_movements", "--account", demo_account.name, "--since", since, stdout=out)
    stored = StockMovement.objects.count()
    assert f"Done: {stored} new movements stored" in out.getvalue()
    dry = StringIO()
    call_command("oc_sync_movements", "--since", since, "--dry-run", stdout=dry)
    assert "Dry run: 0 new movements would be stored" in dry.getvalue()


# --- admin -------------------------------------------------------------------------------
def _movements(account: AccountOrangeConnex, count: int, row: ProductAccountOrangeConnex) -> None:
    order, _ = OutboundOrder.objects.get_or_create(
        account=account, reference_number="REF-1", service_region="UK", oc_order_number="OCO1UK"
    )
    now = timezone.now()
    StockMovement.objects.bulk_create(
        StockMovement(
            account=account,
            oc_sku=row.oc_sku or "OC1",
            seller_sku=row.sku,
            region=row.region,
            inventory_status="AVL",
            movement_id=f"M{n}",
            quantity=-1,
            count_after=count - n,
            reason="OEH",
            order_number="OCO1UK",
            moved_at=now - timedelta(hours=n),
            outbound_order=order if n % 2 else None,
            stock_row=row,
        )
        for n in range(count)
    )


def _viewer(*permissions: str) -> Client:
    user = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    named = [Permission.objects.get(codename=p.split(".")[1]) for p in permissions]
    user.user_permissions.set([*Permission.objects.filter(codename__startswith="view_"), *named])
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def test_the_movement_list_and_the_stock_row_page_cost_the_same_queries_for_3_or_30(
    demo_account: AccountOrangeConnex,
) -> None:
    _synced(demo_account)
    row = ProductAccountOrangeConnex.objects.filter(account=demo_account).first()
    assert row is not None
    client = _viewer()
    listing = reverse("admin:oc_integration_stockmovement_changelist")
    page = reverse("admin:oc_integration_productaccountorangeconnex_change", args=[row.pk])
    _movements(demo_account, 3, row)
    _queries(client, listing), _queries(client, page)  # caches warmed (content types, session)
    few = (_queries(client, listing), _queries(client, page))
    StockMovement.objects.all().delete()
    _movements(demo_account, 30, row)
    assert (_queries(client, listing), _queries(client, page)) == few
    shown = client.get(page).content.decode()
    # Counted in the movements table only (the chart above repeats them in its tooltips).
    movements = shown.split('id="stock_movements-group"')[1]
    assert "Stock movements (latest 50)" in shown and movements.count("OCO1UK") == 30


def test_the_movement_list_filters_and_searches_by_order_number(
    demo_account: AccountOrangeConnex,
) -> None:
    _synced(demo_account)
    row = ProductAccountOrangeConnex.objects.filter(account=demo_account, region="UK").first()
    assert row is not None
    _movements(demo_account, 4, row)
    client = _viewer()
    listing = reverse("admin:oc_integration_stockmovement_changelist")
    linked = client.get(listing, {"linked": "order"})
    assert linked.context["cl"].result_count == 2
    assert client.get(listing, {"q": "oco1uk"}).context["cl"].result_count == 4
    assert client.get(listing, {"q": "nothing"}).context["cl"].result_count == 0
    assert client.get(listing, {"region": "DE"}).context["cl"].result_count == 0
    first = StockMovement.objects.first()
    assert first is not None
    change = reverse("admin:oc_integration_stockmovement_change", args=[first.pk])
    assert 'name="_save"' not in client.get(change).content.decode()


def test_view_only_staff_cannot_queue_a_movement_or_stock_age_import(
    demo_account: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer()
    listing = reverse("admin:oc_integration_accountorangeconnex_changelist")
    for action in ("sync_movements_now", "sync_stock_age_now"):
        assert f'value="{action}"' not in client.get(listing).content.decode()
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(
                listing, {"action": action, "_selected_action": [demo_account.pk]}, follow=True
            )
        assert response.status_code in (200, 403)
        assert queued == []
    assert not SyncRun.objects.filter(
        kind__in=[SyncRun.Kind.MOVEMENTS, SyncRun.Kind.STOCK_AGE]
    ).exists()


def test_staff_with_the_permission_queue_a_movement_import(
    demo_account: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer("oc_integration.run_movement_sync")
    listing = reverse("admin:oc_integration_accountorangeconnex_changelist")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            listing,
            {"action": "sync_movements_now", "_selected_action": [demo_account.pk]},
            follow=True,
        )
    assert "Stock movement import for" in response.content.decode()
    assert len(queued) == 1
    run = SyncRun.objects.get(kind=SyncRun.Kind.MOVEMENTS)
    assert (run.status, run.trigger) == (SyncRun.Status.QUEUED, SyncRun.Trigger.ADMIN)


def test_the_beat_jobs_queue_one_import_per_authorized_account(
    demo_account: AccountOrangeConnex, django_capture_on_commit_callbacks: Any
) -> None:
    from oc_integration.tasks import sync_movements_all_accounts, sync_stock_age_all_accounts

    with django_capture_on_commit_callbacks(execute=False) as queued:
        movement_runs = sync_movements_all_accounts()
        age_runs = sync_stock_age_all_accounts()
    assert len(queued) == 2
    kinds = SyncRun.objects.filter(pk__in=movement_runs + age_runs).values_list("kind", "trigger")
    assert sorted(kinds) == [
        (SyncRun.Kind.MOVEMENTS, SyncRun.Trigger.BEAT),
        (SyncRun.Kind.STOCK_AGE, SyncRun.Trigger.BEAT),
    ]


def test_the_cursor_moves_only_over_a_continuous_period_of_every_sku(
    demo_account: AccountOrangeConnex,
) -> None:
    now = timezone.now().replace(microsecond=0)
    some = _import(demo_account, since=now - timedelta(days=10), skus=["OC0000000400371"])
    assert some.status == SyncRun.Status.SUCCEEDED, some.error
    assert not StockMovementCursor.objects.exists()  # the other SKUs are still to do
    _import(demo_account, since=now - timedelta(days=20), until=now - timedelta(days=15))
    assert StockMovementCursor.objects.get().complete_until == now - timedelta(days=15)
    after_a_gap = _import(demo_account, since=now - timedelta(days=5))
    assert after_a_gap.status == SyncRun.Status.SUCCEEDED, after_a_gap.error
    assert StockMovementCursor.objects.get().complete_until == now - timedelta(days=15)
    older = _import(demo_account, since=now - timedelta(days=30), until=now - timedelta(days=25))
    assert older.status == SyncRun.Status.SUCCEEDED
    assert StockMovementCursor.objects.get().complete_until == now - timedelta(days=15)


def test_a_drop_in_the_snapshot_is_explained_by_the_movements(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    """The issue's question: why did GY0005886 drop from 300 to 40 in DE?"""
    _synced(demo_account)
    row = ProductAccountOrangeConnex.objects.get(account=demo_account, sku="GY0005886", region="DE")
    assert row.available_stock == 300
    rows = [r.to_dict(0) for r in demo_catalog().rows.values() if r.seller_sku != "GY0005886"]
    dropped = json.loads(json.dumps(SEED_ROW))
    for count in dropped["serviceRegionList"][0]["inventoryList"]:
        if count["inventoryStatus"] == "AVL":
            count["actualCount"] = 40
    oc_sandbox.control("PUT", "catalog", rows=[*rows, dropped])
    _synced(demo_account)
    row.refresh_from_db()
    assert row.available_stock == 40
    time.sleep(1.1)  # OC's times have whole seconds: let the last one pass
    run = _import(demo_account, since=timezone.now() - timedelta(days=100))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    avl = row.stock_movements.filter(inventory_status="AVL").order_by("moved_at")
    last = avl.last()
    assert last is not None and (last.quantity, last.count_after, last.reason) == (-260, 40, "ADJ")
    assert sum(m.quantity for m in avl) == 40
