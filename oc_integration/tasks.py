"""Celery tasks of the OC integration. They pick a service and pass ids, nothing more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from celery import Task, shared_task

from oc_integration.auth import tokens

logger = logging.getLogger(__name__)

TOKEN_REFRESH_EVERY_MINUTES = 50


def run_progress(run_id: int) -> Callable[..., None]:
    """Where a sync run reports its progress: the cache, read by the run's admin page."""
    from hemi_fulfilment.run_progress import progress_key, reporter

    return reporter(progress_key("syncrun", run_id))


@shared_task(name="oc.refresh_access_tokens", acks_late=True)
def refresh_access_tokens() -> dict[str, list[str]]:
    """Keep every authorized account's access token valid until the next run."""
    outcome = tokens.refresh_expiring_tokens(
        ahead=timedelta(minutes=TOKEN_REFRESH_EVERY_MINUTES + 1)
    )
    logger.info("OC token refresh: %s", outcome)
    return outcome


@shared_task(name="oc.warn_expiring_refresh_tokens", acks_late=True)
def warn_expiring_refresh_tokens() -> list[str]:
    """Warn (log and email, once per account) before a refresh token expires."""
    return tokens.warn_expiring_refresh_tokens()


@shared_task(name="oc.sync_stock", acks_late=True)
def sync_stock(run_id: int) -> str:
    """Execute one queued stock sync run (a redelivered task finds it done and returns)."""
    from oc_integration.stock.runs import run_stock_sync

    return run_stock_sync(run_id, progress=run_progress(run_id)).status


@shared_task(name="oc.sync_stock_all_accounts", acks_late=True)
def sync_stock_all_accounts() -> list[int]:
    """The beat job: queue one stock sync per authorized account."""
    from django.db import transaction

    from oc_integration.auth.accounts import authorized_accounts
    from oc_integration.models import SyncRun
    from oc_integration.stock.runs import queue_stock_sync

    run_ids = []
    for account in authorized_accounts():
        run = queue_stock_sync(account, trigger=SyncRun.Trigger.BEAT)
        transaction.on_commit(partial(sync_stock.delay, run.pk))
        run_ids.append(run.pk)
    return run_ids


@shared_task(name="oc.purge_stock_history", acks_late=True)
def purge_stock_history() -> int:
    """Delete stock history lines older than OC_STOCK_HISTORY_DAYS."""
    from oc_integration.stock.history import purge_history

    return purge_history()


@shared_task(name="oc.push_outbound", acks_late=True)
def push_outbound(account_id: int) -> dict[str, int]:
    """Send the account's queued outbound orders (claims are row-locked: safe to repeat)."""
    from oc_integration.outbound.push import push_queued

    result = push_queued(account_id)
    for problem in result.problems:
        logger.warning("Outbound push for account %s: %s", account_id, problem)
    return {
        "calls": result.calls,
        "submitted": len(result.submitted),
        "rejected": len(result.rejected),
        "invalid": len(result.invalid),
        "unknown": len(result.unknown),
    }


@shared_task(name="oc.push_outbound_all_accounts", acks_late=True)
def push_outbound_all_accounts() -> list[int]:
    """The beat job: one push per authorized account with orders waiting to be sent or
    checked (queued, unconfirmed, or left Sending by a push that died)."""
    from oc_integration.outbound.push import accounts_with_pending_orders

    ids = accounts_with_pending_orders()
    for account_id in ids:
        push_outbound.delay(account_id)
    return ids


@shared_task(name="oc.route_orders", acks_late=True)
def route_orders(account_id: int) -> str:
    """Route the account's new paid orders by its routing rules, then queue their push
    (a redelivered task finds them checked and routes nothing twice)."""
    from django.db import transaction

    from oc_integration.outbound.routing.run import route_new_orders

    result = route_new_orders(account_id)
    if result.queued:
        transaction.on_commit(partial(push_outbound.delay, account_id))
    logger.info("OC automatic routing for %s: %s", result.account, result.summary())
    return result.summary()


@shared_task(name="oc.route_orders_all_accounts", acks_late=True)
def route_orders_all_accounts() -> list[int]:
    """The beat job: one routing run per authorized account whose routing is on."""
    from oc_integration.outbound.routing.run import accounts_to_route

    ids = accounts_to_route()
    for account_id in ids:
        route_orders.delay(account_id)
    return ids


@shared_task(name="oc.refresh_outbound_status", acks_late=True)
def refresh_outbound_status() -> dict[str, str]:
    """The beat job: status, tracking and OC-created orders for every authorized account."""
    from oc_integration.outbound.status import refresh_all_accounts

    return refresh_all_accounts()


CALLBACK_RETRIES = 6


@shared_task(name="oc.process_outbound_callback", acks_late=True, bind=True)
def process_outbound_callback(self: Task, delivery_id: int) -> str:
    """Confirm one stored OC callback with Query v2 and apply it (idempotent).

    OC unreachable: retried with backoff; after the last try the delivery is marked
    failed (kept for review) instead of waiting forever.
    """
    from oc_integration.outbound.callbacks import give_up, process

    try:
        return process(delivery_id)
    except Exception as exc:
        if self.request.retries >= CALLBACK_RETRIES:
            give_up(delivery_id, exc)
            raise
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc


@shared_task(name="oc.refresh_shipping_services", acks_late=True)
def refresh_shipping_services() -> int:
    """Daily: GetServiceList for the shipping service choices per region."""
    from oc_integration.outbound.shipping_services import refresh_shipping_services as refresh

    return refresh()


@shared_task(name="oc.sync_skus", acks_late=True)
def sync_skus(run_id: int) -> str:
    """Execute one queued SKU sync run (a redelivered task finds it done and returns)."""
    from oc_integration.catalog.sync import run_sku_sync

    return run_sku_sync(run_id, progress=run_progress(run_id)).status


@shared_task(name="oc.sync_skus_all_accounts", acks_late=True)
def sync_skus_all_accounts() -> list[int]:
    """The beat job: queue one SKU sync per authorized account."""
    from django.db import transaction

    from oc_integration.auth.accounts import authorized_accounts
    from oc_integration.catalog.sync import queue_sku_sync
    from oc_integration.models import SyncRun

    run_ids = []
    for account in authorized_accounts():
        run = queue_sku_sync(account, trigger=SyncRun.Trigger.BEAT)
        transaction.on_commit(partial(sync_skus.delay, run.pk))
        run_ids.append(run.pk)
    return run_ids


@shared_task(name="oc.sync_movements", acks_late=True)
def sync_movements(run_id: int) -> str:
    """Execute one queued stock movement import (a redelivered task finds it done)."""
    from oc_integration.stock.movements import run_movement_sync

    return run_movement_sync(run_id, progress=run_progress(run_id)).status


@shared_task(name="oc.sync_movements_all_accounts", acks_late=True)
def sync_movements_all_accounts() -> list[int]:
    """The beat job: queue one stock movement import per authorized account; each goes
    on from where the account's last complete window ended."""
    from django.db import transaction

    from oc_integration.auth.accounts import authorized_accounts
    from oc_integration.models import SyncRun
    from oc_integration.stock.movements import queue_movement_sync

    run_ids = []
    for account in authorized_accounts():
        run = queue_movement_sync(account, trigger=SyncRun.Trigger.BEAT)
        transaction.on_commit(partial(sync_movements.delay, run.pk))
        run_ids.append(run.pk)
    return run_ids


@shared_task(name="oc.sync_stock_age", acks_late=True)
def sync_stock_age(run_id: int) -> str:
    """Execute one queued stock age import (a redelivered task finds it done)."""
    from oc_integration.stock.age import run_stock_age_sync

    return run_stock_age_sync(run_id, progress=run_progress(run_id)).status


@shared_task(name="oc.sync_stock_age_all_accounts", acks_late=True)
def sync_stock_age_all_accounts() -> list[int]:
    """The beat job: queue one stock age import per authorized account."""
    from django.db import transaction

    from oc_integration.auth.accounts import authorized_accounts
    from oc_integration.models import SyncRun
    from oc_integration.stock.age import queue_stock_age_sync

    run_ids = []
    for account in authorized_accounts():
        run = queue_stock_age_sync(account, trigger=SyncRun.Trigger.BEAT)
        transaction.on_commit(partial(sync_stock_age.delay, run.pk))
        run_ids.append(run.pk)
    return run_ids


@shared_task(name="oc.low_stock_digest", acks_late=True)
def low_stock_digest() -> dict[str, object]:
    """The daily digest: email each OC account's rows that crossed into low stock."""
    from oc_integration.stock.low_stock import send_low_stock_digest

    outcome = send_low_stock_digest().summary()
    logger.info("OC low-stock digest: %s", outcome)
    return outcome


@shared_task(name="oc.sync_inbound", acks_late=True)
def sync_inbound(account_id: int) -> str:
    """Lost answers confirmed, then status and received units of one account's open
    inbound orders (safe to repeat)."""
    from oc_integration.inbound.runs import sync_account
    from oc_integration.models import AccountOrangeConnex

    return sync_account(AccountOrangeConnex.objects.get(pk=account_id)).summary()


@shared_task(name="oc.sync_inbound_all_accounts", acks_late=True)
def sync_inbound_all_accounts() -> dict[str, str]:
    """The beat job: the inbound sync of every authorized account."""
    from oc_integration.inbound.runs import sync_all_accounts

    outcome = sync_all_accounts()
    logger.info("OC inbound sync: %s", outcome)
    return outcome


@shared_task(name="oc.sync_returns", acks_late=True)
def sync_returns(account_id: int) -> str:
    """Import one account's return orders and returned stock (safe to repeat)."""
    from oc_integration.models import AccountOrangeConnex
    from oc_integration.returns.sync import import_returns

    return import_returns(AccountOrangeConnex.objects.get(pk=account_id)).summary()


@shared_task(name="oc.sync_returns_all_accounts", acks_late=True)
def sync_returns_all_accounts() -> dict[str, str]:
    """The beat job: the return import of every authorized account."""
    from oc_integration.returns.sync import sync_all_accounts

    outcome = sync_all_accounts()
    logger.info("OC return import: %s", outcome)
    return outcome
