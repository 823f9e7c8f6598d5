"""Stock charts: the SVG renderer (step values, window start, movements, escaping) and the
admin pages that show them (stock row, Hemi product, Stock at a glance)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from oc_integration.models import (
    AccountOrangeConnex,
    ProductAccountOrangeConnex,
    StockHistory,
    StockMovement,
)
from oc_integration.stock.chart_data import account_glance, window_days
from oc_integration.stock.charts import (
    Chart,
    Marker,
    Series,
    render_chart,
    render_sparkline,
    steps,
    sum_lines,
)
from tests.oc_integration.factories import unreachable_account

START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(days=7)


def _titles(svg: str) -> list[str]:
    return re.findall(r"<title[^>]*>(.*?)</title>", svg)


# --- the renderer -------------------------------------------------------------------------
def test_a_chart_starts_with_the_last_value_before_its_window_and_holds_each_value() -> None:
    lines = [
        (START - timedelta(days=20), 5),
        (START - timedelta(days=2), 12),  # the value at the window's start
        (START + timedelta(days=3), 12),  # the same figure again: not a change
        (START + timedelta(days=4), 7),
        (END + timedelta(days=1), 99),  # after the window: not drawn
    ]
    assert steps(lines, START, END) == [
        (START, 12),
        (START + timedelta(days=4), 7),
        (END, 7),
    ]


def test_a_row_with_no_line_before_the_window_starts_at_its_first_line() -> None:
    first = START + timedelta(days=2)
    assert steps([(first, 3)], START, END) == [(first, 3), (END, 3)]
    assert steps([], START, END) == []


def test_rows_of_a_region_are_added_up_each_from_its_first_line() -> None:
    one = [(START, 10), (START + timedelta(days=2), 4)]
    two = [(START + timedelta(days=1), 5)]
    assert sum_lines([one, two]) == [
        (START, 10),
        (START + timedelta(days=1), 15),
        (START + timedelta(days=2), 9),
    ]


def test_the_svg_is_accessible_has_axes_and_marks_each_movement_with_a_tooltip() -> None:
    svg = render_chart(
        Chart(
            title="Stock of SKU1 in UK, last 7 days",
            description="Available and in transit",
            start=START,
            end=END,
            series=[
                Series(
                    "Available", [(START - timedelta(days=1), 40), (START + timedelta(days=2), 37)]
                ),
                Series("In transit", [(START, 0)], dashed=True),
            ],
            markers=[
                Marker(
                    START + timedelta(days=2),
                    -3,
                    reason="OEH",
                    order_number="OC123GB",
                    status="AVL",
                    series="Available",
                )
            ],
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    titles = _titles(svg)
    assert titles[0] == "Stock of SKU1 in UK, last 7 days"
    assert "<desc" in svg and "Available and in transit" in svg
    # Each change is a point whose tooltip is its value.
    assert "Available: 40 (01 Nov 2026 00:00)" in titles
    assert "Available: 37 (03 Nov 2026 00:00)" in titles
    # One marker, with time, quantity, reason and order number.
    assert svg.count('class="movement"') == 1
    assert "03 Nov 2026 00:00 · -3 · AVL · reason OEH · order OC123GB · Available" in titles
    # Axis labels: the dates and round values up to above the highest figure.
    assert ">02 Nov</text>" in svg and ">08 Nov</text>" in svg
    assert ">0</text>" in svg and ">40</text>" in svg
    assert 'stroke-dasharray="5 3"' in svg


def test_every_text_in_the_chart_is_escaped() -> None:
    nasty = '<script>alert("x")</script>'
    svg = render_chart(
        Chart(
            title=nasty,
            description=nasty,
            start=START,
            end=END,
            series=[Series(nasty, [(START, 1)])],
            markers=[Marker(START + timedelta(hours=1), 1, reason=nasty, order_number=nasty)],
        )
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_an_empty_history_says_so() -> None:
    svg = render_chart(
        Chart(
            title="t",
            description="d",
            start=START,
            end=END,
            series=[Series("Available", [(END + timedelta(days=1), 3)])],
            empty_text="No stock history for SKU1 in the last 7 days.",
        )
    )
    assert "No stock history for SKU1 in the last 7 days." in svg
    assert "<path" not in svg and 'role="img"' in svg


def test_a_sparkline_says_its_first_and_last_values() -> None:
    svg = render_sparkline(
        [(START - timedelta(days=1), 20), (START + timedelta(days=3), 8)],
        START,
        END,
        label="UK available",
        element_id="trend-0",
    )
    assert _titles(svg)[0] == "UK available: 20 on 01 Nov, 8 now"
    assert "<polyline" in svg
    empty = render_sparkline([], START, END, label="DE", element_id="trend-1")
    assert "no stock history" in _titles(empty)[0]


def test_the_chart_period_is_one_of_7_30_90_days() -> None:
    assert [window_days(v) for v in ("30", "90", "7", "365", "x", None)] == [30, 90, 7, 7, 7, 7]


# --- the data and the admin pages ---------------------------------------------------------
@pytest.fixture
def account(db: None) -> AccountOrangeConnex:
    return unreachable_account("OC charts")


def _rows(
    account: AccountOrangeConnex,
    count: int,
    *,
    regions: tuple[str, ...] = ("UK",),
    prefix: str = "CH",
) -> list[ProductAccountOrangeConnex]:
    """``count`` products with a row per region, each with history and movements."""
    now = timezone.now()
    products = Product.objects.bulk_create(
        [Product(sku=f"{prefix}{i:04d}", title=f"Chart product {i}") for i in range(count)]
    )
    rows = ProductAccountOrangeConnex.objects.bulk_create(
        [
            ProductAccountOrangeConnex(
                account=account,
                product=product,
                sku=product.sku,
                region=region,
                oc_sku=f"OC{i:05d}{region}",
                available_stock=i % 8,
                intransit_stock=2,
                created_in_oc=True,
            )
            for i, product in enumerate(products)
            for region in regions
        ]
    )
    StockHistory.objects.bulk_create(
        [
            StockHistory(
                stock=row,
                recorded=now - timedelta(days=days),
                available_stock=row.available_stock + days,
                intransit_stock=2,
            )
            for row in rows
            for days in (40, 20, 5, 1)
        ]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                account=account,
                oc_sku=row.oc_sku,
                seller_sku=row.sku,
                region=row.region,
                inventory_status="AVL",
                movement_id=f"M{row.pk}",
                quantity=-4,
                reason="OEH",
                order_number=f"ORD{row.pk}",
                moved_at=now - timedelta(days=1),
                stock_row=row,
            )
            for row in rows
        ]
    )
    return rows


def _get(client: Client, url: str, params: dict[str, str] | None = None) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode(), len(queries)


def _row_url(row: ProductAccountOrangeConnex) -> str:
    return reverse("admin:oc_integration_productaccountorangeconnex_change", args=[row.pk])


def test_a_stock_rows_page_shows_its_chart_for_the_period_asked(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    row = _rows(account, 1)[0]
    page, _ = _get(admin_client, _row_url(row))
    assert 'id="stock-chart"' in page and "last 7 days" in page
    # Lines 40, 20, 5 and 1 days ago: the 7-day chart starts with the one of 20 days ago.
    for days in (20, 5, 1):
        assert f"Available: {row.available_stock + days}" in page
    assert f"Available: {row.available_stock + 40}" not in page
    assert f"reason OEH · order ORD{row.pk}" in page
    # Above the row's movements, which it marks.
    assert page.index('id="stock-chart"') < page.index('id="stock_movements-group"')
    assert 'id="chart-days-30"' in page and "?days=30" in page
    thirty, _ = _get(admin_client, _row_url(row), {"days": "30"})
    assert "last 30 days" in thirty
    # The 30-day chart starts with the line from 40 days ago, the last before it.
    assert f"Available: {row.available_stock + 40}" in thirty


def test_a_stock_rows_page_costs_the_same_queries_with_3_or_30_lines_and_movements(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    row = _rows(account, 1)[0]
    _get(admin_client, _row_url(row), {"days": "90"})  # the session's first request
    _, few = _get(admin_client, _row_url(row), {"days": "90"})
    now = timezone.now()
    StockHistory.objects.bulk_create(
        StockHistory(
            stock=row, recorded=now - timedelta(hours=h), available_stock=h, intransit_stock=0
        )
        for h in range(2, 29)
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            account=account,
            oc_sku=row.oc_sku,
            region=row.region,
            movement_id=f"X{h}",
            quantity=1,
            moved_at=now - timedelta(hours=h),
            stock_row=row,
        )
        for h in range(2, 29)
    )
    page, many = _get(admin_client, _row_url(row), {"days": "90"})
    assert page.count('class="movement"') == 28
    assert many == few


def _product_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def test_a_products_page_shows_a_line_per_region_and_costs_the_same_queries_for_3_or_30_rows(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    rows = _rows(account, 1, regions=("UK", "DE", "AU-MEL"))
    product = rows[0].product
    _get(admin_client, _product_url(product), {"days": "30"})  # the session's first request
    page, few = _get(admin_client, _product_url(product), {"days": "30"})
    assert 'id="stock-chart"' in page
    for region in ("UK", "DE", "AU-MEL"):
        assert f'data-series="{region} available"' in page
        assert f'data-series="{region} in transit"' in page
    # A second OC account's rows of the same product and region are added up.
    other = AccountOrangeConnex.objects.create(
        name="OC charts 2",
        api_base_url="http://127.0.0.1:9/openapi",
        oauth_base_url="http://127.0.0.1:9",
        client_key="ck2",
        redirect_uri="http://testserver/oc/oauth/callback/",
    )
    regions = [f"R{i:02d}" for i in range(26)]  # and UK: 27 more rows, 30 in all
    more = ProductAccountOrangeConnex.objects.bulk_create(
        ProductAccountOrangeConnex(account=other, product=product, sku=product.sku, region=region)
        for region in [*regions, "UK"]
    )
    now = timezone.now()
    StockHistory.objects.bulk_create(
        StockHistory(
            stock=row, recorded=now - timedelta(days=3), available_stock=100, intransit_stock=0
        )
        for row in more
    )
    page, many = _get(admin_client, _product_url(product), {"days": "30"})
    assert page.count('data-series="R') == 2 * 26
    assert many == few
    uk = next(r for r in rows if r.region == "UK")
    # UK: this account's row (its value 3 days ago was the 5-day line) plus the other's 100.
    assert f"UK available: {uk.available_stock + 5 + 100}" in page


def test_the_glance_totals_per_region_count_out_of_stock_and_low_stock(
    account: AccountOrangeConnex, settings: object
) -> None:
    settings.OC_LOW_STOCK_MINIMUM = 5  # type: ignore[attr-defined]
    _rows(account, 16, regions=("UK", "DE"))
    glance = account_glance(account)
    assert [r.region for r in glance.regions] == ["DE", "UK"]
    uk = glance.regions[1]
    # available_stock is i % 8 for i in 0..15: 0 twice, and under the minimum of 5 (no
    # sales, so days of cover do not count) 0..4 twice each.
    assert (uk.products, uk.available, uk.intransit) == (16, 2 * sum(range(8)), 32)
    assert (uk.out_of_stock, uk.low_stock) == (2, 10)
    assert glance.products == 16  # each product once, in two regions
    assert (glance.out_of_stock, glance.low_stock) == (4, 20)
    # The trend starts with the lines from 40 days ago and ends with today's figures.
    title = _titles(uk.trend)[0]
    first, last = re.findall(r": (\d+) on .*, (\d+) now", title)[0]
    assert int(first) == sum(i % 8 + 40 for i in range(16))
    assert int(last) == sum(i % 8 + 1 for i in range(16))


def _glance_url(account: AccountOrangeConnex) -> str:
    return reverse("admin:oc_integration_stock_at_a_glance", args=[account.pk])


def test_the_glance_page_costs_the_same_queries_for_3_or_30_products(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    _rows(account, 3, regions=("UK", "DE"), prefix="FEW")
    _get(admin_client, _glance_url(account))  # the session's first request
    page, few = _get(admin_client, _glance_url(account))
    assert page.count('class="glance-region"') == 2 and page.count("<polyline") == 2
    _rows(account, 27, regions=("UK", "DE", "AU-MEL"), prefix="MANY")
    page, many = _get(admin_client, _glance_url(account))
    assert page.count('class="glance-region"') == 3
    assert many == few


def test_the_glance_page_is_linked_from_the_account_and_the_stock_review(
    admin_client: Client, account: AccountOrangeConnex
) -> None:
    account_page, _ = _get(
        admin_client, reverse("admin:oc_integration_accountorangeconnex_change", args=[account.pk])
    )
    assert f'href="{_glance_url(account)}"' in account_page
    review, _ = _get(
        admin_client,
        reverse("admin:oc_integration_productaccountorangeconnex_changelist"),
        {"account__id__exact": str(account.pk)},
    )
    assert 'id="stock-at-a-glance"' in review
    index = reverse("admin:oc_integration_stock_at_a_glance_index")
    response = admin_client.get(index, {"account": str(account.pk)})
    assert response.status_code == 302 and response["Location"] == _glance_url(account)


def test_view_permission_is_enough_for_the_charts_and_needed_for_them(
    client: Client, account: AccountOrangeConnex
) -> None:
    row = _rows(account, 1)[0]
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_product"),
        Permission.objects.get(codename="view_accountorangeconnex"),
    )
    client.force_login(user)
    assert client.get(_glance_url(account)).status_code == 403
    product_page = client.get(_product_url(row.product)).content.decode()
    assert 'id="stock-chart"' not in product_page
    user.user_permissions.add(Permission.objects.get(codename="view_productaccountorangeconnex"))
    user = User.objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get(_glance_url(account)).status_code == 200
    assert 'id="stock-chart"' in client.get(_row_url(row)).content.decode()
    assert 'id="stock-chart"' in client.get(_product_url(row.product)).content.decode()


def test_the_demo_history_ends_at_the_real_figures_and_is_made_once(
    account: AccountOrangeConnex,
) -> None:
    from oc_integration.demo_history import seed_demo_history

    rows = _rows(account, 3)
    StockHistory.objects.all().delete()
    StockMovement.objects.all().delete()
    assert seed_demo_history(account) == 3
    lines, movements = StockHistory.objects.count(), StockMovement.objects.count()
    assert lines > 3 and movements > 0
    for row in rows:
        history = list(row.history.order_by("recorded", "id"))
        last = history[-1]
        assert (last.available_stock, last.intransit_stock) == (
            row.available_stock,
            row.intransit_stock,
        )
        assert min(line.available_stock for line in history) >= 0
        # The movements explain every change of available stock.
        moved = sum(m.quantity for m in row.stock_movements.all())
        assert history[0].available_stock + moved == row.available_stock
    assert seed_demo_history(account) == 0
    assert (StockHistory.objects.count(), StockMovement.objects.count()) == (lines, movements)
