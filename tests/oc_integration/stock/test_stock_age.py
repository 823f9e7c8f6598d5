"""Importing OC's stock age through the OC sandbox over HTTP, and the aged stock report."""

from __future__ import annotations

from datetime import date
from functools import partial
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oc_integration.client.stock_age import fetch_age_pages
from oc_integration.models import AccountOrangeConnex, StockAge, SyncRun
from oc_integration.sandbox import demo_catalog
from oc_integration.stock.age import queue_stock_age_sync, run_stock_age_sync
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.oc_integration.conftest import Sandbox

pytestmark = pytest.mark.django_db

STOCK_AGE = "/openapi/3pp/inventory/v1/snapshotAge"


def _import(account: AccountOrangeConnex, **options: Any) -> SyncRun:
    run = queue_stock_age_sync(account, trigger=SyncRun.Trigger.COMMAND)
    return run_stock_age_sync(run.pk, **options)


def _summary(sandbox: Sandbox) -> dict[str, Any]:
    return dict(sandbox.control("GET", "catalog/summary"))


def test_stock_age_lands_per_sku_and_region_and_adds_up_to_the_stock_on_hand(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    synced = run_stock_sync(queue_stock_sync(demo_account, trigger=SyncRun.Trigger.COMMAND).pk)
    assert synced.status == SyncRun.Status.SUCCEEDED, synced.error
    run = _import(demo_account)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    regions = _summary(oc_sandbox)["regions"]
    assert StockAge.objects.count() == run.rows_created == sum(r["skus"] for r in regions.values())
    for region, totals in regions.items():
        on_hand = sum(v for k, v in totals.items() if k not in ("skus", "INTRAN"))
        rows = StockAge.objects.filter(region=region)
        assert sum(r.total_quantity for r in rows) == on_hand
    for age in StockAge.objects.all():
        assert age.total_quantity == sum(b["quantity"] for b in age.buckets)
        assert age.over_90_days == sum(b["quantity"] for b in age.buckets if b["from"] >= 90)
        assert age.over_365_days == sum(b["quantity"] for b in age.buckets if b["from"] >= 365)
        assert age.over_90_days >= age.over_180_days >= age.over_365_days
    linked = StockAge.objects.exclude(stock_row=None)
    assert linked.count() > 10
    assert all(a.stock_row.sku == a.seller_sku for a in linked.select_related("stock_row"))  # type: ignore[union-attr]


def test_a_second_import_updates_rows_and_removes_those_oc_no_longer_lists(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox
) -> None:
    first = _import(demo_account)
    rows = StockAge.objects.count()
    kept = list(demo_catalog().rows.values())[1:]
    oc_sandbox.control("PUT", "catalog", rows=[row.to_dict(0) for row in kept])
    again = _import(demo_account)
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    assert (again.rows_created, again.rows_updated) == (0, first.rows_created - 2)
    assert StockAge.objects.count() == rows - 2
    assert "2 removed as OC no longer lists them" in again.messages[0]


def test_a_failed_page_changes_nothing(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(demo_account)
    before = list(StockAge.objects.order_by("pk").values_list())
    monkeypatch.setattr(
        "oc_integration.stock.age.fetch_age_pages", partial(fetch_age_pages, page_size=10)
    )
    oc_sandbox.control("POST", "catalog/generate", count=30)

    def fail_the_next_page(what: str, done: int, total: int) -> None:
        if done == 2:
            oc_sandbox.fault(STOCK_AGE, "malformed")

    run = _import(demo_account, progress=fail_the_next_page)
    assert run.status == SyncRun.Status.FAILED
    assert "not valid JSON" in run.error and "Nothing was changed" in run.error
    assert list(StockAge.objects.order_by("pk").values_list()) == before
    assert oc_sandbox.count("POST", STOCK_AGE) == 1 + 3


def test_the_command_imports_stock_age(demo_account: AccountOrangeConnex) -> None:
    out = StringIO()
    call_command("oc_sync_stock_age", "--account", demo_account.name, stdout=out)
    assert "Done." in out.getvalue() and StockAge.objects.exists()


# --- the aged stock report -----------------------------------------------------------------
def _ages(account: AccountOrangeConnex, count: int) -> None:
    """``count`` rows: every third has stock over 365 days, every other one over 90 only."""
    StockAge.objects.bulk_create(
        StockAge(
            account=account,
            oc_sku=f"OC{n:013d}",
            seller_sku=f"AGE{n:03d}",
            region="UK" if n % 4 else "DE",
            buckets=[
                {"label": "0-30", "from": 0, "to": 30, "quantity": 2},
                {"label": "91-180", "from": 91, "to": 180, "quantity": 3 if n % 2 else 0},
                {"label": "365+", "from": 365, "to": None, "quantity": 1 if n % 3 == 0 else 0},
            ],
            total_quantity=2 + (3 if n % 2 else 0) + (1 if n % 3 == 0 else 0),
            over_90_days=(3 if n % 2 else 0) + (1 if n % 3 == 0 else 0),
            over_180_days=1 if n % 3 == 0 else 0,
            over_365_days=1 if n % 3 == 0 else 0,
            snapshot_date=date(2026, 11, 30),
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


REPORT = "admin:oc_integration_stockage_changelist"
EXPORT = "admin:oc_integration_stockage_export"


def test_the_aged_stock_filters_pick_stock_older_than_90_180_365_days_and_a_region(
    demo_account: AccountOrangeConnex,
) -> None:
    _ages(demo_account, 12)
    client = _viewer()
    report = reverse(REPORT)

    def shown(**query: str) -> set[str]:
        response = client.get(report, query)
        assert response.status_code == 200
        return {row.seller_sku for row in response.context["cl"].result_list}

    everything = {f"AGE{n:03d}" for n in range(12)}
    assert shown() == everything
    assert shown(older_than="90") == {f"AGE{n:03d}" for n in range(12) if n % 2 or n % 3 == 0}
    assert shown(older_than="180") == {f"AGE{n:03d}" for n in range(12) if n % 3 == 0}
    assert shown(older_than="365") == shown(older_than="180")
    assert shown(older_than="365", region="DE") == {"AGE000"}  # n % 4 == 0 and n % 3 == 0
    assert 'id="export-csv"' in client.get(report).content.decode()


def test_the_aged_stock_csv_has_the_filtered_rows_and_their_buckets(
    demo_account: AccountOrangeConnex,
) -> None:
    _ages(demo_account, 12)
    client = _viewer()
    export = client.get(reverse(EXPORT), {"older_than": "180", "region": "UK"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    lines = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert lines[0].startswith("SKU,OC SKU,Region,Quantity,Over 90 days,Over 180 days")
    skus = sorted(line.split(",")[0] for line in lines[1:])
    assert skus == ["AGE003", "AGE006", "AGE009"]
    assert "0-30: 2; 91-180: 3; 365+: 1" in next(line for line in lines if "AGE003" in line)


def test_the_aged_stock_report_costs_the_same_queries_for_3_or_30_rows(
    demo_account: AccountOrangeConnex,
) -> None:
    client = _viewer()
    report = reverse(REPORT)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(report).status_code == 200
        return len(captured)

    _ages(demo_account, 3)
    queries()  # caches warmed
    few = queries()
    StockAge.objects.all().delete()
    _ages(demo_account, 30)
    assert queries() == few


def test_view_only_staff_see_the_report_read_only_and_others_cannot_export_it(
    demo_account: AccountOrangeConnex,
) -> None:
    _ages(demo_account, 2)
    row = StockAge.objects.first()
    assert row is not None
    page = _viewer().get(reverse("admin:oc_integration_stockage_change", args=[row.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "deletelink" not in page.content.decode()
    outsider = Client()
    outsider.force_login(User.objects.create_user("outsider", password="pw-out-1", is_staff=True))
    assert outsider.get(reverse(EXPORT)).status_code == 403
