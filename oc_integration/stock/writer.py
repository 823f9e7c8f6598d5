"""Writing stock rows fast: PostgreSQL COPY into a temporary table, then one upsert.

Building 200,000 model instances costs more than the database work itself (the stock
benchmark measured 24 s through the ORM against about 7 s this way). Other databases
(SQLite in the demo) take the ORM's ``bulk_create(update_conflicts=True)``: same result.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Field

from hemi_fulfilment.catalog.models import ItemAccount, Product
from oc_integration.models import AccountOrangeConnex, ProductAccountOrangeConnex


class Upsert(NamedTuple):
    """One row to write, with what it was before (for the review page)."""

    existing_id: int | None
    product_id: int
    item_account_id: int | None
    sku: str
    region: str
    oc_sku: str
    available: int
    intransit: int
    other: dict[str, int]
    stock_updated: str  # ISO 8601, so a plan can be stored as JSON
    before_available: int | None
    before_intransit: int | None
    before_created_in_oc: bool | None
    # Absent from plans stored before it existed.
    before_other: dict[str, int] | None = None

    @property
    def figures_changed(self) -> bool:
        """Whether available, in transit or the other counts differ from before (a new
        row counts as changed): what the stock history records."""
        return (self.before_available, self.before_intransit, self.before_other) != (
            self.available,
            self.intransit,
            self.other,
        )


#: The columns a snapshot sets (the model's field names; db columns are looked up).
WRITTEN = (
    "item_account",
    "sku",
    "oc_sku",
    "available_stock",
    "intransit_stock",
    "other_stock",
    "stock_updated",
)
#: What identifies a row: one per account, product and region.
KEY = ("account", "product", "region")


class AccountGone(Exception):
    """The OC account was deleted while its stock was being synced: nothing is written."""


def hold_account(account_id: int) -> None:
    """Keep the account from being deleted until the transaction ends, before stock rows
    naming it are written (they carry no foreign-key constraint, which would check this
    once per row at commit); :class:`AccountGone` if it is gone already.

    On PostgreSQL this is the lock such a check takes (``FOR KEY SHARE``): it does not
    wait for, nor hold up, the account's own updates (its tokens), only its deletion,
    which then sees the rows written and is refused. Other databases (SQLite) let one
    writer in at a time, so looking is enough.
    """
    accounts = AccountOrangeConnex._meta.db_table
    with connection.cursor() as cursor:
        lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(
            f"SELECT 1 FROM {connection.ops.quote_name(accounts)} WHERE id = %s{lock}",  # noqa: S608
            [account_id],
        )
        if cursor.fetchone() is None:
            raise AccountGone("The OC account was deleted while its stock was being synced.")


#: The PostgreSQL advisory lock that syncs hold shared while they write stock rows and
#: that deleting products, item accounts or stock rows takes exclusively (the triggers of
#: migration 0031 take it there): ASCII "OCSTOCKS". The migration spells the same number.
CATALOG_LOCK = 0x4F43_5354_4F43_4B53


class CatalogChanged(Exception):
    """Products or listings a stored plan names were deleted since it was made."""


def hold_catalog() -> None:
    """Keep the products and listings (item accounts) that stock rows will name from
    being deleted until the transaction ends. Call after :func:`hold_account` (a deletion
    of the account takes the account first, then this), before resolving SKUs.

    The rows carry no foreign-key constraint on either, whose checks at commit (one per
    row and constraint: 4,000,000 for a first sync of a million SKUs) were a fifth of a
    first sync. On PostgreSQL the sync takes one lock instead: shared, so syncs of other
    accounts run side by side, while a deletion of products, item accounts or stock rows
    waits for them, and once it may go on sees what they wrote (a product that stock
    rows still name is refused, an item account's rows lose their link). Other databases
    (SQLite) let one writer in at a time.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [CATALOG_LOCK])


def check_catalog(upserts: Sequence[Upsert]) -> None:
    """:class:`CatalogChanged` unless every product and item account ``upserts`` name is
    still there (a plan made earlier, e.g. one waiting for review): call after
    :func:`hold_catalog`, which keeps them there from then on."""
    products = {u.product_id for u in upserts}
    listings = {u.item_account_id for u in upserts if u.item_account_id is not None}
    if not products:
        return
    gone_products, gone_listings = _missing(Product, products), _missing(ItemAccount, listings)
    if gone_products or gone_listings:
        counts = ", ".join(
            f"{count} {what}{'' if count == 1 else 's'}"
            for count, what in ((gone_products, "product"), (gone_listings, "item account"))
            if count
        )
        raise CatalogChanged(
            "Products or item accounts these changes name were deleted in Hemi since they"
            f" were planned ({counts})."
        )


def _missing(model: type[Product] | type[ItemAccount], ids: set[int]) -> int:
    """How many of ``ids`` name no row of ``model`` (counted 10,000 ids a query)."""
    ordered = sorted(ids)
    found = sum(
        model.objects.filter(pk__in=ordered[start : start + 10_000]).count()
        for start in range(0, len(ordered), 10_000)
    )
    return len(ordered) - found


def upsert_stock_rows(account_id: int, upserts: Sequence[Upsert], now: datetime) -> None:
    """Create or update one row per upsert (Created in OC = yes, not stale).

    Must run inside the caller's transaction (the temporary table lives until commit),
    after :func:`hold_account`, :func:`hold_catalog` and :func:`check_catalog`.
    """
    if not upserts:
        return
    if connection.vendor == "postgresql":
        _copy_and_upsert(account_id, upserts, now)
    else:
        _orm_upsert(account_id, upserts, now)


def _column(name: str) -> str:
    field = ProductAccountOrangeConnex._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return str(connection.ops.quote_name(field.column))


def _copy_and_upsert(account_id: int, upserts: Sequence[Upsert], now: datetime) -> None:
    table = connection.ops.quote_name(ProductAccountOrangeConnex._meta.db_table)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for u in upserts:
        writer.writerow(
            (
                u.product_id,
                u.region,
                u.item_account_id,  # None is written empty: NULL
                u.sku,
                u.oc_sku,
                u.available,
                u.intransit,
                json.dumps(u.other),
                u.stock_updated,
            )
        )
    buffer.seek(0)
    written = [_column(n) for n in WRITTEN]
    updated = [*written, _column("created_in_oc"), _column("stale"), _column("updated")]
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
    columns = ", ".join(
        [
            *(_column(n) for n in KEY),
            *written,
            *(_column(n) for n in ("created_in_oc", "stale", "created", "updated")),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS oc_stock_upsert ("
            " product_id bigint, region text, item_account_id bigint, sku text, oc_sku text,"
            " available integer, intransit integer, other jsonb, stock_updated timestamptz"
            ") ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE oc_stock_upsert")
        cursor.copy_expert("COPY oc_stock_upsert FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model, values bound
            "SELECT %s, product_id, region, item_account_id, sku, oc_sku, available, intransit,"
            " other, stock_updated, true, false, %s, %s FROM oc_stock_upsert "
            f"ON CONFLICT ({', '.join(_column(n) for n in KEY)}) DO UPDATE SET {assignments}",
            [account_id, now, now],
        )


def _orm_upsert(account_id: int, upserts: Sequence[Upsert], now: datetime) -> None:
    ProductAccountOrangeConnex.objects.bulk_create(
        [
            ProductAccountOrangeConnex(
                account_id=account_id,
                product_id=u.product_id,
                region=u.region,
                item_account_id=u.item_account_id,
                sku=u.sku,
                oc_sku=u.oc_sku,
                available_stock=u.available,
                intransit_stock=u.intransit,
                other_stock=u.other,
                stock_updated=datetime.fromisoformat(u.stock_updated),
                created_in_oc=True,
                stale=False,
                created=now,
                updated=now,
            )
            for u in upserts
        ],
        update_conflicts=True,
        unique_fields=list(KEY),
        update_fields=[*WRITTEN, "created_in_oc", "stale", "updated"],
        batch_size=1000,
    )
