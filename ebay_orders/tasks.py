"""Celery tasks: which service to call for which eBay accounts. Ids only, never tokens."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task

from ebay_orders.auth import tokens
from ebay_orders.connections import enabled_account_ids
from ebay_orders.models import RunTrigger
from ebay_orders.runs import run_import, run_shipping

logger = logging.getLogger(__name__)


# Idempotent (upserts, a cursor that only moves forward): safe to run again after a crash.
@shared_task(name="ebay_orders.import_orders", acks_late=True)
def import_orders_task(
    account_id: int | None = None, trigger: str = RunTrigger.BEAT
) -> list[dict[str, Any]]:
    """Import the orders of ``account_id``, or of every enabled eBay connection."""
    account_ids = [account_id] if account_id is not None else enabled_account_ids()
    outcomes = []
    for each in account_ids:
        run, result = run_import(account_id=each, trigger=trigger)
        logger.info("eBay import run %s: %s", run.pk, result.summary())
        outcomes.append({"run_id": run.pk, "status": run.status, **result.counts()})
    return outcomes


# At most once per message (acks_late off): a report is claimed before its call anyway.
@shared_task(name="ebay_orders.ship_orders")
def ship_orders_task(
    account_id: int | None = None, trigger: str = RunTrigger.BEAT
) -> dict[str, Any]:
    """Report the seller's shipped eBay orders (eBay-fulfilled orders are never sent)."""
    run, result = run_shipping(trigger=trigger, account_id=account_id)
    logger.info("eBay shipping run %s: %s", run.pk, result.summary())
    return {"run_id": run.pk, "status": run.status, **result.counts()}


@shared_task(name="ebay_orders.refresh_access_tokens", acks_late=True)
def refresh_access_tokens() -> dict[str, list[str]]:
    """Keep every connected connection's access token valid until the next run."""
    outcome = tokens.refresh_expiring_tokens(
        ahead=timedelta(minutes=tokens.TOKEN_REFRESH_EVERY_MINUTES + 1)
    )
    logger.info("eBay token refresh: %s", outcome)
    return outcome


@shared_task(name="ebay_orders.warn_expiring_refresh_tokens", acks_late=True)
def warn_expiring_refresh_tokens() -> list[str]:
    """Warn (log and email, once per connection) before a refresh token expires."""
    return tokens.warn_expiring_refresh_tokens()
