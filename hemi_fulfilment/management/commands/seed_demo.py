"""``manage.py seed_demo``: the demo data set, idempotent.

The demo's composition root, the one module of Hemi's own that knows every app: Hemi's
products, listings and orders are made here; each integration seeds its own part.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from ebay_orders.demo import seed_demo_connections
from hemi_fulfilment.catalog.models import EbayAccount, ItemAccount, Product
from hemi_fulfilment.demo.data import (
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
                site_code=code, defaults={"name": name, "site_id": site_id}
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
        now = timezone.now()
        for n in range(1, 13):
            fulfilled_by_ebay = n % 4 == 0
            is_web = n % 5 == 0
            sku = DEMO_SKUS[n]
            order, created = Order.objects.get_or_create(
                number=f"DEMO-{n:04d}",
                defaults={
                    "channel": Channel.WEB_SHOP if is_web else Channel.EBAY,
                    "ebay_account": None if is_web else ebay["UK"],
                    "ebay_order_id": None if is_web else f"02-0{n:04d}-00555",
                    "buyer_name": f"Demo Buyer {n}",
                    "buyer_email": f"buyer{n}@example.com",
                    "subtotal": Decimal("12.00"),
                    "shipping_cost": Decimal("2.50"),
                    "total": Decimal("14.50"),
                    "currency": "GBP",
                    "ship_name": f"Demo Buyer {n}",
                    "ship_address1": f"{n} Maresfield Road",
                    "ship_city": "Brighton",
                    "ship_postcode": "BN2 5ES",
                    "ship_country_code": "GB",
                    "ship_phone": "07510057052",
                    "status": OrderStatus.PAID,
                    "marketplace_fulfillment_channel": (
                        FulfillmentChannel.EBAY if fulfilled_by_ebay else FulfillmentChannel.SELLER
                    ),
                    "ordered_at": now - timedelta(hours=n),
                },
            )
            if created and is_web:
                OrderItem.objects.create(
                    order=order,
                    product=products[sku],
                    sku=sku,
                    title=products[sku].title,
                    quantity=1,
                    price=Decimal("12.00"),
                )
            elif created:
                OrderItemEbay.objects.create(
                    order=order,
                    product=products[sku],
                    ebay_item_id=f"1100{n:08d}",
                    transaction_id=f"2900{n:08d}",
                    order_line_item_id=f"1100{n:08d}-2900{n:08d}",
                    sku=sku,
                    title=products[sku].title,
                    quantity=1,
                    price=Decimal("12.00"),
                    type=(
                        OrderItemType.FULFILLED_BY_EBAY
                        if fulfilled_by_ebay
                        else OrderItemType.SELLER_FULFILLED
                    ),
                    fulfillment_ref_id="OCUK01" if fulfilled_by_ebay else "",
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
