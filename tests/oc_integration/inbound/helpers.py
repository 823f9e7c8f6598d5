"""Test data for inbound orders: approved OC SKUs the sandbox knows, and draft orders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from hemi_fulfilment.demo.data import DEMO_SKUS, demo_oc_sku
from oc_integration.models import (
    AccountOrangeConnex,
    Approval,
    InboundCarton,
    InboundLine,
    InboundOrder,
    OCSku,
    OCSkuEFService,
    ServiceType,
)

#: Demo SKUs the sandbox holds (approved, stock in UK and DE): index -> OC SKU.
FIRST, SECOND, THIRD = demo_oc_sku(0), demo_oc_sku(1), demo_oc_sku(2)


def approved_skus(account: AccountOrangeConnex, *indexes: int, region: str = "UK") -> list[OCSku]:
    """Approved OC SKUs of the demo, set up for an EF service in ``region``."""
    skus = []
    for index in indexes or (0, 1, 2):
        sku = OCSku.objects.create(
            account=account,
            oc_sku=demo_oc_sku(index),
            seller_sku=DEMO_SKUS[index],
            status="APPROVED",
            approval=Approval.APPROVED,
        )
        OCSkuEFService.objects.create(
            sku=sku,
            region=region,
            service_type=ServiceType.DOMESTIC,
            service_code=f"{'GB' if region == 'UK' else region}DomesticStandard",
        )
        skus.append(sku)
    return skus


def next_week() -> date:
    return timezone.localdate() + timedelta(days=7)


def draft_order(
    account: AccountOrangeConnex,
    cartons: dict[str, list[tuple[OCSku, int]]],
    **fields: Any,
) -> InboundOrder:
    """A draft inbound order with ``cartons``: seller carton number -> [(SKU, units)]."""
    values: dict[str, Any] = {
        "region": "UK",
        "shipping_from": "CN",
        "shipping_method": "EX",
        "transport_method": "AF",
        "eta": next_week(),
        **fields,
    }
    order = InboundOrder.objects.create(account=account, **values)
    for number, lines in cartons.items():
        carton = InboundCarton.objects.create(order=order, seller_carton_number=number)
        InboundLine.objects.bulk_create(
            [
                InboundLine(order=order, carton=carton, sku=sku, quantity=units)
                for sku, units in lines
            ]
        )
    return order


def world_draft(account: AccountOrangeConnex) -> InboundOrder:
    """A draft inbound order of one of the account's approved OC SKUs (for the permission
    tests' world: "Place at Orange Connex" has an order to check)."""
    sku = OCSku.objects.filter(account=account, approval=Approval.APPROVED).first()
    if sku is None:
        [sku] = approved_skus(account, 0)
    return draft_order(account, {"PERM-C1": [(sku, 1)]}, seller_inbound_number="IN-PERM-1")
