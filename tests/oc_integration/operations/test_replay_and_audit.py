"""Replay and audit: failed runs run again, failed callbacks replay, and both are in History.

Running a run again needs the permission of its kind; replaying a callback needs
``replay_webhookdelivery``. What people do (sync, apply, replay, cancel) is written to the
admin History of the record they did it to. Pages that wait for the worker refresh
themselves and show how far the run has got.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from hemi_fulfilment.run_progress import progress_key, read_progress, reporter
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundStatus,
    SyncRun,
    WebhookDelivery,
)
from oc_integration.outbound.callbacks import process
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.outbound.push import push_queued
from oc_integration.stock.runs import queue_stock_sync
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders
from tests.oc_integration.staff import staff_client

pytestmark = pytest.mark.django_db

RUN_STOCK_SYNC = "run_stock_sync"
REPLAY = "replay_webhookdelivery"


def history_of(obj: Model) -> list[str]:
    """The change messages in the admin History of ``obj``, oldest first."""
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def run_page(run: SyncRun) -> str:
    return reverse("admin:oc_integration_syncrun_change", args=[run.pk])


def run_again_url(run: SyncRun) -> str:
    return reverse("admin:oc_integration_syncrun_run_again", args=[run.pk])


@pytest.fixture
def failed_run(oc_account: AccountOrangeConnex) -> SyncRun:
    run = queue_stock_sync(oc_account, trigger=SyncRun.Trigger.BEAT)
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.FAILED, error="OC did not answer in time."
    )
    run.refresh_from_db()
    return run


# --- run again -----------------------------------------------------------------------------
def test_a_failed_run_runs_again_as_a_new_run_of_its_kind_written_to_history(
    failed_run: SyncRun, django_capture_on_commit_callbacks: Any
) -> None:
    client = staff_client("stock-keeper", RUN_STOCK_SYNC)
    assert 'id="run-again"' in client.get(run_page(failed_run)).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(run_again_url(failed_run))
    again = SyncRun.objects.exclude(pk=failed_run.pk).get()
    assert response["Location"] == run_page(again)
    assert (again.kind, again.status, again.trigger, again.account_id) == (
        SyncRun.Kind.STOCK,
        SyncRun.Status.QUEUED,
        SyncRun.Trigger.ADMIN,
        failed_run.account_id,
    )
    assert len(queued) == 1  # the task, sent once the request's transaction commits
    message = f"Ran run #{failed_run.pk} again as run #{again.pk}."
    assert history_of(failed_run) == [message]
    assert history_of(failed_run.account) == [message]


def test_run_again_is_refused_to_staff_without_the_permission_of_the_runs_kind(
    failed_run: SyncRun, django_capture_on_commit_callbacks: Any
) -> None:
    client = staff_client("sku-keeper", "run_sku_sync", "apply_syncrun")
    assert 'id="run-again"' not in client.get(run_page(failed_run)).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post(run_again_url(failed_run)).status_code == 403
    assert SyncRun.objects.count() == 1 and queued == []
    assert history_of(failed_run) == []


def test_a_run_that_succeeded_is_not_run_again(
    failed_run: SyncRun, django_capture_on_commit_callbacks: Any
) -> None:
    SyncRun.objects.filter(pk=failed_run.pk).update(status=SyncRun.Status.SUCCEEDED)
    client = staff_client("stock-keeper", RUN_STOCK_SYNC)
    assert 'id="run-again"' not in client.get(run_page(failed_run)).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = client.post(run_again_url(failed_run), follow=True).content.decode()
    assert "only failed or skipped runs are started again" in page
    assert SyncRun.objects.count() == 1 and queued == []


# --- pages that wait for the worker --------------------------------------------------------
def test_a_queued_run_page_refreshes_itself_until_the_run_has_finished(
    failed_run: SyncRun,
) -> None:
    client = staff_client("viewer")
    SyncRun.objects.filter(pk=failed_run.pk).update(status=SyncRun.Status.QUEUED)
    page = client.get(run_page(failed_run)).content.decode()
    assert 'http-equiv="refresh"' in page and "Waiting for the worker" in page
    SyncRun.objects.filter(pk=failed_run.pk).update(status=SyncRun.Status.SUCCEEDED)
    assert 'http-equiv="refresh"' not in client.get(run_page(failed_run)).content.decode()


def test_a_running_run_shows_the_progress_the_worker_reported(failed_run: SyncRun) -> None:
    SyncRun.objects.filter(pk=failed_run.pk).update(status=SyncRun.Status.RUNNING)
    report = reporter(progress_key("syncrun", failed_run.pk))
    report("write", 3000, 12000)
    client = staff_client("viewer")
    page = client.get(run_page(failed_run)).content.decode()
    assert "Writing the changes: 3,000 of 12,000 (25 %)" in page
    review = reverse("admin:oc_integration_syncrun_review", args=[failed_run.pk])
    review_page = client.get(review).content.decode()
    assert 'http-equiv="refresh"' in review_page and "3,000 of 12,000" in review_page


def test_the_progress_reporter_writes_at_most_twice_a_second_but_always_the_end() -> None:
    moments = iter([0.0, 0.1, 0.2, 0.3])
    key = progress_key("syncrun", 999_999)
    cache.delete(key)
    report = reporter(key, clock=lambda: next(moments))
    report("download", 1, 10)
    report("download", 2, 10)  # 0.1 s later: not written
    first = read_progress(key)
    assert first is not None and first.done == 1
    report("download", 10, 10)  # the end of a phase is always written
    last = read_progress(key)
    assert last is not None and (last.phase, last.done, last.total) == ("download", 10, 10)


# --- replaying callbacks -------------------------------------------------------------------
@pytest.fixture
def submitted(demo_account: AccountOrangeConnex, oc_sandbox: Sandbox) -> OutboundOrder:
    stock_everything(oc_sandbox, demo_account)
    order = web_orders(1, prefix="REPLAY")[0]
    prepare_outbound_orders(demo_account, [order.pk])
    push_queued(demo_account.pk)
    outbound = OutboundOrder.objects.get(order=order)
    assert outbound.status == OutboundStatus.SUBMITTED
    return outbound


def replay(client: Client, deliveries: list[WebhookDelivery]) -> str:
    return client.post(
        reverse("admin:oc_integration_webhookdelivery_changelist"),
        {"action": "replay_callbacks", "_selected_action": [d.pk for d in deliveries]},
        follow=True,
    ).content.decode()


def test_a_failed_callback_replays_and_is_confirmed_with_oc_written_to_history(
    submitted: OutboundOrder, oc_sandbox: Sandbox, django_capture_on_commit_callbacks: Any
) -> None:
    oc_sandbox.control(
        "POST", "outbound/advance", orderNumber=submitted.oc_order_number, to="Picked"
    )
    delivery = WebhookDelivery.objects.create(
        account=submitted.account,
        delivery_id="failed-1",
        order_number=submitted.oc_order_number or "",
        event_status="Picked",
        outbound_order=submitted,
        status=WebhookDelivery.Status.FAILED,
        outcome="Could not confirm with OC after several tries; nothing changed.",
    )
    client = staff_client("operator", REPLAY)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = replay(client, [delivery])
    assert "1 callback(s) queued to be confirmed with OC again" in page
    assert len(queued) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RECEIVED
    assert process(delivery.pk) == WebhookDelivery.Status.APPLIED  # what the queued task runs
    submitted.refresh_from_db()
    assert submitted.status == OutboundStatus.PICKED
    assert history_of(delivery) == ["Replayed: queued to be confirmed with OC."]
    assert history_of(submitted) == ["An OC callback about this order was replayed."]


def test_a_kept_back_callback_replays_once_its_order_exists_and_applied_ones_never(
    submitted: OutboundOrder, django_capture_on_commit_callbacks: Any
) -> None:
    account = submitted.account
    kept_back = WebhookDelivery.objects.create(
        account=account,
        delivery_id="early-1",
        reference_number=submitted.reference_number,
        status=WebhookDelivery.Status.REJECTED,
    )
    unknown = WebhookDelivery.objects.create(
        account=account,
        delivery_id="stranger-1",
        reference_number="NOT-AN-ORDER",
        status=WebhookDelivery.Status.REJECTED,
    )
    applied = WebhookDelivery.objects.create(
        account=account,
        delivery_id="done-1",
        outbound_order=submitted,
        status=WebhookDelivery.Status.APPLIED,
    )
    client = staff_client("operator", REPLAY)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = replay(client, [kept_back, unknown, applied])
    assert len(queued) == 1
    assert "stranger-1: still no outbound order of" in page
    assert "done-1: applied, nothing to replay." in page
    kept_back.refresh_from_db()
    assert (kept_back.status, kept_back.outbound_order_id) == (
        WebhookDelivery.Status.RECEIVED,
        submitted.pk,
    )
    unknown.refresh_from_db()
    applied.refresh_from_db()
    assert unknown.status == WebhookDelivery.Status.REJECTED
    assert applied.status == WebhookDelivery.Status.APPLIED


def test_staff_without_the_replay_permission_cannot_replay(
    submitted: OutboundOrder, django_capture_on_commit_callbacks: Any
) -> None:
    delivery = WebhookDelivery.objects.create(
        account=submitted.account,
        delivery_id="failed-2",
        outbound_order=submitted,
        status=WebhookDelivery.Status.FAILED,
    )
    client = staff_client("viewer", RUN_STOCK_SYNC)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        replay(client, [delivery])
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and queued == []


# --- history of what people did ------------------------------------------------------------
def test_sync_and_apply_from_the_admin_are_written_to_history(
    oc_account: AccountOrangeConnex,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = staff_client("stock-keeper", RUN_STOCK_SYNC, "apply_syncrun")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("admin:oc_integration_accountorangeconnex_changelist"),
            {"action": "sync_stock_now", "_selected_action": [oc_account.pk]},
        )
    run = SyncRun.objects.get()
    assert history_of(oc_account) == [f"Queued stock sync run #{run.pk}."]
    assert LogEntry.objects.filter(
        object_id=str(oc_account.pk), user__username="stock-keeper"
    ).exists()
