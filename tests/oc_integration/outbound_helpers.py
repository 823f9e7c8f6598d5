"""Test data for outbound orders: stock at OC and Hemi orders that can be shipped."""

from __future__ import annotations

from decimal import Decimal

from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.demo.data import DEMO_SKUS, demo_oc_sku
from hemi_fulfilment.orders.models import Channel, Order, OrderItem
from oc_integration.models import AccountOrangeConnex, SyncRun
from oc_integration.stock.runs import queue_stock_sync, run_stock_sync
from tests.oc_integration.conftest import Sandbox

STATUSES = ("INTRAN", "AVL", "RCVD", "RSVALOC", "RSVHO", "RSVAS", "UNF")


def stock_everything(sandbox: Sandbox, account: AccountOrangeConnex, available: int = 1000) -> None:
    """Give every demo SKU ``available`` units in UK and DE at OC, and sync it into Hemi."""
    rows = [
        {
            "MFSKUID": demo_oc_sku(i),
            "sellerSkuId": sku,
            "snapshotTime": "2026-11-20T10:00:00+0000",
            "serviceRegionList": [
                {
                    "serviceRegion": region,
                    "inventoryList": [
                        {"inventoryStatus": s, "actualCount": available if s == "AVL" else 0}
                        for s in STATUSES
                    ],
                }
                for region in ("UK", "DE")
            ],
        }
        for i, sku in enumerate(DEMO_SKUS)
    ]
    sandbox.control("PUT", "catalog", rows=rows)
    run = run_stock_sync(queue_stock_sync(account, trigger=SyncRun.Trigger.COMMAND).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def web_orders(
    count: int, *, prefix: str = "WEB", quantity: int = 1, **changes: str
) -> list[Order]:
    """``count`` web-shop orders to UK addresses, one demo product each."""
    products = list(Product.objects.filter(sku__in=DEMO_SKUS).order_by("sku"))
    Order.objects.bulk_create(
        [
            Order(
                **{
                    "number": f"{prefix}-{n:05d}",
                    "channel": Channel.WEB_SHOP,
                    "buyer_name": f"Buyer {n}",
                    "buyer_email": f"buyer{n}@example.com",
                    "ship_name": f"Buyer {n}",
                    "ship_address1": f"{n} Maresfield Road",
                    "ship_city": "Brighton",
                    "ship_postcode": "BN2 5ES",
                    "ship_country_code": "GB",
                    "ship_phone": "07510057052",
                    "currency": "GBP",
                    "total": Decimal("12.00"),
                    **changes,
                }
            )
            for n in range(count)
        ]
    )
    orders = list(Order.objects.filter(number__startswith=f"{prefix}-").order_by("number"))
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                order=order,
                product=products[n % len(products)],
                sku=products[n % len(products)].sku,
                quantity=quantity,
                price=Decimal("12.00"),
            )
            for n, order in enumerate(orders)
        ]
    )
    return orders
