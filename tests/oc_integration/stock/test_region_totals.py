"""The region totals the database keeps (PostgreSQL triggers of migration 0032), and the
stock review reading them instead of totalling every row."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.catalog.models import ItemAccount
from oc_integration.models import ProductAccountOrangeConnex, RegionStockTotals
from oc_integration.stock.writer import Upsert, upsert_stock_rows
from tests.oc_integration.factories import hemi_catalog, listed_stock_rows, unreachable_account
from tests.oc_integration.stock.totals import counted_totals, kept_totals

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
CHANGELIST = reverse("admin:oc_integration_productaccountorangeconnex_changelist")
TOTALS_TABLE = RegionStockTotals._meta.db_table
STOCK_TABLE = ProductAccountOrangeConnex._meta.db_table
MIGRATION = import_module("oc_integration.migrations.0032_stock_totals_kept_by_the_database")


def test_the_totals_follow_every_insert_update_upsert_and_deletion_of_stock_rows() -> None:
    first, second = unreachable_account("OC totals one"), unreachable_account("OC totals two")
    listed_stock_rows(first, 6, "TOTA")
    listed_stock_rows(second, 4, "TOTB")
    assert kept_totals() == counted_totals()
    assert set(kept_totals()) == {
        (first.pk, "UK"),
        (first.pk, "DE"),
        (second.pk, "UK"),
        (second.pk, "DE"),
    }

    ProductAccountOrangeConnex.objects.filter(account=first, region="UK").update(
        available_stock=F("available_stock") + 5, intransit_stock=0
    )
    assert kept_totals() == counted_totals()

    # The writer's upsert (INSERT … ON CONFLICT DO UPDATE): one row changed, one new.
    row = ProductAccountOrangeConnex.objects.filter(account=second, region="DE").first()
    assert row is not None
    hemi_catalog(1, "TOTC")
    new_listing = ItemAccount.objects.filter(product__sku__startswith="TOTC").first()
    assert new_listing is not None
    upserts = [
        Upsert(row.pk, row.product_id, row.item_account_id, row.sku, "DE", row.oc_sku, 40, 2,
               {}, timezone.now().isoformat(), 0, 0, True),
        Upsert(None, new_listing.product_id, new_listing.pk, "TOTC0000000", "AU", "OC1", 9, 1,
               {}, timezone.now().isoformat(), None, None, None),
    ]  # fmt: skip
    upsert_stock_rows(second.pk, upserts, timezone.now())
    assert kept_totals() == counted_totals()
    assert kept_totals()[(second.pk, "AU")] == (1, 9, 1)

    # A row that moves to another region moves in the totals too.
    ProductAccountOrangeConnex.objects.filter(account=second, region="AU").update(region="US")
    assert (second.pk, "AU") not in kept_totals()
    assert kept_totals() == counted_totals()

    # A region whose last row goes loses its line; so does an account.
    ProductAccountOrangeConnex.objects.filter(account=first, region="DE").delete()
    assert (first.pk, "DE") not in kept_totals()
    assert kept_totals() == counted_totals()
    first.delete()
    assert {account for account, _ in kept_totals()} == {second.pk}
    assert kept_totals() == counted_totals()


def test_an_update_that_changes_no_figure_leaves_the_totals_as_they_were() -> None:
    account = unreachable_account("OC totals flips")
    listed_stock_rows(account, 3, "TOTF")
    before = list(RegionStockTotals.objects.order_by("pk").values_list("pk", "products"))

    ProductAccountOrangeConnex.objects.filter(account=account).update(
        created_in_oc=False, stale=True
    )

    assert list(RegionStockTotals.objects.order_by("pk").values_list("pk", "products")) == before
    assert kept_totals() == counted_totals()


def test_emptying_the_stock_table_empties_the_totals() -> None:
    listed_stock_rows(unreachable_account("OC totals truncate"), 3, "TOTT")
    assert kept_totals()

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(STOCK_TABLE)} CASCADE")

    assert kept_totals() == {} == counted_totals()


def test_the_migration_totals_the_rows_already_there() -> None:
    account = unreachable_account("OC totals migrated")
    listed_stock_rows(account, 5, "TOTM")
    with connection.schema_editor() as editor:
        MIGRATION.drop_triggers(None, editor)
    RegionStockTotals.objects.all().delete()
    ProductAccountOrangeConnex.objects.filter(region="UK").update(available_stock=11)
    assert kept_totals() == {}, "without the triggers nothing keeps them"

    with connection.schema_editor() as editor:
        MIGRATION.create_triggers(None, editor)

    assert kept_totals() == counted_totals() != {}


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("totals-admin", "t@example.com", "pw"))
    return client


def _page(client: Client, query: dict[str, str]) -> tuple[list[dict[str, object]], list[str]]:
    """The page's region totals and the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return response.context["region_totals"], [q["sql"] for q in queries.captured_queries]


def _totalled_the_rows(statements: list[str]) -> bool:
    return any("GROUP BY" in sql and STOCK_TABLE in sql for sql in statements)


def test_the_review_reads_the_kept_totals_for_every_row_one_region_or_one_account(
    staff_client: Client,
) -> None:
    account, other = unreachable_account("OC totals review"), unreachable_account("OC totals other")
    listed_stock_rows(account, 8, "TOTR")
    listed_stock_rows(other, 3, "TOTO")
    live = counted_totals()

    def both(region: str) -> tuple[int, int, int]:
        mine, theirs = live[(account.pk, region)], live[(other.pk, region)]
        return (mine[0] + theirs[0], mine[1] + theirs[1], mine[2] + theirs[2])

    for query, expected in (
        ({}, {"UK": both("UK"), "DE": both("DE")}),
        ({"region": "DE"}, {"DE": both("DE")}),
        (
            {"account__id__exact": str(account.pk)},
            {"UK": live[(account.pk, "UK")], "DE": live[(account.pk, "DE")]},
        ),
        ({"account__id__exact": str(other.pk), "region": "UK"}, {"UK": live[(other.pk, "UK")]}),
    ):
        totals, statements = _page(staff_client, query)
        assert any(TOTALS_TABLE in sql for sql in statements), query
        assert not _totalled_the_rows(statements), query
        assert {
            t["region"]: (t["products"], t["available"], t["intransit"]) for t in totals
        } == expected, query


def test_the_review_totals_the_rows_when_another_filter_or_a_search_narrows_the_list(
    staff_client: Client,
) -> None:
    account = unreachable_account("OC totals narrowed")
    listed_stock_rows(account, 8, "TOTN")
    ProductAccountOrangeConnex.objects.update(stale=False, stock_updated=timezone.now())
    ProductAccountOrangeConnex.objects.filter(pk__in=ProductAccountOrangeConnex.objects.filter(
        region="UK").order_by("pk").values("pk")[:3]).update(stale=True)  # fmt: skip

    for query in ({"freshness": "stale"}, {"q": "TOTN0000001"}, {"region": "UK", "stock": "in"}):
        totals, statements = _page(staff_client, query)
        assert _totalled_the_rows(statements), query
        assert not any(TOTALS_TABLE in sql for sql in statements), query
    totals, _ = _page(staff_client, {"freshness": "stale"})
    assert [(t["region"], t["products"]) for t in totals] == [("UK", 3)]


def test_the_review_totals_the_rows_when_the_admin_starts_from_fewer_rows(
    staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown, hidden = unreachable_account("OC totals shown"), unreachable_account("OC totals hidden")
    listed_stock_rows(shown, 4, "TOTS")
    listed_stock_rows(hidden, 4, "TOTH")
    model_admin = admin.site._registry[ProductAccountOrangeConnex]
    everything = model_admin.get_queryset
    # As if the admin showed staff only some accounts' rows: the kept totals (of every
    # row) no longer describe the list.
    monkeypatch.setattr(
        model_admin, "get_queryset", lambda request: everything(request).filter(account=shown)
    )

    totals, statements = _page(staff_client, {})

    assert _totalled_the_rows(statements)
    assert {t["region"]: t["products"] for t in totals} == {
        region: rows
        for (account, region), (rows, _, _) in counted_totals().items()
        if account == shown.pk
    }
