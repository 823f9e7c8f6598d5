"""Stock rows name their OC account without a foreign-key constraint, and still no row
names a missing account: a sync holds the account while it writes, and the database
refuses to delete an account that stock rows name (migration 0030)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.db import connection, transaction

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import (
    AccountOrangeConnex,
    InboundOrder,
    OutboundOrder,
    ProductAccountOrangeConnex,
    ReturnOrder,
    SyncRun,
)
from oc_integration.stock import runs
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from oc_integration.stock.writer import AccountGone, hold_account
from tests.oc_integration.stock.holds import (
    finished,
    held_account,
    in_hemi,
    refused_by_database,
    started_waiting,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ACCOUNTS = AccountOrangeConnex._meta.db_table


def _stock_row(account: AccountOrangeConnex, sku: str = "HELD-1") -> ProductAccountOrangeConnex:
    product = Product.objects.create(sku=sku, title=f"Product {sku}")
    return ProductAccountOrangeConnex.objects.create(
        account=account, product=product, sku=sku, region="UK", created_in_oc=True
    )


def _delete_in_hemi(
    account: AccountOrangeConnex, failed: list[BaseException]
) -> Callable[[], None]:
    """Deleting ``account`` as the admin does, on a thread's own connection."""
    return in_hemi(AccountOrangeConnex.objects.filter(pk=account.pk).delete, failed)


def test_deleting_an_account_in_hemi_deletes_its_stock_rows_first() -> None:
    account = held_account()
    row = _stock_row(account)
    account.delete()
    assert not ProductAccountOrangeConnex.objects.filter(pk=row.pk).exists()
    assert not AccountOrangeConnex.objects.filter(pk=account.pk).exists()


def test_the_database_refuses_to_delete_an_account_that_stock_rows_still_name() -> None:
    account = held_account()
    row = _stock_row(account)
    with refused_by_database("still has stock rows"), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ACCOUNTS} WHERE id = %s", [account.pk])  # noqa: S608
    assert ProductAccountOrangeConnex.objects.filter(pk=row.pk, account=account).exists()
    # Nor may the account take another id under its rows.
    with refused_by_database("still has stock rows"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ACCOUNTS} SET id = id + 1000 WHERE id = %s", [account.pk])  # noqa: S608


def test_holding_an_account_that_is_gone_raises_account_gone() -> None:
    account = held_account()
    account.delete()
    with pytest.raises(AccountGone, match="deleted while its stock was being synced"):
        hold_account(account.pk)


@pytest.mark.django_db(transaction=True)
def test_a_deletion_waits_for_a_sync_holding_the_account_and_is_then_refused(
    other_connection: Any,
) -> None:
    # The sync holds the account and writes a row. Meanwhile the account's own update (a
    # token refresh, say: no key column changes) goes through at once, but a deletion waits; once the sync has
    # committed, the deletion sees its row and is refused: no row names a missing account.
    account = held_account()
    refused: list[BaseException] = []

    def delete_the_account() -> None:
        with other_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
            try:
                cursor.execute(f"DELETE FROM {ACCOUNTS} WHERE id = %s", [account.pk])  # noqa: S608
            except psycopg2.Error as exc:
                refused.append(exc)
            other_connection.rollback()

    with transaction.atomic():
        hold_account(account.pk)
        row = _stock_row(account)
        with other_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
            cursor.execute(
                f"UPDATE {ACCOUNTS} SET refresh_token_expires_at = now() WHERE id = %s",  # noqa: S608
                [account.pk],
            )
        other_connection.commit()
        deleter = started_waiting(delete_the_account, "DELETE FROM")
    # Leaving the block committed the sync's row: the deletion goes on.
    finished(deleter)
    assert len(refused) == 1
    assert isinstance(refused[0], psycopg2.errors.ForeignKeyViolation)
    assert "still has stock rows" in str(refused[0])
    account.refresh_from_db()
    assert account.refresh_token_expires_at is not None
    assert ProductAccountOrangeConnex.objects.filter(pk=row.pk, account=account).exists()


@pytest.mark.django_db(transaction=True)
def test_a_sync_whose_account_is_deleted_meanwhile_writes_nothing_and_stops_quietly(
    demo_account: AccountOrangeConnex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Someone deletes the account (and with it its runs) while the sync downloads: the
    # sync writes no row for it and does not try to record a run that went with it.
    # The demo's orders keep an account from being deleted (they are evidence): gone first.
    for orders in (InboundOrder, OutboundOrder, ReturnOrder):
        orders.objects.filter(account=demo_account).delete()
    read_snapshot = runs.read_snapshot
    failed: list[BaseException] = []

    def read_then_lose_the_account(*args: Any, **kwargs: Any) -> str:
        version = read_snapshot(*args, **kwargs)

        deleter = threading.Thread(target=_delete_in_hemi(demo_account, failed))
        deleter.start()
        deleter.join(timeout=30)
        assert not deleter.is_alive()
        return version

    monkeypatch.setattr(runs, "read_snapshot", read_then_lose_the_account)
    warned: list[str] = []
    monkeypatch.setattr(runs.logger, "warning", lambda text, *args: warned.append(text % args))
    queued = queue_stock_sync(demo_account, trigger=SyncRun.Trigger.COMMAND)
    run = run_stock_sync(queued.pk)

    assert failed == []
    assert run.status == SyncRun.Status.FAILED
    assert run.error == (
        "The OC account was deleted while its stock was being synced. Nothing was written."
    )
    assert warned == [f"Stock sync run #{queued.pk} stopped: {run.error}"]
    assert not AccountOrangeConnex.objects.filter(pk=demo_account.pk).exists()
    assert not SyncRun.objects.filter(pk=queued.pk).exists()
    assert not ProductAccountOrangeConnex.objects.filter(account_id=demo_account.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_in_hemi_waits_for_a_sync_holding_it_then_deletes_all_its_rows() -> (
    None
):
    # Hemi's deletion locks the account before it gathers the stock rows, so it waits for
    # the sync and then finds the row the sync wrote meanwhile: nothing is left behind.
    account = held_account()
    _stock_row(account, "HELD-1")
    failed: list[BaseException] = []

    with transaction.atomic():
        hold_account(account.pk)
        written = _stock_row(account, "HELD-2")
        deleter = started_waiting(_delete_in_hemi(account, failed), "SELECT")
    finished(deleter)
    assert failed == []
    assert not AccountOrangeConnex.objects.filter(pk=account.pk).exists()
    assert not ProductAccountOrangeConnex.objects.filter(pk=written.pk).exists()
    assert not ProductAccountOrangeConnex.objects.filter(account_id=account.pk).exists()
