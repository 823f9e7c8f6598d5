"""Running a failed sync again from its run page: same account, same kind, a new run.

Each kind of run is started by its own task and needs its own permission, the one its
"Sync … now" action needs; a kind not listed here has no "Run again" button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from celery import Task
from django.db import transaction

from oc_integration.catalog.sync import queue_sku_sync
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.age import queue_stock_age_sync
from oc_integration.stock.movements import queue_movement_sync
from oc_integration.stock.runs import queue_stock_sync
from oc_integration.tasks import sync_movements, sync_skus, sync_stock, sync_stock_age

#: Outcomes a run can be started again from: it changed nothing and did not finish its job.
RERUNNABLE_STATUSES = frozenset({SyncRun.Status.FAILED, SyncRun.Status.SKIPPED})


@dataclass(frozen=True)
class RunKind:
    """How runs of one kind are queued, executed and guarded."""

    queue: Callable[..., SyncRun]
    task: Task
    permission: str


RUN_KINDS: dict[str, RunKind] = {
    SyncRun.Kind.STOCK: RunKind(queue_stock_sync, sync_stock, "oc_integration.run_stock_sync"),
    SyncRun.Kind.SKUS: RunKind(queue_sku_sync, sync_skus, "oc_integration.run_sku_sync"),
    SyncRun.Kind.MOVEMENTS: RunKind(
        queue_movement_sync, sync_movements, "oc_integration.run_movement_sync"
    ),
    SyncRun.Kind.STOCK_AGE: RunKind(
        queue_stock_age_sync, sync_stock_age, "oc_integration.run_stock_age_sync"
    ),
}


def can_run_again(run: SyncRun) -> bool:
    """Whether the run's page offers "Run again" (to those with the kind's permission)."""
    return run.status in RERUNNABLE_STATUSES and run.kind in RUN_KINDS


def run_again(run: SyncRun, account: AccountOrangeConnex) -> SyncRun:
    """Queue a new run of the same kind for the same account (a dry run stays a dry run).

    The task is sent once the caller's transaction commits, so the worker finds the run.
    """
    kind = RUN_KINDS[run.kind]
    again = kind.queue(account, trigger=SyncRun.Trigger.ADMIN, dry_run=run.dry_run)
    transaction.on_commit(partial(kind.task.delay, again.pk))
    return again
