"""Commands, tasks, beat jobs and the admin: the faces of the import and the shipping job."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from ebay_orders import tasks
from ebay_orders.demo import seed_demo_connections
from ebay_orders.importer import MAX_WINDOW
from ebay_orders.models import EbayConnection, EbayRun, RunStatus, RunTrigger
from ebay_orders.sandbox import DEFAULT_TOKEN, RunningSandbox
from hemi_fulfilment.catalog.models import EbayAccount
from hemi_fulfilment.orders.models import Order
from hemi_fulfilment.schedules import declared_jobs, register_recurring_jobs
from tests.ebay_orders.conftest import connection_of

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_command_prints_a_summary_and_records_the_run(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    output = run("ebay_import_orders", "--account", "UK")
    assert "eBay UK: 12 imported, 0 updated, 0 unchanged, 4 eBay-fulfilled" in output
    assert "Imported up to" in output
    run_row = EbayRun.objects.get(ebay_account=uk)
    assert run_row.trigger == RunTrigger.COMMAND and run_row.status == RunStatus.SUCCEEDED
    assert run_row.counts["imported"] == 12 and run_row.finished is not None


def test_import_command_without_account_imports_every_enabled_connection(
    connected: RunningSandbox,
) -> None:
    EbayConnection.objects.filter(ebay_account__site_code="DE").update(enabled=False)
    output = run("ebay_import_orders")
    assert "eBay UK:" in output and "eBay DE:" not in output


def test_import_command_dry_run_saves_nothing(connected: RunningSandbox, uk: EbayAccount) -> None:
    before = Order.objects.count()
    output = run("ebay_import_orders", "--account", "eBay UK", "--dry-run")
    assert "12 imported" in output and "dry run: nothing saved" in output
    assert Order.objects.count() == before and not EbayRun.objects.exists()
    assert connection_of(uk).import_cursor is None


def _windows_asked(sandbox: RunningSandbox) -> list[tuple[datetime, datetime]]:
    """The (ModTimeFrom, ModTimeTo) windows of the GetOrders calls eBay got, in order."""
    asked = {
        (datetime.fromisoformat(c["mod_time_from"]), datetime.fromisoformat(c["mod_time_to"]))
        for c in sandbox.state.calls("GetOrders")
    }
    return sorted(asked)


def test_import_command_backfill_asks_ebay_for_every_window_from_the_since_date(
    connected: RunningSandbox,
) -> None:
    since = (timezone.now() - timedelta(days=45)).date()
    run("ebay_import_orders", "--account", "UK", "--since", since.isoformat())
    windows = _windows_asked(connected)
    assert {c["site_id"] for c in connected.state.calls("GetOrders")} == {"3"}
    assert windows[0][0] == datetime.combine(since, time(0), tzinfo=UTC)
    assert len(windows) == 2 and all(end - start <= MAX_WINDOW for start, end in windows)
    assert windows[0][1] == windows[1][0]  # no gap, no overlap
    assert abs(windows[-1][1] - (timezone.now() - timedelta(minutes=2))) < timedelta(minutes=1)


def test_import_command_backfill_beyond_90_days_starts_where_ebay_keeps_orders(
    connected: RunningSandbox,
) -> None:
    output = run("ebay_import_orders", "--account", "UK", "--since", "2000-01-01")
    assert "eBay keeps 90 days" in output
    windows = _windows_asked(connected)
    ebay_limit = timezone.now() - timedelta(days=90)
    assert timedelta(0) < windows[0][0] - ebay_limit < timedelta(minutes=11)
    assert len(windows) == 3 and all(end - start <= MAX_WINDOW for start, end in windows)
    assert all(a[1] == b[0] for a, b in pairwise(windows))


def test_import_command_fails_with_a_non_zero_exit(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    connected.state.inject("http_500", count=5)
    with pytest.raises(CommandError, match="eBay import failed for eBay UK"):
        run("ebay_import_orders", "--account", "UK")
    assert EbayRun.objects.get().status == RunStatus.FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "eBay Mars"], "No eBay account 'eBay Mars'"),
        (["--since", "last tuesday"], "is not a date"),
    ],
)
def test_import_command_refuses_bad_arguments(
    connected: RunningSandbox, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("ebay_import_orders", *args)


def test_ship_command_reports_and_skips_ebay_fulfilled(
    connected: RunningSandbox, uk: EbayAccount
) -> None:
    run("ebay_import_orders", "--account", "UK")
    for order in Order.objects.filter(ebay_order_id__startswith="03-"):
        order.shipping_carrier, order.tracking_number = "DHL", f"DHL{order.pk}"
        order.save()

    dry = run("ebay_ship_orders", "--dry-run")
    assert "8 would be reported" in dry and "4 eBay-fulfilled skipped" in dry
    assert connected.state.calls("CompleteSale") == []

    output = run("ebay_ship_orders")
    assert "8 reported, 4 eBay-fulfilled skipped" in output
    assert len(connected.state.calls("CompleteSale")) == 8
    assert EbayRun.objects.filter(kind="shipping", status=RunStatus.SUCCEEDED).count() == 1


def test_ship_command_fails_with_a_non_zero_exit(connected: RunningSandbox) -> None:
    run("ebay_import_orders", "--account", "UK")
    order = Order.objects.filter(
        ebay_order_id__startswith="03-", marketplace_fulfillment_channel="seller"
    ).first()
    assert order is not None
    order.shipping_carrier, order.tracking_number = "DHL", "DHL1"
    order.save()
    connected.state.inject("ack_failure", call="CompleteSale")
    with pytest.raises(CommandError, match="the next run retries them"):
        run("ebay_ship_orders")


def test_sandbox_command_refuses_without_debug(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run("ebay_sandbox", "--port", "0")


def test_tasks_take_ids_and_record_runs(connected: RunningSandbox, uk: EbayAccount) -> None:
    outcomes = tasks.import_orders_task(account_id=uk.pk, trigger=RunTrigger.ADMIN)
    assert outcomes[0]["imported"] == 12 and outcomes[0]["status"] == RunStatus.SUCCEEDED
    everything = tasks.import_orders_task()
    assert {o["status"] for o in everything} == {RunStatus.SUCCEEDED} and len(everything) == 2
    shipped = tasks.ship_orders_task()
    assert shipped["status"] == RunStatus.SUCCEEDED
    assert EbayRun.objects.filter(trigger=RunTrigger.BEAT).count() == 3


def test_beat_jobs_import_every_15_minutes_and_ship_every_30() -> None:
    jobs = {job.task: job for job in declared_jobs()}
    assert jobs["ebay_orders.import_orders"].every_minutes == 15
    assert jobs["ebay_orders.ship_orders"].every_minutes == 30
    register_recurring_jobs()
    registered = PeriodicTask.objects.filter(
        task__startswith="ebay_orders.", interval__isnull=False
    )
    assert {(t.task, t.interval.every) for t in registered} == {
        ("ebay_orders.import_orders", 15),
        ("ebay_orders.ship_orders", 30),
        ("ebay_orders.refresh_access_tokens", 50),
    }


def test_admin_action_queues_the_import_and_says_so(
    admin_client: Client,
    connected: RunningSandbox,
    uk: EbayAccount,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.import_orders_task, "delay", lambda **kw: queued.append(kw))
    url = reverse("admin:catalog_ebayaccount_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "import_orders_now", "_selected_action": [uk.pk]}, follow=True
        )
    assert queued == [{"account_id": uk.pk, "trigger": RunTrigger.ADMIN}]
    assert "Order import queued for eBay UK" in response.content.decode()
    # The worker runs it; the account list then shows the outcome.
    tasks.import_orders_task(**queued[0])
    page = admin_client.get(url).content.decode()
    assert "Succeeded" in page and "12 imported" in page


def test_admin_action_queues_the_shipment_reports_and_says_so(
    admin_client: Client,
    connected: RunningSandbox,
    uk: EbayAccount,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.ship_orders_task, "delay", lambda **kw: queued.append(kw))
    url = reverse("admin:catalog_ebayaccount_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "report_shipments_now", "_selected_action": [uk.pk]}, follow=True
        )
    assert queued == [{"account_id": uk.pk, "trigger": RunTrigger.ADMIN}]
    assert "Shipment reports queued for eBay UK" in response.content.decode()
    # The worker runs it; the account list then shows the shipping run's outcome.
    tasks.ship_orders_task(**queued[0])
    page = admin_client.get(url).content.decode()
    assert "Succeeded" in page and "0 reported, 0 eBay-fulfilled skipped" in page


def test_admin_never_renders_the_token(admin_client: Client, connected: RunningSandbox) -> None:
    connection = EbayConnection.objects.first()
    assert connection is not None
    page = admin_client.get(
        reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk])
    ).content.decode()
    assert "demo-ebay-user-token" not in page and "Token stored" in page
    response = admin_client.post(
        reverse("admin:ebay_orders_ebayconnection_change", args=[connection.pk]),
        {"enabled": "on", "api_url": connection.api_url, "new_user_token": "fresh-token"},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.user_token == "fresh-token"


def test_demo_connections_are_idempotent_and_keep_a_hand_entered_token(demo_data: None) -> None:
    seed_demo_connections("http://127.0.0.1:9999/")
    uk = EbayConnection.objects.get(ebay_account__site_code="UK")
    assert uk.user_token == DEFAULT_TOKEN and uk.api_url == "http://127.0.0.1:9999/ws/api.dll"
    uk.user_token = "typed-by-hand"
    uk.save()
    seed_demo_connections("http://127.0.0.1:9999")
    assert EbayConnection.objects.count() == 2
    assert connection_of(uk.ebay_account).user_token == "typed-by-hand"


@pytest.mark.django_db
def test_a_run_left_running_by_a_killed_worker_is_marked_failed(settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ebay_orders.models import RunKind
    from ebay_orders.runs import reap_abandoned_runs

    stuck = EbayRun.objects.create(kind=RunKind.IMPORT, trigger=RunTrigger.BEAT)
    fresh = EbayRun.objects.create(kind=RunKind.IMPORT, trigger=RunTrigger.BEAT)
    EbayRun.objects.filter(pk=stuck.pk).update(
        started=timezone.now() - timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    assert reap_abandoned_runs() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "did not finish" in stuck.summary
    assert fresh.status == RunStatus.RUNNING
