"""Low stock: days of cover from Hemi's orders, the review's filter, the daily digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemi_fulfilment.catalog.models import EbayAccount, Product
from hemi_fulfilment.operations.models import AlertRecipients
from hemi_fulfilment.orders.models import (
    Channel,
    Order,
    OrderItem,
    OrderItemEbay,
    OrderStatus,
)
from oc_integration.models import (
    AccountOrangeConnex,
    LowStockReport,
    LowStockThreshold,
    ProductAccountOrangeConnex,
    RegionMapping,
)
from oc_integration.stock.low_stock import (
    LOCK_KEY,
    low_stock_rows,
    send_low_stock_digest,
    with_days_of_cover,
)
from oc_integration.tasks import low_stock_digest
from tests.oc_integration.factories import ebay_sites

pytestmark = pytest.mark.django_db

REVIEW = "admin:oc_integration_productaccountorangeconnex_changelist"
_numbers = count(1)


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.OC_LOW_STOCK_MINIMUM = 5
    settings.OC_LOW_STOCK_MIN_DAYS_OF_COVER = 7
    settings.OC_COUNTRY_REGIONS = {"GB": "UK", "DE": "DE"}
    settings.OC_DEFAULT_REGION = "UK"
    settings.ADMINS = [("Operations", "ops@example.com")]
    settings.PUBLIC_BASE_URL = "http://hemi.example"


def _account(name: str = "OC one") -> AccountOrangeConnex:
    """An OC account whose UK and DE regions serve eBay UK and DE, and whose US-East and
    US-West regions both serve eBay US."""
    account = AccountOrangeConnex.objects.create(name=name, client_key=f"key-{name}")
    sites = ebay_sites()
    us, _ = EbayAccount.objects.get_or_create(
        name="eBay US", defaults={"site_code": "US", "site_id": 0}
    )
    for region, ebay in (
        ("UK", sites["UK"]),
        ("DE", sites["DE"]),
        ("US-East", us),
        ("US-West", us),
    ):
        RegionMapping.objects.create(account=account, region=region, ebay_account=ebay)
    return account


def _row(
    account: AccountOrangeConnex, product: Product, region: str, available: int, **extra: Any
) -> ProductAccountOrangeConnex:
    return ProductAccountOrangeConnex.objects.create(
        account=account,
        product=product,
        sku=product.sku,
        region=region,
        available_stock=available,
        created_in_oc=extra.pop("created_in_oc", True),
        **extra,
    )


def _ebay_order(
    site: str, product: Product, quantity: int, ordered_at: datetime, **order: Any
) -> None:
    number = next(_numbers)
    placed = Order.objects.create(
        number=f"E-{number}",
        channel=Channel.EBAY,
        ebay_account=EbayAccount.objects.get(name=f"eBay {site}"),
        ordered_at=ordered_at,
        **order,
    )
    OrderItemEbay.objects.create(
        order=placed,
        product=product,
        ebay_item_id=str(number),
        order_line_item_id=f"line-{number}",
        sku=product.sku,
        quantity=quantity,
    )


def _web_order(
    country: str, product: Product, quantity: int, ordered_at: datetime, **order: Any
) -> None:
    placed = Order.objects.create(
        number=f"W-{next(_numbers)}",
        channel=Channel.WEB_SHOP,
        ship_country_code=country,
        ordered_at=ordered_at,
        **order,
    )
    OrderItem.objects.create(order=placed, product=product, sku=product.sku, quantity=quantity)


def _cover(rows: list[ProductAccountOrangeConnex]) -> dict[str, tuple[float, float | None]]:
    figures = ("region", "sold_last_30_days", "days_of_cover")
    annotated = with_days_of_cover(
        ProductAccountOrangeConnex.objects.filter(pk__in=[r.pk for r in rows])
    ).values_list(*figures)
    return {
        region: (round(sold, 6), None if cover is None else round(cover, 6))
        for region, sold, cover in annotated
    }


def test_days_of_cover_come_from_the_last_30_days_of_orders_per_region() -> None:
    account = _account()
    product = Product.objects.create(sku="GY0005886", title="Garden hose")
    other = Product.objects.create(sku="OTHER", title="Another product")
    rows = [
        _row(account, product, "UK", 60),
        _row(account, product, "DE", 100),
        _row(account, product, "US-East", 10),
        _row(account, product, "US-West", 10),
    ]
    _row(account, other, "UK", 1)
    now = timezone.now()
    # UK: eBay UK, a web-shop order to Great Britain and one to a country no region
    # is set for (the default region): 20 + 10 + 30 = 60 in 30 days, 2 a day.
    _ebay_order("UK", product, 20, now - timedelta(days=5))
    _web_order("gb", product, 10, now - timedelta(days=10))
    _web_order("FR", product, 30, now - timedelta(days=29))
    # Not counted: before the window, cancelled, after now, another product.
    _ebay_order("UK", product, 100, now - timedelta(days=31))
    _ebay_order("UK", product, 50, now - timedelta(days=1), status=OrderStatus.CANCELLED)
    _web_order("GB", product, 70, now + timedelta(hours=1))
    _ebay_order("UK", other, 500, now - timedelta(days=1))
    # DE: eBay DE and a web-shop order to Germany, 45 + 15 = 60.
    _ebay_order("DE", product, 45, now - timedelta(days=2))
    _web_order("DE", product, 15, now - timedelta(days=3))
    # eBay US is served by two regions: each counts half of the 12.
    _ebay_order("US", product, 12, now - timedelta(days=4))

    assert _cover(rows) == {
        "UK": (60.0, 30.0),  # 60 available at 2 a day
        "DE": (60.0, 50.0),
        "US-East": (6.0, 50.0),  # 10 available at 0.2 a day
        "US-West": (6.0, 50.0),
    }


def test_a_row_without_sales_has_no_days_of_cover_and_is_low_only_by_its_minimum() -> None:
    account = _account()
    product = Product.objects.create(sku="P1", title="Quiet product")
    row = _row(account, product, "UK", 4)
    assert _cover([row]) == {"UK": (0.0, None)}
    assert list(low_stock_rows()) == [row]
    ProductAccountOrangeConnex.objects.filter(pk=row.pk).update(available_stock=5)
    assert not low_stock_rows().exists()


def _catalogue(account: AccountOrangeConnex, products: int) -> set[int]:
    """``products`` products with a UK row each, a third of them low by their minimum, a
    third by their days of cover, a third not low; the ids of the low rows."""
    now = timezone.now()
    low = set()
    for n in range(products):
        product = Product.objects.create(sku=f"S{products:02d}-{n:03d}", title=f"Product {n}")
        if n % 3 == 0:
            low.add(_row(account, product, "UK", 2).pk)
        elif n % 3 == 1:
            # 50 available at 10 a day: 5 days of cover, under the 7 days' minimum.
            low.add(_row(account, product, "UK", 50).pk)
            _ebay_order("UK", product, 300, now - timedelta(days=3))
        else:
            # 50 available at 1 a day: 50 days.
            _row(account, product, "UK", 50)
            _web_order("GB", product, 30, now - timedelta(days=3))
    return low


def test_the_review_filter_lists_exactly_the_low_rows(admin_client: Client) -> None:
    account = _account()
    low = _catalogue(account, 6)
    # Not low: its own threshold allows 2 available and turns days of cover off; a row
    # OC no longer holds; DE stock sold only in the UK.
    relaxed = Product.objects.create(sku="RELAXED", title="Relaxed threshold")
    _row(account, relaxed, "UK", 2)
    LowStockThreshold.objects.create(
        account=account,
        product=relaxed,
        region="uk",
        minimum_available=1,
        minimum_days_of_cover=0,
    )
    gone = Product.objects.create(sku="GONE", title="Left OC")
    _row(account, gone, "UK", 0, created_in_oc=False)
    sold_in_uk = Product.objects.create(sku="UK-ONLY", title="Sold in the UK only")
    _row(account, sold_in_uk, "DE", 20)
    _ebay_order("UK", sold_in_uk, 300, timezone.now() - timedelta(days=1))
    # Low only because of its own, stricter threshold.
    strict = Product.objects.create(sku="STRICT", title="Strict threshold")
    low.add(_row(account, strict, "DE", 40).pk)
    LowStockThreshold.objects.create(
        account=account, product=strict, region="DE", minimum_available=50
    )

    response = admin_client.get(reverse(REVIEW), {"low_stock": "low"})

    assert response.status_code == 200
    assert {row.pk for row in response.context["cl"].result_list} == low
    assert "Low stock" in response.content.decode()
    # The totals per region (and the list's count) are of the low rows too.
    assert {t["region"]: t["products"] for t in response.context["region_totals"]} == {
        "DE": 1,
        "UK": 4,
    }
    unfiltered = admin_client.get(reverse(REVIEW))
    assert len(unfiltered.context["cl"].result_list) == len(low) + 5


def test_the_filtered_review_takes_as_many_queries_for_30_products_as_for_3(
    admin_client: Client,
) -> None:
    def queries(products: int) -> int:
        ProductAccountOrangeConnex.objects.all().delete()
        account = AccountOrangeConnex.objects.first() or _account()
        low = _catalogue(account, products)
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse(REVIEW), {"low_stock": "low"})
        assert {row.pk for row in response.context["cl"].result_list} == low
        return len(captured)

    assert queries(3) == queries(30)


@pytest.fixture
def low_row() -> ProductAccountOrangeConnex:
    account = _account()
    AlertRecipients.objects.create(
        app_label="oc_integration",
        model_name="accountorangeconnex",
        object_id=str(account.pk),
        emails="stock@example.com, buyer@example.com",
    )
    product = Product.objects.create(sku="GY0005886", title="Garden hose")
    return _row(account, product, "DE", 3)


def _set_available(row: ProductAccountOrangeConnex, available: int) -> None:
    ProductAccountOrangeConnex.objects.filter(pk=row.pk).update(available_stock=available)


def test_the_digest_emails_each_crossing_once(low_row: ProductAccountOrangeConnex) -> None:
    first = send_low_stock_digest()

    assert first.emails == 1
    (email,) = mail.outbox
    assert email.to == ["stock@example.com", "buyer@example.com", "ops@example.com"]
    assert "1 stock row(s) of OC one" in email.subject
    assert "GY0005886 Garden hose (DE): 3 available (minimum 5)" in email.body
    link = reverse("admin:oc_integration_productaccountorangeconnex_change", args=[low_row.pk])
    assert f"http://hemi.example{link}" in email.body

    # Still low the next day: not listed again.
    assert send_low_stock_digest().emails == 0
    assert len(mail.outbox) == 1

    # Recovers: forgotten, nothing sent.
    _set_available(low_row, 100)
    recovered = send_low_stock_digest()
    assert (recovered.emails, recovered.recovered) == (0, 1)
    assert not LowStockReport.objects.exists()

    # Falls again: a new crossing, a new email.
    _set_available(low_row, 1)
    assert send_low_stock_digest().emails == 1
    assert len(mail.outbox) == 2
    assert "GY0005886 Garden hose (DE): 1 available" in mail.outbox[1].body


def test_no_email_when_nothing_crossed() -> None:
    account = _account()
    product = Product.objects.create(sku="FULL", title="Plenty")
    _row(account, product, "UK", 500)

    result = send_low_stock_digest()

    assert (result.emails, result.listed) == (0, {})
    assert mail.outbox == []


def test_each_account_gets_its_own_digest_and_recipients(
    low_row: ProductAccountOrangeConnex,
) -> None:
    second = _account("OC two")
    product = Product.objects.create(sku="SECOND", title="Second seller's product")
    _row(second, product, "UK", 0)

    result = send_low_stock_digest()

    assert result.emails == 2
    by_subject = {email.subject.split(" of ")[-1]: email for email in mail.outbox}
    assert by_subject["OC one"].to == ["stock@example.com", "buyer@example.com", "ops@example.com"]
    assert "GY0005886" in by_subject["OC one"].body
    assert "SECOND" not in by_subject["OC one"].body
    assert by_subject["OC two"].to == ["ops@example.com"]
    assert "SECOND" in by_subject["OC two"].body


def test_a_digest_that_could_not_be_sent_lists_the_rows_again_next_time(
    low_row: ProductAccountOrangeConnex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        failed = send_low_stock_digest()
    assert (failed.emails, failed.failed_accounts) == (0, [low_row.account_id])

    assert send_low_stock_digest().emails == 1
    assert "GY0005886" in mail.outbox[0].body


def test_the_task_runs_the_digest(low_row: ProductAccountOrangeConnex) -> None:
    outcome = low_stock_digest()

    assert (outcome["emails"], outcome["listed"]) == (1, 1)
    assert len(mail.outbox) == 1


def _staff(*codenames: str) -> Client:
    user = User.objects.create_user(f"staff-{next(_numbers)}", password="pw-1", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="oc_integration", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def _threshold_form(threshold: LowStockThreshold, minimum: int) -> dict[str, str]:
    return {
        "account": str(threshold.account_id),
        "product": str(threshold.product_id),
        "region": threshold.region,
        "minimum_available": str(minimum),
        "minimum_days_of_cover": "",
    }


def test_view_only_staff_cannot_change_thresholds() -> None:
    account = _account()
    product = Product.objects.create(sku="P1", title="Product")
    threshold = LowStockThreshold.objects.create(
        account=account, product=product, region="UK", minimum_available=3
    )
    url = reverse("admin:oc_integration_lowstockthreshold_change", args=[threshold.pk])
    viewer = _staff("view_lowstockthreshold")

    assert viewer.get(url).status_code == 200
    assert viewer.post(url, _threshold_form(threshold, 50)).status_code == 403
    add = reverse("admin:oc_integration_lowstockthreshold_add")
    assert viewer.post(add, {**_threshold_form(threshold, 9), "region": "DE"}).status_code == 403
    threshold.refresh_from_db()
    assert threshold.minimum_available == 3
    assert LowStockThreshold.objects.count() == 1

    editor = _staff("view_lowstockthreshold", "change_lowstockthreshold")
    assert editor.post(url, _threshold_form(threshold, 50)).status_code == 302
    threshold.refresh_from_db()
    assert threshold.minimum_available == 50


def test_a_threshold_needs_a_region_and_figures_of_at_least_zero(admin_client: Client) -> None:
    account = _account()
    product = Product.objects.create(sku="P1", title="Product")
    add = reverse("admin:oc_integration_lowstockthreshold_add")
    form = {
        "account": str(account.pk),
        "product": str(product.pk),
        "region": "  ",
        "minimum_available": "-1",
        "minimum_days_of_cover": "7",
    }

    response = admin_client.post(add, form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"region", "minimum_available"}
    assert not LowStockThreshold.objects.exists()


def test_a_digest_already_running_makes_the_second_skip(
    low_row: ProductAccountOrangeConnex,
) -> None:
    cache.add(LOCK_KEY, "running", 60)

    assert send_low_stock_digest().skipped
    assert mail.outbox == []
    assert not LowStockReport.objects.exists()
