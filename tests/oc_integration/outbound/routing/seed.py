"""A seeded set of orders for automatic routing, and what routing must do with each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hemi_fulfilment.catalog.models import EbayAccount, Product
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
    AuthorizationStatus,
    Environment,
    OutboundOrder,
    OutboundOrderLine,
    OutboundStatus,
    ProductAccountOrangeConnex,
    RoutingRule,
)
from oc_integration.stock.regions import start_region_mappings
from tests.oc_integration.factories import ebay_sites

#: Routed, and from which region.
ROUTED = {
    "WEB-UK-1": "UK",
    "WEB-UK-3": "DE",  # the fallback region: UK holds none of P3
    "EBAY-UK-1": "UK",
    "WEB-UK-4": "UK",
}
#: Looked at and not routed, with a piece of the reason each must give.
NOT_ROUTED = {
    "WEB-UK-2": "not enough sellable stock at OC in UK (ROUTE-P2 needs 2, 1 sellable); "
    "nor in the fallback region DE: not enough sellable stock at OC in DE "
    "(ROUTE-P2 is not stocked there)",
    "EBAY-FBE": "Fulfilled by eBay: eBay's programme ships it, never OC.",
    "EBAY-MIXED": "1 of its lines is eBay's to ship (Fulfilled by eBay or eBay Vault)",
    "EBAY-DE-1": "“eBay UK” is for orders of eBay UK only, not eBay DE ones",
    "WEB-FR": "“UK web shop” is for orders to GB only, not to FR",
    "WEB-UK-5": "ROUTE-P4 needs 3, 2 sellable",
}
#: Never looked at: too old, not paid, shipped, or already at OC.
LEFT_ALONE = ["WEB-OLD", "WEB-UNPAID", "WEB-SHIPPED", "WEB-PUSHED"]


@dataclass
class Seeded:
    account: AccountOrangeConnex
    sites: dict[str, EbayAccount]
    products: dict[str, Product]
    rules: dict[str, RoutingRule]


def routing_account(name: str = "OC routing (test)") -> AccountOrangeConnex:
    """An authorized OC account with the UK and DE regions (serving eBay UK and eBay DE)."""
    account = AccountOrangeConnex(
        name=name,
        environment=Environment.SANDBOX,
        api_base_url="http://oc.invalid/openapi",
        oauth_base_url="http://oc.invalid",
        client_key="routing-test",
        redirect_uri="http://testserver/oc/oauth/callback/",
        authorization_status=AuthorizationStatus.AUTHORIZED,
    )
    account.save()
    ebay_sites()
    start_region_mappings(account)
    return account


def stock(account: AccountOrangeConnex, product: Product, region: str, available: int) -> None:
    ProductAccountOrangeConnex.objects.create(
        account=account,
        product=product,
        sku=product.sku,
        region=region,
        oc_sku=f"OC{product.pk:013d}",
        available_stock=available,
        created_in_oc=True,
    )


def order(number: str, *lines: tuple[Product, int], **changes: Any) -> Order:
    """A paid web-shop order to a UK address (``changes`` say otherwise), one line each
    of ``lines``; eBay orders (``channel="ebay"``) get eBay lines (``kinds`` their types)."""
    kinds = changes.pop("kinds", None) or [OrderItemType.SELLER_FULFILLED] * len(lines)
    values: dict[str, Any] = {
        "number": number,
        "channel": Channel.WEB_SHOP,
        "status": OrderStatus.PAID,
        "buyer_name": "Ada Buyer",
        "buyer_email": "ada@example.com",
        "buyer_username": "ada_buys",
        "ship_name": "Ada Buyer",
        "ship_address1": "1 Maresfield Road",
        "ship_city": "Brighton",
        "ship_postcode": "BN2 5ES",
        "ship_country_code": "GB",
        "ship_phone": "07510057052",
        "ordered_at": timezone.now() - timedelta(hours=1),
        **changes,
    }
    created = Order.objects.create(**values)
    for index, ((product, quantity), kind) in enumerate(zip(lines, kinds, strict=True)):
        if created.channel == Channel.EBAY:
            OrderItemEbay.objects.create(
                order=created,
                product=product,
                sku=product.sku,
                quantity=quantity,
                price=Decimal("12.00"),
                ebay_item_id="110000000001",
                transaction_id=f"{index}",
                order_line_item_id=f"{number}-{index}",
                type=kind,
            )
        else:
            OrderItem.objects.create(
                order=created,
                product=product,
                sku=product.sku,
                quantity=quantity,
                price=Decimal("12.00"),
            )
    return created


def seed() -> Seeded:
    """The account, its stock, rules and the orders of :data:`ROUTED`, :data:`NOT_ROUTED`
    and :data:`LEFT_ALONE`."""
    account = routing_account()
    sites = ebay_sites()
    products = {
        sku: Product.objects.create(sku=f"ROUTE-{sku}", title=f"Routing {sku}")
        for sku in ("P1", "P2", "P3", "P4")
    }
    p1, p2, p3, p4 = products.values()
    stock(account, p1, "UK", 10)
    stock(account, p1, "DE", 5)
    stock(account, p2, "UK", 1)
    stock(account, p3, "DE", 4)
    stock(account, p4, "UK", 5)
    rules = {
        "everything": RoutingRule.objects.create(
            account=account, name="Everything", priority=1, enabled=False
        ),
        "web": RoutingRule.objects.create(
            account=account,
            name="UK web shop",
            priority=10,
            channels=[Channel.WEB_SHOP],
            countries=["GB"],
            fallback_region="DE",
        ),
        "ebay": RoutingRule.objects.create(
            account=account, name="eBay UK", priority=20, channels=[Channel.EBAY], ebay_sites=["UK"]
        ),
    }
    uk, de = sites["UK"], sites["DE"]
    ebay = {"channel": Channel.EBAY, "ebay_account": uk}
    order("WEB-UK-1", (p1, 2))
    order("WEB-UK-2", (p2, 2))
    order("WEB-UK-3", (p3, 1))
    order("EBAY-UK-1", (p1, 1), ebay_order_id="02-00001-00001", **ebay)
    order(
        "EBAY-FBE",
        (p1, 1),
        ebay_order_id="02-00001-00002",
        marketplace_fulfillment_channel=FulfillmentChannel.EBAY,
        kinds=[OrderItemType.FULFILLED_BY_EBAY],
        **ebay,
    )
    order(
        "EBAY-MIXED",
        (p1, 1),
        (p4, 1),
        ebay_order_id="02-00001-00003",
        kinds=[OrderItemType.FULFILLED_BY_EBAY, OrderItemType.SELLER_FULFILLED],
        **ebay,
    )
    order(
        "EBAY-DE-1",
        (p1, 1),
        channel=Channel.EBAY,
        ebay_account=de,
        ebay_order_id="02-00001-00004",
        ship_country_code="DE",
    )
    order("WEB-FR", (p1, 1), ship_country_code="FR")
    order("WEB-UK-4", (p4, 3))
    order("WEB-UK-5", (p4, 3))
    order("WEB-OLD", (p1, 1), ordered_at=timezone.now() - timedelta(days=10))
    order("WEB-UNPAID", (p1, 1), status=OrderStatus.NEW)
    order("WEB-SHIPPED", (p1, 1), shipped=True)
    # Already at OC (left alone); its outbound order, not shipped yet, takes 1 of P1's 10
    # units in UK.
    pushed = order("WEB-PUSHED", (p1, 1))
    outbound = OutboundOrder.objects.create(
        account=account,
        order=pushed,
        reference_number=pushed.number,
        service_region="UK",
        status=OutboundStatus.SUBMITTED,
    )
    OutboundOrderLine.objects.create(
        outbound_order=outbound, product=p1, sku=p1.sku, oc_sku="OC1", quantity=1
    )
    # Ordered in this order: oldest first decides who gets the last units.
    for n, number in enumerate([*ROUTED, *NOT_ROUTED]):
        Order.objects.filter(number=number).update(
            ordered_at=timezone.now() - timedelta(hours=2, minutes=-n)
        )
    Order.objects.filter(number="WEB-UK-5").update(ordered_at=timezone.now() - timedelta(minutes=5))
    return Seeded(account=account, sites=sites, products=products, rules=rules)
