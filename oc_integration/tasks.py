"""Celery tasks of the OC integration. They pick a service and pass ids, nothing more."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task

from oc_integration import tokens

logger = logging.getLogger(__name__)

TOKEN_REFRESH_EVERY_MINUTES = 50


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
    from oc_integration.sync_runs import run_stock_sync

    return run_stock_sync(run_id).status


@shared_task(name="oc.sync_stock_all_accounts", acks_late=True)
def sync_stock_all_accounts() -> list[int]:
    """The beat job: queue one stock sync per authorized account."""
    from django.db import transaction

    from oc_integration.models import SyncRun
    from oc_integration.sync_runs import authorized_accounts, queue_stock_sync

    run_ids = []
    for account in authorized_accounts():
        run = queue_stock_sync(account, trigger=SyncRun.Trigger.BEAT)
        transaction.on_commit(partial(sync_stock.delay, run.pk))
        run_ids.append(run.pk)
    return run_ids
