"""The OC jobs run on a real Celery worker (the configured broker) against the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from oc_integration.models import AccountOrangeConnex, OutboundOrder, OutboundStatus, SyncRun
from oc_integration.outbound.orders import prepare_outbound_orders
from oc_integration.stock.runs import queue_stock_sync
from oc_integration.tasks import push_outbound, sync_stock, sync_stock_all_accounts
from tests.oc_integration.conftest import Sandbox
from tests.oc_integration.outbound_helpers import stock_everything, web_orders

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(celery_worker: None) -> None:
    """The shared real worker (tests/conftest.py)."""


def _wait_for(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_queued_stock_sync_is_run_by_the_worker(
    demo_account: AccountOrangeConnex, worker: None
) -> None:
    run = queue_stock_sync(demo_account, trigger=SyncRun.Trigger.ADMIN)
    sync_stock.delay(run.pk)
    _wait_for(
        lambda: (
            SyncRun.objects.get(pk=run.pk).status != SyncRun.Status.QUEUED
            and SyncRun.objects.get(pk=run.pk).finished is not None
        )
    )
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.rows_created > 0


def test_the_beat_job_queues_one_sync_per_authorized_account(
    demo_account: AccountOrangeConnex, worker: None
) -> None:
    sync_stock_all_accounts.delay()
    _wait_for(
        lambda: SyncRun.objects.filter(
            trigger=SyncRun.Trigger.BEAT, status=SyncRun.Status.SUCCEEDED
        ).exists()
    )
    assert SyncRun.objects.filter(trigger=SyncRun.Trigger.BEAT).count() == 1


def test_a_push_task_sends_queued_orders(
    demo_account: AccountOrangeConnex, oc_sandbox: Sandbox, worker: None
) -> None:
    stock_everything(oc_sandbox, demo_account)
    prepare_outbound_orders(demo_account, [o.pk for o in web_orders(3, prefix="WRK")])
    push_outbound.delay(demo_account.pk)
    _wait_for(lambda: OutboundOrder.objects.filter(status=OutboundStatus.SUBMITTED).count() == 3)
    assert len(oc_sandbox.orders()) == 3
