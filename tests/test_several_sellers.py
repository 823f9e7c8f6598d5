"""Two sellers side by side in one installation, end to end over real HTTP.

Two OC accounts (each with its own OC sandbox: two OC integrator accounts, each with its
own stock) and two eBay sellers trading on the same eBay site, UK (each with its own eBay
sandbox and token). Each OC account maps region UK to its own seller's eBay account. The
products are listed by both sellers; OC holds different stock at each account and each
seller has different orders. Every stock sync, order import and push must touch only its
own account's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet
from pytest_django.fixtures import Settings

from ebay_orders.importer import ImportResult, import_orders
from ebay_orders.models import EbayConnection, EbayEnvironment, OrderIssue
from ebay_orders.sandbox import API_PATH, RunningSandbox
from ebay_orders.sandbox import running_sandbox as running_ebay_sandbox
from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItem,
    OrderItemEbay,
)
from oc_integration.auth.authorization import exchange_code
from oc_integration.client.codes import decode_until_stable
from oc_integration.models import (
    AccountOrangeConnex,
    Environment,
    OutboundOrder,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RegionMapping,
    StockHistory,
    SyncRun,
)
from oc_integration.outbound.orders import prepare_outbound_orders, revalidate
from oc_integration.outbound.push import push_queued
from oc_integration.sandbox import running_sandbox as running_oc_sandbox
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.oc_integration.conftest import CALLBACK_PATH, Sandbox

pytestmark = pytest.mark.django_db

UK_SITE_ID = 3
CREATION = "/openapi/3pp/outbound/v1/creation"
STATUSES = ("INTRAN", "AVL", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF")
FIRST_SNAPSHOT = "2026-11-20T10:00:00+0000"
SECOND_SNAPSHOT = "2026-11-21T10:00:00+0000"
#: Listed by both sellers.
LISTED = ("TWIN-001", "TWIN-002", "TWIN-003")
#: Sold in the web shop only: no eBay listing anywhere.
SHOP_ONLY = "SHOP-004"

#: What one OC account holds in UK: Hemi SKU -> (OC SKU, available, in transit).
Stock = dict[str, tuple[str, int, int]]


def _values(rows: QuerySet[Any, Any]) -> list[dict[str, Any]]:
    """Every column of every row, in primary key order: to compare before and after."""
    return [dict(row) for row in rows.order_by("pk").values()]


@dataclass
class Seller:
    """One seller: an eBay account on eBay UK and the OC account that fulfils it."""

    label: str
    ebay_account: EbayAccount
    oc_account: AccountOrangeConnex
    oc: Sandbox
    ebay: RunningSandbox
    #: Hemi SKU -> the seller's listing (item account) of the product.
    listings: dict[str, ItemAccount]
    first_stock: Stock
    second_stock: Stock
    #: The seller's eBay orders: OrderID -> (Hemi SKU, quantity, fulfilled by eBay).
    orders: dict[str, tuple[str, int, bool]] = field(default_factory=dict)

    def sync_stock(self, *, force: bool = False) -> SyncRun:
        """Run a stock sync of the seller's OC account, as the command does."""
        queued = queue_stock_sync(self.oc_account, trigger=SyncRun.Trigger.COMMAND)
        run = run_stock_sync(queued.pk, force=force)
        assert run.status == SyncRun.Status.SUCCEEDED, (run.status, run.error, run.messages)
        return run

    def import_orders(self) -> ImportResult:
        """Import the seller's eBay orders."""
        result = import_orders(account_id=self.ebay_account.pk)
        assert result.succeeded, (result.error, result.messages)
        return result

    def stock_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored row of the OC account's stock, with its history and sync runs."""
        account = self.oc_account
        return {
            "stock": _values(ProductAccountOrangeConnex.objects.filter(account=account)),
            "history": _values(StockHistory.objects.filter(stock__account=account)),
            "runs": _values(SyncRun.objects.filter(account=account)),
        }

    def order_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored row of the seller's eBay orders, lines, issues and connection."""
        account = self.ebay_account
        return {
            "orders": _values(Order.objects.filter(ebay_account=account)),
            "lines": _values(OrderItemEbay.objects.filter(order__ebay_account=account)),
            "issues": _values(OrderIssue.objects.filter(ebay_account=account)),
            "connection": _values(EbayConnection.objects.filter(ebay_account=account)),
        }

    def creations(self) -> int:
        """How many outbound creation calls reached the seller's OC sandbox."""
        return self.oc.count("POST", CREATION)


@dataclass
class World:
    """Both sellers and the products they share."""

    a: Seller
    b: Seller
    products: dict[str, Product]


def snapshot_rows(stock: Stock, when: str) -> list[dict[str, Any]]:
    """The OC sandbox's catalog for ``stock``: each SKU in region UK."""
    return [
        {
            "MFSKUID": oc_sku,
            "sellerSkuId": sku,
            "snapshotTime": when,
            "serviceRegionList": [
                {
                    "serviceRegion": "UK",
                    "inventoryList": [
                        {
                            "inventoryStatus": status,
                            "actualCount": {"AVL": available, "INTRAN": intransit}.get(status, 0),
                        }
                        for status in STATUSES
                    ],
                }
            ],
        }
        for sku, (oc_sku, available, intransit) in stock.items()
    ]


def _oc_account(label: str, sandbox: Sandbox, ebay_account: EbayAccount) -> AccountOrangeConnex:
    """An OC integrator account of its own (own client key) at ``sandbox``, authorized,
    its region UK serving ``ebay_account``."""
    client_key, secret = f"hemi-test-{label.lower()}", f"secret-of-seller-{label.lower()}"
    sandbox.control("POST", "clients", client_id=client_key, secret_key=secret)
    account = AccountOrangeConnex(
        name=f"OC seller {label}",
        environment=Environment.SANDBOX,
        api_base_url=f"{sandbox.url}/openapi",
        oauth_base_url=sandbox.url,
        client_key=client_key,
        redirect_uri=f"http://testserver{CALLBACK_PATH}",
        # A small catalogue: the one-answer snapshot, whatever the automatic choice says.
        stock_snapshot_version="v1",
    )
    account.secret_key = secret
    account.save()
    RegionMapping.objects.create(account=account, region="UK", ebay_account=ebay_account)
    exchange_code(account, decode_until_stable(sandbox.fresh_code(account)))
    account.refresh_from_db()
    return account


def _connect(ebay_account: EbayAccount, sandbox: RunningSandbox, token: str) -> None:
    """The seller's eBay connection, to its own eBay sandbox with its own token."""
    EbayConnection.objects.create(
        ebay_account=ebay_account,
        environment=EbayEnvironment.EMULATOR,
        api_url=sandbox.url + API_PATH,
        user_token=token,
    )


def _add_ebay_order(seller: Seller, order_id: str, sku: str, quantity: int, fbe: bool) -> None:
    seller.ebay.state.add_order(
        site_id=UK_SITE_ID,
        order_id=order_id,
        buyer_user_id=f"buyer_{order_id[-5:]}",
        buyer_name=f"Buyer of {order_id}",
        lines=[
            {
                "sku": sku,
                "item_id": seller.listings[sku].ebay_item_id,
                "quantity": quantity,
                "price": "14.50",
                "fulfilled_by_ebay": fbe,
            }
        ],
    )
    seller.orders[order_id] = (sku, quantity, fbe)


@pytest.fixture
def world(db: None, settings: Settings) -> Iterator[World]:
    """Two sellers on eBay UK, two OC accounts, four sandboxes; nothing synced yet."""
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.OC_TOKEN_RETRY_BACKOFF_SECONDS = 0.01
    products = {
        sku: Product.objects.create(sku=sku, title=f"Product {sku}") for sku in (*LISTED, SHOP_ONLY)
    }
    with ExitStack() as stack:
        sellers = []
        for n, label in enumerate(("A", "B"), start=1):
            oc = Sandbox(stack.enter_context(running_oc_sandbox()).url)
            token = f"user-token-of-seller-{label.lower()}"
            # No generated orders: their OrderIDs depend only on the site and a counter,
            # so two sandboxes would invent the same ones. Each seller's are added below.
            ebay = stack.enter_context(
                running_ebay_sandbox(
                    token=token, seller_fulfilled=0, ebay_fulfilled=0, demo_orders=False
                )
            )
            # Same site code and site id: two sellers trading on eBay UK.
            ebay_account = EbayAccount.objects.create(
                name=f"eBay UK seller {label}", site_code="UK", site_id=UK_SITE_ID
            )
            _connect(ebay_account, ebay, token)
            listings = {
                sku: ItemAccount.objects.create(
                    product=products[sku],
                    ebay_account=ebay_account,
                    ebay_item_id=f"11{n:02d}0000{i:04d}",
                )
                for i, sku in enumerate(LISTED, start=1)
            }
            sellers.append(
                Seller(
                    label=label,
                    ebay_account=ebay_account,
                    oc_account=_oc_account(label, oc, ebay_account),
                    oc=oc,
                    ebay=ebay,
                    listings=listings,
                    first_stock={},
                    second_stock={},
                )
            )
        a, b = sellers
        # Different stock at each OC account, under OC SKUs of its own. TWIN-001 is held
        # by both; SHOP-004 (no listing) only by B.
        a.first_stock = {
            "TWIN-001": ("OC1000000000001", 11, 1),
            "TWIN-002": ("OC1000000000002", 12, 0),
        }
        a.second_stock = {"TWIN-001": ("OC1000000000001", 5, 1)}  # TWIN-002 left OC
        b.first_stock = {
            "TWIN-001": ("OC2000000000001", 21, 2),
            "TWIN-003": ("OC2000000000003", 23, 0),
            SHOP_ONLY: ("OC2000000000004", 24, 0),
        }
        b.second_stock = {
            "TWIN-001": ("OC2000000000001", 30, 2),
            "TWIN-002": ("OC2000000000002", 7, 3),  # new at B; TWIN-003 left OC
            SHOP_ONLY: ("OC2000000000004", 24, 0),
        }
        for seller in sellers:
            seller.oc.control(
                "PUT", "catalog", rows=snapshot_rows(seller.first_stock, FIRST_SNAPSHOT)
            )
        # Different orders at each seller, with OrderIDs in eBay's form (OC checks it).
        _add_ebay_order(a, "03-71001-00001", "TWIN-001", 1, False)
        _add_ebay_order(a, "03-71001-00002", "TWIN-002", 2, False)
        _add_ebay_order(a, "03-71001-00003", "TWIN-001", 1, True)
        _add_ebay_order(b, "03-72002-00001", "TWIN-001", 3, False)
        _add_ebay_order(b, "03-72002-00002", "TWIN-003", 1, False)
        yield World(a=a, b=b, products=products)


def _stock_seen(seller: Seller) -> dict[str, tuple[str, int, int, bool, int | None]]:
    """Hemi SKU -> (OC SKU, available, in transit, created in OC, linked eBay account)."""
    return {
        row.sku: (
            row.oc_sku,
            row.available_stock,
            row.intransit_stock,
            row.created_in_oc,
            row.item_account.ebay_account_id if row.item_account else None,
        )
        for row in ProductAccountOrangeConnex.objects.filter(
            account=seller.oc_account, region="UK"
        ).select_related("item_account")
    }


def _expected(seller: Seller, stock: Stock, gone: Stock | None = None) -> dict[str, Any]:
    """What ``_stock_seen`` should show after syncing ``stock`` (``gone``: rows that left
    OC, their last figures kept)."""
    own = seller.ebay_account.pk
    seen: dict[str, Any] = {
        sku: (oc_sku, available, intransit, False, own if sku in LISTED else None)
        for sku, (oc_sku, available, intransit) in (gone or {}).items()
    }
    seen.update(
        {
            sku: (oc_sku, available, intransit, True, own if sku in LISTED else None)
            for sku, (oc_sku, available, intransit) in stock.items()
        }
    )
    return seen


def test_each_stock_sync_touches_only_its_own_accounts_rows_and_links_its_own_sellers_listings(
    world: World,
) -> None:
    a, b = world.a, world.b

    first_a = a.sync_stock()
    assert _stock_seen(a) == _expected(a, a.first_stock)
    assert (first_a.rows_created, first_a.missing_item_accounts) == (2, 0)
    assert b.stock_rows() == {"stock": [], "history": [], "runs": []}
    a_first = a.stock_rows()

    first_b = b.sync_stock()
    assert _stock_seen(b) == _expected(b, b.first_stock)
    assert a.stock_rows() == a_first
    # SHOP-004 has no listing at B's seller (it is sold in the web shop): said, and kept.
    assert first_b.missing_item_accounts == 1
    assert any("SHOP-004" in m and str(b.ebay_account) in m for m in first_b.messages)
    # TWIN-001 is held by both accounts: two rows, each linked to its own seller's listing.
    twin = ProductAccountOrangeConnex.objects.filter(sku="TWIN-001").order_by("account__name")
    assert [(r.account_id, r.item_account_id) for r in twin] == [
        (a.oc_account.pk, a.listings["TWIN-001"].pk),
        (b.oc_account.pk, b.listings["TWIN-001"].pk),
    ]

    # OC's stock moves at both; each sync changes, creates and retires only its own rows.
    a.oc.control("PUT", "catalog", rows=snapshot_rows(a.second_stock, SECOND_SNAPSHOT))
    b.oc.control("PUT", "catalog", rows=snapshot_rows(b.second_stock, SECOND_SNAPSHOT))
    b_before = b.stock_rows()
    # Half of A's products leave OC: confirmed, as a person reviewing it would.
    a.sync_stock(force=True)
    assert b.stock_rows() == b_before
    left_a = {"TWIN-002": a.first_stock["TWIN-002"]}
    assert _stock_seen(a) == _expected(a, a.second_stock, gone=left_a)

    a_before = a.stock_rows()
    b.sync_stock(force=True)
    assert a.stock_rows() == a_before
    left_b = {"TWIN-003": b.first_stock["TWIN-003"]}
    assert _stock_seen(b) == _expected(b, b.second_stock, gone=left_b)


def test_each_ebay_import_brings_only_its_own_sellers_orders_and_a_reimport_leaves_the_other_alone(
    world: World,
) -> None:
    a, b = world.a, world.b

    first_a = a.import_orders()
    assert first_a.counts()["imported"] == 3
    assert set(Order.objects.values_list("ebay_order_id", flat=True)) == set(a.orders)
    assert b.order_rows()["orders"] == [] and not b.ebay.state.calls("GetOrders")

    first_b = b.import_orders()
    assert first_b.counts()["imported"] == 2
    for seller in (a, b):
        stored = Order.objects.filter(ebay_order_id__in=seller.orders)
        assert {o.ebay_account_id for o in stored} == {seller.ebay_account.pk}
        assert stored.count() == len(seller.orders)
        for order in stored:
            sku, quantity, fbe = seller.orders[order.ebay_order_id or ""]
            (line,) = order.ebay_items.all()
            assert (line.sku, line.quantity, line.product_id) == (
                sku,
                quantity,
                world.products[sku].pk,
            )
            assert line.ebay_item_id == seller.listings[sku].ebay_item_id
            assert order.is_fulfilled_by_ebay == fbe
        # Each import asked its own seller's sandbox, with that seller's token.
        assert seller.ebay.state.calls("GetOrders")
        assert all(call["token_ok"] for call in seller.ebay.state.calls("GetOrders"))

    # Seller A's eBay changes an order and takes a new one; A's re-import brings both in
    # and leaves every row of B as it was.
    a.ebay.state.orders["03-71001-00001"].city = "Hove"
    a.ebay.state.touch("03-71001-00001")
    _add_ebay_order(a, "03-71001-00004", "TWIN-003", 1, False)
    b_before, b_calls = b.order_rows(), len(b.ebay.state.calls())

    again = a.import_orders()

    assert (again.counts()["imported"], again.counts()["updated"]) == (1, 1)
    assert Order.objects.get(ebay_order_id="03-71001-00001").ship_city == "Hove"
    assert Order.objects.get(ebay_order_id="03-71001-00004").ebay_account == a.ebay_account
    assert b.order_rows() == b_before
    assert len(b.ebay.state.calls()) == b_calls


def test_seller_as_orders_pushed_through_oc_account_a_reach_only_oc_sandbox_a(
    world: World,
) -> None:
    a, b = world.a, world.b
    for seller in (a, b):
        seller.sync_stock()
        seller.import_orders()
    a_orders = list(Order.objects.filter(ebay_account=a.ebay_account).order_by("pk"))
    seller_fulfilled = {
        o.number for o in a_orders if o.marketplace_fulfillment_channel == FulfillmentChannel.SELLER
    }
    assert len(seller_fulfilled) == 2

    prepared = prepare_outbound_orders(a.oc_account, [o.pk for o in a_orders])

    assert set(prepared.queued) == seller_fulfilled and not prepared.invalid
    assert len(prepared.skipped) == 1 and "Fulfilled by eBay" in prepared.skipped[0]

    pushed = push_queued(a.oc_account.pk)

    assert set(pushed.submitted) == seller_fulfilled and not pushed.problems
    # Region UK, and the OC SKUs of account A's stock rows (B holds TWIN-001 under
    # another OC SKU; TWIN-002 only A holds).
    a_oc_skus = {sku: oc_sku for sku, (oc_sku, *_) in a.first_stock.items()}
    expected = {
        f"EBAY-{order_id}": ("UK", order_id, [(a_oc_skus[sku], quantity)])
        for order_id, (sku, quantity, fbe) in a.orders.items()
        if not fbe
    }
    at_oc_a = {
        o["referenceNumber"]: (
            o["serviceRegion"],
            o["ebayOrderId"],
            [(p["MFSKUID"], p["SKUQuantity"]) for p in o["productList"]],
        )
        for o in a.oc.orders()
    }
    assert at_oc_a == expected
    assert {o["clientId"] for o in a.oc.orders()} == {a.oc_account.client_key}
    stored = OutboundOrder.objects.filter(account=a.oc_account).prefetch_related("lines")
    assert {o.status for o in stored} == {OutboundStatus.SUBMITTED}
    assert {o.service_region for o in stored} == {"UK"}
    for outbound in stored:
        for line in outbound.lines.all():
            assert line.oc_sku == a_oc_skus[line.sku]
    # OC sandbox B saw no outbound creation, and B has no outbound order at all.
    assert b.creations() == 0 and b.oc.orders() == []
    assert not OutboundOrder.objects.filter(account=b.oc_account).exists()


def test_a_web_shop_order_for_a_product_only_oc_account_b_holds_is_pushed_through_account_b(
    world: World,
) -> None:
    a, b = world.a, world.b
    a.sync_stock()
    b.sync_stock()
    product = world.products[SHOP_ONLY]
    assert not product.item_accounts.exists()  # no eBay listing at all
    order = Order.objects.create(
        number="WEB-SELLER-B-1",
        channel=Channel.WEB_SHOP,
        buyer_name="Web Buyer",
        buyer_email="web.buyer@example.com",
        ship_name="Web Buyer",
        ship_address1="1 Maresfield Road",
        ship_city="Brighton",
        ship_postcode="BN2 5ES",
        ship_country_code="GB",
        currency="GBP",
        total=Decimal("24.00"),
    )
    OrderItem.objects.create(
        order=order, product=product, sku=product.sku, quantity=2, price=Decimal("12.00")
    )

    # Account A holds none of it: its outbound order stays a Draft that says why.
    through_a = prepare_outbound_orders(a.oc_account, [order.pk])
    assert through_a.queued == [] and "lines" in through_a.invalid[order.number]
    through_b = prepare_outbound_orders(b.oc_account, [order.pk])
    assert through_b.queued == [order.number], through_b.invalid
    # Checked together (as a push of a selection does), each against its own account's
    # stock, whichever account comes first.
    both = list(OutboundOrder.objects.filter(order=order).order_by("account_id"))
    assert both[0].account_id == a.oc_account.pk
    checks = revalidate(both)
    assert not checks[both[0].pk].ok and checks[both[1].pk].ok

    pushed_b = push_queued(b.oc_account.pk)
    pushed_a = push_queued(a.oc_account.pk)

    assert pushed_b.submitted == [order.number] and pushed_a.submitted == []
    outbound = OutboundOrder.objects.get(account=b.oc_account, order=order)
    assert outbound.status == OutboundStatus.SUBMITTED and outbound.service_region == "UK"
    assert outbound.lines.get().oc_sku == "OC2000000000004"
    (at_oc_b,) = b.oc.orders()
    assert at_oc_b["referenceNumber"] == order.number and at_oc_b["serviceRegion"] == "UK"
    assert at_oc_b["productList"] == [{"MFSKUID": "OC2000000000004", "SKUQuantity": 2}]
    assert a.creations() == 0 and a.oc.orders() == []
    assert (
        OutboundOrder.objects.get(account=a.oc_account, order=order).status == OutboundStatus.DRAFT
    )


def test_seller_bs_ebay_orders_are_not_shipped_through_oc_account_a(world: World) -> None:
    a, b = world.a, world.b
    for seller in (a, b):
        seller.sync_stock()
        seller.import_orders()
    b_orders = {o.pk: o.number for o in Order.objects.filter(ebay_account=b.ebay_account)}
    # As the admin's "Push to Orange Connex" does when staff select orders of both
    # sellers and choose OC account A.
    prepared = prepare_outbound_orders(a.oc_account, list(b_orders))

    # Each is refused with a reason (skipped, or a Draft that says why); none is queued.
    assert not set(prepared.queued) & set(b_orders.values())
    refused = set(prepared.invalid) | {
        number for number in b_orders.values() for line in prepared.skipped if number in line
    }
    assert refused == set(b_orders.values())
    pushed = push_queued(a.oc_account.pk)
    assert pushed.submitted == [] and a.oc.orders() == [] and a.creations() == 0
