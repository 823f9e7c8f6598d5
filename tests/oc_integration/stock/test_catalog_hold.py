"""Stock rows name their product and its listing (item account) without foreign-key
constraints, and still no row names a missing one: a sync holds the catalog while it
writes, deleting products, item accounts or stock rows waits for it, the database refuses
to delete a product that stock rows name and unlinks a deleted listing's rows (migration
0031)."""

from __future__ import annotations

from typing import Any

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.db import connection, transaction

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex, SyncRun
from oc_integration.stock.runs import (
    ReviewRefused,
    apply_reviewed_run,
    failure_message,
    queue_stock_sync,
    run_stock_sync,
)
from oc_integration.stock.writer import CatalogChanged, Upsert, check_catalog, hold_catalog
from tests.oc_integration.stock.holds import (
    finished,
    held_account,
    in_hemi,
    refused_by_database,
    started_waiting,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PRODUCTS = Product._meta.db_table
ITEM_ACCOUNTS = ItemAccount._meta.db_table
PRODUCT_REFUSAL = "still has OC stock rows"


def _listing(sku: str) -> ItemAccount:
    product = Product.objects.create(sku=sku, title=f"Product {sku}")
    ebay, _ = EbayAccount.objects.get_or_create(
        name="eBay UK", defaults={"site_code": "UK", "site_id": 3}
    )
    return ItemAccount.objects.create(product=product, ebay_account=ebay)


def _stock_row(account: AccountOrangeConnex, listing: ItemAccount) -> ProductAccountOrangeConnex:
    return ProductAccountOrangeConnex.objects.create(
        account=account,
        product=listing.product,
        item_account=listing,
        sku=listing.product.sku,
        region="UK",
        created_in_oc=True,
    )


def _in_psql(other: Any, sql: str, params: list[Any], refused: list[BaseException]) -> Any:
    """``sql`` on the other connection, as a person's psql would run it: committed, or
    rolled back when the database refuses it (what it refused goes to ``refused``)."""

    def run() -> None:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
            try:
                cursor.execute(sql, params)
                other.commit()
            except psycopg2.Error as exc:
                refused.append(exc)
                other.rollback()

    return run


def test_deleting_a_product_in_hemi_deletes_its_stock_rows_first() -> None:
    row = _stock_row(held_account(), _listing("HOLD-1"))
    row.product.delete()
    assert not ProductAccountOrangeConnex.objects.filter(pk=row.pk).exists()


def test_the_database_refuses_to_delete_a_product_that_stock_rows_still_name() -> None:
    row = _stock_row(held_account(), _listing("HOLD-1"))
    with refused_by_database(PRODUCT_REFUSAL), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PRODUCTS} WHERE id = %s", [row.product_id])  # noqa: S608
    # Nor may the product take another id under its rows.
    with refused_by_database(PRODUCT_REFUSAL), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PRODUCTS} SET id = id + 1000 WHERE id = %s", [row.product_id])  # noqa: S608
    assert ProductAccountOrangeConnex.objects.filter(pk=row.pk, product=row.product).exists()


def test_deleting_an_item_account_keeps_its_stock_rows_without_the_link() -> None:
    account = held_account()
    in_hemi_row = _stock_row(account, _listing("HOLD-1"))
    in_psql_row = _stock_row(account, _listing("HOLD-2"))
    assert in_hemi_row.item_account is not None and in_psql_row.item_account_id is not None
    in_hemi_row.item_account.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ITEM_ACCOUNTS} WHERE id = %s", [in_psql_row.item_account_id])  # noqa: S608
    for row in (in_hemi_row, in_psql_row):
        row.refresh_from_db()
        assert row.item_account_id is None
    with refused_by_database("cannot change its id"), connection.cursor() as cursor:
        listing = _stock_row(account, _listing("HOLD-3")).item_account_id
        cursor.execute(f"UPDATE {ITEM_ACCOUNTS} SET id = id + 1000 WHERE id = %s", [listing])  # noqa: S608


def test_checking_the_catalog_names_what_a_plan_lost_since_it_was_made() -> None:
    kept, lost = _listing("HOLD-1"), _listing("HOLD-2")
    unlisted = _listing("HOLD-3")
    upserts = [
        Upsert(None, listing.product_id, listing.pk, listing.product.sku, "UK", "OC1", 1, 0,
               {}, "2026-12-01T10:00:00+00:00", None, None, None)
        for listing in (kept, lost, unlisted)
    ]  # fmt: skip
    check_catalog(upserts)  # all there: nothing to say
    lost.product.delete()  # its listing goes with it
    unlisted.delete()
    with pytest.raises(CatalogChanged) as raised:
        check_catalog(upserts)
    assert str(raised.value) == (
        "Products or item accounts these changes name were deleted in Hemi since they were "
        "planned (1 product, 2 item accounts)."
    )


def _deleted_during_a_sync(
    other: Any, table: str, pk: int, listing: ItemAccount
) -> tuple[ProductAccountOrangeConnex, list[BaseException]]:
    """A sync holds the catalog and writes a row for ``listing``; meanwhile psql deletes
    row ``pk`` of ``table`` (no cascade) and is seen waiting; the sync commits, and the
    deletion goes on. The sync's row, and what the database refused."""
    refused: list[BaseException] = []
    delete = _in_psql(other, f"DELETE FROM {table} WHERE id = %s", [pk], refused)  # noqa: S608
    with transaction.atomic():
        hold_catalog()
        row = _stock_row(held_account(), listing)
        deleter = started_waiting(delete, "DELETE FROM")
    finished(deleter)
    return row, refused


@pytest.mark.django_db(transaction=True)
def test_deleting_a_product_waits_for_a_sync_holding_the_catalog_and_is_then_refused(
    other_connection: Any,
) -> None:
    # The product had no rows when its deletion began; once the sync has committed, the
    # deletion sees the sync's row and is refused: no row names a missing product.
    listing = _listing("HOLD-1")
    row, refused = _deleted_during_a_sync(other_connection, PRODUCTS, listing.product_id, listing)
    assert len(refused) == 1
    assert isinstance(refused[0], psycopg2.errors.ForeignKeyViolation)
    assert "still has OC stock rows" in str(refused[0])
    assert ProductAccountOrangeConnex.objects.filter(pk=row.pk, product=listing.product).exists()


@pytest.mark.django_db(transaction=True)
def test_an_item_account_deleted_during_a_sync_unlinks_the_rows_the_sync_wrote(
    other_connection: Any,
) -> None:
    listing = _listing("HOLD-1")
    row, refused = _deleted_during_a_sync(other_connection, ITEM_ACCOUNTS, listing.pk, listing)
    assert refused == []
    assert not ItemAccount.objects.filter(pk=listing.pk).exists()
    row.refresh_from_db()
    assert row.item_account_id is None


@pytest.mark.django_db(transaction=True)
def test_deleting_stock_rows_in_hemi_waits_for_a_sync_holding_the_catalog() -> None:
    # Stock rows are deleted only once no sync is under way: a deletion holding rows a
    # sync must update, and waiting for that sync later, would deadlock with it.
    account = held_account()
    row = _stock_row(account, _listing("HOLD-1"))
    failed: list[BaseException] = []
    with transaction.atomic():
        hold_catalog()
        deleter = started_waiting(
            in_hemi(ProductAccountOrangeConnex.objects.filter(pk=row.pk).delete, failed),
            "DELETE FROM",
        )
        # Still there while the sync runs.
        assert ProductAccountOrangeConnex.objects.filter(pk=row.pk).exists()
    finished(deleter)
    assert failed == []
    assert not ProductAccountOrangeConnex.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_sync_starting_while_a_product_is_deleted_waits_and_then_no_longer_finds_it(
    other_connection: Any,
) -> None:
    product = Product.objects.create(sku="HOLD-1", title="Product HOLD-1")
    with other_connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PRODUCTS} WHERE id = %s", [product.pk])  # noqa: S608
    # The deletion is not committed yet: a sync's hold waits for it.
    found: list[bool] = []

    def sync() -> None:
        with transaction.atomic():
            hold_catalog()
            found.append(Product.objects.filter(pk=product.pk).exists())

    syncing = started_waiting(in_hemi(sync, []), "SELECT pg_advisory_xact_lock_shared")
    other_connection.commit()
    finished(syncing)
    assert found == [False]


def test_a_sync_whose_catalogue_changed_under_it_says_nothing_changed_and_tries_again() -> None:
    # SQLite (the demo) plans in Python before the transaction that writes.
    message = failure_message(CatalogChanged("Products … were planned (1 product)."))
    assert message == (
        "Products … were planned (1 product). Nothing was changed; the next run will try again."
    )


@pytest.mark.django_db(transaction=True)
def test_applying_a_reviewed_plan_whose_product_was_deleted_since_is_refused_and_writes_nothing(
    demo_account: AccountOrangeConnex,
) -> None:
    ProductAccountOrangeConnex.objects.all().delete()
    dry = run_stock_sync(
        queue_stock_sync(demo_account, trigger=SyncRun.Trigger.COMMAND, dry_run=True).pk
    )
    assert dry.status == SyncRun.Status.DRY_RUN and dry.rows_created > 0
    # A product the plan would create a row for, deleted in Hemi after the review began.
    assert dry.plan is not None
    Product.objects.filter(pk=dry.plan["upserts"][0][1]).delete()

    with pytest.raises(ReviewRefused) as refused:
        apply_reviewed_run(dry.pk)
    assert str(refused.value).startswith(
        "Products or item accounts these changes name were deleted in Hemi since they were "
        "planned (1 product"
    )
    assert str(refused.value).endswith("Nothing was written. Start a new dry run.")
    dry.refresh_from_db()
    assert dry.status == SyncRun.Status.FAILED and dry.error == str(refused.value)
    assert not ProductAccountOrangeConnex.objects.exists()
