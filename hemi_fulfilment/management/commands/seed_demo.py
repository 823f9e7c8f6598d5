"""``manage.py seed_demo``: the demo data set, idempotent.

The demo's composition root, the one module of Hemi's own that knows every app: Hemi's
products, listings and orders are made here; each integration seeds its own part.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from ebay_orders.demo import seed_demo_connections
from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.demo.data import (
    DEMO_ORDERS,
    DEMO_SKUS,
    demo_title,
    lacks_de_item_account,
)
from hemi_fulfilment.orders.models import (
    Channel,
    FulfillmentChannel,
    Order,
    OrderItem,
    OrderItemEbay,
    OrderItemType,
    OrderStatus,
)
from oc_integration.demo import seed_demo_account

EBAY_SITES = [("eBay UK", "UK", 3), ("eBay DE", "DE", 77)]


class Command(BaseCommand):
    help = "Create the demo data set (products, eBay accounts, an OC account, orders, an admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USER", "admin"))

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        ebay = {
            code: EbayAccount.objects.update_or_create(
                name=name, defaults={"site_code": code, "site_id": site_id}
            )[0]
            for name, code, site_id in EBAY_SITES
        }
        Product.objects.bulk_create(
            [Product(sku=sku, title=demo_title(i)) for i, sku in enumerate(DEMO_SKUS)],
            ignore_conflicts=True,
        )
        products = {p.sku: p for p in Product.objects.filter(sku__in=DEMO_SKUS)}
        listings = []
        for i, sku in enumerate(DEMO_SKUS):
            listings.append(ItemAccount(product=products[sku], ebay_account=ebay["UK"]))
            if not lacks_de_item_account(i):
                listings.append(ItemAccount(product=products[sku], ebay_account=ebay["DE"]))
        ItemAccount.objects.bulk_create(listings, ignore_conflicts=True)

        # The composition root: each app seeds its own part of the demo.
        account = seed_demo_account(
            sandbox_url=settings.OC_SANDBOX_URL, public_base_url=settings.PUBLIC_BASE_URL
        )
        seed_demo_connections(settings.EBAY_SANDBOX_URL)
        self._seed_orders(ebay, products)
        username, password = self._seed_admin(options["username"])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(products)} products, "
                f"{ItemAccount.objects.count()} item accounts, "
                f"{Order.objects.count()} orders, OC account {account.name!r}."
            )
        )
        self.stdout.write(f"Admin login: {username} / {password}")

    def _seed_orders(self, ebay: dict[str, EbayAccount], products: dict[str, Product]) -> None:
        # The eBay orders are the eBay sandbox's too (same OrderID and OrderLineItemID), so
        # the shipping job reports orders eBay knows.
        now = timezone.now()
        for demo in DEMO_ORDERS:
            product = products[demo.sku]
            order, created = Order.objects.get_or_create(
                number=demo.number,
                defaults={
                    "channel": Channel.WEB_SHOP if demo.web_shop else Channel.EBAY,
                    "ebay_account": None if demo.web_shop else ebay["UK"],
                    "ebay_order_id": demo.ebay_order_id or None,
                    "buyer_name": demo.buyer_name,
                    "buyer_username": demo.buyer_username,
                    "buyer_email": demo.buyer_email,
                    "subtotal": demo.subtotal,
                    "shipping_cost": demo.shipping_cost,
                    "total": demo.total,
                    "currency": demo.currency,
                    "ship_name": demo.buyer_name,
                    "ship_address1": demo.street,
                    "ship_city": demo.city,
                    "ship_state": demo.county,
                    "ship_postcode": demo.postcode,
                    "ship_country_code": demo.country_code,
                    "ship_phone": demo.phone,
                    "status": OrderStatus.PAID,
                    "marketplace_fulfillment_channel": (
                        FulfillmentChannel.EBAY
                        if demo.fulfilled_by_ebay
                        else FulfillmentChannel.SELLER
                    ),
                    "ordered_at": now - timedelta(hours=demo.hours_ago),
                },
            )
            if not created:
                continue
            if demo.web_shop:
                OrderItem.objects.create(
                    order=order,
                    product=product,
                    sku=demo.sku,
                    title=product.title,
                    quantity=demo.quantity,
                    price=demo.price,
                )
            else:
                OrderItemEbay.objects.create(
                    order=order,
                    product=product,
                    ebay_item_id=demo.ebay_item_id,
                    transaction_id=demo.ebay_transaction_id,
                    order_line_item_id=demo.order_line_item_id,
                    sku=demo.sku,
                    title=product.title,
                    quantity=demo.quantity,
                    price=demo.price,
                    currency=demo.currency,
                    type=(
                        OrderItemType.FULFILLED_BY_EBAY
                        if demo.fulfilled_by_ebay
                        else OrderItemType.SELLER_FULFILLED
                    ),
                    fulfillment_ref_id=demo.fulfillment_ref_id,
                )

    def _seed_admin(self, username: str) -> tuple[str, str]:
        # A password from the environment is kept; otherwise a fresh one is printed each run.
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return username, password
