"""Demo data for Orange Connex: the demo account, pointed at the OC sandbox, a few of the
OC SKUs the sandbox holds for it (the next SKU sync brings the rest), the details OC
needs to register the demo products, and a few weeks of stock history once the demo's
stock rows exist (:mod:`oc_integration.demo_history`)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from hemi_fulfilment.catalog.models import Product
from hemi_fulfilment.demo.data import DEMO_OC_ACCOUNT, DEMO_SKUS, demo_oc_sku
from oc_integration.demo_history import seed_demo_history
from oc_integration.inbound.demo import seed_demo_inbound
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    Environment,
    OCSku,
    ProductOCDetails,
    RoutingRule,
)
from oc_integration.stock.regions import start_region_mappings

#: How many demo products start with their OC SKU in the catalogue (the sandbox holds
#: these, approved, like every demo SKU it has stock of).
DEMO_CATALOGUE_SKUS = 5
#: The demo product whose OC registration details lack a weight, so that the
#: *Register at Orange Connex* preview has something to say.
DEMO_WITHOUT_WEIGHT = DEMO_SKUS[9]


def seed_demo_account(*, sandbox_url: str, public_base_url: str) -> AccountOrangeConnex:
    """The demo OC account, talking to the sandbox at ``sandbox_url``.

    Idempotent: an existing account keeps its authorization and settings; only a missing
    secret key is filled in.
    """
    oc_base = sandbox_url.rstrip("/")
    account, _ = AccountOrangeConnex.objects.get_or_create(
        name=DEMO_OC_ACCOUNT.name,
        defaults={
            "environment": Environment.SANDBOX,
            "api_base_url": f"{oc_base}/openapi",
            "oauth_base_url": oc_base,
            "client_key": DEMO_OC_ACCOUNT.client_key,
            "redirect_uri": f"{public_base_url.rstrip('/')}/oc/oauth/callback/",
        },
    )
    if not account.secret_key:
        account.secret_key = DEMO_OC_ACCOUNT.secret_key
        account.save(update_fields=["secret_key", "updated"])
    start_region_mappings(account)
    seed_demo_skus(account)
    seed_demo_registration_details()
    seed_demo_inbound(account)
    seed_demo_routing_rules(account)
    # Once a stock sync has brought the demo's stock rows: a few weeks for the charts.
    seed_demo_history(account)
    return account


def seed_demo_skus(account: AccountOrangeConnex) -> None:
    """A few approved OC SKUs of the demo products, linked to them (idempotent)."""
    products = {p.sku: p for p in Product.objects.filter(sku__in=DEMO_SKUS[:DEMO_CATALOGUE_SKUS])}
    now = timezone.now()
    OCSku.objects.bulk_create(
        [
            OCSku(
                account=account,
                oc_sku=demo_oc_sku(index),
                seller_sku=sku,
                reference_sku=sku,
                product=products.get(sku),
                status="APPROVED",
                approval=Approval.APPROVED,
                name=sku,
                last_synced=now,
            )
            for index, sku in enumerate(DEMO_SKUS[:DEMO_CATALOGUE_SKUS])
        ],
        ignore_conflicts=True,
    )


def seed_demo_routing_rules(account: AccountOrangeConnex) -> None:
    """Two routing rules for the demo account (once); routing itself stays off until a
    manager turns it on, so the preview has something to show."""
    if RoutingRule.objects.filter(account=account).exists():
        return
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(
                account=account,
                name="UK web shop",
                priority=10,
                channels=["web"],
                countries=["GB"],
                fallback_region="DE",
            ),
            RoutingRule(
                account=account, name="eBay UK", priority=20, channels=["ebay"], ebay_sites=["UK"]
            ),
        ]
    )


def seed_demo_registration_details() -> None:
    """What OC needs to register each demo product (idempotent; kept once edited)."""
    products = Product.objects.filter(sku__in=DEMO_SKUS).order_by("sku")
    ProductOCDetails.objects.bulk_create(
        [
            ProductOCDetails(
                product=product,
                length=Decimal(20 + index % 30),
                width=Decimal(15 + index % 10),
                height=Decimal(10 + index % 20),
                dimension_unit="cm",
                weight=None if product.sku == DEMO_WITHOUT_WEIGHT else Decimal("0.8"),
                weight_unit="kg",
                declared_value=Decimal("12.00"),
                declared_currency="GBP",
                country_of_origin="CN",
            )
            for index, product in enumerate(products)
        ],
        ignore_conflicts=True,
    )
