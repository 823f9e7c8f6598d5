"""The stock review at many rows: constant queries, indexed deep pages and search, and
the same page markup and pages as Django's own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hemi_fulfilment.catalog.models import Product
from oc_integration.admin.pagination import WindowedPaginator
from oc_integration.admin.stock.products import review_results
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    RegionStockTotals,
)
from tests.benchmarks.stock_review import seed_stock_rows
from tests.oc_integration.factories import listed_stock_rows, unreachable_account

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:oc_integration_productaccountorangeconnex_changelist")
STOCK_TABLE = ProductAccountOrangeConnex._meta.db_table


@pytest.fixture
def oc_account_row(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC review")


def _stock_rows(account: AccountOrangeConnex, products: int, prefix: str = "SCALE") -> None:
    """``products`` products listed on eBay UK and DE, one stock row per listing."""
    listed_stock_rows(account, products, prefix)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Four rows a page, so ten rows already have a deep (last) page."""
    model_admin = admin.site._registry[ProductAccountOrangeConnex]
    monkeypatch.setattr(model_admin, "list_per_page", 4)
    return 4


def _case_queries(client: Client, cases: dict[str, dict[str, str]]) -> dict[str, int]:
    counts = {}
    for case, params in cases.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST, params)
        assert response.status_code == 200, (case, response.status_code)
        counts[case] = len(queries)
    return counts


def test_the_review_costs_the_same_queries_at_10_and_10000_rows(
    admin_client: Client, oc_account_row: AccountOrangeConnex, small_pages: int
) -> None:
    _stock_rows(oc_account_row, 5)  # 10 rows: pages 1-3 of 4 rows
    few = _case_queries(
        admin_client,
        {
            "page 1": {},
            "deep page": {"p": "3"},
            "region": {"region": "DE"},
            "search SKU": {"q": "SCALE0000003"},
            "search OC SKU": {"q": ProductAccountOrangeConnex.objects.last().oc_sku},  # type: ignore[union-attr]
            "sorted, filtered": {"o": "-5", "stock": "out", "freshness": "stale"},
        },
    )
    _stock_rows(oc_account_row, 5000, prefix="MORE")  # 10,000 more rows
    many = _case_queries(
        admin_client,
        {
            "page 1": {},
            "deep page": {"p": "2000"},
            "region": {"region": "DE"},
            "search SKU": {"q": "MORE0004321"},
            "search OC SKU": {"q": ProductAccountOrangeConnex.objects.last().oc_sku},  # type: ignore[union-attr]
            "sorted, filtered": {"o": "-5", "stock": "out", "freshness": "stale"},
        },
    )
    assert many == few


def test_the_totals_are_one_query_and_give_the_count(
    admin_client: Client, oc_account_row: AccountOrangeConnex, small_pages: int
) -> None:
    _stock_rows(oc_account_row, 9)  # 18 rows, 9 per region
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(CHANGELIST, {"region": "UK"}).content.decode()
    on_stock = [q["sql"] for q in queries if STOCK_TABLE in q["sql"]]
    # Read from the totals the database keeps (a region alone), else one GROUP BY.
    totals = [
        q["sql"]
        for q in queries
        if RegionStockTotals._meta.db_table in q["sql"]
        or (STOCK_TABLE in q["sql"] and "GROUP BY" in q["sql"])
    ]
    assert len(totals) == 1
    assert not any("COUNT(*)" in sql for sql in on_stock)  # no separate count
    assert "<td>UK</td><td>9</td>" in page and "<td>DE</td>" not in page
    assert "9 Products Account Orange Connex" in page  # the paginator's count
    assert page.count('<td class="field-region">') == small_pages  # the page's rows


def test_deep_pages_are_the_same_rows_as_djangos_paginator(
    oc_account_row: AccountOrangeConnex,
) -> None:
    _stock_rows(oc_account_row, 12)
    rows = ProductAccountOrangeConnex.objects.order_by("sku", "region", "-pk")
    windowed = WindowedPaginator(rows, 5, orphans=2, count=rows.count())
    plain = Paginator(rows, 5, orphans=2)
    assert windowed.num_pages == plain.num_pages == 5
    for number in plain.page_range:
        assert list(windowed.page(number)) == list(plain.page(number))


def test_a_known_count_is_not_counted_again_and_must_not_be_negative(
    oc_account_row: AccountOrangeConnex, django_assert_num_queries: Any
) -> None:
    _stock_rows(oc_account_row, 3)
    rows = ProductAccountOrangeConnex.objects.order_by("sku", "region", "-pk")
    expected = [r.sku for r in rows[4:6]]
    paginator = WindowedPaginator(rows, 4, count=6)
    with django_assert_num_queries(1):  # the page itself, no COUNT
        assert [r.sku for r in paginator.page(2)] == expected
    with pytest.raises(ValueError, match="must not be negative"):
        WindowedPaginator(rows, 4, count=-1)


def test_the_rows_are_rendered_exactly_as_djangos_changelist_renders_them(
    oc_account_row: AccountOrangeConnex,
) -> None:
    _stock_rows(oc_account_row, 6)
    odd_product = Product.objects.create(sku="ODD&<1>", title='Tea "Earl" <Grey> & co')
    ProductAccountOrangeConnex.objects.create(
        account=oc_account_row,
        product=odd_product,
        sku=odd_product.sku,
        region="UK",
        oc_sku="",
        other_stock={},
        stock_updated=None,
    )
    ProductAccountOrangeConnex.objects.create(
        account=oc_account_row,
        product=Product.objects.create(sku="UNTITLED", title=""),
        sku="UNTITLED",
        region="UK",
        oc_sku=" ",
    )
    superuser = User.objects.create_superuser("review-admin", "r@example.com", "pw")
    request = RequestFactory().get(CHANGELIST, {"region": "UK", "o": "1.-5"})
    request.user = superuser
    model_admin = admin.site._registry[ProductAccountOrangeConnex]
    cl = model_admin.get_changelist_instance(request)
    cl.formset = None  # as changelist_view sets it for a list without editable fields
    fast = review_results(cl)
    assert fast is not None
    django_rows = ["".join(items_for_result(cl, result, None)) for result in cl.result_list]
    assert len(django_rows) == 8
    assert [str(row[0]) for row in fast["results"]] == django_rows
    # The checkbox of a row is Django's own markup.
    obj = cl.result_list[0]
    assert model_admin.action_checkbox(obj) == admin.ModelAdmin.action_checkbox(model_admin, obj)


def _plan(sql: str) -> list[dict[str, Any]]:
    """Every node of the PostgreSQL plan of ``sql`` (a statement with its values in)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        root = cursor.fetchone()[0]
    root = json.loads(root) if isinstance(root, str) else root
    nodes, pending = [], [root[0]["Plan"]]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deep_pages_and_search_read_the_stock_table_through_its_indexes(
    admin_client: Client,
) -> None:
    # 100,000 rows as the benchmark seeds them (set-based SQL, then VACUUM ANALYZE, as
    # autovacuum leaves a table after a sync): at this size the planner's choice shows.
    seed_stock_rows(100_000)
    middle = ProductAccountOrangeConnex.objects.order_by("sku", "region")[50_000]
    expected_index = {
        "deep page": "oc_product_review_order_idx",
        "search by SKU": "catalog_product_sku_trgm_idx",
        "search by OC SKU": "oc_product_oc_sku_idx",
    }
    cases = {
        "deep page": {"p": "500"},
        "search by SKU": {"q": middle.sku.lower()},
        "search by OC SKU": {"q": middle.oc_sku},
    }
    for case, params in cases.items():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        if case != "deep page":
            assert middle.sku in response.content.decode()
        # Each statement as the database got it (psycopg logs them with their values);
        # the totals of the whole table are a scan by nature, every other one is not.
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if STOCK_TABLE in q["sql"]
            and q["sql"].startswith("SELECT")
            and not (case == "deep page" and "GROUP BY" in q["sql"])
        ]
        assert len(statements) == 2 if case != "deep page" else 1, statements
        for sql in statements:
            nodes = _plan(sql)
            seq_scans = [
                n
                for n in nodes
                if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == STOCK_TABLE
            ]
            assert not seq_scans, (case, sql)
            assert expected_index[case] in {n.get("Index Name") for n in nodes}, (case, sql)
