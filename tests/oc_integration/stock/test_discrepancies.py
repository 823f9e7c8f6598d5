"""The discrepancy report: where Hemi and OC disagree, per OC account."""

from __future__ import annotations

import csv
import io
import re
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItem,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)
from oc_integration.models import (
    AccountOrangeConnex,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RegionMapping,
)
from oc_integration.stock.discrepancies import (
    LISTED_WITHOUT_STOCK,
    SHORT_OF_ORDERS,
    STOCK_WITHOUT_LISTING,
    discrepancy_report,
)

pytestmark = pytest.mark.django_db

REPORT = "admin:oc_integration_accountorangeconnex_discrepancies"
EXPORT = "admin:oc_integration_accountorangeconnex_discrepancies_export"
_numbers = count(1)


@pytest.fixture(autouse=True)
def _regions_of_other_orders(settings: Any) -> None:
    settings.OC_COUNTRY_REGIONS = {"GB": "UK", "DE": "DE"}
    settings.OC_DEFAULT_REGION = "UK"


def _account(name: str) -> AccountOrangeConnex:
    return AccountOrangeConnex.objects.create(
        name=name, api_base_url="https://oc.example/openapi", oauth_base_url="https://oc.example"
    )


def _ebay(name: str, site: str) -> EbayAccount:
    return EbayAccount.objects.create(name=name, site_code=site, site_id=next(_numbers))


def _stock(
    account: AccountOrangeConnex,
    product: Product,
    region: str,
    available: int,
    *,
    listing: ItemAccount | None = None,
    created_in_oc: bool = True,
) -> ProductAccountOrangeConnex:
    return ProductAccountOrangeConnex.objects.create(
        account=account,
        product=product,
        sku=product.sku,
        region=region,
        available_stock=available,
        item_account=listing,
        created_in_oc=created_in_oc,
        stale=not created_in_oc,
    )


def _order(
    product: Product,
    quantity: int,
    *,
    ebay_account: EbayAccount | None = None,
    country: str = "GB",
    status: str = OrderStatus.PAID,
    shipped: bool = False,
    by_ebay: bool = False,
    line_type: str = OrderItemType.SELLER_FULFILLED,
) -> Order:
    n = next(_numbers)
    order = Order.objects.create(
        number=f"H-{n}",
        channel=Channel.EBAY if ebay_account else Channel.WEB_SHOP,
        ebay_account=ebay_account,
        ebay_order_id=f"E-{n}" if ebay_account else None,
        ship_country_code=country,
        status=status,
        shipped=shipped,
        marketplace_fulfillment_channel=(
            FulfillmentChannel.EBAY if by_ebay else FulfillmentChannel.SELLER
        ),
    )
    if ebay_account:
        OrderItemEbay.objects.create(
            order=order,
            product=product,
            sku=product.sku,
            ebay_item_id="1",
            order_line_item_id=f"L-{n}",
            quantity=quantity,
            type=line_type,
        )
    else:
        OrderItem.objects.create(order=order, product=product, sku=product.sku, quantity=quantity)
    return order


def _outbound(
    account: AccountOrangeConnex,
    product: Product,
    region: str,
    quantity: int,
    status: str,
    order: Order | None = None,
) -> None:
    outbound = OutboundOrder.objects.create(
        account=account,
        order=order,
        reference_number=f"R-{next(_numbers)}",
        service_region=region,
        status=status,
    )
    OutboundOrderLine.objects.create(
        outbound_order=outbound, product=product, sku=product.sku, quantity=quantity
    )


def _seed() -> AccountOrangeConnex:
    """One OC account serving eBay UK (UK), eBay DE (DE), eBay US (US-East and US-West) and
    AU (stock only); another OC account serving another seller's eBay UK."""
    account, other = _account("OC seller"), _account("OC other seller")
    uk, de, us, theirs = (
        _ebay("eBay UK", "UK"),
        _ebay("eBay DE", "DE"),
        _ebay("eBay US", "US"),
        _ebay("eBay UK (other seller)", "UK"),
    )
    for region, ebay in (("UK", uk), ("DE", de), ("US-East", us), ("US-West", us), ("AU", None)):
        RegionMapping.objects.create(account=account, region=region, ebay_account=ebay)
    RegionMapping.objects.create(account=other, region="UK", ebay_account=theirs)
    p = {
        sku: Product.objects.create(sku=sku, title=f"Title {sku}")
        for sku in (
            "LISTED-NOSTOCK",
            "LISTED-ZERO",
            "LISTED-OK",
            "LISTED-US",
            "LISTED-STALE",
            "UNLISTED",
            "UNLINKED",
            "AU-ONLY",
            "SHORT",
            "ENOUGH",
        )
    }

    def listing(sku: str, ebay: EbayAccount) -> ItemAccount:
        return ItemAccount.objects.create(product=p[sku], ebay_account=ebay)

    listing("LISTED-NOSTOCK", uk)  # no stock row at all
    _stock(account, p["LISTED-ZERO"], "DE", 0, listing=listing("LISTED-ZERO", de))
    _stock(account, p["LISTED-OK"], "UK", 5, listing=listing("LISTED-OK", uk))
    # One of the two regions serving eBay US has it (spelled as OC sometimes spells it).
    us_listing = listing("LISTED-US", us)
    _stock(account, p["LISTED-US"], "US-west", 3, listing=us_listing)
    _stock(account, p["LISTED-US"], "US-East", 0, listing=us_listing)
    _stock(
        account,
        p["LISTED-STALE"],
        "UK",
        7,
        listing=listing("LISTED-STALE", uk),
        created_in_oc=False,
    )
    _stock(account, p["UNLISTED"], "UK", 4)
    listing("UNLINKED", de)
    _stock(account, p["UNLINKED"], "DE", 2)  # its listing exists, the row is not linked yet
    _stock(account, p["AU-ONLY"], "AU", 9)  # AU serves no eBay account: not a discrepancy
    # The other seller's account: nothing of it shows in this account's report.
    _stock(other, p["UNLISTED"], "UK", 50)

    # SHORT in UK: 3 available, 2 in a submitted outbound order, 1 in a shipped one (gone
    # already); open orders need 2 (eBay UK) + 1 (web shop GB, its outbound order rejected).
    _stock(account, p["SHORT"], "UK", 3, listing=listing("SHORT", uk))
    _outbound(account, p["SHORT"], "UK", 2, OutboundStatus.SUBMITTED)
    _outbound(account, p["SHORT"], "UK", 1, OutboundStatus.OUTBOUND)
    _order(p["SHORT"], 2, ebay_account=uk)
    rejected = _order(p["SHORT"], 1, country="GB")
    _outbound(account, p["SHORT"], "UK", 1, OutboundStatus.REJECTED, order=rejected)
    # SHORT in DE: a web shop order to Germany, no stock row there.
    _order(p["SHORT"], 1, country="DE")

    # ENOUGH in UK: 10 available, 5 in a draft outbound order of a pushed order (counted
    # once, as outbound); an open order needs 4. None of the others is open for OC.
    _stock(account, p["ENOUGH"], "UK", 10, listing=listing("ENOUGH", uk))
    pushed = _order(p["ENOUGH"], 5, ebay_account=uk)
    _outbound(account, p["ENOUGH"], "UK", 5, OutboundStatus.DRAFT, order=pushed)
    _order(p["ENOUGH"], 4, ebay_account=uk)
    _order(p["ENOUGH"], 100, ebay_account=uk, by_ebay=True)
    _order(p["ENOUGH"], 100, ebay_account=uk, line_type=OrderItemType.FULFILLED_BY_EBAY)
    _order(p["ENOUGH"], 100, ebay_account=uk, shipped=True, status=OrderStatus.SHIPPED)
    _order(p["ENOUGH"], 100, ebay_account=uk, status=OrderStatus.NEW)
    _order(p["ENOUGH"], 100, ebay_account=theirs)  # the other OC account's to ship
    return account


def _superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw-boss-1"))
    return client


def _viewer(*codenames: str) -> Client:
    user = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_the_report_lists_exactly_where_hemi_and_oc_disagree() -> None:
    account = _seed()
    report = discrepancy_report(account)

    assert [(d.sku, d.region, d.ebay_account) for d in report.listed_without_stock] == [
        ("LISTED-NOSTOCK", "UK", "eBay UK"),
        ("LISTED-STALE", "UK", "eBay UK"),
        ("LISTED-ZERO", "DE", "eBay DE"),
    ]
    zero = report.listed_without_stock[2]
    assert [(r.region, r.available) for r in zero.stock_rows] == [("DE", 0)]
    assert "not Created in OC" in report.listed_without_stock[1].summary

    assert [
        (d.sku, d.region, d.available, d.item_account_id is not None)
        for d in report.stock_without_listing
    ] == [("UNLINKED", "DE", 2, True), ("UNLISTED", "UK", 4, False)]

    assert [
        (d.sku, d.region, d.needed, d.available, d.in_outbound, d.shortfall)
        for d in report.short_of_orders
    ] == [("SHORT", "DE", 1, 0, 0, 1), ("SHORT", "UK", 3, 3, 2, 2)]
    assert len(report.short_of_orders[1].order_ids) == 2
    assert report.other_accounts_orders == 1
    assert {d.kind for d in report.lines} == {
        LISTED_WITHOUT_STOCK,
        STOCK_WITHOUT_LISTING,
        SHORT_OF_ORDERS,
    }


def test_an_account_without_mapped_regions_reports_only_orders_it_would_ship() -> None:
    account = _account("OC empty")
    product = Product.objects.create(sku="WEB", title="Web shop only")
    _order(product, 2, country="DE")
    report = discrepancy_report(account)
    assert report.listed_without_stock == report.stock_without_listing == []
    assert [(d.sku, d.region, d.shortfall) for d in report.short_of_orders] == [("WEB", "DE", 2)]


def test_view_only_staff_see_the_page_and_the_csv_and_others_do_not() -> None:
    account = _seed()
    viewer = _viewer("view_accountorangeconnex")
    page = viewer.get(reverse(REPORT, args=[account.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="discrepancy"') == 7
    assert "OC_COUNTRY_REGIONS" in text  # says how an order's region is chosen
    export = viewer.get(reverse(EXPORT, args=[account.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    content = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0][:6] == [
        "Discrepancy",
        "SKU",
        "Title",
        "Region",
        "eBay account",
        "Available at OC",
    ]
    assert sorted(line[1] for line in lines[1:]) == sorted(
        ["LISTED-NOSTOCK", "LISTED-STALE", "LISTED-ZERO", "UNLINKED", "UNLISTED", "SHORT", "SHORT"]
    )

    change = viewer.get(
        reverse("admin:oc_integration_accountorangeconnex_change", args=[account.pk])
    )
    assert reverse(REPORT, args=[account.pk]) in change.content.decode()

    outsider = Client()
    outsider.force_login(User.objects.create_user("outsider", password="pw-out-1", is_staff=True))
    assert outsider.get(reverse(REPORT, args=[account.pk])).status_code == 403
    assert outsider.get(reverse(EXPORT, args=[account.pk])).status_code == 403


def test_every_link_to_act_resolves() -> None:
    account = _seed()
    client = _superuser_client()
    page = client.get(reverse(REPORT, args=[account.pk]))
    hrefs = re.findall(r'<a href="([^"]+)" class="discrepancy-link">', page.content.decode())
    assert any("/itemaccount/add/?product=" in h for h in hrefs)
    assert any("/order/?id__in=" in h for h in hrefs)
    assert any("/productaccountorangeconnex/" in h for h in hrefs)
    for href in hrefs:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, href
        if "id__in=" in href:
            wanted = parse_qs(urlsplit(href).query)["id__in"][0].split(",")
            assert response.context["cl"].result_count == len(wanted)


def _many(account: AccountOrangeConnex, n: int, uk: EbayAccount) -> None:
    """``n`` products of each kind of discrepancy."""
    for i in range(n):
        listed = Product.objects.create(sku=f"L{i:03d}", title="listed")
        ItemAccount.objects.create(product=listed, ebay_account=uk)
        _stock(account, Product.objects.create(sku=f"U{i:03d}", title="unlisted"), "UK", 1)
        short = Product.objects.create(sku=f"S{i:03d}", title="short")
        _stock(
            account,
            short,
            "UK",
            1,
            listing=ItemAccount.objects.create(product=short, ebay_account=uk),
        )
        _outbound(account, short, "UK", 1, OutboundStatus.SUBMITTED)
        _order(short, 1, ebay_account=uk)


def test_the_report_costs_the_same_queries_for_3_or_30_products() -> None:
    account = _account("OC scale")
    uk = _ebay("eBay UK", "UK")
    RegionMapping.objects.create(account=account, region="UK", ebay_account=uk)
    client = _superuser_client()
    url = reverse(REPORT, args=[account.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
        return len(captured)

    _many(account, 3, uk)
    queries()  # session and caches warmed
    few = queries()
    assert len(discrepancy_report(account).lines) == 9
    Product.objects.all().delete()
    Order.objects.all().delete()
    OutboundOrder.objects.all().delete()
    _many(account, 30, uk)
    assert len(discrepancy_report(account).lines) == 90
    assert queries() == few
